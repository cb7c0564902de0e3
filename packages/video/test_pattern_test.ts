import assert from "node:assert/strict";
import {
  Collect,
  Pipeline,
  tickTime,
  type VideoFrame,
  videoFrameLayout,
  type VideoPixelFormat,
} from "@streamlib/core";
import { convertFrame } from "./convert.ts";
import { _labelBox, _textMask } from "./_font.ts";
import { TestPattern } from "./test_pattern.ts";

type Params = ConstructorParameters<typeof TestPattern>[0];

/** Runs a TestPattern offline into a Collect and returns the frames. */
async function frames(params: Params): Promise<VideoFrame[]> {
  const sink = new Collect<VideoFrame>();
  const result = await new Pipeline({ mode: "offline" }).pipe(new TestPattern(params), sink).run();
  assert.equal(result.status, "eos");
  return sink.messages;
}

async function first(params: Params): Promise<VideoFrame> {
  return (await frames({ ...params, frames: 1 }))[0]!;
}

// ---- SMPTE bars: the expected values, written out ------------------------------------------

type Cell =
  | "white75"
  | "yellow75"
  | "cyan75"
  | "green75"
  | "magenta75"
  | "red75"
  | "blue75"
  | "black"
  | "white"
  | "minusI"
  | "plusQ"
  | "minus4"
  | "plus4";

/** 8-bit R'G'B': 75% = 191; −I and +Q as RP 219's R'G'B'; −4% clips to 0, +4% = 10. */
const RGB: Record<Cell, [number, number, number]> = {
  white75: [191, 191, 191],
  yellow75: [191, 191, 0],
  cyan75: [0, 191, 191],
  green75: [0, 191, 0],
  magenta75: [191, 0, 191],
  red75: [191, 0, 0],
  blue75: [0, 0, 191],
  black: [0, 0, 0],
  white: [255, 255, 255],
  minusI: [0, 63, 105],
  plusQ: [65, 0, 120],
  minus4: [0, 0, 0],
  plus4: [10, 10, 10],
};

/** Limited-range 8-bit Y'CbCr, BT.709 (SMPTE RP 219 for the bars, −I and +Q). */
const BT709: Record<Cell, [number, number, number]> = {
  white75: [180, 128, 128],
  yellow75: [168, 44, 136],
  cyan75: [145, 147, 44],
  green75: [133, 63, 52],
  magenta75: [63, 193, 204],
  red75: [51, 109, 212],
  blue75: [28, 212, 120],
  black: [16, 128, 128],
  white: [235, 128, 128],
  minusI: [61, 153, 99],
  plusQ: [35, 174, 152],
  minus4: [7, 128, 128],
  plus4: [25, 128, 128],
};

/** Limited-range 8-bit Y'CbCr, BT.601. */
const BT601: Record<Cell, [number, number, number]> = {
  white75: [180, 128, 128],
  yellow75: [162, 44, 142],
  cyan75: [131, 156, 44],
  green75: [112, 72, 58],
  magenta75: [84, 184, 198],
  red75: [65, 100, 212],
  blue75: [35, 212, 114],
  black: [16, 128, 128],
  white: [235, 128, 128],
  minusI: [58, 156, 97],
  plusQ: [44, 171, 148],
  minus4: [7, 128, 128],
  plus4: [25, 128, 128],
};

const TOP: Cell[] = ["white75", "yellow75", "cyan75", "green75", "magenta75", "red75", "blue75"];
const MIDDLE: Cell[] = ["blue75", "black", "magenta75", "black", "cyan75", "black", "white75"];

/** The cell of pixel (x, y), by the documented rules. */
function cell(x: number, y: number, w: number, h: number): Cell {
  const bar = Math.floor((7 * x) / w);
  if (y < Math.floor((2 * h) / 3)) return TOP[bar]!;
  if (y < Math.floor((3 * h) / 4)) return MIDDLE[bar]!;
  const u = Math.floor((84 * x) / w); // 12 to a bar
  if (u < 15) return "minusI";
  if (u < 30) return "white";
  if (u < 45) return "plusQ";
  if (u < 60) return "black";
  if (u < 64) return "minus4";
  if (u < 68) return "black";
  if (u < 72) return "plus4";
  return "black";
}

