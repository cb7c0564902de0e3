import assert from "node:assert/strict";
import { Collect, type DataMessage, DataSource, Pipeline } from "@streamlib/core";
import { NetSink, NetSrc, WireDecoder } from "./mod.ts";
import { helloFrame as hello, poke, wireFrame as frame } from "./_hello_testing.ts";

Deno.test("garbage, a truncated frame, an old wire version and a codec it lacks: each link is refused or closed with a code, and the node goes on", async () => {
  const receiver = new Pipeline();
  const src = receiver.add(new NetSrc({ listen: "tcp://127.0.0.1:0" }));
  const got = receiver.add(new Collect<DataMessage>());
  receiver.link(src, got);
  await receiver.start();
  const port = Number(src.url!.split(":").at(-1));

  // Garbage: the node closes the connection without a word.
  assert.deepEqual(await poke(port, new TextEncoder().encode("GET / HTTP/1.1\r\n\r\n")), []);
  // A truncated hello.
  const whole = hello({});
  assert.deepEqual(await poke(port, whole.subarray(0, whole.length - 7), true), []);
  // A frame of another wire format version (the version byte is the third).
  const old = whole.slice();
  old[2] = 0;
  assert.deepEqual(await poke(port, old), []);
  // A sender that says it speaks another version gets a coded refusal.
  const refusedVersion = await poke(port, hello({ wire: 99 }));
  assert.equal(refusedVersion[0]?.type, "refuse");
  assert.equal((refusedVersion[0] as { code: string }).code, "SL_WIRE_VERSION");
  // A codec this node lacks.
  const refusedCodec = await poke(port, hello({ codec: "av1" }));
  assert.equal((refusedCodec[0] as { code: string }).code, "SL_WIRE_CODEC");
  // Bytes before the hello that are not one.
  const notHello = await poke(port, frame({ type: "eos", seq: 0 }));
  assert.equal((notHello[0] as { code: string }).code, "SL_WIRE_MALFORMED");

  // The node lives: a proper sender gets through, end to end.
  const sender = new Pipeline({ mode: "offline" });
  sender.pipe(new DataSource({ count: 3 }), new NetSink({ to: src.url! }));
  await sender.run();
  await receiver.done;
  assert.deepEqual(got.messages.map((m) => m.value), [0, 1, 2]);
  assert.equal(src.remoteLink().gaps, 0);
});

Deno.test("garbage in the middle of a session closes that link, its error an SL_WIRE_ code", async () => {
  const receiver = new Pipeline();
  const src = receiver.add(new NetSrc({ listen: "tcp://127.0.0.1:0" }));
  receiver.link(src, receiver.add(new Collect()));
  await receiver.start();
  const port = Number(src.url!.split(":").at(-1));
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  await conn.write(hello({}));
  const decoder = new WireDecoder();
  const buffer = new Uint8Array(65_536);
  let accepted = false;
  while (!accepted) {
    const n = await conn.read(buffer);
    assert.ok(n !== null);
    accepted = decoder.push(buffer.slice(0, n)).some((m) => m.type === "accept");
  }
  await conn.write(new Uint8Array(64).fill(0xab));
  while ((await conn.read(buffer).catch(() => null)) !== null) { /* until the node closes */ }
  conn.close();
  const info = src.remoteLink();
  assert.equal(info.state, "down");
  assert.match(info.error ?? "", /^SL_WIRE_/);
  await receiver.stop({ mode: "abort" });
});
