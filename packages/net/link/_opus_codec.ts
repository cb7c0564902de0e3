/**
 * Opus on a link, through ffmpeg (libopus, `lowdelay`, 20 ms packets) and Ogg pages both ways:
 * the sender's ffmpeg writes an Ogg stream whose packets (after OpusHead, sent as the codec's
 * description, and OpusTags) go out one a wire frame; the receiver writes them back as Ogg
 * pages into an ffmpeg that decodes to float samples at the sender's rate and channel count,
 * handed on as they come (positions counted from the first packet's). Internal.
 *
 * @module
 */

import { type AudioBuffer, type Message, StreamlibError } from "@streamlib/core";
import { FfmpegProcess } from "@streamlib/ffmpeg";
import type { _Decoder, _Encoder, _Outgoing } from "./_codecs.ts";
import type { _Delivery } from "./_link_receiver.ts";

const _PACKET_MS = 20;

/** Encodes audio buffers as Opus packets. */
export class _OpusLinkEncoder implements _Encoder {
  readonly #ffmpeg: string;
  #process: FfmpegProcess | undefined;
  #ready: _Outgoing[] = [];
  #head: Uint8Array | undefined;
  #rate = 0;
  #channels = 0;
  #first = 0;
  #firstTimestamp = 0;
  #packets = 0;
  #clockId = "";
  #reading: Promise<void> | undefined;

  constructor(ffmpeg: string) {
    this.#ffmpeg = ffmpeg;
  }

  encode(message: Message): Promise<_Outgoing[]> | _Outgoing[] {
    if (message.kind !== "audio") return [];
    if (this.#process === undefined) this.#start(message);
    else if (message.sampleRate !== this.#rate || message.numberOfChannels !== this.#channels) {
      throw new StreamlibError(
        "SL_LINK_CODEC",
        `Opus on a link keeps one shape: ${this.#rate} Hz × ${this.#channels}, then came ` +
          `${message.sampleRate} Hz × ${message.numberOfChannels}`,
      );
    }
    return this.#process!.write(_interleaved(message)).then(() => this.#take());
  }

  #take(): _Outgoing[] {
    const out = this.#ready;
    this.#ready = [];
    return out;
  }

