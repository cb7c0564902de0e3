/**
 * Which encoder and decoder a link uses for its codec, and which codecs this process has:
 * H.264 and Opus need an ffmpeg with libx264 and libopus (asked once, `ffmpeg -encoders`),
 * JPEG needs Skia (`@napi-rs/canvas`, with the ffi permission). Internal to the link code.
 *
 * @module
 */

import { StreamlibError } from "@streamlib/core";
import { findFfmpeg } from "@streamlib/ffmpeg";
import { _loadSkia } from "../_display_image_encoder.ts";
import { type _Codec, type _Decoder, type _Encoder, _rawDecoder, _rawEncoder } from "./_codecs.ts";
import { _H264LinkDecoder, _H264LinkEncoder } from "./_h264_codec.ts";
import { _JpegLinkDecoder, _JpegLinkEncoder } from "./_jpeg_codec.ts";
import { _OpusLinkDecoder, _OpusLinkEncoder } from "./_opus_codec.ts";

interface _Have {
  ffmpeg?: string;
  h264: boolean;
  opus: boolean;
  jpeg: boolean;
}

let _have: Promise<_Have> | undefined;
let _known: readonly string[] = [];

/** Finds out once which codecs this process has. */
export function _probeCodecs(): Promise<_Have> {
  return _have ??= (async () => {
    const have: _Have = { h264: false, opus: false, jpeg: false };
    try {
      const ffmpeg = (await findFfmpeg()).path;
      have.ffmpeg = ffmpeg;
      const out = await new Deno.Command(ffmpeg, {
        args: ["-hide_banner", "-encoders"],
        stdout: "piped",
        stderr: "null",
        stdin: "null",
      }).output();
      const text = new TextDecoder().decode(out.stdout);
      have.h264 = /\blibx264\b/.test(text);
      have.opus = /\blibopus\b/.test(text);
    } catch {
      // No ffmpeg (or no permission to run it): raw and JPEG only.
    }
    try {
      if (Deno.permissions.querySync({ name: "ffi" }).state === "granted") {
        await _loadSkia();
        have.jpeg = true;
      }
    } catch {
      // No Skia.
    }
    _known = (["jpeg", "h264", "opus"] as const).filter((c) => have[c]);
    return have;
  })();
}

/** The codecs beyond `raw` this process can decode (known once `_probeCodecs()` settled). */
export function _decodableCodecs(): readonly string[] {
  return _known;
}

function _lacking(codec: string, why: string): StreamlibError {
  return new StreamlibError("SL_WIRE_CODEC", `This node cannot use ${codec}: ${why}`, {
    details: { codec },
  });
}

/** An encoder for `codec`; `SL_WIRE_CODEC` when this process lacks it. */
export async function _makeEncoder(codec: _Codec, quality: number): Promise<_Encoder> {
  if (codec === "raw") return _rawEncoder;
  const have = await _probeCodecs();
  if (codec === "jpeg") {
    if (!have.jpeg) throw _lacking("jpeg", "Skia (@napi-rs/canvas) did not load");
    return new _JpegLinkEncoder(await _loadSkia(), quality);
  }
  if (!have[codec] || have.ffmpeg === undefined) {
    throw _lacking(codec, `its ffmpeg has no lib${codec === "h264" ? "x264" : "opus"}`);
  }
  return codec === "h264"
    ? new _H264LinkEncoder(have.ffmpeg, quality)
    : new _OpusLinkEncoder(have.ffmpeg);
}

/** A decoder for `codec`; `SL_WIRE_CODEC` when this process lacks it. */
export async function _makeDecoder(codec: _Codec): Promise<_Decoder> {
  if (codec === "raw") return _rawDecoder;
  const have = await _probeCodecs();
  if (codec === "jpeg") {
    if (!have.jpeg) throw _lacking("jpeg", "Skia (@napi-rs/canvas) did not load");
    return new _JpegLinkDecoder(await _loadSkia());
  }
  if (have.ffmpeg === undefined || !have[codec]) throw _lacking(codec, "no ffmpeg for it");
  return codec === "h264" ? new _H264LinkDecoder(have.ffmpeg) : new _OpusLinkDecoder(have.ffmpeg);
}
