/**
 * What the control API costs and how fast it acts, in one run, each part against a baseline
 * measured in the same run:
 *
 * 1. Round trips of `graph` and `set` on a running 1080p30 pipeline (two test sources into a
 *    compositor, to a probe sink) over its Unix socket through `ControlClient`, p50 and p99,
 *    against the same calls on its `PipelineControl` in the process (no transport). Calls are
 *    spread over the frame period at random (seeded), so some land while a frame is being made.
 * 2. Time from a `set` to the first output frame that shows it: the set toggles the opacity of
 *    the compositor's second layer between 0 and 1, and the probe at the end of the pipeline
 *    looks at a pixel of that layer in every frame. Both times come from `performance.now()` of
 *    this process: taken just before the request, and when the probe gets the first frame
 *    whose pixel has changed. Through `ControlClient` over the socket, alternating with the same
 *    change made in the process; the target is a p50 within one frame period (33.3 ms).
 * 3. Cost of being served: the `deno task bench` chain (five pass-through actors, offline)
 *    with `serveControl` attached and idle, against the same chain not served, in alternating
 *    rounds (ABBA), medians; the target is at most 5% apart.
 *
 * The node and the client share this process (one clock, one event loop), so the figures
 * include the client's side of each request. Ends with three lines starting `control:`.
 *
 * Run: deno task bench:control [changes, default 200] [hop rounds, default 16]
 *
 * @module
 */

import { Actor, Catalogue, type Contract, PipelineControl, type TimedTick } from "@streamlib/core";
import { ControlClient, serveControl } from "@streamlib/net/control";
import { hopChain, median, runChain } from "./_hop_chain.ts";
import { benchDeadline } from "./_deadline.ts";

benchDeadline("bench:control");

const CHANGES = Number(Deno.args[0] ?? 200);
const HOP_ROUNDS = Number(Deno.args[1] ?? 16);
const HOP_MESSAGES = 200_000;
const FRAME_MS = 1000 / 30;
const LAYER = { x: 100, y: 100 };

/** A seeded generator in [0, 1), so that runs space their calls alike. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}
const next = random(17);

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

const probeContract = {
  type: "probe",
  inputs: { in: { kind: "video", formats: ["RGBA"] } },
} as const satisfies Contract;

/** A sink that tells, for each frame, whether the second layer shows at (LAYER + 10). */
class Probe extends Actor<typeof probeContract> {
  static override contract: typeof probeContract = probeContract;
  frames = 0;
  #waiting: { green: boolean; resolve: (ms: number) => void } | undefined;

