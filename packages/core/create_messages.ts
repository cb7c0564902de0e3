import type { DataMessage, KeyEvent, MouseEvent, Timing } from "./messages.ts";

/**
 * Creates a key event; unset modifier flags are `false` and unset timing fields 0.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createKeyEvent } from "@streamlib/core";
 * const e = createKeyEvent({ type: "keydown", key: "Q", shiftKey: true, timestamp: 5 });
 * assert.ok(e.shiftKey && e.code === "");
 * ```
 *
 * @param init The event type and key, with optional fields.
 * @returns The event.
 */
export function createKeyEvent(
  init: Partial<Omit<KeyEvent, "kind">> & Pick<KeyEvent, "type" | "key">,
): KeyEvent {
  return {
    kind: "event",
    code: "",
    altKey: false,
    ctrlKey: false,
    metaKey: false,
    shiftKey: false,
    repeat: false,
    timestamp: 0,
    duration: 0,
    position: 0,
    clockId: "",
    ...init,
  };
}

/**
 * Creates a mouse event; unset fields are 0 or `false`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createMouseEvent } from "@streamlib/core";
 * const e = createMouseEvent({ type: "wheel", x: 1, y: 2, deltaY: -120 });
 * assert.ok(e.deltaY === -120 && e.button === 0);
 * ```
 *
 * @param init The event type and position, with optional fields.
 * @returns The event.
 */
export function createMouseEvent(
  init: Partial<Omit<MouseEvent, "kind">> & Pick<MouseEvent, "type" | "x" | "y">,
): MouseEvent {
  return {
    kind: "event",
    button: 0,
    buttons: 0,
    deltaX: 0,
    deltaY: 0,
    altKey: false,
    ctrlKey: false,
    metaKey: false,
    shiftKey: false,
    timestamp: 0,
    duration: 0,
    position: 0,
    clockId: "",
    ...init,
  };
}

/**
 * Creates a data message carrying `value`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createDataMessage } from "@streamlib/core";
 * const m = createDataMessage("hello", { topic: "greeting", timestamp: 1_000_000 });
 * assert.ok(m.value === "hello" && m.duration === 0);
 * ```
 *
 * @param value The payload.
 * @param init Optional topic and timing.
 * @returns The message.
 */
export function createDataMessage<T>(
  value: T,
  init: Partial<Timing> & { topic?: string } = {},
): DataMessage<T> {
  return {
    kind: "data",
    topic: init.topic ?? "",
    value,
    timestamp: init.timestamp ?? 0,
    duration: init.duration ?? 0,
    position: init.position ?? 0,
    clockId: init.clockId ?? "",
  };
}
