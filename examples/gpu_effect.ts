// deno-lint-ignore-file no-console
/**
 * A GPU effect in ten lines of WGSL: a vignette with a slow pulse, on test bars, saved as a PNG.
 * The pipeline inserts the upload before the shader and the download after it by itself; the
 * graph printed at the end shows them (dashed in `toDot()`). Without a GPU, install Mesa's
 * software Vulkan driver (`apt-get install mesa-vulkan-drivers libvulkan1`).
 *
 *   deno run --allow-write=vignette.png examples/gpu_effect.ts
 *
 * @module
 */
import { Pipeline } from "@streamlib/core";
import { Snapshot, TestPattern } from "@streamlib/video";
import { Shader } from "@streamlib/gpu";

const vignette = `
fn effect(color: vec4f, at: vec2i, size: vec2i, time: f32) -> vec4f {
  let centre = vec2f(size) * 0.5;
  let d = distance(vec2f(at), centre) / length(centre);
  let pulse = 0.5 + 0.5 * sin(time * 2.0);
  let dark = 1.0 - params.strength * pulse * smoothstep(0.3, 1.0, d);
  return vec4f(color.rgb * dark, color.a);
}`;

const pipeline = new Pipeline({ mode: "offline" });
pipeline.pipe(
  new TestPattern({ pattern: "smpte", width: 640, height: 360, format: "RGBA", frames: 25 }),
  new Shader({ code: vignette, uniforms: { strength: 0.8 } }),
  new Snapshot({ location: "vignette.png", mode: "first", frame: 20 }),
);
for (const actor of pipeline.toJSON().actors) {
  console.log(`${actor.name}${actor.inserted ? "  (inserted transfer)" : ""}`);
}
await pipeline.run();
console.log("wrote vignette.png");
