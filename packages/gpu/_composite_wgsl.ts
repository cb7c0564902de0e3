/**
 * WGSL of `gpucompositor`. The composite is built in a scratch buffer of one `u32` a pixel (the
 * output's four bytes): a pass fills the background, one pass a layer blends the layer's visible
 * rectangle into it, and a last pass stores it into the output texture. The blend is the CPU
 * compositor's (`@streamlib/video`'s `_blend.wat`):
 *
 * - onto an opaque pixel, in Q15 fixed point: α = q15(srcA × 257 >> 1, opacity), then each
 *   channel d + q15(s − d, α), with q15(x, y) = (x·y + 16384) >> 15 — the same integers;
 * - onto a translucent pixel, Porter-Duff "over" of straight colours in `f32`:
 *   outα = α + dstα·(1 − α), out = (s·α + d·dstα·(1 − α)) / outα, outA = round(255·outα),
 *   and all 0 where outα is 0.
 *
 * Internal.
 *
 * @module
 */

/** Fills the work buffer with the background pixel. */
export const _FILL: string = `
struct Params { width: u32, height: u32, value: u32, pad: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> work: array<u32>;
@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) id: vec3u) {
  if (id.x >= p.width || id.y >= p.height) { return; }
  work[id.y * p.width + id.x] = p.value;
}
`;

/** Blends one layer's visible rectangle into the work buffer. */
export const _OVER: string = `
struct Params {
  width: u32, x0: u32, y0: u32, w: u32,
  h: u32, lx: i32, ly: i32, opacity: i32,
  swap: u32, opf: f32, pad0: u32, pad1: u32,
}
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var layer: texture_2d<u32>;
@group(0) @binding(2) var<storage, read_write> work: array<u32>;
fn q15(x: i32, y: i32) -> i32 { return (x * y + 16384) >> 15u; }
@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) id: vec3u) {
  if (id.x >= p.w || id.y >= p.h) { return; }
  let x = p.x0 + id.x;
  let y = p.y0 + id.y;
  var s = vec4i(textureLoad(layer, vec2i(i32(x) - p.lx, i32(y) - p.ly), 0));
  if (p.swap != 0u) { s = s.zyxw; }
  let at = y * p.width + x;
  let packed = work[at];
  let d = vec4i(vec4u(packed, packed >> 8u, packed >> 16u, packed >> 24u) & vec4u(255u));
  var o: vec4i;
  if (d.w == 255) {
    let a = q15((s.w * 257) >> 1u, p.opacity);
    o = d + vec4i(q15(s.x - d.x, a), q15(s.y - d.y, a), q15(s.z - d.z, a), q15(255 - d.w, a));
  } else {
    let af = p.opf * f32(s.w);
    let wd = (f32(d.w) * bitcast<f32>(0x3b808081u)) * (1.0 - af);
    let oa = af + wd;
    if (oa <= 0.0) {
      o = vec4i(0);
    } else {
      let inv = 1.0 / oa;
      let c = (af * inv) * vec3f(s.xyz) + (wd * inv) * vec3f(d.xyz) + 0.5;
      o = vec4i(vec4f(min(c, vec3f(255.0)), min(oa * 255.0 + 0.5, 255.0)));
    }
  }
  let u = vec4u(o);
  work[at] = u.x | (u.y << 8u) | (u.z << 16u) | (u.w << 24u);
}
`;

/** Stores the work buffer into the output texture. */
export const _STORE: string = `
struct Params { width: u32, height: u32, value: u32, pad: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> work: array<u32>;
@group(0) @binding(2) var dst: texture_storage_2d<rgba8uint, write>;
@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) id: vec3u) {
  if (id.x >= p.width || id.y >= p.height) { return; }
  let v = work[id.y * p.width + id.x];
  textureStore(dst, vec2i(id.xy), vec4u(v, v >> 8u, v >> 16u, v >> 24u) & vec4u(255u));
}
`;
