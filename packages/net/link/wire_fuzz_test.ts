import assert from "node:assert/strict";
import { StreamlibError } from "@streamlib/core";
import { encodeWire, WireDecoder, type WireMessage } from "./mod.ts";
import { sampleWireMessages } from "./_wire_testing.ts";
import { _crc32c, _sum32 } from "./_checksum.ts";

const CASES = 100_000;

/** A small seeded generator (mulberry32), so that a failing case can be run again. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function bytesOf(message: WireMessage): Uint8Array {
  const [head, payload] = encodeWire(message);
  const out = new Uint8Array(head.length + payload.length);
  out.set(head);
  out.set(payload, head.length);
  return out;
}

/** Makes the checksums right again after a mutation, so that the parser behind them is fuzzed. */
function reseal(bytes: Uint8Array): void {
  if (bytes.length < 24) return;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const m = view.getUint16(6, true);
  const p = view.getUint32(12, true);
  if (24 + m > bytes.length) return;
  view.setUint32(20, _crc32c(bytes.subarray(24, 24 + m), _crc32c(bytes.subarray(0, 20))), true);
  if (24 + m + p <= bytes.length) {
    view.setUint32(16, _sum32(bytes.subarray(24 + m, 24 + m + p)), true);
  }
}

function mutate(seed: Uint8Array, rand: () => number, corpus: Uint8Array[]): Uint8Array {
  const pick = (n: number): number => Math.floor(rand() * n);
  let bytes = seed.slice();
  const kind = pick(8);
  switch (kind) {
    case 0: // flipped bits
      for (let i = 1 + pick(4); i > 0; i--) bytes[pick(bytes.length)]! ^= 1 << pick(8);
      break;
    case 1: // bytes set to edge values, then sealed
    case 2: {
      const edges = [0, 1, 0x7f, 0x80, 0xff];
      for (let i = 1 + pick(3); i > 0; i--) {
        const at = rand() < 0.7 ? pick(Math.min(bytes.length, 80)) : pick(bytes.length);
        bytes[at] = rand() < 0.5 ? edges[pick(edges.length)]! : pick(256);
      }
      if (kind === 2) reseal(bytes);
      break;
    }
    case 3: // truncated
      bytes = bytes.subarray(0, pick(bytes.length));
      break;
    case 4: { // bytes inserted or removed, then sealed
      const at = pick(bytes.length);
      const n = 1 + pick(8);
      const out = new Uint8Array(
        bytes.length + (rand() < 0.5 ? n : -Math.min(n, bytes.length - at)),
      );
      if (out.length > bytes.length) {
        out.set(bytes.subarray(0, at));
        for (let i = 0; i < n; i++) out[at + i] = pick(256);
        out.set(bytes.subarray(at), at + n);
      } else {
        out.set(bytes.subarray(0, at));
        out.set(bytes.subarray(at + (bytes.length - out.length)), at);
      }
      bytes = out;
      reseal(bytes);
      break;
    }
    case 5: { // a length field set to something else, then sealed
      const view = new DataView(bytes.buffer);
      if (rand() < 0.5) view.setUint16(6, pick(0x10000), true);
      else view.setUint32(12, rand() < 0.5 ? pick(bytes.length * 2) : pick(2 ** 32), true);
      reseal(bytes);
      break;
    }
    case 6: { // two frames with garbage between
      const other = corpus[pick(corpus.length)]!;
      const out = new Uint8Array(bytes.length + 3 + other.length);
      out.set(bytes);
      out.set([pick(256), pick(256), pick(256)], bytes.length);
      out.set(other, bytes.length + 3);
      bytes = out;
      break;
    }
    default: // garbage
      bytes = new Uint8Array(pick(64));
      for (let i = 0; i < bytes.length; i++) bytes[i] = pick(256);
      if (bytes.length > 3 && rand() < 0.5) bytes.set([0x53, 0x4c, 1]);
  }
  return bytes;
}

Deno.test(`the wire decoder meets ${CASES} mutated inputs with coded errors only, never another exception or a hang`, () => {
  const corpus = sampleWireMessages().map(bytesOf);
  const rand = random(18);
  const codes = new Map<string, number>();
  let accepted = 0;
  let slowest = 0;
  const started = performance.now();
  for (let n = 0; n < CASES; n++) {
    const input = mutate(corpus[n % corpus.length]!, rand, corpus);
    const t0 = performance.now();
    const decoder = new WireDecoder({ maxFrameBytes: 1 << 20 });
    try {
      // Cut where the generator says: a decoder must not care how bytes arrive.
      const cut = Math.floor(rand() * (input.length + 1));
      decoder.push(input.subarray(0, cut));
      decoder.push(input.subarray(cut));
      decoder.end();
      accepted++;
    } catch (error) {
      if (!(error instanceof StreamlibError) || !error.code.startsWith("SL_WIRE_")) {
        throw new Error(`case ${n} (seed 18) threw ${error}; input ${Array.from(input)}`);
      }
      codes.set(error.code, (codes.get(error.code) ?? 0) + 1);
    }
    slowest = Math.max(slowest, performance.now() - t0);
  }
  const seconds = (performance.now() - started) / 1000;
  // Every kind of refusal is met, and the sealed mutations reach the metadata's parser.
  for (
    const code of [
      "SL_WIRE_MALFORMED",
      "SL_WIRE_CHECKSUM",
      "SL_WIRE_TRUNCATED",
      "SL_WIRE_VERSION",
      "SL_WIRE_TOO_LARGE",
    ]
  ) {
    assert.ok((codes.get(code) ?? 0) > 0, `no ${code} in ${JSON.stringify([...codes])}`);
  }
  assert.ok(accepted > 0);
  // A hang, not a slow moment on a loaded machine: no input may take seconds.
  assert.ok(slowest < 2_000, `one input took ${slowest.toFixed(1)} ms`);
  assert.ok(seconds < 60, `${CASES} inputs took ${seconds.toFixed(1)} s`);
});
