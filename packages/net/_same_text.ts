/**
 * Comparing a secret without telling, through the time it takes, how much of it matched: what
 * the access-token checks of the servers and of the links share. Internal to the net package.
 *
 * @module
 */

/** Whether `a` and `b` are the same text; compares every byte, never stopping early. */
export function _sameText(a: string, b: string): boolean {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < Math.max(x.length, y.length); i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}