  /** Resolves with the time of the first frame from now on whose layer pixel is as asked. */
  when(green: boolean): Promise<number> {
    return new Promise((resolve) => this.#waiting = { green, resolve });
  }

  process(_tick: TimedTick): void {
    const frame = this.inputs.in.read();
    if (frame === undefined) return;
    this.frames++;
    const { offset, stride } = frame.layout[0]!;
    const g = frame.data[offset + (LAYER.y + 10) * stride + (LAYER.x + 10) * 4 + 1]!;
    const waiting = this.#waiting;
    if (waiting !== undefined && (g > 128) === waiting.green) {
      this.#waiting = undefined;
      waiting.resolve(performance.now());
    }
  }
}

const dir = await Deno.makeTempDir({ prefix: "streamlib-bench-control-" });
const catalogue = await Catalogue.withCore().load(
  import.meta.resolve("@streamlib/video/manifest.json"),
);
const pipeline = await catalogue.build(
  `videotestsrc name=bg pattern=solid foreground=#ff0000 width=1920 height=1080 fps=30 ` +
    `! compositor name=mix width=1920 height=1080 fps=30 layer_1::x=${LAYER.x} ` +
    `layer_1::y=${LAYER.y} ` +
    `videotestsrc name=layer pattern=solid foreground=#00ff00 width=320 height=180 fps=30 ! mix.`,
);
const probe = new Probe();
pipeline.add(probe, { name: "probe" });
pipeline.link("mix", "probe");
const control = new PipelineControl(pipeline, { catalogue });
await pipeline.start();
const server = await serveControl(control, { dir, name: "bench", exitOnSignal: false });
const client = await ControlClient.connect("bench", { dir });
while (probe.frames < 30) await delay(50); // a second of frames: compiled, steady

// 1. Round trips.
const rounds = Math.max(50, CHANGES);
const trips = {
  graph: [] as number[],
  set: [] as number[],
  graphLocal: [] as number[],
  setLocal: [] as number[],
};
for (let i = 0; i < rounds; i++) {
  await delay(next() * FRAME_MS);
  let t0 = performance.now();
  await client.graph();
  trips.graph.push(performance.now() - t0);
  t0 = performance.now();
  control.graph();
  trips.graphLocal.push(performance.now() - t0);
  await delay(next() * FRAME_MS);
  const x = LAYER.x + (i % 2);
  t0 = performance.now();
  await client.set("mix", {}, { layer_1: { x } });
  trips.set.push(performance.now() - t0);
  t0 = performance.now();
  control.set("mix", {}, { layer_1: { x: LAYER.x + ((i + 1) % 2) } });
  trips.setLocal.push(performance.now() - t0);
}
control.set("mix", {}, { layer_1: { x: LAYER.x } });

// 2. From a set to the first frame that shows it.
const shown = { socket: [] as number[], local: [] as number[] };
let opacity = 1;
for (let i = 0; i < CHANGES; i++) {
  for (const via of ["socket", "local"] as const) {
    await delay(5 + next() * FRAME_MS);
    opacity = 1 - opacity;
    const frame = probe.when(opacity === 1);
    const t0 = performance.now();
    if (via === "socket") await client.set("mix", {}, { layer_1: { opacity } });
    else control.set("mix", {}, { layer_1: { opacity } });
    shown[via].push((await frame) - t0);
  }
}
const frames = probe.frames;
await client.stop({ mode: "abort" });
client.close();
await server.close();
control.close();

// 3. The hop chain served and idle, and not served.
const plain: number[] = [];
const served: number[] = [];
const timeChain = async (serve: boolean): Promise<number> => {
  const chain = hopChain(HOP_MESSAGES);
  if (!serve) return await runChain(chain, HOP_MESSAGES);
  const node = await serveControl(chain.pipeline, { dir, name: "hop", exitOnSignal: false });
  const ns = await runChain(chain, HOP_MESSAGES);
  await node.closed;
  return ns;
};
await timeChain(false);
await timeChain(true);
for (let i = 0; i < HOP_ROUNDS; i++) {
  const servedFirst = i % 4 === 1 || i % 4 === 2; // A B B A
  if (servedFirst) served.push(await timeChain(true));
  plain.push(await timeChain(false));
  if (!servedFirst) served.push(await timeChain(true));
}
await Deno.remove(dir, { recursive: true });

const ms = (v: number): string =>
  v < 0.1 ? `${(v * 1000).toFixed(0)} µs` : `${v.toFixed(v < 10 ? 2 : 1)} ms`;
const p = (values: number[]): string =>
  `p50 ${ms(percentile(values, 0.5))} p99 ${ms(percentile(values, 0.99))}`;
const ratio = median(served) / median(plain);
const p50Shown = percentile(shown.socket, 0.5);
const lines = [
  `1080p30 pipeline: ${frames} frames made while measuring; ${rounds} calls of each kind, ${CHANGES} changes each way`,
  `graph: ControlClient ${p(trips.graph)}; PipelineControl in process ${p(trips.graphLocal)}`,
  `set:   ControlClient ${p(trips.set)}; PipelineControl in process ${p(trips.setLocal)}`,
  `set → frame: ControlClient ${p(shown.socket)}; in process ${p(shown.local)}`,
  `hop chain rounds, not served (ns/hop): ${plain.map((v) => v.toFixed(0)).join(" ")}`,
  `hop chain rounds, served (ns/hop):     ${served.map((v) => v.toFixed(0)).join(" ")}`,
  `control: round trip on a 1080p30 pipeline over the Unix socket, graph ${p(trips.graph)}, set ${
    p(trips.set)
  } (in process: graph ${ms(percentile(trips.graphLocal, 0.5))}, set ${
    ms(percentile(trips.setLocal, 0.5))
  })`,
  `control: set → first frame showing it ${p(shown.socket)} (in process ${
    p(shown.local)
  }; target p50 ≤ ${FRAME_MS.toFixed(1)} ms: ${p50Shown <= FRAME_MS ? "met" : "missed"})`,
  `control: core hop served and idle ${median(served).toFixed(0)} ns/hop, not served ${
    median(plain).toFixed(0)
  } ns/hop, ${ratio.toFixed(3)}x (target ≤ 1.05x: ${ratio <= 1.05 ? "met" : "missed"})`,
];
await Deno.stdout.write(new TextEncoder().encode(lines.join("\n") + "\n"));
