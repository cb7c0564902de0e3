/**
 * A reader of the NUT streams ffmpeg writes (`-f nut`), so that raw frames come with their own
 * timestamps and their real size: the file reader's ffmpeg sends decoded frames this way instead
 * of bare `rawvideo`. It follows ffmpeg's `nutdec.c` for version 3 streams (what ffmpeg writes by
 * default): the main header's frame code table and elision headers, stream headers, syncpoints,
 * and frame headers; info and index packets are skipped. Checksums are not verified: the stream
 * comes from a local pipe.
 *
 * Frame payloads are read straight into a buffer of their own size, so a raw frame is not
 * copied on its way through (at most the few bytes read with its header are).
 *
 * @module
 */

/**
 * A stream of a NUT file, from its header.
 *
 * @internal
 */
export interface _NutStream {
  /** `video`, `audio`, `subtitle` or `data`. */
  readonly kind: "video" | "audio" | "subtitle" | "data";
  /** The codec tag: `RGBA`, `I420`… for raw video. */
  readonly fourcc: string;
  /** Picture size, for video (0 otherwise). */
  readonly width: number;
  readonly height: number;
  /** The stream's time base as a fraction of a second, `[num, den]`. */
  readonly timeBase: readonly [number, number];
}

/**
 * One frame: its stream, its presentation time in µs, and its bytes.
 *
 * @internal
 */
export interface _NutFrame {
  readonly stream: number;
  readonly timestamp: number;
  readonly data: Uint8Array;
}

/**
 * The NUT stream was malformed or ended in the middle of something.
 *
 * @internal
 */
export class _NutError extends Error {
  override name = "NutError";
}

const _ID = new TextEncoder().encode("nut/multimedia container\0");
/** The startcodes' last six bytes after `N` and their letter, as ffmpeg's `nut.h` has them. */
const _MAIN = 0x4d7a561f5f04adn;
const _STREAM = 0x5311405bf2f9dbn;
const _SYNCPOINT = 0x4be4adeeca4569n;

const _FLAG_CODED_PTS = 8;
const _FLAG_STREAM_ID = 16;
const _FLAG_SIZE_MSB = 32;
const _FLAG_CHECKSUM = 64;
const _FLAG_RESERVED = 128;
const _FLAG_SM_DATA = 256;
const _FLAG_HEADER_IDX = 1024;
const _FLAG_MATCH_TIME = 2048;
const _FLAG_CODED = 4096;
const _FLAG_INVALID = 8192;

interface _FrameCode {
  flags: number;
  ptsDelta: number;
  streamId: number;
  sizeMul: number;
  sizeLsb: number;
  reserved: number;
  headerIdx: number;
}

/** What `N` is in the frame code table: a startcode, never a frame. */
const _NO_CODE: _FrameCode = {
  flags: _FLAG_INVALID,
  ptsDelta: 0,
  streamId: 0,
  sizeMul: 1,
  sizeLsb: 0,
  reserved: 0,
  headerIdx: 0,
};

interface _StreamState {
  header: _NutStream;
  timeBaseId: number;
  msbPtsShift: number;
  lastPts: number;
}

/** Bytes of a packet body, for the header parsers. */
class _Cursor {
  #bytes: Uint8Array;
  #pos = 0;

  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
  }

  get left(): number {
    return this.#bytes.length - this.#pos;
  }

  byte(): number {
    if (this.#pos >= this.#bytes.length) throw new _NutError("a header ends too early");
    return this.#bytes[this.#pos++]!;
  }

  v(): number {
    let value = 0;
    for (;;) {
      const b = this.byte();
      value = value * 128 + (b & 127);
      if (b < 128) return value;
    }
  }

  s(): number {
    const v = this.v() + 1;
    return v % 2 ? -(v - 1) / 2 : v / 2;
  }

  bytes(n: number): Uint8Array {
    if (n > this.left) throw new _NutError("a header ends too early");
    const out = this.#bytes.subarray(this.#pos, this.#pos + n);
    this.#pos += n;
    return out;
  }
}

/**
 * Reads a NUT stream from `stdout`: {@linkcode _NutReader.streams} once the headers are in,
 * then {@linkcode _NutReader.next} frame by frame.
 *
 * @internal
 */
export class _NutReader {
  #reader: ReadableStreamBYOBReader;
  /** Read ahead of what was parsed: `#buffer[#pos, #end)`. */
  #buffer = new Uint8Array(4096);
  #pos = 0;
  #end = 0;
  #started = false;
  #timeBases: Array<readonly [number, number]> = [];
  #codes: _FrameCode[] = [];
  #elision: Uint8Array[] = [new Uint8Array(0)];
  #streams: _StreamState[] = [];
  /** The first frame, read while looking for the stream headers. */
  #pending: _NutFrame | undefined | null = null;

  constructor(stdout: ReadableStream<Uint8Array>) {
    this.#reader = stdout.getReader({ mode: "byob" });
  }

