/**
 * Which ffmpeg features a version has, for the arguments the actors pass.
 *
 * @module
 */

/**
 * Whether an ffmpeg version (as `findFfmpeg` reports it: `5.1.6`,
 * `5.1.9-0+deb12u1`, `7.0`) is at least `major.minor`. Git builds (`N-47683-g0e8eb07980`) say
 * nothing about their release: they count as older than any.
 *
 * @param version ffmpeg's version.
 * @param major The release's major number.
 * @param minor Its minor number.
 * @returns `true` when the version is that release or later.
 * @internal
 */
export function _atLeast(version: string, major: number, minor = 0): boolean {
  const match = /^(\d+)\.(\d+)/.exec(version);
  if (match === null) return false;
  const [has, hasMinor] = [Number(match[1]), Number(match[2])];
  return has > major || (has === major && hasMinor >= minor);
}