/** `cell` for every pixel, each row shared by the rows of its band. */
function cells(w: number, h: number): Cell[][] {
  const bands = [0, Math.floor((2 * h) / 3), Math.floor((3 * h) / 4)];
  const rows = bands.map((y) => Array.from({ length: w }, (_, x) => cell(x, y, w, h)));
  return Array.from({ length: h }, (_, y) => rows[y < bands[1]! ? 0 : y < bands[2]! ? 1 : 2]!);
}

function assertRgbBars(frame: VideoFrame): void {
  const { codedWidth: w, codedHeight: h, data, format } = frame;
  const [ri, bi] = format === "RGBA" ? [0, 2] : [2, 0];
  const grid = cells(w, h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const p = (y * w + x) * 4;
      const [r, g, b] = RGB[grid[y]![x]!];
      if (data[p + ri] !== r || data[p + 1] !== g || data[p + bi] !== b || data[p + 3] !== 255) {
        assert.fail(`${format} ${w}×${h} pixel ${x},${y}: ${data.subarray(p, p + 4)}`);
      }
    }
  }
}

function assertYuvBars(frame: VideoFrame, table: Record<Cell, [number, number, number]>): void {
  const { codedWidth: w, codedHeight: h, data, format, layout } = frame;
  const grid = cells(w, h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const expected = table[grid[y]![x]!][0];
      if (data[y * w + x] !== expected) {
        assert.fail(`${format} ${w}×${h} Y at ${x},${y}: ${data[y * w + x]}, not ${expected}`);
      }
    }
  }
  const [cw, ch] = [Math.ceil(w / 2), Math.ceil(h / 2)];
  const [u0, v0, stride, step] = format === "I420"
    ? [layout[1]!.offset, layout[2]!.offset, cw, 1]
    : [layout[1]!.offset, layout[1]!.offset + 1, 2 * cw, 2];
  let whole = 0;
  for (let cy = 0; cy < ch; cy++) {
    const [ya, yb] = [2 * cy, Math.min(2 * cy + 1, h - 1)];
    for (let cx = 0; cx < cw; cx++) {
      const [xa, xb] = [2 * cx, Math.min(2 * cx + 1, w - 1)];
      const block = [grid[ya]![xa]!, grid[ya]![xb]!, grid[yb]![xa]!, grid[yb]![xb]!];
      // Each sample is its 2×2 block's average; inside one cell, exactly that cell's value.
      const mean = (i: 1 | 2): number =>
        (table[block[0]!][i] + table[block[1]!][i] + table[block[2]!][i] + table[block[3]!][i] +
          2) >> 2;
      if (block.every((c) => c === block[0])) whole++;
      const at = cy * stride + cx * step;
      if (data[u0 + at] !== mean(1) || data[v0 + at] !== mean(2)) {
        assert.fail(`${format} ${w}×${h} chroma ${cx},${cy}: ${block}`);
      }
    }
  }
  assert.ok(whole > 0.9 * cw * ch);
}

for (const [w, h] of [[1280, 720], [641, 479]] as const) {
  Deno.test(`TestPattern draws the exact SMPTE bars in RGBA and BGRA at ${w}×${h}`, async () => {
    for (const format of ["RGBA", "BGRA"] as const) {
      const frame = await first({ width: w, height: h, format });
      assert.equal(frame.colorSpace, undefined);
      assertRgbBars(frame);
    }
  });

  Deno.test(`TestPattern draws the exact SMPTE bars natively in I420 and NV12 at ${w}×${h}`, async () => {
    const [table, matrix] = h >= 720 ? [BT709, "bt709"] : [BT601, "smpte170m"];
    for (const format of ["I420", "NV12"] as const) {
      const frame = await first({ width: w, height: h, format });
      assert.deepEqual(frame.colorSpace, { matrix, fullRange: false });
      assertYuvBars(frame, table);
    }
  });
}

/** Columns of `row` where the value of channel 0 of `bytes`-byte pixels changes. */
function edges(frame: VideoFrame, row: number, bytes: number): number[] {
  const w = frame.codedWidth;
  const at = (x: number): number => frame.data[(row * w + x) * bytes]!;
  return Array.from({ length: w }, (_, x) => x).filter((x) => x === 0 || at(x) !== at(x - 1));
}