  #start(first: AudioBuffer): void {
    this.#rate = first.sampleRate;
    this.#channels = first.numberOfChannels;
    this.#first = first.position;
    this.#firstTimestamp = first.timestamp;
    this.#clockId = first.clockId;
    // deno-fmt-ignore
    this.#process = new FfmpegProcess(this.#ffmpeg, [
      "-hide_banner", "-nostdin", "-loglevel", "error",
      "-f", "f32le", "-ar", String(this.#rate), "-ac", String(this.#channels), "-i", "pipe:0",
      "-c:a", "libopus", "-application", "lowdelay", "-frame_duration", String(_PACKET_MS),
      "-b:a", `${48 * this.#channels}k`, "-f", "ogg", "-page_duration", String(_PACKET_MS * 1000),
      "-flush_packets", "1", "pipe:1",
    ], { stdin: true, stdout: true });
    this.#reading = this.#read(this.#process);
  }

  async #read(process: FfmpegProcess): Promise<void> {
    const reader = new _OggReader();
    for (;;) {
      const bytes = await process.read(4096, true).catch(() => undefined);
      if (bytes === undefined || bytes.length === 0) return;
      for (const packet of reader.push(bytes)) this.#packet(packet);
    }
  }

  #packet(packet: Uint8Array): void {
    if (this.#head === undefined) {
      this.#head = packet.slice();
      return;
    }
    if (_startsWith(packet, "OpusTags")) return;
    const frames = Math.round(this.#rate * _PACKET_MS / 1000);
    const position = this.#first + this.#packets++ * frames;
    const timestamp = this.#firstTimestamp +
      Math.round((position - this.#first) * 1e6 / this.#rate);
    const rate = this.#rate;
    const channels = this.#channels;
    const clockId = this.#clockId;
    const description = this.#packets === 1 ? this.#head : undefined;
    const data = packet.slice();
    this.#ready.push((seq) => ({
      type: "audio-coded",
      seq,
      message: {
        codec: "opus",
        sampleRate: rate,
        numberOfChannels: channels,
        numberOfFrames: frames,
        timestamp,
        duration: Math.round(frames * 1e6 / rate),
        position,
        clockId,
        ...(description === undefined ? {} : { description }),
        data,
      },
    }));
  }

  async finish(): Promise<_Outgoing[]> {
    const process = this.#process;
    if (process === undefined) return [];
    await process.closeInput().catch(() => {});
    await Promise.race([this.#reading, new Promise((r) => setTimeout(r, 2_000))]);
    return this.#take();
  }

  async close(): Promise<void> {
    const process = this.#process;
    this.#process = undefined;
    if (process === undefined) return;
    process.kill();
    await process.wait().catch(() => {});
  }
}

/**
 * Decodes Opus packets back into float audio at the sender's rate. ffmpeg yields samples in
 * its own rhythm, so buffers go out through `output` as they come (positions counted on from
 * the first packet's); `finish()` ends the input and waits for the rest.
 */
export class _OpusLinkDecoder implements _Decoder {
  readonly #ffmpeg: string;
  #process: FfmpegProcess | undefined;
  #reading: Promise<void> = Promise.resolve();
  #writer: _OggWriter | undefined;
  #rate = 0;
  #channels = 0;
  #position = 0;
  #first = 0;
  #firstTimestamp = 0;
  #clockId = "";
  #chain: Promise<unknown> = Promise.resolve();
  output: (message: Message) => Promise<void> | void = () => {};

  constructor(ffmpeg: string) {
    this.#ffmpeg = ffmpeg;
  }

  decode(delivery: _Delivery): Promise<Message[]> {
    if (delivery.type !== "audio-coded") return Promise.resolve([]);
    const packet = delivery.message;
    const result = this.#chain.then(async (): Promise<Message[]> => {
      if (packet.description !== undefined) await this.#start(packet);
      const process = this.#process;
      if (process === undefined) return []; // waits for a packet with its description
      await process.write(this.#writer!.page(packet.data, 48 * _PACKET_MS));
      return [];
    });
    this.#chain = result.catch(() => {});
    return result;
  }

  /** Ends the input and waits for the samples still in ffmpeg. */
  finish(): Promise<Message[]> {
    const result = this.#chain.then(() => this.#end(true)).then(() => []);
    this.#chain = result.catch(() => {});
    return result;
  }

  #buffer(interleaved: Float32Array): AudioBuffer {
    const channels = this.#channels;
    const frames = interleaved.length / channels;
    const data = new Float32Array(frames * channels);
    for (let i = 0; i < interleaved.length; i++) {
      data[(i % channels) * frames + (i / channels | 0)] = interleaved[i]!;
    }
    const position = this.#position;
    this.#position += frames;
    return {
      kind: "audio",
      format: "f32-planar",
      sampleRate: this.#rate,
      numberOfChannels: channels,
      numberOfFrames: frames,
      data,
      timestamp: this.#firstTimestamp + Math.round((position - this.#first) * 1e6 / this.#rate),
      duration: Math.round(frames * 1e6 / this.#rate),
      position,
      clockId: this.#clockId,
    };
  }

  async #start(packet: Extract<_Delivery, { type: "audio-coded" }>["message"]): Promise<void> {
    await this.#end(false);
    this.#rate = packet.sampleRate;
    this.#channels = packet.numberOfChannels;
    this.#position = packet.position;
    this.#first = packet.position;
    this.#firstTimestamp = packet.timestamp;
    this.#clockId = packet.clockId;
    // deno-fmt-ignore
    const process = new FfmpegProcess(this.#ffmpeg, [
      "-hide_banner", "-nostdin", "-loglevel", "error",
      "-probesize", "32", "-analyzeduration", "0",
      "-f", "ogg", "-i", "pipe:0",
      "-f", "f32le", "-ar", String(this.#rate), "-ac", String(this.#channels),
      "-flush_packets", "1", "pipe:1",
    ], { stdin: true, stdout: true });
    this.#process = process;
    this.#writer = new _OggWriter();
    await process.write(this.#writer.page(packet.description!, 0, true));
    const tags = new Uint8Array([...new TextEncoder().encode("OpusTags"), 0, 0, 0, 0, 0, 0, 0, 0]);
    await process.write(this.#writer.page(tags, 0));
    this.#reading = this.#read(process);
  }

  async #read(process: FfmpegProcess): Promise<void> {
    const frameBytes = 4 * this.#channels;
    let pending = new Uint8Array(0);
    for (;;) {
      const bytes = await process.read(16_384, true).catch(() => undefined);
      if (bytes === undefined || bytes.length === 0 || process !== this.#process) return;
      const joined = new Uint8Array(pending.length + bytes.length);
      joined.set(pending);
      joined.set(bytes, pending.length);
      const whole = joined.length - joined.length % frameBytes;
      pending = joined.slice(whole);
      if (whole !== 0) {
        await this.output(this.#buffer(new Float32Array(joined.slice(0, whole).buffer)));
      }
    }
  }

  /** Stops the running ffmpeg: after its last samples (`drain`), or at once. */
  async #end(drain: boolean): Promise<void> {
    const process = this.#process;
    if (process === undefined) return;
    if (drain) {
      await process.closeInput().catch(() => {});
      await this.#reading;
      await process.waitOrKill(2_000).catch(() => {});
    }
    this.#process = undefined;
    process.kill();
    await process.wait().catch(() => {});
    await this.#reading;
  }

  close(): Promise<void> {
    return this.#end(false);
  }
}

function _interleaved(buffer: AudioBuffer): Uint8Array {
  const { numberOfChannels: c, numberOfFrames: n, data } = buffer;
  const out = new Float32Array(c * n);
  for (let ch = 0; ch < c; ch++) {
    for (let i = 0; i < n; i++) out[i * c + ch] = data[ch * n + i]!;
  }
  return new Uint8Array(out.buffer);
}

function _startsWith(bytes: Uint8Array, text: string): boolean {
  if (bytes.length < text.length) return false;
  for (let i = 0; i < text.length; i++) if (bytes[i] !== text.charCodeAt(i)) return false;
  return true;
}

const _CRC = (() => {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let r = i << 24;
    for (let k = 0; k < 8; k++) r = r & 0x80000000 ? (r << 1) ^ 0x04c11db7 : r << 1;
    table[i] = r >>> 0;
  }
  return table;
})();

