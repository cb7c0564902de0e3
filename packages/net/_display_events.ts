/**
 * What a display page may send back: small JSON text messages, checked field by field before
 * anything reaches the pipeline. Anything else is a bad message, counted and ignored.
 *
 * - `{"type":"hello","codecs":["h264","jpeg",…]}`: what the page can decode, sent first;
 * - `{"type":"ack"}`: a frame was decoded (flow control);
 * - `{"type":"keydown"|"keyup", key, code, altKey, ctrlKey, metaKey, shiftKey, repeat}`;
 * - `{"type":"mousedown"|"mouseup"|"mousemove"|"click"|"wheel", x, y, button, buttons,
 *   deltaX, deltaY, altKey, ctrlKey, metaKey, shiftKey}` with `x`, `y` in video pixels.
 *
 * @module
 */

import type { KeyEvent, MouseEvent } from "@streamlib/core";
import { _CODEC_IDS, type _DisplayCodec } from "./_display_wire.ts";

/** Fields of a key event, without timing. */
export type _KeyFields = Pick<
  KeyEvent,
  "type" | "key" | "code" | "altKey" | "ctrlKey" | "metaKey" | "shiftKey" | "repeat"
>;

/** Fields of a mouse event, without timing. */
export type _MouseFields = Pick<
  MouseEvent,
  | "type"
  | "x"
  | "y"
  | "button"
  | "buttons"
  | "deltaX"
  | "deltaY"
  | "altKey"
  | "ctrlKey"
  | "metaKey"
  | "shiftKey"
>;

/** A checked message from a page. */
export type _ViewerMessage =
  | { readonly kind: "hello"; readonly codecs: readonly _DisplayCodec[] }
  | { readonly kind: "ack" }
  | { readonly kind: "key"; readonly event: _KeyFields }
  | { readonly kind: "mouse"; readonly event: _MouseFields };

/** Longest message accepted, in characters. */
export const _MAX_VIEWER_MESSAGE = 1024;

const _KEY_TYPES = new Set(["keydown", "keyup"]);
const _MOUSE_TYPES = new Set(["mousedown", "mouseup", "mousemove", "click", "wheel"]);
const _ACK: _ViewerMessage = { kind: "ack" };

/**
 * Checks one message from a page.
 *
 * @param data What the WebSocket received (only text is valid).
 * @param width Width of the video the page shows: `x` must lie in [0, width).
 * @param height Height of the video: `y` must lie in [0, height).
 * @returns The message, or `undefined` when it is not a valid one.
 */
export function _parseViewerMessage(
  data: unknown,
  width: number,
  height: number,
): _ViewerMessage | undefined {
  if (typeof data !== "string" || data.length > _MAX_VIEWER_MESSAGE) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return undefined;
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) return undefined;
  const m = value as Record<string, unknown>;
  const type = m.type;
  if (type === "ack") return _ACK;
  if (typeof type !== "string") return undefined;
  if (type === "hello") {
    const { codecs } = m;
    if (!Array.isArray(codecs) || codecs.length > 8) return undefined;
    const known = codecs.filter((c): c is _DisplayCodec =>
      typeof c === "string" && Object.hasOwn(_CODEC_IDS, c)
    );
    return { kind: "hello", codecs: known };
  }
  const altKey = m.altKey ?? false;
  const ctrlKey = m.ctrlKey ?? false;
  const metaKey = m.metaKey ?? false;
  const shiftKey = m.shiftKey ?? false;
  if (![altKey, ctrlKey, metaKey, shiftKey].every((b) => typeof b === "boolean")) return undefined;
  const modifiers = {
    altKey: altKey as boolean,
    ctrlKey: ctrlKey as boolean,
    metaKey: metaKey as boolean,
    shiftKey: shiftKey as boolean,
  };
  if (_KEY_TYPES.has(type)) {
    const { key, code = "", repeat = false } = m;
    if (!_shortText(key) || key === "" || !_shortText(code) || typeof repeat !== "boolean") {
      return undefined;
    }
    return {
      kind: "key",
      event: { type: type as KeyEvent["type"], key, code, repeat, ...modifiers },
    };
  }
  if (_MOUSE_TYPES.has(type)) {
    const { x, y, button = 0, buttons = 0, deltaX = 0, deltaY = 0 } = m;
    if (
      typeof x !== "number" || typeof y !== "number" || !(x >= 0 && x < width) ||
      !(y >= 0 && y < height) || !_integerIn(button, 0, 31) || !_integerIn(buttons, 0, 0xffff) ||
      !_finite(deltaX) || !_finite(deltaY)
    ) {
      return undefined;
    }
    return {
      kind: "mouse",
      event: {
        type: type as MouseEvent["type"],
        x,
        y,
        button,
        buttons,
        deltaX,
        deltaY,
        ...modifiers,
      },
    };
  }
  return undefined;
}

function _shortText(value: unknown): value is string {
  return typeof value === "string" && value.length <= 64;
}

function _integerIn(value: unknown, min: number, max: number): value is number {
  return Number.isInteger(value) && (value as number) >= min && (value as number) <= max;
}

function _finite(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value);
}
