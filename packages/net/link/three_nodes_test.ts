import assert from "node:assert/strict";
import { Pipeline } from "@streamlib/core";
import { TestPattern } from "@streamlib/video";
import { AudioTestSource } from "@streamlib/audio";
import { fnv1a, type FrameSignature, RelayCheck } from "./_relay_testing.ts";
import { needsNats, TestNats } from "./_nats_testing.ts";

const SCRIPT = new URL("./testdata/relay_node.ts", import.meta.url).pathname;
/** How long one test may wait on its nodes, in all, before it fails with what they said. */
const DEADLINE_MS = 120_000;

/**
 * The node processes of one test, and its deadline: a wait past it fails the test with each
 * node's last lines, and disposing kills every node, so none outlives the test.
 */
class Nodes {
  readonly all: NodeProcess[] = [];
  readonly deadline: number;

  constructor(timeoutMs = DEADLINE_MS) {
    this.deadline = Date.now() + timeoutMs;
  }

  /** Starts a node. */
  start(role: string, nats: string, video: string, audio: string, frames?: number): NodeProcess {
    const node = new NodeProcess(this, role, nats, video, audio, frames);
    this.all.push(node);
    return node;
  }

  /** What each node said last, for a failure's message. */
  report(): string {
    return this.all.map((node) =>
      `${node.role} (${node.exited ? "exited" : "running"}): ` +
      node.lines.slice(-3).map((l) => JSON.stringify(l).slice(0, 300)).join("\n  ")
    ).join("\n");
  }

