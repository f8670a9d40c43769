/** Moved to src/platforms/ports.ts (shared by both platforms); kept for imports not yet updated. */
export * from '../ports.ts';
