/** Moved to src/platforms/certs.ts (shared by both platforms); kept for imports not yet updated. */
export * from '../certs.ts';
