import assert from "node:assert/strict";
import { createVideoFrame, type VideoPixelFormat } from "@streamlib/core";
import { _drawLabel, _glyph, _labelBox, _textMask } from "./_font.ts";

/** The mask as rows of `#` and `.`. */
function art(text: string, scale: number): string[] {
  const { mask, width, height } = _textMask(text, scale);
  return Array.from(
    { length: height },
    (_, y) => [...mask.subarray(y * width, (y + 1) * width)].map((v) => (v ? "#" : ".")).join(""),
  );
}

Deno.test("_glyph has a distinct 5×7 glyph for every digit and the colon, and none for letters", () => {
  const chars = [..."0123456789:"];
  for (const char of chars) {
    const rows = _glyph(char)!;
    assert.equal(rows.length, 7);
    assert.ok(rows.every((row) => row >= 0 && row < 32));
    assert.ok(rows.some((row) => row !== 0));
  }
  assert.equal(new Set(chars.map((c) => _glyph(c)!.join())).size, chars.length);
  assert.equal(_glyph("A"), undefined);
});

Deno.test("_textMask renders glyphs one font pixel apart, scaled by whole pixels", () => {
  assert.deepEqual(
    art("1:", 1),
    [
      "..#.........",
      ".##....##...",
      "..#....##...",
      "..#.........",
      "..#....##...",
      "..#....##...",
      ".###........",
    ].map((row) => row.slice(0, 11)),
  );
  const one = _textMask("0", 1);
  const three = _textMask("0", 3);
  assert.deepEqual([three.width, three.height], [15, 21]);
  for (let y = 0; y < 21; y++) {
    for (let x = 0; x < 15; x++) {
      assert.equal(three.mask[y * 15 + x], one.mask[Math.floor(y / 3) * 5 + Math.floor(x / 3)]);
    }
  }
  assert.equal(_textMask("", 2).width, 0);
});

Deno.test("_labelBox puts an even-sized box at an even corner around the text", () => {
  for (const scale of [1, 2, 3, 5]) {
    const box = _labelBox("12:34", scale);
    assert.deepEqual([box.x % 2, box.y % 2, box.width % 2, box.height % 2], [0, 0, 0, 0]);
    assert.ok(box.textX - box.x === scale && box.textY - box.y === scale);
    assert.ok(box.width >= _textMask("12:34", scale).width + 2 * scale);
  }
});

Deno.test("_drawLabel draws white on black, neutral chroma under the box, and nothing outside", () => {
  for (const format of ["RGBA", "BGRA", "I420", "NV12"] as VideoPixelFormat[]) {
    const frame = createVideoFrame({ format, codedWidth: 31, codedHeight: 21 });
    frame.data.fill(99);
    _drawLabel(frame, "7", 2);
    const box = _labelBox("7", 2);
    const { mask, width: mw } = _textMask("7", 2);
    const yuv = format === "I420" || format === "NV12";
    const bytes = yuv ? 1 : 4;
    for (let y = 0; y < 21; y++) {
      for (let x = 0; x < 31; x++) {
        const inBox = x >= box.x && x < box.x + box.width && y >= box.y && y < box.y + box.height;
        const [mx, my] = [x - box.textX, y - box.textY];
        const lit = inBox && mx >= 0 && my >= 0 && mx < mw && mask[my * mw + mx] === 1;
        const p = (y * 31 + x) * bytes;
        const expected = !inBox ? 99 : yuv ? (lit ? 235 : 16) : (lit ? 255 : 0);
        assert.equal(frame.data[p], expected, `${format} ${x},${y}`);
        if (!yuv) assert.equal(frame.data[p + 3], inBox ? 255 : 99);
      }
    }
    if (yuv) {
      const chroma = frame.data.subarray(31 * 21);
      const inside = [...chroma].filter((v) => v === 128).length;
      // Each 2×2 block of the box: one U and one V sample.
      assert.equal(inside, 2 * (box.width / 2) * (box.height / 2));
    }
  }
});

Deno.test("_drawLabel clips to a picture smaller than its box", () => {
  for (const format of ["RGBA", "I420", "NV12"] as VideoPixelFormat[]) {
    const frame = createVideoFrame({ format, codedWidth: 5, codedHeight: 3 });
    _drawLabel(frame, "00:00:00:00", 1);
    assert.equal(
      frame.data.length,
      createVideoFrame({ format, codedWidth: 5, codedHeight: 3 }).data.length,
    );
  }
});