  /**
   * The streams, once their headers and the first frame have been read (`[]` when the stream
   * ends before any).
   */
  async streams(): Promise<readonly _NutStream[]> {
    if (this.#pending === null) this.#pending = await this.#next();
    return this.#streams.map((s) => s.header);
  }

  /** Stops reading: the stream is cancelled (its pipe closed), and reads after it end. */
  cancel(): void {
    this.#reader.cancel().catch(() => {});
  }

  /** The next frame, or `undefined` at the end; throws {@linkcode _NutError} on bad data. */
  async next(): Promise<_NutFrame | undefined> {
    if (this.#pending !== null) {
      const frame = this.#pending;
      this.#pending = frame === undefined ? undefined : null;
      return frame;
    }
    return await this.#next();
  }

  async #next(): Promise<_NutFrame | undefined> {
    if (!this.#started) {
      this.#started = true;
      const id = await this.#take(_ID.length, true);
      if (id === undefined) return undefined;
      if (!id.every((b, i) => b === _ID[i])) throw new _NutError("it is not a NUT stream");
    }
    for (;;) {
      if (!await this.#fill(1)) return undefined;
      const code = this.#buffer[this.#pos++]!;
      if (code === 0x4e) await this.#packet();
      else return await this.#frame(code);
    }
  }

  /** A packet after its `N`: headers are parsed, syncpoints reset the timestamps. */
  async #packet(): Promise<void> {
    const startcode = (await this.#exact(7)).reduce((n, b) => (n << 8n) | BigInt(b), 0n);
    const size = await this.#v();
    if (size > 4096) await this.#exact(4); // the header's checksum
    const body = new _Cursor(await this.#exact(size));
    if (startcode === _MAIN) this.#mainHeader(body);
    else if (startcode === _STREAM) this.#streamHeader(body);
    else if (startcode === _SYNCPOINT) {
      const coded = body.v();
      const id = coded % this.#timeBases.length;
      const [num, den] = this.#timeBases[id]!;
      const pts = (coded - id) / this.#timeBases.length;
      for (const stream of this.#streams) {
        const [sn, sd] = stream.header.timeBase;
        stream.lastPts = Math.floor(pts * num * sd / (den * sn));
      }
    }
  }

  #mainHeader(c: _Cursor): void {
    const version = c.v();
    if (version > 3) c.v(); // minor version
    const streams = c.v();
    c.v(); // max_distance
    const count = c.v();
    this.#timeBases = [];
    for (let i = 0; i < count; i++) this.#timeBases.push([c.v(), c.v()]);
    let pts = 0, mul = 1, stream = 0, head = 0;
    const codes: _FrameCode[] = [];
    for (let i = 0; i < 256;) {
      const flags = c.v();
      const fields = c.v();
      if (fields > 0) pts = c.s();
      if (fields > 1) mul = c.v();
      if (fields > 2) stream = c.v();
      const lsb = fields > 3 ? c.v() : 0;
      const reserved = fields > 4 ? c.v() : 0;
      const n = fields > 5 ? c.v() : mul - lsb;
      if (fields > 6) c.s(); // match time
      if (fields > 7) head = c.v();
      for (let k = 8; k < fields; k++) c.v();
      if (n <= 0 || n > 256 - i || stream >= streams) throw new _NutError("bad frame code table");
      for (let j = 0; j < n; j++, i++) {
        if (i === 0x4e) {
          codes[i] = { ..._NO_CODE };
          j--;
          continue;
        }
        codes[i] = {
          flags,
          ptsDelta: pts,
          streamId: stream,
          sizeMul: mul,
          sizeLsb: lsb + j,
          reserved,
          headerIdx: head,
        };
      }
    }
    this.#codes = codes;
    this.#elision = [new Uint8Array(0)];
    if (c.left > 4) {
      const headers = c.v();
      for (let i = 0; i < headers; i++) this.#elision.push(c.bytes(c.v()).slice());
    }
    if (this.#streams.length !== streams) this.#streams = [];
  }

  #streamHeader(c: _Cursor): void {
    const id = c.v();
    const kind = (["video", "audio", "subtitle", "data"] as const)[c.v()] ?? "data";
    const fourcc = new TextDecoder().decode(c.bytes(c.v()));
    const timeBaseId = c.v();
    const msbPtsShift = c.v();
    c.v(); // max_pts_distance
    c.v(); // decode_delay
    c.v(); // stream flags
    c.bytes(c.v()); // codec-specific data
    const width = kind === "video" ? c.v() : 0;
    const height = kind === "video" ? c.v() : 0;
    const timeBase = this.#timeBases[timeBaseId];
    if (timeBase === undefined) throw new _NutError("a stream has no time base");
    const lastPts = this.#streams[id]?.lastPts ?? 0;
    this.#streams[id] = {
      header: { kind, fourcc, width, height, timeBase },
      timeBaseId,
      msbPtsShift,
      lastPts,
    };
  }

