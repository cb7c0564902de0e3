/**
 * Compression per link. A sender's encoder turns each message into what goes on the wire (raw
 * frames and samples as they are; video as JPEG or H.264, audio as Opus), and the receiver's
 * decoder turns it back into ordinary frames and buffers, so the receiving actor never knows.
 * Which codecs a node has depends on its ffmpeg (libx264, libopus) and on Skia (JPEG); a hello
 * for one it lacks is refused with `SL_WIRE_CODEC`. Internal to the link code.
 *
 * @module
 */

import { type Message, StreamlibError } from "@streamlib/core";
import type { WireMessage } from "./wire_format.ts";
import type { _Delivery } from "./_link_receiver.ts";

/** What goes on the wire for a message, given its sequence number. */
export type _Outgoing = (seq: number) => WireMessage;

/** A sender's encoder. */
export interface _Encoder {
  /** What to send for `message` (none, one or more, in order; Opus packs audio its own way). */
  encode(message: Message): Promise<_Outgoing[]> | _Outgoing[];
  /** Sends what it holds back at the end. */
  finish(): Promise<_Outgoing[]> | _Outgoing[];
  close(): Promise<void>;
}

/** A receiver's decoder. */
export interface _Decoder {
  /** The messages `delivery` stands for (none while a decoder fills, or after a loss). */
  decode(delivery: _Delivery): Promise<Message[]> | Message[];
  /**
   * Where a decoder that yields in the background (ffmpeg) hands its messages, in order; its
   * promise holds the decoder back (so a slow pipeline slows the link).
   */
  output?: (message: Message) => Promise<void> | void;
  /** At end-of-stream: what it still holds. */
  finish?(): Promise<Message[]>;
  close(): Promise<void>;
}

/** Codec names a link can use. */
export const _CODECS = ["raw", "jpeg", "h264", "opus"] as const;
export type _Codec = typeof _CODECS[number];

/** The encoding of raw messages: as they are. */
export const _rawEncoder: _Encoder = {
  encode(message: Message): _Outgoing[] {
    switch (message.kind) {
      case "video":
        return [(seq) => ({ type: "video", seq, message })];
      case "audio":
        return [(seq) => ({ type: "audio", seq, message })];
      case "event":
        return [(seq) => ({ type: "event", seq, message })];
      default:
        return [(seq) => ({ type: "data", seq, message })];
    }
  },
  finish: () => [],
  close: () => Promise.resolve(),
};

/** The decoding of raw messages: as they are; coded ones need their codec's decoder. */
export const _rawDecoder: _Decoder = {
  decode(delivery: _Delivery): Message[] {
    switch (delivery.type) {
      case "video":
      case "audio":
      case "event":
      case "data":
        return [delivery.message];
      case "video-coded":
      case "audio-coded":
        throw new StreamlibError(
          "SL_WIRE_CODEC",
          `A ${delivery.message.codec} frame came on a link that said it sends raw`,
        );
      default:
        return [];
    }
  },
  close: () => Promise.resolve(),
};

/** Which kinds a codec compresses; others go raw. */
export function _codecKind(codec: string): "video" | "audio" | undefined {
  return codec === "jpeg" || codec === "h264" ? "video" : codec === "opus" ? "audio" : undefined;
}

/** Checks a codec name: `SL_PARAM_INVALID` for an unknown one. */
export function _checkCodec(codec: string): _Codec {
  if (!(_CODECS as readonly string[]).includes(codec)) {
    throw new StreamlibError(
      "SL_PARAM_INVALID",
      `Unknown link codec ${JSON.stringify(codec)}; expected ${_CODECS.join(", ")}`,
      { details: { codec } },
    );
  }
  return codec as _Codec;
}
