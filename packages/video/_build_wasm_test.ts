import assert from "node:assert/strict";
import { _blendWasmSource, _buildBlendWasm } from "./_build_wasm.ts";
import { _BLEND_WASM, _BLEND_WASM_RELAXED } from "./_blend_wasm.ts";

Deno.test("_blend_wasm.ts holds exactly the bytes _blend.wat compiles to", async () => {
  const binaries = await _buildBlendWasm();
  assert.equal(_BLEND_WASM_RELAXED, btoa(String.fromCharCode(...binaries.relaxed)));
  assert.equal(_BLEND_WASM, btoa(String.fromCharCode(...binaries.standard)));
  const file = await Deno.readTextFile(new URL("./_blend_wasm.ts", import.meta.url));
  assert.equal(file, _blendWasmSource(binaries), "run: deno run -A packages/video/_build_wasm.ts");
});

Deno.test("_buildBlendWasm() gives a standard-SIMD module without relaxed instructions", async () => {
  const { relaxed, standard } = await _buildBlendWasm();
  assert.ok(WebAssembly.validate(standard));
  assert.notDeepEqual(relaxed, standard);
  // relaxed_q15mulr_s is 0xfd 0x111 (LEB128: 0x91 0x02).
  const has = (bytes: Uint8Array): boolean =>
    bytes.some((b, i) => b === 0xfd && bytes[i + 1] === 0x91 && bytes[i + 2] === 0x02);
  assert.ok(has(relaxed));
  assert.ok(!has(standard));
});
