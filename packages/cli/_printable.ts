/**
 * Text from elsewhere (a registry, a manifest, a marketplace) made safe to print on a
 * terminal. Internal: nothing here is public API.
 *
 * @module
 */

/** Control characters but tab and newline, C1 controls, and the bidirectional overrides. */
// deno-lint-ignore no-control-regex -- control characters are what it finds
const _UNPRINTABLE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/**
 * `text` with every control character but tab and newline (an escape sequence that moves the
 * cursor and erases lines, a carriage return that writes over a line) and every bidirectional
 * override written out as `\u001b`, so a plugin's manifest cannot change what the lines above
 * or around its text show, such as the permissions a user is asked to agree to.
 */
export function _printable(text: string): string {
  return text.replace(
    _UNPRINTABLE,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}
