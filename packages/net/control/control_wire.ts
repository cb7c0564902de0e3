import type { PortKind, TapResult } from "@streamlib/core";

/**
 * One message a tap sampled, as a node sends it back: video as a PNG (scaled when asked),
 * audio as its levels (the samples go into the reply's WAV), data and events as JSON.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { TappedMessage } from "@streamlib/net";
 * const m: TappedMessage = {
 *   kind: "data", timestamp: 0, duration: 33_333, position: 0, topic: "", value: 42,
 * };
 * assert.ok(m.kind === "data" && m.value === 42);
 * ```
 */
export type TappedMessage =
  & {
    /** Presentation time in µs of running time. */
    readonly timestamp: number;
    /** Duration in µs. */
    readonly duration: number;
    /** Frame number, first sample index, or sequence number. */
    readonly position: number;
  }
  & (
    | {
      readonly kind: "video";
      /** The frame's pixel format. */
      readonly format: string;
      /** The PNG's size (the frame's, or the scaled size asked for). */
      readonly width: number;
      readonly height: number;
      /** The frame's own size, when the PNG was scaled. */
      readonly scaledFrom?: { readonly width: number; readonly height: number };
      /** The picture, an 8-bit RGBA PNG. */
      readonly png: Uint8Array;
    }
    | {
      readonly kind: "audio";
      readonly sampleRate: number;
      readonly channels: number;
      /** Samples per channel. */
      readonly frames: number;
      /** RMS level per channel, dBFS (-Infinity for silence is sent as -200). */
      readonly rms: readonly number[];
      /** Peak level per channel, dBFS. */
      readonly peak: readonly number[];
    }
    | {
      readonly kind: "data";
      readonly topic: string;
      /** The value as JSON carries it (what JSON cannot carry becomes text). */
      readonly value: unknown;
    }
    | {
      readonly kind: "event";
      /** The event's fields: `type`, `key`, `x`, `y`… */
      readonly event: Readonly<Record<string, unknown>>;
    }
  );

/**
 * What a node's tap gives back: the messages, encoded, and for audio one short WAV of what was
 * sampled (16-bit PCM at the first buffer's rate and channels).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { TapReply } from "@streamlib/net";
 * const reply: TapReply = { port: "src.out", kind: "video", reason: "count", messages: [] };
 * assert.ok(reply.wav === undefined);
 * ```
 */
export interface TapReply {
  /** The output tapped, `actor.port`. */
  readonly port: string;
  /** What the output carries. */
  readonly kind: PortKind | "any";
  /** Why the tap ended: `count`, `timeout`, `eos` or `aborted`. */
  readonly reason: TapResult["reason"];
  /** The messages, oldest first. */
  readonly messages: readonly TappedMessage[];
  /** The audio sampled, as a WAV file, when the tap caught audio. */
  readonly wav?: Uint8Array;
}

/**
 * Options of a tap through a node's control API (`ControlClient.tap`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { TapRequest } from "@streamlib/net";
 * const request: TapRequest = { count: 1, timeoutMs: 2_000, width: 320 };
 * assert.ok(request.width === 320);
 * ```
 */
export interface TapRequest {
  /** Messages to sample, 1 to 100 (default 1). */
  readonly count?: number;
  /** Return what came within this many ms (default 2 000). */
  readonly timeoutMs?: number;
  /** Scale video to this width; with `height` absent, the height keeps the aspect ratio. */
  readonly width?: number;
  /** Scale video to this height; with `width` absent, the width keeps the aspect ratio. */
  readonly height?: number;
}

/**
 * What a node says of itself (`GET /v1/info`): its registry entry's facts, live.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { NodeInfo } from "@streamlib/net";
 * const info: NodeInfo = {
 *   name: "datasrc-1", pid: 42, startedAt: 0, state: "running", mode: "live", actors: 2,
 *   summary: "datasrc ! log", version: "0.1.0",
 * };
 * assert.ok(info.state === "running");
 * ```
 */
export interface NodeInfo {
  /** The node's name. */
  readonly name: string;
  /** Its process id. */
  readonly pid: number;
  /** When it started serving, ms since 1970. */
  readonly startedAt: number;
  /** The pipeline's state. */
  readonly state: string;
  /** `live` or `offline`. */
  readonly mode: "live" | "offline";
  /** Actors now. */
  readonly actors: number;
  /** The pipeline in a line. */
  readonly summary: string;
  /** The streamlib version it runs. */
  readonly version: string;
  /** Its Unix socket, when it serves one. */
  readonly socket?: string;
  /** Its TCP address, when it serves on TCP too. */
  readonly tcp?: string;
}

/**
 * One running node as its registry file describes it: a small JSON file per node in the
 * control folder (`$XDG_RUNTIME_DIR/streamlib/<name>.json`, beside the node's socket), written
 * when it starts serving and removed when it ends.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { NodeEntry } from "@streamlib/net";
 * const entry: NodeEntry = {
 *   name: "videotestsrc-1",
 *   pid: 4242,
 *   startedAt: Date.now(),
 *   socket: "/run/user/1000/streamlib/videotestsrc-1.sock",
 *   summary: "videotestsrc ! compositor ! display",
 *   actors: 3,
 *   version: "0.1.0",
 * };
 * assert.ok(entry.socket?.endsWith(".sock"));
 * ```
 */
export interface NodeEntry {
  /** The node's name, unique on the machine for its user. */
  readonly name: string;
  /** Its process id. */
  readonly pid: number;
  /** When it started serving, ms since 1970. */
  readonly startedAt: number;
  /** Its Unix socket, when it serves one (mode 0600 in a 0700 folder). */
  readonly socket?: string;
  /** Its TCP address (`http://host:port`), when it serves on TCP too. */
  readonly tcp?: string;
  /** Whether the TCP address needs an access token (any address but loopback). */
  readonly tokenRequired?: boolean;
  /** The pipeline in a line: its text, or its actors' types. */
  readonly summary: string;
  /** How many actors it had when it started. */
  readonly actors: number;
  /** The streamlib version it runs. */
  readonly version: string;
  /** Set while a launcher holds the name for a node still starting (the CLI does). */
  readonly reserved?: boolean;
}
