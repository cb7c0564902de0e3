import { type AudioBuffer, StreamlibError, type VideoFrame } from "@streamlib/core";

/**
 * A track of a {@linkcode _MatroskaWriter} stream: raw video in one of the four pixel formats
 * (`V_UNCOMPRESSED` with the format as FourCC, as ffmpeg reads it), or 32-bit float PCM audio.
 *
 * @internal
 */
export type _MatroskaTrack =
  | { kind: "video"; format: VideoFrame["format"]; width: number; height: number }
  | { kind: "audio"; sampleRate: number; channels: number };

/**
 * Writes a Matroska stream of raw tracks to a pipe, so that ffmpeg gets every frame's own
 * timestamp (µs; variable frame rates survive) and can interleave several tracks by time. Each
 * block goes in its own cluster, so no block is held back. The segment has unknown size, as in
 * live streams.
 *
 * @internal
 */
export class _MatroskaWriter {
  readonly tracks: readonly _MatroskaTrack[];

  constructor(tracks: readonly _MatroskaTrack[]) {
    this.tracks = tracks;
  }

  /** The EBML header, the segment start, segment info and the track list. */
  header(): Uint8Array {
    const ebml = _element(0x1a45dfa3, [
      _uint(0x4286, 1),
      _uint(0x42f7, 1),
      _uint(0x42f2, 4),
      _uint(0x42f3, 8),
      _string(0x4282, "matroska"),
      _uint(0x4287, 4),
      _uint(0x4285, 2),
    ]);
    const segment = _concat([_id(0x18538067), Uint8Array.of(1, 255, 255, 255, 255, 255, 255, 255)]);
    const info = _element(0x1549a966, [
      _uint(0x2ad7b1, 1000), // timestamps in µs
      _string(0x4d80, "streamlib"),
      _string(0x5741, "streamlib"),
    ]);
    const tracks = _element(0x1654ae6b, this.tracks.map((track, i) => _trackEntry(track, i + 1)));
    return _concat([ebml, segment, info, tracks]);
  }

  /**
   * The cluster header and block header that go before `size` bytes of track `track` (0-based)
   * at `timestamp` µs lasting `duration` µs (0: unknown); the payload itself is written after it, uncopied.
   */
  blockHeader(track: number, timestamp: number, duration: number, size: number): Uint8Array {
    if (!Number.isFinite(timestamp) || timestamp < 0) {
      throw new StreamlibError(
        "SL_PARAM_INVALID",
        `Cannot write a frame with timestamp ${timestamp} µs: timestamps must be ≥ 0`,
      );
    }
    // A BlockGroup with the block's duration (so that the last frame keeps its length), then a
    // Block: track number (vint), relative timestamp (int16), flags, payload.
    const blockHead = Uint8Array.of(0x80 | (track + 1), 0, 0, 0);
    const length = duration > 0 ? _uint(0x9b, Math.round(duration)) : new Uint8Array(0);
    const block = _concat([_id(0xa1), _size(blockHead.length + size), blockHead]);
    const group = _concat([_id(0xa0), _size(length.length + block.length + size), length, block]);
    const time = _uint(0xe7, Math.round(timestamp));
    return _concat([_id(0x1f43b675), _size(time.length + group.length + size), time, group]);
  }
}

/**
 * Planar float samples as interleaved little-endian float32 bytes (Matroska's PCM layout).
 *
 * @internal
 */
export function _interleavedBytes(buffer: AudioBuffer): Uint8Array {
  const { numberOfChannels: channels, numberOfFrames: frames, data } = buffer;
  const out = new Float32Array(channels * frames);
  for (let c = 0; c < channels; c++) {
    const from = c * frames;
    for (let i = 0; i < frames; i++) out[i * channels + c] = data[from + i]!;
  }
  const bytes = new Uint8Array(out.buffer);
  if (!_LITTLE_ENDIAN) {
    for (let i = 0; i < bytes.length; i += 4) bytes.subarray(i, i + 4).reverse();
  }
  return bytes;
}

const _LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

function _trackEntry(track: _MatroskaTrack, number: number): Uint8Array {
  const common = [_uint(0xd7, number), _uint(0x73c5, number), _uint(0x9c, 0)];
  if (track.kind === "video") {
    return _element(0xae, [
      ...common,
      _uint(0x83, 1),
      _string(0x86, "V_UNCOMPRESSED"),
      _element(0xe0, [
        _uint(0xb0, track.width),
        _uint(0xba, track.height),
        _bytes(0x2eb524, new TextEncoder().encode(track.format)),
      ]),
    ]);
  }
  return _element(0xae, [
    ...common,
    _uint(0x83, 2),
    _string(0x86, "A_PCM/FLOAT/IEEE"),
    _element(0xe1, [
      _float(0xb5, track.sampleRate),
      _uint(0x9f, track.channels),
      _uint(0x6264, 32),
    ]),
  ]);
}

function _id(id: number): Uint8Array {
  const bytes: number[] = [];
  for (let v = id; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 255);
  return Uint8Array.from(bytes);
}

/** An EBML variable-length size: 1 to 8 bytes. */
function _size(n: number): Uint8Array {
  for (let length = 1; length <= 8; length++) {
    if (n < 2 ** (7 * length) - 1) {
      const out = new Uint8Array(length);
      let v = n;
      for (let i = length - 1; i >= 0; i--) {
        out[i] = v & 255;
        v = Math.floor(v / 256);
      }
      out[0]! |= 1 << (8 - length);
      return out;
    }
  }
  throw new RangeError(`EBML size ${n} is too large`);
}

function _bytes(id: number, payload: Uint8Array): Uint8Array {
  return _concat([_id(id), _size(payload.length), payload]);
}

function _element(id: number, children: readonly Uint8Array[]): Uint8Array {
  return _bytes(id, _concat(children));
}

function _uint(id: number, value: number): Uint8Array {
  const bytes: number[] = [];
  for (let v = value; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 255);
  return _bytes(id, Uint8Array.from(bytes.length ? bytes : [0]));
}

function _float(id: number, value: number): Uint8Array {
  const payload = new Uint8Array(8);
  new DataView(payload.buffer).setFloat64(0, value);
  return _bytes(id, payload);
}

function _string(id: number, value: string): Uint8Array {
  return _bytes(id, new TextEncoder().encode(value));
}

function _concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
