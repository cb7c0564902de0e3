/**
 * Streams across machines, on loopback: links over direct TCP and over NATS (a nats-server this
 * bench starts on a free port and stops), sender and receiver in one process, each in its own
 * pipeline with its own clock.
 *
 * - H.264 720p30 end to end: videotestsrc pattern=ball (live) → netsink codec=h264 → netsrc →
 *   a probe that takes each frame's timestamp (mapped to the receiver's clock by the link's
 *   clock sync) from the receiver's clock when the decoded frame arrives; p50/p99 after 1 s.
 * - Raw 1080p RGBA throughput (offline source, queue:4 credit): frames a second over direct TCP
 *   and NATS, beside a plain TCP socket copying the same bytes in the same run (the floor).
 * - Small messages (data at 200 a second, queue): latency p50 from publish (the source stamps
 *   each message when it writes it, as dora and zenoh measure) to the receiving actor, over
 *   both, beside a bare Deno TCP socket's one-way latency in the same run (the floor) and
 *   dora's ~130 µs; how late the pipeline ran the source's ticks is printed apart.
 * - Clock offset error: the receiver's estimate of the sender's clock against the truth (both
 *   clocks are in this process), on plain loopback and through a relay that holds each chunk
 *   0–2 ms (random, each way): p50/p99 of |error|, and the reported bound.
 *
 * Run: deno task bench:net [seconds a case, default 4]
 *
 * Ends with `net:` summary lines, one per figure.
 *
 * @module
 */

// deno-lint-ignore-file no-console -- a benchmark: it reports on the console

import {
  Actor,
  type Contract,
  DataSource,
  type Message,
  Pipeline,
  type TimedTick,
} from "@streamlib/core";
import { TestPattern } from "@streamlib/video";
import { NetSink, NetSrc } from "../packages/net/mod.ts";
import { natsServerPath, TestNats } from "../packages/net/link/_nats_testing.ts";
import { benchDeadline } from "./_deadline.ts";

benchDeadline("bench:net");

const SECONDS = Number(Deno.args[0] ?? 4);

const probeContract = {
  type: "latencyprobe",
  description: "Notes each message's age on arrival (bench)",
  classification: "Sink/Any",
  inputs: { in: { kind: "any" } },
} as const satisfies Contract;