Deno.test("TestPattern's bars start where floor(7x / width) changes, and its bands at 2/3 and 3/4", async () => {
  const hd = await first({ width: 1280, height: 720, format: "I420" });
  // ceil(i × 1280 / 7)
  assert.deepEqual(edges(hd, 0, 1), [0, 183, 366, 549, 732, 915, 1098]);
  // −I, white, +Q, black at 0, 15, 30, 45 84ths; the PLUGE at 60, 64, 68; black at 72.
  assert.deepEqual(edges(hd, 719, 1), [0, 229, 458, 686, 915, 976, 1037, 1098]);
  const column = (frame: VideoFrame, x: number): number[] =>
    Array.from({ length: frame.codedHeight }, (_, y) => y).filter((y) =>
      y > 0 &&
      frame.data[y * frame.codedWidth + x] !== frame.data[(y - 1) * frame.codedWidth + x]
    );
  assert.deepEqual(column(hd, 200), [480, 540]);
  const sd = await first({ width: 641, height: 479, format: "RGBA" });
  // Red channel: white, yellow, (cyan, green), magenta, red, (blue).
  assert.deepEqual(edges(sd, 0, 4), [0, 184, 367, 550]);
  const odd = await first({ width: 641, height: 479, format: "NV12" });
  assert.deepEqual(edges(odd, 0, 1), [0, 92, 184, 275, 367, 458, 550]);
  assert.deepEqual(column(odd, 100), [319, 359]);
});

// ---- Every pattern, every format ------------------------------------------------------------

const PATTERNS = ["smpte", "gradient", "checkers", "solid", "ball", "box", "noise"] as const;
const FORMATS: VideoPixelFormat[] = ["RGBA", "BGRA", "I420", "NV12"];

Deno.test("Every TestPattern pattern gives 641×479 frames of the right layout in every format", async () => {
  for (const pattern of PATTERNS) {
    for (const format of FORMATS) {
      const out = await frames({ pattern, format, width: 641, height: 479, frames: 2 });
      assert.equal(out.length, 2);
      const packed = videoFrameLayout(format, 641, 479);
      for (const frame of out) {
        assert.equal(frame.format, format);
        assert.equal(frame.codedWidth, 641);
        assert.equal(frame.codedHeight, 479);
        assert.equal(frame.data.length, packed.byteLength, `${pattern} ${format}`);
        assert.deepEqual(frame.layout, packed.layout);
      }
      assert.notEqual(out[0]!.data.buffer, out[1]!.data.buffer, "each frame has its own buffer");
    }
  }
});

Deno.test("TestPattern draws the other patterns in YUV as their RGBA picture through convertFrame", async () => {
  for (const pattern of ["gradient", "checkers", "ball", "noise"] as const) {
    const params = { pattern, width: 99, height: 75, foreground: "#ff8000", size: 10 };
    const rgba = await frames({ ...params, frames: 3 });
    for (const format of ["I420", "NV12"] as const) {
      const yuv = await frames({ ...params, format, frames: 3 });
      yuv.forEach((frame, i) => {
        const expected = convertFrame(rgba[i]!, format, { matrix: "bt601", fullRange: false });
        assert.deepEqual(frame.data, expected.data, `${pattern} ${format} frame ${i}`);
        assert.deepEqual(frame.colorSpace, { matrix: "smpte170m", fullRange: false });
      });
    }
  }
});

