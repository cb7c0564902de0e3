import assert from "node:assert/strict";
import { Collect, Pipeline, type VideoFrame } from "@streamlib/core";
import { TestPattern } from "@streamlib/video";
import { _ImageEncoder, _loadSkia } from "./_display_image_encoder.ts";
import type { _EncodedFrame } from "./_display_wire.ts";
import { SMPTE_TOP_BARS, until } from "./_display_testing.ts";

async function bars(format: VideoFrame["format"]): Promise<VideoFrame> {
  const sink = new Collect<VideoFrame>();
  await new Pipeline({ mode: "offline" })
    .pipe(new TestPattern({ width: 140, height: 60, frames: 1, format }), sink)
    .run();
  return sink.messages[0]!;
}

Deno.test("_ImageEncoder encodes RGBA, BGRA and I420 frames as pictures of the right colours", async () => {
  const skia = await _loadSkia();
  for (const codec of ["jpeg", "webp"] as const) {
    for (const format of ["RGBA", "BGRA", "I420"] as const) {
      let out: _EncodedFrame | undefined;
      let ready = 0;
      const encoder = new _ImageEncoder(skia, codec, 90, {
        onFrame: (f) => out = f,
        onReady: () => ready++,
        onError: (e) => {
          throw e;
        },
      });
      assert.ok(encoder.ready);
      encoder.submit(await bars(format), 42);
      assert.equal(encoder.ready, false, "busy while encoding");
      await until(() => ready === 1, "the picture");
      assert.ok(encoder.ready);
      assert.equal(out!.codec, codec);
      assert.equal(out!.key, true);
      assert.equal(out!.created, 42);
      const image = await skia.loadImage(out!.data);
      const canvas = skia.createCanvas(140, 60);
      const context = canvas.getContext("2d");
      context.drawImage(image, 0, 0);
      SMPTE_TOP_BARS.forEach((expected, i) => {
        const [r, g, b] = context.getImageData(i * 20 + 10, 20, 1, 1).data;
        const off = Math.max(...[r!, g!, b!].map((v, c) => Math.abs(v - expected[c]!)));
        assert.ok(off <= 10, `${codec} from ${format}, bar ${i}: ${[r, g, b]} vs ${expected}`);
      });
      await encoder.close();
    }
  }
});