/** Notes now − timestamp for each message, after a warm-up. */
class Probe extends Actor<typeof probeContract> {
  static override contract: typeof probeContract = probeContract;
  readonly ages: number[] = [];
  count = 0;
  first = 0;
  last = 0;
  warmUpUs = 1_000_000;
  process(_tick: TimedTick): void {
    for (let m = this.inputs.in.read(); m !== undefined; m = this.inputs.in.read()) {
      const now = this.clock.now();
      if (this.count++ === 0) this.first = performance.now();
      this.last = performance.now();
      if (now > this.warmUpUs) this.ages.push(now - (m as Message).timestamp);
    }
  }
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

/** A receiving pipeline with a netsrc on `listen`, started; its probe. */
async function receiver(
  listen: string,
): Promise<{ pipeline: Pipeline; src: NetSrc; probe: Probe }> {
  const pipeline = new Pipeline();
  const src = pipeline.add(new NetSrc({ listen }));
  const probe = pipeline.add(new Probe());
  pipeline.link(src, probe);
  await pipeline.start();
  return { pipeline, src, probe };
}

function address(
  transport: string,
  src: NetSrc,
  nats: TestNats | undefined,
  subject: string,
): string {
  return transport === "direct" ? src.url! : `${nats!.url}/${subject}`;
}

function listenOn(transport: string, nats: TestNats | undefined, subject: string): string {
  return transport === "direct" ? "tcp://127.0.0.1:0" : `${nats!.url}/${subject}`;
}

async function h264Latency(transport: string, nats?: TestNats): Promise<[number, number, number]> {
  const r = await receiver(listenOn(transport, nats, "bench.h264"));
  const sender = new Pipeline();
  sender.pipe(
    new TestPattern({ pattern: "ball", width: 1280, height: 720, fps: 30, duration: SECONDS }),
    new NetSink({ to: address(transport, r.src, nats, "bench.h264"), codec: "h264" }),
  );
  await sender.run();
  await r.pipeline.done;
  const ms = r.probe.ages.map((us) => us / 1000);
  return [percentile(ms, 0.5), percentile(ms, 0.99), r.probe.count];
}

async function rawThroughput(transport: string, nats?: TestNats): Promise<number> {
  const frames = Math.max(20, SECONDS * 15);
  const r = await receiver(listenOn(transport, nats, "bench.raw"));
  const sender = new Pipeline({ mode: "offline" });
  sender.pipe(
    new TestPattern({ pattern: "smpte", width: 1920, height: 1080, frames }),
    new NetSink({ to: address(transport, r.src, nats, "bench.raw"), policy: "queue:4" }),
  );
  await sender.run();
  await r.pipeline.done;
  return (r.probe.count - 1) / ((r.probe.last - r.probe.first) / 1000);
}

/** The floor: the same bytes over a plain TCP socket on loopback. */
async function tcpFloor(): Promise<number> {
  const frames = Math.max(20, SECONDS * 15);
  const size = 1920 * 1080 * 4;
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  const reading = (async () => {
    const conn = await listener.accept();
    const buffer = new Uint8Array(1 << 20);
    let got = 0;
    let first = 0;
    let last = 0;
    for (;;) {
      const n = await conn.read(buffer);
      if (n === null) break;
      const before = Math.floor(got / size);
      got += n;
      if (Math.floor(got / size) > before) {
        if (first === 0) first = performance.now();
        last = performance.now();
      }
    }
    conn.close();
    return (Math.floor(got / size) - 1) / ((last - first) / 1000);
  })();
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const frame = new Uint8Array(size).fill(7);
  for (let i = 0; i < frames; i++) {
    for (let at = 0; at < size;) at += await conn.write(frame.subarray(at));
  }
  conn.close();
  const fps = await reading;
  listener.close();
  return fps;
}

/**
 * A data source stamped when it publishes (as dora's and zenoh's latency figures are), not with
 * its tick's nominal time; how late the pipeline ran the tick is noted apart.
 */
class PublishStamped extends DataSource {
  readonly lateness: number[] = [];
  override process(tick: TimedTick): void {
    const now = this.clock.now();
    this.lateness.push(now - tick.timestamp);
    super.process({ ...tick, timestamp: now });
  }
}

/** Small-message latency, publish to the receiving actor: p50 µs; p50 of the ticks' lateness. */
async function smallLatency(transport: string, nats?: TestNats): Promise<[number, number]> {
  const r = await receiver(listenOn(transport, nats, "bench.small"));
  const sender = new Pipeline();
  const source = new PublishStamped({ count: SECONDS * 200, fps: 200 });
  sender.pipe(
    source,
    new NetSink({ to: address(transport, r.src, nats, "bench.small"), policy: "queue:8" }),
  );
  await sender.run();
  await r.pipeline.done;
  return [percentile(r.probe.ages, 0.5), percentile(source.lateness.slice(200), 0.5)];
}

/** The floor: one-way latency of 64-byte messages over a bare Deno TCP socket (no delay). */
async function tcpLatencyFloor(): Promise<number> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  const ages: number[] = [];
  const reading = (async () => {
    const conn = await listener.accept();
    conn.setNoDelay(true);
    const buffer = new Uint8Array(1 << 16);
    const view = new DataView(buffer.buffer);
    for (;;) {
      const n = await conn.read(buffer);
      if (n === null) break;
      if (n >= 8) ages.push((performance.now() - view.getFloat64(n - 8)) * 1000);
    }
    conn.close();
  })();
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  conn.setNoDelay(true);
  const message = new Uint8Array(64);
  const view = new DataView(message.buffer);
  for (let i = 0; i < SECONDS * 200; i++) {
    await new Promise((resolve) => setTimeout(resolve, 5));
    view.setFloat64(56, performance.now());
    for (let at = 0; at < message.length;) at += await conn.write(message.subarray(at));
  }
  conn.close();
  await reading;
  listener.close();
  return percentile(ages.slice(200), 0.5);
}

