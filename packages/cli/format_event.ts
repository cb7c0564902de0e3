import type { ControlEvent } from "@streamlib/core";

/**
 * One line for an event of a node, as `streamlib logs` prints it: its number, the time of day
 * (UTC), the actor's name, and what happened.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatEvent } from "@streamlib/cli";
 * const line = formatEvent({
 *   seq: 12, time: Date.UTC(2025, 0, 1, 9, 30, 5, 120), runningTime: 5_000_000,
 *   type: "log", actor: "actor://local/log/log0", text: "log0: t=5.000000s #150 data 150",
 * });
 * assert.equal(line, "#12 09:30:05.120 log0 log: log0: t=5.000000s #150 data 150");
 * ```
 *
 * @param event The event.
 * @returns The line, without a newline.
 */
export function formatEvent(event: ControlEvent): string {
  const time = new Date(event.time).toISOString().slice(11, 23);
  const actor = "actor" in event && event.actor !== undefined
    ? ` ${event.actor.slice(event.actor.lastIndexOf("/") + 1)}`
    : "";
  const head = `#${event.seq} ${time}${actor}`;
  switch (event.type) {
    case "log":
      return `${head} log: ${event.text}`;
    case "error":
      return `${head} error ${event.code} in ${event.phase} (${event.action}): ${
        event.message.split("\n")[0]
      }`;
    case "restart":
      return `${head} restart #${event.attempt} in ${event.delayMs} ms`;
    case "eos":
      return `${head} end-of-stream`;
    case "state":
      return `${head} pipeline ${event.state}`;
    case "control":
      return `${head} control: ${event.text.split("\n")[0]}`;
  }
}
