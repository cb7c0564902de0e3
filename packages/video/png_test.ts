import assert from "node:assert/strict";
import { deflateSync, inflateSync } from "node:zlib";
import { createVideoFrame, isStreamlibError, type VideoFrame } from "@streamlib/core";
import { needs } from "../../tests/_needs.ts";
import { decodePng, encodePng, encodePngAsync, type PngFilter } from "./png.ts";

/** Reproducible bytes (mulberry32). */
function random(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let state = seed >>> 0;
  for (let i = 0; i < length; i++) {
    let t = (state = (state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = (t ^ (t >>> 14)) >>> 24;
  }
  return out;
}

/** A picture with smooth regions (so filters matter) and noise. */
function picture(width: number, height: number, seed: number): VideoFrame {
  const noise = random(width * height * 4, seed);
  const frame = createVideoFrame({ format: "RGBA", codedWidth: width, codedHeight: height });
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      const smooth = (x + y) % 3 !== 0;
      frame.data[i] = smooth ? x * 7 : noise[i]!;
      frame.data[i + 1] = smooth ? y * 5 : noise[i + 1]!;
      frame.data[i + 2] = noise[i + 2]!;
      frame.data[i + 3] = smooth ? 255 : noise[i + 3]!;
    }
  }
  return frame;
}

const code = (c: string) => (e: unknown) => isStreamlibError(e, c);

/** Builds a PNG by hand: rows filtered with the given types (a reference implementation). */
function handmadePng(
  width: number,
  height: number,
  colorType: 2 | 6,
  pixels: Uint8Array,
  filters: readonly number[],
  header: Partial<{ depth: number; interlace: number }> = {},
): Uint8Array {
  const bpp = colorType === 6 ? 4 : 3;
  const rowBytes = width * bpp;
  const raw = new Uint8Array((rowBytes + 1) * height);
  for (let y = 0; y < height; y++) {
    const type = filters[y % filters.length]!;
    raw[y * (rowBytes + 1)] = type;
    for (let i = 0; i < rowBytes; i++) {
      const at = (yy: number, ii: number) => yy < 0 || ii < 0 ? 0 : pixels[yy * rowBytes + ii]!;
      const x = at(y, i);
      const a = at(y, i - bpp);
      const b = at(y - 1, i);
      const c = at(y - 1, i - bpp);
      const p = a + b - c;
      const paeth = Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c)
        ? a
        : Math.abs(p - b) <= Math.abs(p - c)
        ? b
        : c;
      const predictor = [0, a, b, Math.floor((a + b) / 2), paeth][type] ?? 0;
      raw[y * (rowBytes + 1) + 1 + i] = (x - predictor) & 255;
    }
  }
  const ihdr = new Uint8Array(13);
  new DataView(ihdr.buffer).setUint32(0, width);
  new DataView(ihdr.buffer).setUint32(4, height);
  ihdr.set([header.depth ?? 8, colorType, 0, 0, header.interlace ?? 0], 8);
  return concat([
    new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk("IHDR", ihdr),
    chunk("tEXt", new TextEncoder().encode("Comment\0skipped")),
    chunk("IDAT", deflateSync(raw)),
    chunk("IEND", new Uint8Array(0)),
  ]);
}

