import assert from "node:assert/strict";
import { _Viewers, type _ViewerSocket } from "./_display_viewers.ts";
import type { _EncodedFrame } from "./_display_wire.ts";

class FakeSocket implements _ViewerSocket {
  readyState = 1;
  bufferedAmount = 0;
  sent: (Uint8Array | string)[] = [];
  send(data: Uint8Array | string): void {
    this.sent.push(data);
  }
  close(): void {
    this.readyState = 3;
  }
}

const frame = (n: number, key: boolean, codec: "h264" | "jpeg" = "h264"): _EncodedFrame => ({
  codec,
  key,
  width: 2,
  height: 2,
  timestamp: n,
  created: 0,
  data: Uint8Array.of(n),
});

Deno.test("_Viewers sends a page at most its in-flight frames until it acknowledges", () => {
  const viewers = new _Viewers({ jpeg: 2, webp: 2, h264: 9 });
  const socket = new FakeSocket();
  const viewer = viewers.add(socket);
  viewer.codec = "jpeg";
  for (let n = 0; n < 5; n++) viewers.sendFrame(frame(n, true, "jpeg"));
  assert.equal(socket.sent.length, 2);
  assert.equal(viewers.dropped, 3);
  viewers.ack(viewer);
  viewers.sendFrame(frame(5, true, "jpeg"));
  assert.equal(socket.sent.length, 3);
  assert.equal(viewers.sent, 3);
});

Deno.test("_Viewers starts an H.264 page at a keyframe and makes it wait for one after a skip", () => {
  const viewers = new _Viewers({ jpeg: 9, webp: 9, h264: 1 });
  const socket = new FakeSocket();
  const viewer = viewers.add(socket);
  viewer.codec = "h264";
  viewers.sendFrame(frame(0, false)); // joined mid-stream: skipped
  viewers.sendFrame(frame(1, true));
  viewers.sendFrame(frame(2, false)); // busy: skipped, so 3 cannot be decoded either
  viewers.ack(viewer);
  viewers.sendFrame(frame(3, false));
  viewers.sendFrame(frame(4, true));
  const sentTimestamps = socket.sent.map((m) =>
    new DataView((m as Uint8Array).buffer).getFloat64(16, true)
  );
  assert.deepEqual(sentTimestamps, [1, 4]);
  assert.equal(viewers.dropped, 3);
});

Deno.test("_Viewers sends pages only their codec, and nothing before they say hello", () => {
  const viewers = new _Viewers({ jpeg: 4, webp: 4, h264: 4 });
  const [a, b, c] = [new FakeSocket(), new FakeSocket(), new FakeSocket()];
  viewers.add(a).codec = "h264";
  viewers.add(b).codec = "jpeg";
  viewers.add(c);
  assert.deepEqual([...viewers.codecs()].sort(), ["h264", "jpeg"]);
  viewers.sendFrame(frame(0, true, "jpeg"));
  viewers.sendAudio(Uint8Array.of(2));
  assert.deepEqual([a.sent.length, b.sent.length, c.sent.length], [1, 2, 0]);
});

Deno.test("_Viewers skips frames and audio for a page whose socket is full", () => {
  const viewers = new _Viewers({ jpeg: 4, webp: 4, h264: 4 });
  const socket = new FakeSocket();
  viewers.add(socket).codec = "jpeg";
  socket.bufferedAmount = 64 * 1024 * 1024;
  viewers.sendFrame(frame(0, true, "jpeg"));
  viewers.sendAudio(Uint8Array.of(2));
  assert.equal(socket.sent.length, 0);
  assert.equal(viewers.dropped, 1);
  assert.equal(viewers.droppedAudio, 1);
});
