import assert from "node:assert/strict";
import { _smpteBars } from "./_pattern_smpte.ts";

Deno.test("_smpteBars uses the matrix it is given, whatever the size", () => {
  // 14×4: two columns a bar; row 0 is in the top band.
  const hd = _smpteBars("I420", 14, 4, "bt709");
  const sd = _smpteBars("I420", 14, 4, "bt601");
  assert.deepEqual([...hd.subarray(0, 14)], [
    180,
    180,
    168,
    168,
    145,
    145,
    133,
    133,
    63,
    63,
    51,
    51,
    28,
    28,
  ]);
  assert.deepEqual([...sd.subarray(0, 14)], [
    180,
    180,
    162,
    162,
    131,
    131,
    112,
    112,
    84,
    84,
    65,
    65,
    35,
    35,
  ]);
  // U of the second block (yellow): 44 in both.
  assert.equal(hd[56 + 1], 44);
  assert.equal(sd[56 + 1], 44);
});

Deno.test("_smpteBars averages chroma over a 2×2 block that straddles two bars", () => {
  // 9 columns: bars start at 0, 2, 3, 4, 6, 7, 8; block 1 covers yellow (x 2) and cyan (x 3).
  const data = _smpteBars("NV12", 9, 6, "bt601");
  const uv = 9 * 6;
  assert.equal(data[uv + 2], (44 + 156 + 44 + 156 + 2) >> 2);
  assert.equal(data[uv + 3], (142 + 44 + 142 + 44 + 2) >> 2);
});
