/**
 * WGSL of `gpublur`: separable passes over `rgba8uint` frames, each channel on its own, edges
 * clamped. Gaussian: a vertical pass into an `f32` scratch buffer, then a horizontal pass that
 * rounds to nearest (ties to even). Box: integer sums, then the rounded mean
 * `(2·sum + area) / (2·area)`, as the CPU blur computes it. Internal.
 *
 * @module
 */

const _COMMON = `
struct Params { width: u32, height: u32, radius: u32, area: u32 }
@group(0) @binding(0) var<uniform> p: Params;
`;

/** Gaussian, vertical: `src` texture → `tmp` (vec4f per pixel), weights w0…wr. */
export const _GAUSSIAN_V: string = _COMMON + `
@group(0) @binding(1) var src: texture_2d<u32>;
@group(0) @binding(2) var<storage, read_write> tmp: array<vec4f>;
@group(0) @binding(3) var<storage, read> w: array<f32>;
@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) id: vec3u) {
  if (id.x >= p.width || id.y >= p.height) { return; }
  let x = i32(id.x);
  let y = i32(id.y);
  let last = i32(p.height) - 1;
  var acc = w[0] * vec4f(textureLoad(src, vec2i(x, y), 0));
  for (var k = 1; k <= i32(p.radius); k++) {
    let a = vec4f(textureLoad(src, vec2i(x, max(y - k, 0)), 0));
    let b = vec4f(textureLoad(src, vec2i(x, min(y + k, last)), 0));
    acc += w[k] * (a + b);
  }
  tmp[id.y * p.width + id.x] = acc;
}
`;

/** Gaussian, horizontal: `tmp` → `dst` texture. */
export const _GAUSSIAN_H: string = _COMMON + `
@group(0) @binding(1) var<storage, read> tmp: array<vec4f>;
@group(0) @binding(2) var dst: texture_storage_2d<rgba8uint, write>;
@group(0) @binding(3) var<storage, read> w: array<f32>;
@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) id: vec3u) {
  if (id.x >= p.width || id.y >= p.height) { return; }
  let row = id.y * p.width;
  let x = i32(id.x);
  let last = i32(p.width) - 1;
  var acc = w[0] * tmp[row + id.x];
  for (var k = 1; k <= i32(p.radius); k++) {
    acc += w[k] * (tmp[row + u32(max(x - k, 0))] + tmp[row + u32(min(x + k, last))]);
  }
  textureStore(dst, vec2i(id.xy), vec4u(clamp(round(acc), vec4f(0.0), vec4f(255.0))));
}
`;

/** Box, vertical: `src` → `tmp` (vec4u sums of 2r + 1 rows). */
export const _BOX_V: string = _COMMON + `
@group(0) @binding(1) var src: texture_2d<u32>;
@group(0) @binding(2) var<storage, read_write> tmp: array<vec4u>;
@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) id: vec3u) {
  if (id.x >= p.width || id.y >= p.height) { return; }
  let x = i32(id.x);
  let y = i32(id.y);
  let r = i32(p.radius);
  let last = i32(p.height) - 1;
  var sum = vec4u(0u);
  for (var k = -r; k <= r; k++) {
    sum += textureLoad(src, vec2i(x, clamp(y + k, 0, last)), 0);
  }
  tmp[id.y * p.width + id.x] = sum;
}
`;

/** Box, horizontal: `tmp` → `dst`, the rounded mean of the (2r + 1)² square. */
export const _BOX_H: string = _COMMON + `
@group(0) @binding(1) var<storage, read> tmp: array<vec4u>;
@group(0) @binding(2) var dst: texture_storage_2d<rgba8uint, write>;
@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) id: vec3u) {
  if (id.x >= p.width || id.y >= p.height) { return; }
  let row = id.y * p.width;
  let x = i32(id.x);
  let r = i32(p.radius);
  let last = i32(p.width) - 1;
  var sum = vec4u(0u);
  for (var k = -r; k <= r; k++) {
    sum += tmp[row + u32(clamp(x + k, 0, last))];
  }
  textureStore(dst, vec2i(id.xy), (2u * sum + p.area) / (2u * p.area));
}
`;
