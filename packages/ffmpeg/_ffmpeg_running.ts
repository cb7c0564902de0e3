/**
 * Process ids of the ffmpeg processes this module instance started that have not been seen to
 * exit, for tests checking that none outlives its actor.
 *
 * @internal
 */
export const _running: Set<number> = new Set();