Deno.test("TestPattern's solid, checkers and gradient use the foreground and background colours", async () => {
  const solid = await first({ pattern: "solid", width: 3, height: 2, foreground: "#12345678" });
  assert.deepEqual([...solid.data], Array(6).fill([0x12, 0x34, 0x56, 0x78]).flat());
  const bgra = await first({
    pattern: "solid",
    width: 1,
    height: 1,
    format: "BGRA",
    foreground: "#123456",
  });
  assert.deepEqual([...bgra.data], [0x56, 0x34, 0x12, 255]);
  const checkers = await first({
    pattern: "checkers",
    width: 21,
    height: 13,
    size: 4,
    foreground: "red",
    background: "blue",
  });
  const px = (f: VideoFrame, x: number, y: number): string =>
    f.data.subarray((y * f.codedWidth + x) * 4, (y * f.codedWidth + x) * 4 + 4).join();
  for (let y = 0; y < 13; y++) {
    for (let x = 0; x < 21; x++) {
      const first = ((Math.floor(x / 4) + Math.floor(y / 4)) & 1) === 0;
      assert.equal(px(checkers, x, y), first ? "255,0,0,255" : "0,0,255,255");
    }
  }
  const gradient = await first({ pattern: "gradient", width: 2, height: 256, background: "red" });
  assert.equal(px(gradient, 0, 0), "255,0,0,255");
  // Row 255 is 254/255 of the way from red to white.
  assert.equal(px(gradient, 1, 255), "255,254,254,255");
  for (let y = 1; y < 256; y++) assert.ok(gradient.data[y * 8 + 1]! >= gradient.data[y * 8 - 7]!);
});

Deno.test("TestPattern's static pictures come in a fresh buffer every frame", async () => {
  const source = new TestPattern({ pattern: "checkers", width: 8, height: 8, frames: 3 });
  const sink = new Collect<VideoFrame>();
  await new Pipeline({ mode: "offline" }).pipe(source, sink).run();
  const [a, b, c] = sink.messages as [VideoFrame, VideoFrame, VideoFrame];
  assert.deepEqual(a.data, b.data);
  a.data.fill(7);
  assert.deepEqual(b.data, c.data);
  assert.notEqual(b.data[0], 7);
});

// ---- Limits and timing ----------------------------------------------------------------------

async function timestamps(params: Params): Promise<number[]> {
  const out = await frames({ width: 16, height: 8, ...params });
  out.forEach((f, n) => assert.equal(f.position, n));
  return out.map((f) => f.timestamp);
}

Deno.test("TestPattern sends exactly `frames` frames with tick timestamps, then ends", async () => {
  for (const count of [1, 2, 7]) {
    const ts = await timestamps({ frames: count, fps: 30 });
    assert.deepEqual(ts, Array.from({ length: count }, (_, n) => tickTime(n, 30)));
  }
  const out = await frames({ width: 4, height: 4, frames: 3, fps: 25 });
  assert.deepEqual(out.map((f) => f.duration), [40_000, 40_000, 40_000]);
});

Deno.test("TestPattern ends before the first frame at or past `duration` seconds", async () => {
  assert.deepEqual(await timestamps({ duration: 0.1, fps: 25 }), [0, 40_000, 80_000]);
  assert.equal((await timestamps({ duration: 1, fps: 30 })).length, 30);
  // 29.97 frames a second: frame 29 is at 967 634 µs, frame 30 at 1 001 001 µs.
  assert.equal((await timestamps({ duration: 1, fps: 29.97 })).length, 30);
  assert.equal((await timestamps({ duration: 0.05, fps: 10 })).length, 1);
});

Deno.test("TestPattern ends at whichever of frames and duration comes first, and reports progress", async () => {
  assert.equal((await timestamps({ frames: 4, duration: 1, fps: 10 })).length, 4);
  assert.equal((await timestamps({ frames: 100, duration: 0.5, fps: 10 })).length, 5);
  const source = new TestPattern({ width: 4, height: 4, frames: 100, duration: 0.5, fps: 10 });
  assert.deepEqual(source.progress(), { done: 0, total: 5 });
  await new Pipeline({ mode: "offline" }).pipe(source, new Collect()).run();
  assert.deepEqual(source.progress(), { done: 5, total: 5 });
  assert.deepEqual(new TestPattern({ duration: 1, fps: 29.97 }).progress().total, 30);
  assert.deepEqual(new TestPattern({ frames: 9 }).progress().total, 9);
  assert.equal(new TestPattern().progress().total, undefined);
});

// ---- Moving and random patterns ------------------------------------------------------------

/** The bounding box [x0, y0, x1, y1] (exclusive ends) of the pixels whose red is 255. */
function bounds(frame: VideoFrame): [number, number, number, number] {
  const { codedWidth: w, codedHeight: h, data } = frame;
  let [x0, y0, x1, y1] = [w, h, 0, 0];
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (data[(y * w + x) * 4] !== 255) continue;
      x0 = Math.min(x0, x);
      y0 = Math.min(y0, y);
      x1 = Math.max(x1, x + 1);
      y1 = Math.max(y1, y + 1);
    }
  }
  return [x0, y0, x1, y1];
}

