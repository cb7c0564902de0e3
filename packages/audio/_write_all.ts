/**
 * Writing several messages to one output from one `process` call.
 *
 * @module
 */

import type { Message, Output } from "@streamlib/core";

/**
 * Writes `messages` to `output` in order, waiting for space between writes where the output
 * makes it wait (a second write while one waits would throw `SL_WRITE_PENDING`).
 *
 * @returns `undefined` when every message was taken at once, else a promise of the last one.
 */
export function _writeAll<T extends Message>(
  output: Output<T>,
  messages: readonly T[],
  from = 0,
): void | Promise<void> {
  for (let i = from; i < messages.length; i++) {
    const pending = output.write(messages[i]!);
    if (pending !== undefined) return pending.then(() => _writeAll(output, messages, i + 1));
  }
}
