/**
 * How a node encodes what a tap sampled for the wire: video frames as PNG (converted to RGBA
 * and scaled when asked), audio as levels and one WAV, data and events as JSON; binary parts in
 * base64. Internal: the routes and the client use it.
 *
 * @module
 */

import type { AudioBuffer, Message, TapResult, VideoFrame } from "@streamlib/core";
import { StreamlibError } from "@streamlib/core";
import { convertFrame, encodePngAsync, scaleFrame } from "@streamlib/video";
import type { TappedMessage, TapReply, TapRequest } from "./control_wire.ts";

/** A {@linkcode TapReply} as JSON carries it: PNGs and the WAV in base64. */
export type _WireReply = Omit<TapReply, "messages" | "wav"> & {
  readonly messages: ReadonlyArray<Record<string, unknown>>;
  readonly wav?: string;
};

/** Bytes as base64. */
export function _toBase64(bytes: Uint8Array): string {
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(text);
}

/** Base64 as bytes. */
export function _fromBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** The size to scale `w`×`h` to, keeping the aspect ratio where one side is left open. */
export function _scaledSize(
  w: number,
  h: number,
  request: TapRequest,
): { width: number; height: number } {
  for (const side of ["width", "height"] as const) {
    const value = request[side];
    if (value !== undefined && !(Number.isInteger(value) && value >= 1 && value <= 16_384)) {
      throw new StreamlibError(
        "SL_PARAM_INVALID",
        `A tap's ${side} must be a whole number from 1 to 16384, got ${JSON.stringify(value)}`,
      );
    }
  }
  const { width, height } = request;
  if (width === undefined && height === undefined) return { width: w, height: h };
  if (width !== undefined && height !== undefined) return { width, height };
  if (width !== undefined) return { width, height: Math.max(1, Math.round((h * width) / w)) };
  return { width: Math.max(1, Math.round((w * height!) / h)), height: height! };
}

async function _video(
  frame: VideoFrame,
  request: TapRequest,
): Promise<Record<string, unknown>> {
  const rgba = frame.format === "RGBA" || frame.format === "BGRA"
    ? frame
    : convertFrame(frame, "RGBA");
  const size = _scaledSize(frame.codedWidth, frame.codedHeight, request);
  const scaled = size.width === frame.codedWidth && size.height === frame.codedHeight
    ? rgba
    : scaleFrame(rgba, size.width, size.height);
  return {
    format: frame.format,
    width: size.width,
    height: size.height,
    ...(scaled === rgba
      ? {}
      : { scaledFrom: { width: frame.codedWidth, height: frame.codedHeight } }),
    // Compressed off this thread: a live pipeline's frames keep coming meanwhile.
    png: _toBase64(await encodePngAsync(scaled)),
  };
}

/** dBFS of a linear level; silence is -200 so that JSON carries it. */
function _db(level: number): number {
  return level > 0 ? Math.max(-200, 20 * Math.log10(level)) : -200;
}

function _audio(buffer: AudioBuffer): Record<string, unknown> {
  const { numberOfChannels: channels, numberOfFrames: frames, data } = buffer;
  const rms: number[] = [];
  const peak: number[] = [];
  for (let c = 0; c < channels; c++) {
    let sum = 0;
    let max = 0;
    for (let i = c * frames; i < (c + 1) * frames; i++) {
      const v = data[i]!;
      sum += v * v;
      max = Math.max(max, Math.abs(v));
    }
    rms.push(_db(Math.sqrt(sum / Math.max(1, frames))));
    peak.push(_db(max));
  }
  return { sampleRate: buffer.sampleRate, channels, frames, rms, peak };
}

/** The audio buffers that share the first's rate and channels, as a 16-bit PCM WAV file. */
export function _wav(buffers: readonly AudioBuffer[]): Uint8Array {
  const first = buffers[0]!;
  const same = buffers.filter((b) =>
    b.sampleRate === first.sampleRate && b.numberOfChannels === first.numberOfChannels
  );
  const channels = first.numberOfChannels;
  const frames = same.reduce((n, b) => n + b.numberOfFrames, 0);
  const bytes = frames * channels * 2;
  const out = new Uint8Array(44 + bytes);
  const view = new DataView(out.buffer);
  const text = (at: number, s: string): void => {
    for (let i = 0; i < s.length; i++) out[at + i] = s.charCodeAt(i);
  };
  text(0, "RIFF");
  view.setUint32(4, 36 + bytes, true);
  text(8, "WAVE");
  text(12, "fmt ");
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true); // PCM
  view.setUint16(22, channels, true);
  view.setUint32(24, first.sampleRate, true);
  view.setUint32(28, first.sampleRate * channels * 2, true);
  view.setUint16(32, channels * 2, true);
  view.setUint16(34, 16, true);
  text(36, "data");
  view.setUint32(40, bytes, true);
  let at = 44;
  for (const b of same) {
    for (let i = 0; i < b.numberOfFrames; i++) {
      for (let c = 0; c < channels; c++) {
        const v = Math.max(-1, Math.min(1, b.data[c * b.numberOfFrames + i]!));
        view.setInt16(at, Math.round(v * 32767), true);
        at += 2;
      }
    }
  }
  return out;
}

/** A value as JSON carries it. */
function _json(value: unknown): unknown {
  try {
    const text = JSON.stringify(value, (_k, v) => typeof v === "bigint" ? String(v) : v);
    return text === undefined ? String(value) : JSON.parse(text);
  } catch {
    return String(value);
  }
}

async function _message(m: Message, request: TapRequest): Promise<Record<string, unknown>> {
  const timing = { timestamp: m.timestamp, duration: m.duration, position: m.position };
  switch (m.kind) {
    case "video":
      return { kind: "video", ...timing, ...await _video(m, request) };
    case "audio":
      return { kind: "audio", ...timing, ..._audio(m) };
    case "data":
      return { kind: "data", ...timing, topic: m.topic, value: _json(m.value) };
    case "event": {
      const { kind: _kind, timestamp: _t, duration: _d, position: _p, clockId: _c, ...event } = m;
      return { kind: "event", ...timing, event: _json(event) };
    }
  }
}

/** What a tap sampled, encoded for the wire; one frame at a time, to bound the memory. */
export async function _encodeTap(result: TapResult, request: TapRequest): Promise<_WireReply> {
  const audio = result.messages.filter((m): m is AudioBuffer => m.kind === "audio");
  const messages: Record<string, unknown>[] = [];
  for (const m of result.messages) messages.push(await _message(m, request));
  return {
    port: result.port,
    kind: result.kind,
    reason: result.reason,
    messages,
    ...(audio.length === 0 ? {} : { wav: _toBase64(_wav(audio)) }),
  };
}

/** A reply from the wire, binary parts decoded. */
export function _decodeTap(wire: _WireReply): TapReply {
  return {
    port: wire.port,
    kind: wire.kind,
    reason: wire.reason,
    messages: wire.messages.map((m) =>
      (m.kind === "video" ? { ...m, png: _fromBase64(m.png as string) } : m) as TappedMessage
    ),
    ...(wire.wav === undefined ? {} : { wav: _fromBase64(wire.wav) }),
  };
}