  /** Resolves with `promise`, or fails once the test's deadline passed. */
  async within<T>(promise: Promise<T>, what: string): Promise<T> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(new Error(`${what}: not within the test's ${DEADLINE_MS} ms\n${this.report()}`));
      }, Math.max(0, this.deadline - Date.now()));
    });
    try {
      return await Promise.race([promise, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    for (const node of this.all) await node.kill();
  }
}

/** A node process, its JSON lines read as they come. */
class NodeProcess {
  readonly role: string;
  readonly child: Deno.ChildProcess;
  readonly lines: Array<Record<string, unknown>> = [];
  exited = false;
  readonly #group: Nodes;
  #waiters: Array<() => void> = [];
  readonly #reading: Promise<void>;
  readonly #stdin: WritableStreamDefaultWriter<Uint8Array>;

  constructor(
    group: Nodes,
    role: string,
    nats: string,
    video: string,
    audio: string,
    frames?: number,
  ) {
    this.#group = group;
    this.role = role;
    this.child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", SCRIPT, role, nats, video, audio, ...frames ? [String(frames)] : []],
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    this.child.status.then(() => this.exited = true);
    this.#stdin = this.child.stdin.getWriter();
    this.#reading = this.#read();
  }

  async #read(): Promise<void> {
    let text = "";
    for await (const chunk of this.child.stdout.pipeThrough(new TextDecoderStream())) {
      text += chunk;
      for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n")) {
        const line = text.slice(0, i);
        text = text.slice(i + 1);
        if (line.startsWith("{")) this.lines.push(JSON.parse(line));
        for (const wake of this.#waiters.splice(0)) wake();
      }
    }
    for (const wake of this.#waiters.splice(0)) wake();
  }

  /**
   * The first line (from `from` on) that `test` accepts; fails if the process ends first, or
   * when the test's deadline passes.
   */
  until(
    test: (line: Record<string, unknown>) => boolean,
    from = 0,
    what = "the line awaited",
  ): Promise<Record<string, unknown>> {
    return this.#group.within(this.#until(test, from), `${this.role}: ${what}`);
  }

  async #until(
    test: (line: Record<string, unknown>) => boolean,
    from: number,
  ): Promise<Record<string, unknown>> {
    for (;;) {
      const found = this.lines.slice(from).find(test);
      if (found !== undefined) return found;
      const ended = await Promise.race([
        new Promise<false>((resolve) => this.#waiters.push(() => resolve(false))),
        this.child.status.then(() => true),
      ]);
      if (ended) {
        await this.#reading;
        const last = this.lines.slice(from).find(test);
        if (last !== undefined) return last;
        throw new Error(`${this.role} ended: ${JSON.stringify(this.lines.at(-1))}`);
      }
    }
  }

  /** Its exit status, once it exits by itself (within the test's deadline). */
  status(): Promise<Deno.CommandStatus> {
    return this.#group.within(this.child.status, `${this.role}: its exit`);
  }

  /** The sink's last progress line. */
  progress(): number {
    const last = this.lines.findLast((l) => "progress" in l);
    return Number(last?.progress ?? 0);
  }

  async endInput(): Promise<void> {
    await this.#stdin.close().catch(() => {});
  }

  async kill(): Promise<void> {
    try {
      this.child.kill("SIGKILL");
    } catch {
      // gone
    }
    await this.child.status;
    await this.#stdin.close().catch(() => {});
    await this.#reading.catch(() => {});
  }
}

/** The signatures of the frames the source made, by position. */
async function expectedFrames(count: number): Promise<Map<number, FrameSignature>> {
  const check = new RelayCheck();
  await new Pipeline({ mode: "offline" }).pipe(
    new TestPattern({
      pattern: "ball",
      width: 1280,
      height: 720,
      fps: 10,
      size: 160,
      frames: count,
    }),
    check,
  ).run();
  return new Map(check.frames.map((f) => [f.position, f]));
}

Deno.test(needsNats({
  name: "three node processes relay raw 720p video and audio over NATS, exactly",
  fn: async () => {
    await using nats = await TestNats.start();
    await using nodes = new Nodes();
    const sink = nodes.start("sink", nats.url, "raw", "raw");
    const proc = nodes.start("proc", nats.url, "raw", "raw");
    await sink.until((l) => l.ready !== undefined, 0, "ready");
    await proc.until((l) => l.ready !== undefined, 0, "ready");
    const source = nodes.start("source", nats.url, "raw", "raw", 20);
    const sent = await source.until((l) => l.done !== undefined, 0, "done");
    const got = await sink.until((l) => l.done !== undefined, 0, "done");
    const relayed = await proc.until((l) => l.done !== undefined, 0, "done");
    for (const node of nodes.all) assert.ok((await node.status()).success, node.role);
    // Video goes latest-first: a frame may be dropped (counted), each one that came is exact.
    const frames = got.frames as FrameSignature[];
    assert.ok(frames.length >= 10, `${frames.length} frames`);
    const expected = await expectedFrames(20);
    for (const frame of frames) {
      assert.equal(frame.hash, expected.get(frame.position)!.hash, `frame ${frame.position}`);
    }
    // Audio goes queued: every sample, exactly.
    const tone = new RelayCheck();
    await new Pipeline({ mode: "offline" }).pipe(
      new AudioTestSource({
        frequency: 440,
        volume: 0.5,
        channels: 1,
        samplesPerBuffer: 480,
        buffers: 200,
      }),
      tone,
    ).run();
    assert.equal(got.samples, tone.sampleCount, JSON.stringify([sent.links, relayed.links]));
    assert.equal(
      got.audioHash,
      fnv1a(new Uint8Array(tone.samples.buffer, 0, tone.sampleCount * 4)),
    );
    const links = got.links as Array<{ transport: string; codec: string; gaps: number }>;
    for (const link of links) {
      assert.equal(link.transport, "nats");
      assert.equal(link.codec, "raw");
      assert.equal(link.gaps, 0);
    }
  },
}));

Deno.test(needsNats({
  name: "three node processes relay 720p H.264 video and Opus audio over NATS; the middle " +
    "node killed and started again, and nats-server restarted, cost only a counted gap",
  fn: async () => {
    await using nats = await TestNats.start();
    await using nodes = new Nodes();
    const start = (role: string): NodeProcess => nodes.start(role, nats.url, "h264", "opus");
    const sink = start("sink");
    let proc = start("proc");
    await sink.until((l) => l.ready !== undefined, 0, "ready");
    await proc.until((l) => l.ready !== undefined, 0, "ready");
    const source = start("source");
    await source.until((l) => l.ready !== undefined, 0, "ready");
    const grows = (by: number): Promise<unknown> => {
      const target = sink.progress() + by;
      return sink.until(
        (l) => Number(l.progress) >= target,
        sink.lines.length,
        `${target} frames`,
      );
    };
    await grows(15);
    const rssEarly = Number(sink.lines.findLast((l) => "rss" in l)!.rss);
    // The middle node dies mid-stream, and comes back.
    await proc.kill();
    proc = start("proc");
    await proc.until((l) => l.ready !== undefined, 0, "ready again");
    await grows(15);
    // The links went over NATS; when the NATS server goes away they carry on directly.
    const onNats = sink.lines.findLast((l) => "transports" in l)!.transports as string[];
    assert.deepEqual(onNats, ["nats", "nats"]);
    // The NATS server stops, and starts again.
    await nats.stop();
    await nats.restart();
    await grows(15);
    await source.endInput();
    const sent = await source.until((l) => l.done !== undefined, 0, "done");
    const got = await sink.until((l) => l.done !== undefined, 0, "done");
    await proc.until((l) => l.done !== undefined, 0, "done");
    for (const node of [source, proc, sink]) assert.ok((await node.status()).success, node.role);

    // Video: in order, each frame within H.264's tolerance of what the source made.
    const frames = got.frames as FrameSignature[];
    assert.ok(frames.length >= 45, `${frames.length} frames`);
    const expected = await expectedFrames(frames.at(-1)!.position + 1);
    for (let i = 0; i < frames.length; i++) {
      if (i > 0) assert.ok(frames[i]!.position > frames[i - 1]!.position, "in order");
      const want = expected.get(frames[i]!.position)!;
      const worst = Math.max(...frames[i]!.blocks.map((v, k) => Math.abs(v - want.blocks[k]!)));
      assert.ok(worst < 12, `frame ${frames[i]!.position}: a block off by ${worst}`);
    }
    // Audio: the tone's level and pitch, through two Opus hops and a restart.
    const tone = got.tone as { rms: number; hz: number };
    assert.ok(Math.abs(tone.rms - 0.5 / Math.SQRT2) < 0.05, `rms ${tone.rms}`);
    assert.ok(Math.abs(tone.hz - 440) < 10, `pitch ${tone.hz}`);
    // The gap the restart left is counted at the sink (a new sender) and the source (drops).
    type Link = { gaps: number; dropped: number; codec: string };
    const sinkLinks = got.links as Link[];
    assert.equal(sinkLinks.length, 2);
    for (const link of sinkLinks) assert.ok(link.gaps >= 1, JSON.stringify(link));
    assert.deepEqual(sinkLinks.map((l) => l.codec).sort(), ["h264", "opus"]);
    const sourceLinks = sent.links as Link[];
    assert.ok(sourceLinks.some((l) => l.dropped > 0), JSON.stringify(sourceLinks));
    // Memory at the sink stays put: no more than 64 MiB over what it held early on.
    const rssLate = Number(got.rss);
    assert.ok(rssLate - rssEarly < 64 * 1024 * 1024, `${rssEarly} → ${rssLate}`);
  },
}));