/** 0 → range → 0 …: where a point that travelled `d` bouncing in [0, range] is. */
function triangle(d: number, range: number): number {
  const m = d % (2 * range);
  return m <= range ? m : 2 * range - m;
}

for (const pattern of ["ball", "box"] as const) {
  Deno.test(`TestPattern's ${pattern} moves at speed px/s, bounces and stays inside`, async () => {
    const out = await frames({
      pattern,
      width: 64,
      height: 48,
      size: 20,
      speed: 110,
      fps: 10,
      frames: 20,
      foreground: "red",
    });
    const seen = new Set<string>();
    for (const frame of out) {
      const t = frame.timestamp / 1e6;
      const x = Math.round(triangle(110 * t, 44));
      const y = Math.round(triangle(110 * t, 28));
      assert.deepEqual(bounds(frame), [x, y, x + 20, y + 20], `at ${t} s`);
      seen.add(`${x},${y}`);
      if (pattern === "ball") {
        // A disc: the corners of its square are background.
        assert.equal(frame.data[(y * 64 + x) * 4], 0);
      } else {
        assert.equal(frame.data[(y * 64 + x) * 4], 255);
      }
    }
    assert.ok(seen.size >= 15, "the shape moves");
    // Touched the right edge (x = 44 at 0.4 s).
    assert.ok(out.some((f) => bounds(f)[2] === 64));
  });
}

Deno.test("TestPattern's ball depends on the timestamp only, whatever the frame rate", async () => {
  const params = { pattern: "ball", width: 50, height: 30, size: 9, speed: 37 } as const;
  const slow = await frames({ ...params, fps: 7, frames: 12 });
  const fast = await frames({ ...params, fps: 14, frames: 24 });
  // Frame n at 7 fps and frame 2n at 14 fps share a timestamp, hence a picture.
  slow.forEach((f, n) => {
    assert.equal(f.timestamp, fast[2 * n]!.timestamp);
    assert.deepEqual(f.data, fast[2 * n]!.data);
  });
  assert.notDeepEqual(fast[1]!.data, fast[2]!.data);
});

Deno.test("TestPattern's noise is reproducible for a seed and frame, and differs across frames and seeds", async () => {
  const params = { pattern: "noise", width: 33, height: 17, frames: 3 } as const;
  const a = await frames({ ...params, seed: 7 });
  const b = await frames({ ...params, seed: 7 });
  const c = await frames({ ...params, seed: 8 });
  a.forEach((f, i) => assert.deepEqual(f.data, b[i]!.data));
  assert.notDeepEqual(a[0]!.data, a[1]!.data);
  assert.notDeepEqual(a[1]!.data, a[2]!.data);
  assert.notDeepEqual(a[0]!.data, c[0]!.data);
  const px = a[0]!.data;
  const greys = new Set<number>();
  for (let p = 0; p < px.length; p += 4) {
    assert.ok(px[p] === px[p + 1] && px[p] === px[p + 2] && px[p + 3] === 255);
    greys.add(px[p]!);
  }
  assert.ok(greys.size > 200, `${greys.size} grey levels`);
});

// ---- Overlay --------------------------------------------------------------------------------

/** Whether the label region of `frame` shows `text` white on black, as the font draws it. */
function labelShows(frame: VideoFrame, text: string): boolean {
  const scale = Math.max(1, Math.floor(frame.codedHeight / 144));
  const box = _labelBox(text, scale);
  const { mask, width: mw, height: mh } = _textMask(text, scale);
  const yuv = frame.format === "I420" || frame.format === "NV12";
  const bytes = yuv ? 1 : 4;
  for (let y = box.y; y < box.y + box.height; y++) {
    for (let x = box.x; x < box.x + box.width; x++) {
      const [mx, my] = [x - box.textX, y - box.textY];
      const lit = mx >= 0 && my >= 0 && mx < mw && my < mh && mask[my * mw + mx] === 1;
      const expected = yuv ? (lit ? 235 : 16) : (lit ? 255 : 0);
      if (frame.data[(y * frame.codedWidth + x) * bytes] !== expected) return false;
    }
  }
  return true;
}