/** A relay on loopback that holds each chunk 0–`jitterMs` ms, each way, in order. */
function jitterRelay(to: number, jitterMs: number): { port: number; close: () => void } {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns: Deno.Conn[] = [];
  const pump = async (from: Deno.Conn, into: Deno.Conn): Promise<void> => {
    let chain = Promise.resolve();
    const buffer = new Uint8Array(1 << 16);
    try {
      for (;;) {
        const n = await from.read(buffer);
        if (n === null) break;
        const chunk = buffer.slice(0, n);
        const due = performance.now() + Math.random() * jitterMs;
        chain = chain.then(async () => {
          const wait = due - performance.now();
          if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
          for (let at = 0; at < chunk.length;) at += await into.write(chunk.subarray(at));
        }).catch(() => {});
      }
    } catch {
      // closed
    }
    await chain;
    try {
      into.close();
    } catch {
      // closed
    }
  };
  (async () => {
    for await (const client of listener) {
      const server = await Deno.connect({ hostname: "127.0.0.1", port: to });
      conns.push(client, server);
      pump(client, server);
      pump(server, client);
    }
  })().catch(() => {});
  return {
    port: (listener.addr as Deno.NetAddr).port,
    close: () => {
      listener.close();
      for (const c of conns) {
        try {
          c.close();
        } catch {
          // closed
        }
      }
    },
  };
}

async function clockError(jitterMs: number): Promise<[number, number, number]> {
  const r = await receiver("tcp://127.0.0.1:0");
  const port = Number(r.src.url!.split(":").at(-1));
  const relay = jitterMs > 0 ? jitterRelay(port, jitterMs) : undefined;
  const sender = new Pipeline();
  sender.pipe(
    new DataSource({ count: (SECONDS + 2) * 50, fps: 50 }),
    new NetSink({ to: `tcp://127.0.0.1:${relay?.port ?? port}`, policy: "queue:8" }),
  );
  await sender.start();
  const errors: number[] = [];
  const bounds: number[] = [];
  const t0 = performance.now();
  while (performance.now() - t0 < (SECONDS + 1) * 1000) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    if (performance.now() - t0 < 1500) continue; // the first pings
    const estimate = r.src.clockOffset();
    const truth = sender.clock.now() - r.pipeline.clock.now();
    if (estimate === undefined) continue;
    errors.push(Math.abs(estimate.offsetUs - truth));
    bounds.push(estimate.boundUs);
  }
  await sender.stop();
  await r.pipeline.stop();
  relay?.close();
  return [percentile(errors, 0.5), percentile(errors, 0.99), percentile(bounds, 0.5)];
}

const load = (): string => Deno.loadavg().map((l) => l.toFixed(2)).join(" ");
console.log(`bench:net — ${SECONDS} s a case, load ${load()}`);
const nats = natsServerPath() === undefined ? undefined : await TestNats.start();
if (nats === undefined) {
  console.log("no nats-server: NATS cases left out (apt-get install nats-server)");
}
const transports = nats === undefined ? ["direct"] : ["direct", "nats"];
const lines: string[] = [];
try {
  for (const t of transports) {
    const [p50, p99, n] = await h264Latency(t, nats);
    console.log(`h264 720p30 ${t}: ${n} frames`);
    lines.push(
      `net: h264 720p30 ${t} p50 ${p50.toFixed(1)} ms p99 ${
        p99.toFixed(1)
      } ms (target p50 ≤ 50 ms)`,
    );
  }
  const floor = await tcpFloor();
  const raw: string[] = [];
  for (const t of transports) raw.push(`${t} ${(await rawThroughput(t, nats)).toFixed(1)} fps`);
  lines.push(`net: raw 1080p RGBA ${raw.join(", ")}; plain tcp socket ${floor.toFixed(1)} fps`);
  const small: string[] = [];
  const late: string[] = [];
  for (const t of transports) {
    const [p50, lateness] = await smallLatency(t, nats);
    small.push(`${t} p50 ${p50.toFixed(0)} µs`);
    late.push(lateness.toFixed(0));
  }
  const tcpOneWay = await tcpLatencyFloor();
  lines.push(
    `net: small messages publish→actor ${small.join(", ")}; bare tcp socket ${
      tcpOneWay.toFixed(0)
    } µs (dora/zenoh publishes ~130 µs; ticks ran ${late.join("/")} µs late)`,
  );
  const [c50, c99, cb] = await clockError(0);
  const [j50, j99, jb] = await clockError(2);
  lines.push(
    `net: clock offset error loopback p50 ${c50.toFixed(0)} µs p99 ${c99.toFixed(0)} µs ` +
      `(bound ${cb.toFixed(0)} µs); with 0–2 ms jitter p50 ${j50.toFixed(0)} µs ` +
      `p99 ${j99.toFixed(0)} µs (bound ${jb.toFixed(0)} µs)`,
  );
} finally {
  await nats?.[Symbol.asyncDispose]();
}
console.log(`load after: ${load()}`);
for (const line of lines) console.log(line);
