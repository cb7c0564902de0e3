/**
 * WGSL of `gpuscale`: separable resampling of `rgba8uint` frames by tap tables made on the CPU
 * (each output column and row reads `n` source columns or rows with weights; bilinear has 2
 * taps, area averaging ⌈ratio⌉ + 1). For each output pixel the columns are summed down first,
 * then weighed across, as the CPU scaler does. Internal.
 *
 * @module
 */

/** Scales `src` into `dst`: taps are (source index, weight) pairs, `hn` a column, `vn` a row. */
export const _SCALE: string = `
struct Params { width: u32, height: u32, hn: u32, vn: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var src: texture_2d<u32>;
@group(0) @binding(2) var dst: texture_storage_2d<rgba8uint, write>;
@group(0) @binding(3) var<storage, read> h: array<vec2f>;
@group(0) @binding(4) var<storage, read> v: array<vec2f>;
@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) id: vec3u) {
  if (id.x >= p.width || id.y >= p.height) { return; }
  var acc = vec4f(0.0);
  for (var j = 0u; j < p.hn; j++) {
    let ht = h[id.x * p.hn + j];
    var column = vec4f(0.0);
    for (var k = 0u; k < p.vn; k++) {
      let vt = v[id.y * p.vn + k];
      if (vt.y != 0.0) {
        column += vt.y * vec4f(textureLoad(src, vec2i(i32(ht.x), i32(vt.x)), 0));
      }
    }
    acc += ht.y * column;
  }
  textureStore(dst, vec2i(id.xy), vec4u(clamp(round(acc), vec4f(0.0), vec4f(255.0))));
}
`;