function chunk(type: string, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + body.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, body.length);
  out.set(new TextEncoder().encode(type), 4);
  out.set(body, 8);
  let c = 0xffffffff;
  for (let i = 4; i < 8 + body.length; i++) {
    c ^= out[i]!;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  view.setUint32(8 + body.length, (c ^ 0xffffffff) >>> 0);
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

Deno.test("encodePng() and decodePng() round-trip random pictures of odd sizes with every filter", () => {
  const sizes = [[1, 1], [3, 5], [17, 9], [33, 1], [1, 20], [64, 31]] as const;
  const filters: PngFilter[] = ["none", "sub", "up", "paeth", "adaptive"];
  let seed = 1;
  for (const [width, height] of sizes) {
    const frame = picture(width, height, seed++);
    for (const filter of filters) {
      for (const level of [0, 6, 9]) {
        const decoded = decodePng(encodePng(frame, { filter, level }));
        assert.equal(decoded.format, "RGBA");
        assert.equal(decoded.codedWidth, width);
        assert.equal(decoded.codedHeight, height);
        assert.deepEqual(decoded.data, frame.data, `${width}×${height} ${filter} ${level}`);
      }
    }
  }
});

Deno.test("encodePngAsync() gives encodePng()'s bytes, odd sizes, strides and BGRA included", async () => {
  const sizes = [[1, 1], [17, 9], [64, 31]] as const;
  let seed = 40;
  for (const [width, height] of sizes) {
    const frame = picture(width, height, seed++);
    for (const filter of ["up", "adaptive"] as const) {
      for (const level of [0, 6]) {
        assert.deepEqual(
          await encodePngAsync(frame, { filter, level }),
          encodePng(frame, { filter, level }),
          `${width}×${height} ${filter} ${level}`,
        );
      }
    }
  }
  const bgra = createVideoFrame({
    format: "BGRA",
    codedWidth: 5,
    codedHeight: 3,
    data: random(32 * 3 + 8, 9),
    layout: [{ offset: 8, stride: 32 }],
  });
  assert.deepEqual(await encodePngAsync(bgra), encodePng(bgra));
  const yuv = createVideoFrame({ format: "I420", codedWidth: 4, codedHeight: 4 });
  await assert.rejects(encodePngAsync(yuv), code("SL_PARAM_INVALID"));
  await assert.rejects(encodePngAsync(bgra, { level: 10 }), code("SL_PARAM_INVALID"));
});

Deno.test("encodePng()'s word-at-a-time Up filter gives the byte loop's bytes, strides included", () => {
  for (const [width, height] of [[1, 1], [5, 3], [33, 7], [2, 40]] as const) {
    const pixels = random(width * 4 * height, width * 31 + height);
    // The same pixels at a word boundary with a wider stride (the word path) and off one (the
    // byte loop); the byte loop's Up is the one "adaptive" also tries.
    const place = (offset: number, stride: number) => {
      const data = new Uint8Array(offset + stride * height);
      for (let y = 0; y < height; y++) {
        data.set(pixels.subarray(y * width * 4, (y + 1) * width * 4), offset + y * stride);
      }
      return createVideoFrame({
        format: "RGBA",
        codedWidth: width,
        codedHeight: height,
        data,
        layout: [{ offset, stride }],
      });
    };
    const words = encodePng(place(8, width * 4 + 12));
    const bytes = encodePng(place(2, width * 4 + 2));
    assert.deepEqual(words, bytes, `${width}×${height}`);
    assert.deepEqual(decodePng(words).data, pixels);
  }
});

Deno.test("encodePng() reorders BGRA to RGBA and honours a stride wider than the row", () => {
  const width = 5;
  const height = 3;
  const stride = width * 4 + 12;
  const data = random(stride * height + 8, 7);
  const bgra = createVideoFrame({
    format: "BGRA",
    codedWidth: width,
    codedHeight: height,
    data,
    layout: [{ offset: 8, stride }],
  });
  const before = data.slice();
  const decoded = decodePng(encodePng(bgra));
  assert.deepEqual(data, before, "the input frame is left unchanged");
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const s = 8 + y * stride + x * 4;
      const d = (y * width + x) * 4;
      assert.deepEqual(
        [...decoded.data.subarray(d, d + 4)],
        [data[s + 2], data[s + 1], data[s], data[s + 3]],
      );
    }
  }
});

Deno.test("encodePng() writes an 8-bit RGBA header and filters every row with Up by default", () => {
  const png = encodePng(picture(4, 3, 3));
  const text = (from: number) => String.fromCharCode(...png.subarray(from, from + 4));
  assert.equal(text(12), "IHDR");
  assert.deepEqual([...png.subarray(24, 29)], [8, 6, 0, 0, 0]);
  assert.equal(text(37), "IDAT");
  const length = new DataView(png.buffer).getUint32(33);
  const raw = inflateSync(png.subarray(41, 41 + length));
  assert.deepEqual([raw[0], raw[17], raw[34]], [2, 2, 2]);
});

