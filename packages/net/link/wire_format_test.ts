import assert from "node:assert/strict";
import { isStreamlibError } from "@streamlib/core";
import { decodeWire, encodeWire, WIRE_HEADER_BYTES, WireDecoder, type WireMessage } from "./mod.ts";
import { sampleWireMessages } from "./_wire_testing.ts";

function bytesOf(message: WireMessage): Uint8Array {
  const [head, payload] = encodeWire(message);
  const out = new Uint8Array(head.length + payload.length);
  out.set(head);
  out.set(payload, head.length);
  return out;
}

/** Deep equality that compares typed arrays by their elements. */
function plain(value: unknown): unknown {
  return JSON.parse(
    JSON.stringify(value, (_k, v) => ArrayBuffer.isView(v) ? Array.from(v as Uint8Array) : v),
  );
}

Deno.test("every kind of wire message decodes to what was encoded", () => {
  for (const message of sampleWireMessages()) {
    assert.deepEqual(plain(decodeWire(bytesOf(message))), plain(message), message.type);
  }
});

Deno.test("WireDecoder decodes a stream cut at every byte into the same messages", () => {
  const messages = sampleWireMessages();
  const all = messages.map(bytesOf);
  const stream = new Uint8Array(all.reduce((n, b) => n + b.length, 0));
  let at = 0;
  for (const b of all) {
    stream.set(b, at);
    at += b.length;
  }
  for (const step of [1, 3, 7, 64, stream.length]) {
    const decoder = new WireDecoder();
    const out: WireMessage[] = [];
    for (let i = 0; i < stream.length; i += step) {
      out.push(...decoder.push(stream.subarray(i, i + step)));
    }
    decoder.end();
    assert.deepEqual(plain(out), plain(messages), `step ${step}`);
  }
});

Deno.test("WireDecoder refuses an old wire version, a bad checksum, a truncated frame and an oversized one with codes", () => {
  const good = bytesOf({ type: "eos", seq: 1 });
  const old = good.slice();
  old[2] = 0;
  assert.throws(() => new WireDecoder().push(old), (e) => isStreamlibError(e, "SL_WIRE_VERSION"));
  const flipped = bytesOf({
    type: "data",
    seq: 1,
    message: {
      kind: "data",
      topic: "t",
      value: 1,
      timestamp: 0,
      duration: 0,
      position: 0,
      clockId: "",
    },
  });
  flipped[flipped.length - 1]! ^= 1;
  assert.throws(() => decodeWire(flipped), (e) => isStreamlibError(e, "SL_WIRE_CHECKSUM"));
  const decoder = new WireDecoder();
  decoder.push(good.subarray(0, WIRE_HEADER_BYTES - 1));
  assert.throws(() => decoder.end(), (e) => isStreamlibError(e, "SL_WIRE_TRUNCATED"));
  const big = bytesOf({
    type: "chunk",
    id: 1,
    index: 0,
    count: 1,
    total: 100,
    data: new Uint8Array(100),
  });
  assert.throws(
    () => new WireDecoder({ maxFrameBytes: 99 }).push(big),
    (e) => isStreamlibError(e, "SL_WIRE_TOO_LARGE"),
  );
});

Deno.test("after one bad frame a WireDecoder refuses everything, so its link is closed", () => {
  const decoder = new WireDecoder();
  assert.throws(
    () => decoder.push(new Uint8Array([0x53, 0x4c, 1, 99])),
    (e) => isStreamlibError(e, "SL_WIRE_MALFORMED"),
  );
  assert.throws(
    () => decoder.push(bytesOf({ type: "eos", seq: 0 })),
    (e) => isStreamlibError(e, "SL_WIRE_MALFORMED"),
  );
});

Deno.test("a raw video frame decodes without another copy: its data is the payload's own buffer", () => {
  const [message] = sampleWireMessages().filter((m) => m.type === "video");
  const decoded = decodeWire(bytesOf(message!));
  assert.ok(decoded.type === "video");
  assert.equal(decoded.message.data.byteOffset, 0);
  assert.equal(decoded.message.data.buffer.byteLength, decoded.message.data.length);
});

Deno.test("WireDecoder reads payloads in place, mixed with pushed bytes, into the same messages", () => {
  const messages = sampleWireMessages();
  const stream = messages.map(bytesOf);
  const decoder = new WireDecoder();
  const out: WireMessage[] = [];
  for (const bytes of stream) {
    let at = 0;
    while (at < bytes.length) {
      const space = decoder.payloadSpace();
      if (space === undefined) {
        out.push(...decoder.push(bytes.subarray(at, at + 1)));
        at++;
        continue;
      }
      // Two reads into the payload: a few bytes, then the rest.
      const n = Math.min(space.length, 5, bytes.length - at);
      space.set(bytes.subarray(at, at + n));
      out.push(...decoder.filled(n));
      at += n;
    }
  }
  decoder.end();
  assert.deepEqual(plain(out), plain(messages));
});

Deno.test("WireDecoder.filled() checks the payload's checksum and refuses what does not fit", () => {
  const [head, payload] = encodeWire(sampleWireMessages().find((m) => m.type === "video")!);
  const decoder = new WireDecoder();
  assert.equal(decoder.payloadSpace(), undefined);
  assert.throws(() => decoder.filled(1), (e) => isStreamlibError(e, "SL_PARAM_INVALID"));
  decoder.push(head);
  const space = decoder.payloadSpace()!;
  assert.throws(
    () => decoder.filled(space.length + 1),
    (e) => isStreamlibError(e, "SL_PARAM_INVALID"),
  );
  space.set(payload);
  space[0] = space[0]! ^ 1;
  assert.throws(
    () => decoder.filled(payload.length),
    (e) => isStreamlibError(e, "SL_WIRE_CHECKSUM"),
  );
  assert.throws(() => decoder.push(head), (e) => isStreamlibError(e, "SL_WIRE_CHECKSUM"));
});
