// deno-lint-ignore-file no-console
/**
 * A data demo: a live pipeline of six actors, wired like Unix pipes, for four seconds.
 *
 *   sensor (sine) ─► mix.a ─┐
 *   noise (random) ─► mix.b ─┴► mix ─► smooth ─┬─► chart     queue: sees every value
 *                                              └─► slowlog   latest: keeps only the newest
 *
 * Two 30 fps sources are joined by timestamp, smoothed, and fanned out to a chart that draws a
 * sparkline and to a deliberately slow logger whose `latest` input drops what it cannot keep up
 * with. At the end it prints every actor's stats and the graph in Graphviz DOT.
 *
 *   deno run examples/data_pipeline.ts
 *
 * @module
 */
import {
  type DataMessage,
  DataSource,
  defineActor,
  Pipeline,
  type TimedTick,
} from "@streamlib/core";

const SECONDS = 4;
const FPS = 30;

/** Joins two streams by timestamp: sensor + noise, once both values for a tick are in. */
class Mix extends defineActor({
  type: "mix",
  inputs: { a: { kind: "data" }, b: { kind: "data" } },
  outputs: { out: { kind: "data" } },
}) {
  process(_tick: TimedTick): void {
    const { a, b } = this.inputs;
    while (a.peek() && b.peek()) {
      const signal = a.read()!;
      const noise = b.read()!;
      const value = (signal.value as number) + 0.4 * ((noise.value as number) - 0.5);
      this.outputs.out.write({ ...signal, topic: "mixed", value });
    }
  }
}

/** Moving average of the last `window` values. */
class Smooth extends defineActor({
  type: "smooth",
  inputs: { in: { kind: "data" } },
  outputs: { out: { kind: "data" } },
  params: { window: { type: "integer", default: 4, minimum: 1 } },
}) {
  #window: number[] = [];
  process(_tick: TimedTick): void {
    const m = this.inputs.in.read();
    if (!m) return;
    this.#window.push(m.value as number);
    if (this.#window.length > this.params.window) this.#window.shift();
    const mean = this.#window.reduce((x, y) => x + y, 0) / this.#window.length;
    this.outputs.out.write({ ...m, topic: "smooth", value: mean });
  }
}

/** Prints a sparkline of the recent values twice a second. */
class Chart extends defineActor({ type: "chart", inputs: { in: { kind: "data" } } }) {
  #history: number[] = [];
  process(_tick: TimedTick): void {
    for (let m = this.inputs.in.read(); m; m = this.inputs.in.read()) {
      this.#history.push(m.value as number);
      if (this.#history.length > 45) this.#history.shift();
      if (m.position % (FPS / 2) === FPS / 2 - 1) this.#draw(m);
    }
  }
  #draw(m: DataMessage): void {
    const bars = "▁▂▃▄▅▆▇█";
    const line = this.#history.map((v) =>
      bars[Math.max(0, Math.min(7, Math.round((v + 1.2) / 2.4 * 7)))]
    )
      .join("");
    console.log(
      `  t=${(m.timestamp / 1e6).toFixed(2)}s  ${line.padEnd(45)}  ${
        (m.value as number).toFixed(3)
      }`,
    );
  }
}

/** A consumer that needs 250 ms for each value: its `latest` input keeps only the newest. */
class SlowLog extends defineActor({
  type: "slowlog",
  inputs: { in: { kind: "data", policy: "latest" } },
}) {
  readonly seen: number[] = [];
  async process(_tick: TimedTick): Promise<void> {
    const m = this.inputs.in.read();
    if (!m) return;
    this.seen.push(m.position);
    await this.clock.sleepUntil(this.clock.now() + 250_000);
  }
}

const pipeline = new Pipeline(); // live, on the system clock
pipeline.add(new DataSource({ pattern: "sine", frequency: 0.5, fps: FPS, count: SECONDS * FPS }), {
  name: "sensor",
});
pipeline.add(new DataSource({ pattern: "random", seed: 42, fps: FPS, count: SECONDS * FPS }), {
  name: "noise",
});
pipeline.add(new Mix(), { name: "mix" });
pipeline.add(new Smooth({ window: 5 }), { name: "smooth" });
pipeline.add(new Chart(), { name: "chart" });
const slow = pipeline.add(new SlowLog(), { name: "slowlog" });
pipeline.connect("sensor.out", "mix.a");
pipeline.connect("noise.out", "mix.b");
pipeline.pipe(pipeline.actor("mix")!, pipeline.actor("smooth")!, pipeline.actor("chart")!);
pipeline.connect("smooth.out", "slowlog.in");

console.log(
  `streamlib demo: ${pipeline.actors.length} actors, live at ${FPS} fps for ${SECONDS} s\n`,
);
const result = await pipeline.run();

console.log(
  `\nfinished: ${result.status} after ${
    (pipeline.runningTime() / 1e6).toFixed(2)
  } s of running time`,
);
console.log(
  `slowlog read ${slow.seen.length} values (positions ${
    slow.seen.join(", ")
  }); the rest were dropped as stale\n`,
);
console.log("  actor     processed  dropped  policy                        p50 µs   p99 µs");
for (const a of result.stats.actors) {
  const policies = Object.values(a.inputs).map((i) => i.policy).join(",") || "-";
  console.log(
    `  ${a.name.padEnd(9)} ${String(a.processed).padStart(9)} ${String(a.dropped).padStart(8)}  ${
      policies.padEnd(28)
    } ${a.processingTimeUs.p50.toFixed(1).padStart(8)} ${
      a.processingTimeUs.p99.toFixed(1).padStart(8)
    }`,
  );
}
console.log("\nThe same graph in Graphviz DOT (pipeline.toDot()):\n");
console.log(pipeline.toDot());