Deno.test("TestPattern's frame overlay draws the frame number in the built-in font", async () => {
  for (const format of ["RGBA", "I420"] as const) {
    const out = await frames({ width: 320, height: 240, overlay: "frame", frames: 12, format });
    out.forEach((frame, n) => assert.ok(labelShows(frame, String(n)), `${format} frame ${n}`));
    assert.ok(!labelShows(out[1]!, "2"));
    const box = _labelBox("1", 1);
    const region = (f: VideoFrame): Uint8Array =>
      f.data.subarray(box.y * 320 * 4, (box.y + box.height) * 320 * 4);
    assert.notDeepEqual(region(out[1]!), region(out[2]!));
    // Below the label the bars are untouched.
    const plain = await first({ width: 320, height: 240, format });
    assert.deepEqual(out[1]!.data.subarray(40 * 320 * 4), plain.data.subarray(40 * 320 * 4));
  }
});

Deno.test("TestPattern's timecode overlay shows HH:MM:SS:FF of the timestamp at the tick rate", async () => {
  const out = await frames({ width: 200, height: 150, overlay: "timecode", fps: 30, frames: 32 });
  assert.ok(labelShows(out[0]!, "00:00:00:00"));
  assert.ok(labelShows(out[1]!, "00:00:00:01"));
  assert.ok(labelShows(out[29]!, "00:00:00:29"));
  assert.ok(labelShows(out[31]!, "00:00:01:01"));
  const pal = await frames({ width: 100, height: 48, overlay: "timecode", fps: 25, frames: 26 });
  assert.ok(labelShows(pal[25]!, "00:00:01:00"));
});

Deno.test("TestPattern's overlay is clipped to tiny pictures", async () => {
  for (const format of FORMATS) {
    const out = await frames({ width: 5, height: 3, overlay: "timecode", format, frames: 2 });
    assert.equal(out.length, 2);
  }
});

// ---- Parameters -----------------------------------------------------------------------------

Deno.test("TestPattern rejects an unknown pattern, a bad colour and a bad size", () => {
  const code = (f: () => unknown): string | undefined => {
    try {
      f();
    } catch (error) {
      return (error as { code?: string }).code;
    }
    return undefined;
  };
  assert.equal(code(() => new TestPattern({ pattern: "plaid" as "smpte" })), "SL_PARAM_INVALID");
  assert.equal(code(() => new TestPattern({ foreground: "chartreuse" })), "SL_PARAM_INVALID");
  assert.equal(code(() => new TestPattern({ background: "#12345" })), "SL_PARAM_INVALID");
  assert.equal(code(() => new TestPattern({ width: 0 })), "SL_PARAM_INVALID");
  assert.equal(code(() => new TestPattern({ fps: 0 })), "SL_PARAM_INVALID");
  assert.equal(code(() => new TestPattern({ frames: -1 })), "SL_PARAM_INVALID");
  assert.equal(code(() => new TestPattern({ format: "YUY2" as "RGBA" })), "SL_PARAM_INVALID");
  const source = new TestPattern({ foreground: "red" });
  assert.throws(() => source.setParams({ foreground: "reddish" }), /"reddish"/);
  assert.equal(source.params.foreground, "red");
  assert.throws(() => new TestPattern({ foreground: "nope" }), /"foreground".*"nope"/);
});

Deno.test("TestPattern draws with parameters changed while it runs", () => {
  const source = new TestPattern({ pattern: "solid", width: 2, height: 2 });
  const written: VideoFrame[] = [];
  source.outputs.out.write = (frame: VideoFrame): void => void written.push(frame);
  const tick = { timestamp: 0, duration: 1, frameNumber: 0, clockId: "", fps: 30, late: false };
  source.process(tick);
  source.setParams({ foreground: "#00ff00", width: 3 });
  source.process({ ...tick, frameNumber: 1 });
  assert.deepEqual([...written[0]!.data.subarray(0, 4)], [255, 255, 255, 255]);
  assert.deepEqual([...written[1]!.data.subarray(0, 4)], [0, 255, 0, 255]);
  assert.equal(written[1]!.codedWidth, 3);
});
