/**
 * The wire format's flag bits and value tables, shared by its encoder and decoder, and the
 * packing of a frame's planes. Internal to the link code.
 *
 * @module
 */

import type { VideoPixelFormat } from "@streamlib/core";

/** Flag bit: a picture that decodes alone. */
export const _FLAG_KEY = 1;
/** Flag bit: a data message's value is raw bytes, not JSON. */
export const _FLAG_BYTES = 2;
/** Flag bit: a coded frame carries its codec's configuration before the payload. */
export const _FLAG_DESCRIPTION = 4;
/** Every flag bit defined in version 1. */
export const _FLAGS_KNOWN = _FLAG_KEY | _FLAG_BYTES | _FLAG_DESCRIPTION;

export const _FORMATS: readonly VideoPixelFormat[] = ["RGBA", "BGRA", "I420", "NV12"];
export const _MATRICES = [undefined, "bt709", "bt470bg", "smpte170m"] as const;
export const _KEY_TYPES = ["keydown", "keyup"] as const;
export const _MOUSE_TYPES = ["mousedown", "mouseup", "mousemove", "click", "wheel"] as const;
