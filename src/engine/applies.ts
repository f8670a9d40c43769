import type { Capability, Platform, Step } from './types.ts';

/** A step or check without `platforms` belongs to every platform of its topic; one that `requires` a capability, only where it is offered. */
export const onPlatform = (s: Pick<Step, 'platforms' | 'requires'>, platform: Pick<Platform, 'name' | Capability>): boolean =>
  (!s.platforms || s.platforms.some((p) => p === platform.name)) && (s.requires ?? []).every((c) => platform[c] !== undefined);
