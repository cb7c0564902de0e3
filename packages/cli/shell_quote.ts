/**
 * Quotes a word for a POSIX shell when it needs it, so printed commands can be pasted back:
 * words of letters, digits and `-_=.,:/@%+` stay as they are, others go in single quotes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { shellQuote } from "@streamlib/cli";
 * assert.ok(shellQuote("--allow-read=data/in.mp4") === "--allow-read=data/in.mp4");
 * assert.ok(shellQuote("--allow-read=my file") === "'--allow-read=my file'");
 * assert.ok(shellQuote("it's") === "'it'\\''s'");
 * ```
 *
 * @param word The word.
 * @returns The word, quoted if needed.
 */
export function shellQuote(word: string): string {
  if (/^[A-Za-z0-9_\-=.,:/@%+]+$/.test(word)) return word;
  return `'${word.replaceAll("'", "'\\''")}'`;
}