  async #frame(code: number): Promise<_NutFrame> {
    const fc = this.#codes[code];
    if (fc === undefined || fc.flags & _FLAG_INVALID) {
      throw new _NutError(`bad frame code ${code}`);
    }
    let flags = fc.flags;
    if (flags & _FLAG_CODED) flags ^= await this.#v();
    const id = flags & _FLAG_STREAM_ID ? await this.#v() : fc.streamId;
    const stream = this.#streams[id];
    if (stream === undefined) throw new _NutError(`a frame of unknown stream ${id}`);
    let pts: number;
    if (flags & _FLAG_CODED_PTS) {
      const coded = await this.#v();
      const shift = 2 ** stream.msbPtsShift;
      if (coded >= shift) pts = coded - shift;
      else {
        const mask = shift - 1;
        const delta = stream.lastPts - Math.floor(mask / 2);
        pts = (((coded - delta) % shift) + shift) % shift + delta;
      }
    } else {
      pts = stream.lastPts + fc.ptsDelta;
    }
    let size = fc.sizeLsb;
    if (flags & _FLAG_SIZE_MSB) size += fc.sizeMul * await this.#v();
    if (flags & _FLAG_MATCH_TIME) await this.#v();
    let headerIdx = fc.headerIdx;
    if (flags & _FLAG_HEADER_IDX) headerIdx = await this.#v();
    const reserved = flags & _FLAG_RESERVED ? await this.#v() : fc.reserved;
    for (let i = 0; i < reserved; i++) await this.#v();
    if (flags & _FLAG_CHECKSUM) await this.#exact(4);
    if (flags & _FLAG_SM_DATA) throw new _NutError("side data in frames is not supported");
    const elided = size > 4096 ? new Uint8Array(0) : this.#elision[headerIdx];
    if (elided === undefined) throw new _NutError(`bad elision header ${headerIdx}`);
    stream.lastPts = pts;
    const data = await this.#take(size - elided.length, false, elided);
    const [num, den] = stream.header.timeBase;
    return { stream: id, timestamp: Math.round(pts * num * 1e6 / den), data: data! };
  }

  async #v(): Promise<number> {
    let value = 0;
    for (;;) {
      if (!await this.#fill(1)) throw new _NutError("the stream ends in a header");
      const b = this.#buffer[this.#pos++]!;
      value = value * 128 + (b & 127);
      if (b < 128) return value;
    }
  }

  /** `n` bytes of the read-ahead buffer (refilled as needed), valid until the next read. */
  async #exact(n: number): Promise<Uint8Array> {
    if (n > this.#buffer.length) return (await this.#take(n, false))!;
    if (!await this.#fill(n)) throw new _NutError("the stream ends in a header");
    const out = this.#buffer.subarray(this.#pos, this.#pos + n);
    this.#pos += n;
    return out;
  }

  /**
   * `n` bytes in a buffer of their own, after `prefix`: `undefined` at the end if `eofOk` and
   * nothing was read.
   */
  async #take(n: number, eofOk: boolean, prefix?: Uint8Array): Promise<Uint8Array | undefined> {
    const head = prefix?.length ?? 0;
    let buffer = new ArrayBuffer(head + n);
    if (prefix !== undefined) new Uint8Array(buffer).set(prefix);
    const ahead = Math.min(n, this.#end - this.#pos);
    new Uint8Array(buffer, head, ahead).set(this.#buffer.subarray(this.#pos, this.#pos + ahead));
    this.#pos += ahead;
    let filled = head + ahead;
    while (filled < buffer.byteLength) {
      const { value, done } = await this.#reader.read(
        new Uint8Array(buffer, filled, buffer.byteLength - filled),
      );
      if (value !== undefined) {
        buffer = value.buffer as ArrayBuffer;
        filled += value.byteLength;
      }
      if (done) break;
    }
    if (filled === buffer.byteLength) return new Uint8Array(buffer);
    if (eofOk && filled === head) return undefined;
    throw new _NutError(`the stream ends in a frame (${filled - head} of ${n} bytes)`);
  }

  /** Makes `n` bytes (at most the buffer's size) available; `false` at the end before any. */
  async #fill(n: number): Promise<boolean> {
    if (this.#end - this.#pos >= n) return true;
    // Move what is left to the front, then read after it.
    this.#buffer.copyWithin(0, this.#pos, this.#end);
    this.#end -= this.#pos;
    this.#pos = 0;
    while (this.#end < n) {
      const { value, done } = await this.#reader.read(this.#buffer.subarray(this.#end));
      if (value !== undefined) {
        this.#buffer = new Uint8Array(value.buffer as ArrayBuffer);
        this.#end += value.byteLength;
      }
      if (done) {
        if (this.#end === 0) return false;
        if (this.#end < n) throw new _NutError("the stream ends in a header");
      }
    }
    return true;
  }
}
