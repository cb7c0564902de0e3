import assert from "node:assert/strict";
import { _bounce, type _PatternSpec, _renderPattern, _shapeOrigin } from "./_pattern_rgba.ts";

const spec: _PatternSpec = {
  pattern: "ball",
  order: "RGBA",
  width: 40,
  height: 30,
  foreground: [255, 0, 0, 255],
  background: [0, 0, 0, 255],
  size: 10,
  speed: 30,
  seed: 1,
};

Deno.test("_bounce goes from 0 up to the range and back, and stays at 0 without room", () => {
  assert.deepEqual([0, 3, 10, 13, 20, 21, 35].map((d) => _bounce(d, 10)), [0, 3, 10, 7, 0, 1, 5]);
  assert.equal(_bounce(123, 0), 0);
});

Deno.test("_shapeOrigin keeps the shape inside the picture at every time", () => {
  for (let t = 0; t < 20e6; t += 77_777) {
    const [x, y] = _shapeOrigin(spec, t);
    assert.ok(x >= 0 && x <= 30 && y >= 0 && y <= 20, `${x},${y} at ${t}`);
  }
  // Larger than the picture: a 30-pixel square, with room to move across only.
  assert.deepEqual(_shapeOrigin({ ...spec, size: 100 }, 5e6), [10, 0]);
  assert.deepEqual(_shapeOrigin(spec, 1e6), [30, 10]);
});

Deno.test("_renderPattern's ball is a disc symmetric about its centre, inside its square", () => {
  const data = _renderPattern({ ...spec, speed: 0, size: 9 }, 0, 0);
  const lit = (x: number, y: number): boolean => data[(y * 40 + x) * 4] === 255;
  for (let y = 0; y < 30; y++) {
    for (let x = 0; x < 40; x++) {
      if (x >= 9 || y >= 9) assert.ok(!lit(x, y));
      else {
        assert.equal(lit(x, y), lit(8 - x, y));
        assert.equal(lit(x, y), lit(y, x));
      }
    }
  }
  assert.ok(lit(4, 4) && lit(0, 4) && lit(8, 4) && !lit(0, 0));
});

Deno.test("_renderPattern's noise fills every pixel of odd-sized pictures, opaque", () => {
  const data = _renderPattern({ ...spec, pattern: "noise", width: 3, height: 3 }, 0, 5);
  for (let p = 3; p < data.length; p += 4) assert.equal(data[p], 255);
  const again = _renderPattern({ ...spec, pattern: "noise", width: 3, height: 3 }, 99, 5);
  assert.deepEqual(data, again, "the timestamp does not matter, only seed and frame");
});
