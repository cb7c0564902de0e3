/**
 * WGSL of `gpuconvert`. RGBA and BGRA frames are `rgba8uint` textures; I420 and NV12 frames are
 * storage buffers of packed bytes, read and written a 32-bit word at a time: a kernel that
 * writes YUV runs one thread per word and computes the (up to) four samples in it, whichever
 * plane they belong to, so any size and plane offset works. The arithmetic is the CPU
 * converter's, in `i32`: the same fixed-point factors and tables, the same 2×2 chroma sums (the
 * last column and row repeated on odd sizes), the same shifts. Internal.
 *
 * @module
 */

/** Threads a row of a word-wise dispatch: thread (x, y) handles word y × this + x. */
export const _WORDS_ROW = 4096;

const _PARAMS = `
struct Params {
  width: u32, height: u32, cw: u32, ch: u32,
  total: u32, nv12: u32, red: u32, srcNv12: u32,
}
@group(0) @binding(0) var<uniform> p: Params;
`;

/** RGBA/BGRA texture → I420/NV12 buffer. */
export const _TO_YUV: string = _PARAMS + `
@group(0) @binding(1) var src: texture_2d<u32>;
@group(0) @binding(2) var<storage, read_write> dst: array<u32>;
@group(0) @binding(3) var<storage, read> k: array<i32, 11>;
fn rgb(x: u32, y: u32) -> vec3i {
  let t = vec4i(textureLoad(src, vec2i(i32(x), i32(y)), 0));
  if (p.red == 0u) { return t.xyz; }
  return t.zyx;
}
fn luma(x: u32, y: u32) -> u32 {
  let c = rgb(x, y);
  return u32(clamp((k[0] * c.x + k[1] * c.y + k[2] * c.z + k[3]) >> 16u, 0, 255));
}
fn chroma(cx: u32, cy: u32, v: bool) -> u32 {
  let x0 = 2u * cx;
  let y0 = 2u * cy;
  let x1 = min(x0 + 1u, p.width - 1u);
  let y1 = min(y0 + 1u, p.height - 1u);
  let s = rgb(x0, y0) + rgb(x1, y0) + rgb(x0, y1) + rgb(x1, y1);
  var value: i32;
  if (v) {
    value = k[7] * s.x + k[8] * s.y + k[9] * s.z + k[10];
  } else {
    value = k[4] * s.x + k[5] * s.y + k[6] * s.z + k[10];
  }
  return u32(clamp(value >> 18u, 0, 255));
}
fn sample(o: u32) -> u32 {
  let ySize = p.width * p.height;
  if (o < ySize) { return luma(o % p.width, o / p.width); }
  let c = o - ySize;
  if (p.nv12 != 0u) { return chroma((c % (2u * p.cw)) / 2u, c / (2u * p.cw), (c & 1u) == 1u); }
  let cSize = p.cw * p.ch;
  if (c < cSize) { return chroma(c % p.cw, c / p.cw, false); }
  let d = c - cSize;
  return chroma(d % p.cw, d / p.cw, true);
}
@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) id: vec3u) {
  let i = id.y * ${_WORDS_ROW}u + id.x;
  if (i * 4u >= p.total) { return; }
  var word = 0u;
  for (var b = 0u; b < 4u; b++) {
    let o = i * 4u + b;
    if (o < p.total) { word |= sample(o) << (8u * b); }
  }
  dst[i] = word;
}
`;

const _READ_YUV = `
@group(0) @binding(1) var<storage, read> src: array<u32>;
fn byte(o: u32) -> u32 { return (src[o >> 2u] >> ((o & 3u) * 8u)) & 255u; }
/** U and V of chroma sample (cx, cy) in the source layout. */
fn uv(cx: u32, cy: u32) -> vec2u {
  let ySize = p.width * p.height;
  if (p.srcNv12 != 0u) {
    let at = ySize + cy * 2u * p.cw + 2u * cx;
    return vec2u(byte(at), byte(at + 1u));
  }
  let at = ySize + cy * p.cw + cx;
  return vec2u(byte(at), byte(at + p.cw * p.ch));
}
`;

/** I420/NV12 buffer → RGBA/BGRA texture. */
export const _TO_RGB: string = _PARAMS + _READ_YUV + `
@group(0) @binding(2) var dst: texture_storage_2d<rgba8uint, write>;
@group(0) @binding(3) var<storage, read> tab: array<i32>;
@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) id: vec3u) {
  if (id.x >= p.width || id.y >= p.height) { return; }
  let y = tab[byte(id.y * p.width + id.x)];
  let c = uv(id.x >> 1u, id.y >> 1u);
  let r = (y + tab[256u + c.y]) >> 16u;
  let g = (y + tab[512u + c.x] + tab[768u + c.y]) >> 16u;
  let b = (y + tab[1024u + c.x]) >> 16u;
  var rgb = vec3u(clamp(vec3i(r, g, b), vec3i(0), vec3i(255)));
  if (p.red != 0u) { rgb = rgb.zyx; }
  textureStore(dst, vec2i(id.xy), vec4u(rgb, 255u));
}
`;

/** I420 ⇄ NV12 buffer → buffer: Y copied, chroma samples moved to the other layout. */
export const _REPACK: string = _PARAMS + _READ_YUV + `
@group(0) @binding(2) var<storage, read_write> dst: array<u32>;
fn sample(o: u32) -> u32 {
  let ySize = p.width * p.height;
  if (o < ySize) { return byte(o); }
  let c = o - ySize;
  if (p.nv12 != 0u) {
    let s = uv((c % (2u * p.cw)) / 2u, c / (2u * p.cw));
    return select(s.x, s.y, (c & 1u) == 1u);
  }
  let cSize = p.cw * p.ch;
  if (c < cSize) { return uv(c % p.cw, c / p.cw).x; }
  let d = c - cSize;
  return uv(d % p.cw, d / p.cw).y;
}
@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) id: vec3u) {
  let i = id.y * ${_WORDS_ROW}u + id.x;
  if (i * 4u >= p.total) { return; }
  var word = 0u;
  for (var b = 0u; b < 4u; b++) {
    let o = i * 4u + b;
    if (o < p.total) { word |= sample(o) << (8u * b); }
  }
  dst[i] = word;
}
`;

/** RGBA ⇄ BGRA texture → texture. */
export const _SWAP: string = _PARAMS + `
@group(0) @binding(1) var src: texture_2d<u32>;
@group(0) @binding(2) var dst: texture_storage_2d<rgba8uint, write>;
@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) id: vec3u) {
  if (id.x >= p.width || id.y >= p.height) { return; }
  textureStore(dst, vec2i(id.xy), textureLoad(src, vec2i(id.xy), 0).zyxw);
}
`;