Deno.test("decodePng() undoes all five filter types, for RGBA and for RGB", () => {
  for (const colorType of [6, 2] as const) {
    const bpp = colorType === 6 ? 4 : 3;
    const width = 7;
    const height = 10;
    const pixels = random(width * height * bpp, 11 + colorType);
    const png = handmadePng(width, height, colorType, pixels, [0, 1, 2, 3, 4, 3, 4, 1, 2, 0]);
    const decoded = decodePng(png);
    for (let p = 0; p < width * height; p++) {
      const expected = [
        ...pixels.subarray(p * bpp, p * bpp + 3),
        bpp === 4 ? pixels[p * 4 + 3] : 255,
      ];
      assert.deepEqual([...decoded.data.subarray(p * 4, p * 4 + 4)], expected, `pixel ${p}`);
    }
  }
});

Deno.test("decodePng() rejects a bad signature, a bad CRC and truncated files with SL_PNG_INVALID", () => {
  const png = encodePng(picture(8, 8, 5));
  assert.throws(() => decodePng(new Uint8Array(4)), code("SL_PNG_INVALID"));
  assert.throws(() => decodePng(png.slice(1)), /does not start with the PNG signature/);
  const corrupt = png.slice();
  corrupt[45] = corrupt[45]! ^ 0xff; // inside the IDAT data
  assert.throws(() => decodePng(corrupt), /bad CRC in chunk "IDAT"/);
  for (const length of [20, 40, png.length - 12, png.length - 1]) {
    assert.throws(() => decodePng(png.slice(0, length)), code("SL_PNG_INVALID"), `${length}`);
  }
  const badFilter = handmadePng(2, 2, 6, new Uint8Array(16), [5]);
  assert.throws(() => decodePng(badFilter), /row 0 has unknown filter type 5/);
});

Deno.test("decodePng() refuses what it does not read with SL_PNG_UNSUPPORTED", () => {
  const pixels = new Uint8Array(4 * 4 * 4);
  assert.throws(
    () => decodePng(handmadePng(4, 4, 6, pixels, [0], { interlace: 1 })),
    code("SL_PNG_UNSUPPORTED"),
  );
  assert.throws(
    () => decodePng(handmadePng(4, 4, 6, pixels, [0], { depth: 16 })),
    /bit depth 16/,
  );
});

Deno.test("encodePng() asks for a conversion of YUV frames and rejects bad options", () => {
  const yuv = createVideoFrame({ format: "I420", codedWidth: 4, codedHeight: 4 });
  assert.throws(() => encodePng(yuv), /convertFrame\(frame, "RGBA"\)/);
  const rgba = picture(2, 2, 1);
  assert.throws(() => encodePng(rgba, { level: 10 }), code("SL_PARAM_INVALID"));
  assert.throws(() => encodePng(rgba, { filter: "avg" as PngFilter }), code("SL_PARAM_INVALID"));
});

function hasCommand(name: string): boolean {
  try {
    return new Deno.Command(name, { args: ["-version"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
}

Deno.test(
  needs(
    "ffmpeg and ffprobe",
    hasCommand("ffprobe") && hasCommand("ffmpeg"),
    "apt-get install ffmpeg",
  )({
    name: "ffprobe reads encodePng()'s files as RGBA PNG and ffmpeg decodes the same pixels",
    fn: async () => {
      const dir = await Deno.makeTempDir();
      try {
        const frame = picture(13, 7, 9);
        for (const filter of ["none", "adaptive"] as const) {
          const path = `${dir}/${filter}.png`;
          await Deno.writeFile(path, encodePng(frame, { filter }));
          const probe = await new Deno.Command("ffprobe", {
            args: [
              "-v",
              "error",
              "-show_entries",
              "stream=codec_name,width,height,pix_fmt",
              "-of",
              "json",
              path,
            ],
          }).output();
          assert.ok(probe.success, new TextDecoder().decode(probe.stderr));
          const [stream] = JSON.parse(new TextDecoder().decode(probe.stdout)).streams;
          assert.deepEqual(stream, { codec_name: "png", width: 13, height: 7, pix_fmt: "rgba" });
          const decoded = await new Deno.Command("ffmpeg", {
            args: ["-v", "error", "-i", path, "-f", "rawvideo", "-pix_fmt", "rgba", "-"],
          }).output();
          assert.ok(decoded.success, new TextDecoder().decode(decoded.stderr));
          assert.deepEqual(decoded.stdout, frame.data);
        }
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    },
  }),
);
