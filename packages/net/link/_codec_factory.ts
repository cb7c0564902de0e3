/**
 * Which encoder and decoder a link uses for its codec, and which codecs this process can
 * decode. Internal to the link code.
 *
 * @module
 */

import { type _Codec, type _Decoder, type _Encoder, _rawDecoder, _rawEncoder } from "./_codecs.ts";

/** An encoder for `codec` (raw for `raw`). */
export function _makeEncoder(codec: _Codec, _quality: number): Promise<_Encoder> {
  if (codec === "raw") return Promise.resolve(_rawEncoder);
  return Promise.resolve(_rawEncoder);
}

/** A decoder for `codec`. */
export function _makeDecoder(codec: _Codec): Promise<_Decoder> {
  if (codec === "raw") return Promise.resolve(_rawDecoder);
  return Promise.resolve(_rawDecoder);
}

/** The codecs beyond `raw` this process can decode. */
export function _decodableCodecs(): readonly string[] {
  return [];
}