function _oggCrc(bytes: Uint8Array): number {
  let crc = 0;
  for (let i = 0; i < bytes.length; i++) {
    crc = ((crc << 8) ^ _CRC[((crc >>> 24) ^ bytes[i]!) & 0xff]!) >>> 0;
  }
  return crc;
}

/** Writes one packet a page. */
class _OggWriter {
  #sequence = 0;
  #granule = 0;
  readonly #serial = (Math.random() * 0xffffffff) >>> 0;

  page(packet: Uint8Array, samples: number, first = false): Uint8Array {
    this.#granule += samples;
    const lacing: number[] = [];
    let left = packet.length;
    while (left >= 255) {
      lacing.push(255);
      left -= 255;
    }
    lacing.push(left);
    const page = new Uint8Array(27 + lacing.length + packet.length);
    const view = new DataView(page.buffer);
    page.set([0x4f, 0x67, 0x67, 0x53, 0, first ? 2 : 0]);
    view.setBigInt64(6, BigInt(this.#granule), true);
    view.setUint32(14, this.#serial, true);
    view.setUint32(18, this.#sequence++, true);
    page[26] = lacing.length;
    page.set(lacing, 27);
    page.set(packet, 27 + lacing.length);
    view.setUint32(22, _oggCrc(page), true);
    return page;
  }
}

/** Reads packets out of Ogg pages, however the bytes are cut. */
class _OggReader {
  #buffer = new Uint8Array(0);
  #packet: Uint8Array[] = [];

  push(bytes: Uint8Array): Uint8Array[] {
    const joined = new Uint8Array(this.#buffer.length + bytes.length);
    joined.set(this.#buffer);
    joined.set(bytes, this.#buffer.length);
    const out: Uint8Array[] = [];
    let at = 0;
    while (joined.length - at >= 27) {
      if (!_startsWith(joined.subarray(at), "OggS")) {
        throw new StreamlibError("SL_LINK_CODEC", "ffmpeg's Ogg output lost its page framing");
      }
      const segments = joined[at + 26]!;
      if (joined.length - at < 27 + segments) break;
      const lacing = joined.subarray(at + 27, at + 27 + segments);
      const size = lacing.reduce((n, v) => n + v, 0);
      const end = at + 27 + segments + size;
      if (joined.length < end) break;
      let data = at + 27 + segments;
      for (const length of lacing) {
        this.#packet.push(joined.slice(data, data + length));
        data += length;
        if (length < 255) {
          const total = this.#packet.reduce((n, p) => n + p.length, 0);
          const packet = new Uint8Array(total);
          let o = 0;
          for (const p of this.#packet) {
            packet.set(p, o);
            o += p.length;
          }
          out.push(packet);
          this.#packet = [];
        }
      }
      at = end;
    }
    this.#buffer = joined.slice(at);
    return out;
  }
}
