import assert from "node:assert/strict";
import {
  Actor,
  type AudioBuffer,
  Collect,
  type Contract,
  createAudioBuffer,
  type Input,
  isStreamlibError,
  ManualClock,
  Pipeline,
  type TimedTick,
} from "@streamlib/core";
import { AudioMixer, type AudioMixerInput } from "./mixer.ts";

const buffersContract = {
  type: "buffers",
  outputs: { out: { kind: "audio", formats: ["f32-planar"] } },
} as const satisfies Contract;

/** Writes the given buffers, one a tick, then ends (at once when there are none). */
class Buffers extends Actor<typeof buffersContract> {
  static override contract = buffersContract;
  readonly #buffers: readonly AudioBuffer[];
  constructor(buffers: readonly AudioBuffer[]) {
    super();
    this.#buffers = buffers;
  }
  process(tick: TimedTick): void {
    const buffer = this.#buffers[tick.frameNumber];
    if (buffer === undefined) return this.end();
    this.outputs.out.write(buffer);
    if (tick.frameNumber + 1 >= this.#buffers.length) this.end();
  }
}

const silentContract = {
  type: "silent",
  outputs: { out: { kind: "audio", formats: ["f32-planar"] } },
  schedule: "external",
} as const satisfies Contract;

/** Connected, never writes, never ends by itself: a stalled live input. */
class Silent extends Actor<typeof silentContract> {
  static override contract = silentContract;
  process(_tick: TimedTick): void {}
}

/** Writes the given buffers as fast as its output takes them, from its own loop. */
class Flood extends Actor<typeof silentContract> {
  static override contract = silentContract;
  readonly #buffers: readonly AudioBuffer[];
  written = 0;
  constructor(buffers: readonly AudioBuffer[]) {
    super();
    this.#buffers = buffers;
  }
  override start(): void {
    void this.#pump();
  }
  process(_tick: TimedTick): void {}
  async #pump(): Promise<void> {
    await Promise.resolve();
    for (const buffer of this.#buffers) {
      await this.outputs.out.write(buffer);
      this.written++;
    }
    this.end();
  }
}

/**
 * `total` frames cut into buffers of `size`, from sample `from`; channel c of sample i (counted
 * from 0 at the stream's start) is `value(i, c)`. Stereo 48 kHz unless told.
 */
function signal(
  value: (i: number, c: number) => number,
  total: number,
  size: number,
  options: { from?: number; channels?: number; sampleRate?: number } = {},
): AudioBuffer[] {
  const { from = 0, channels = 2, sampleRate = 48_000 } = options;
  const buffers: AudioBuffer[] = [];
  for (let at = 0; at < total; at += size) {
    const frames = Math.min(size, total - at);
    const data = new Float32Array(frames * channels);
    for (let c = 0; c < channels; c++) {
      for (let i = 0; i < frames; i++) data[c * frames + i] = value(from + at + i, c);
    }
    buffers.push(createAudioBuffer({
      sampleRate,
      numberOfChannels: channels,
      numberOfFrames: frames,
      data,
      position: from + at,
    }));
  }
  return buffers;
}

/** Channel `c` of a run of buffers, joined. */
function channel(buffers: readonly AudioBuffer[], c: number): Float32Array {
  const total = buffers.reduce((n, b) => n + b.numberOfFrames, 0);
  const out = new Float32Array(total);
  let at = 0;
  for (const b of buffers) {
    out.set(b.data.subarray(c * b.numberOfFrames, (c + 1) * b.numberOfFrames), at);
    at += b.numberOfFrames;
  }
  return out;
}

/** Mixes `inputs` (buffers per input, on sink_0, sink_1…) offline; returns the output. */
async function mix(
  params: ConstructorParameters<typeof AudioMixer>[0],
  inputs: readonly (readonly AudioBuffer[])[],
  setup?: (mixer: AudioMixer) => void,
): Promise<AudioBuffer[]> {
  const pipeline = new Pipeline({ mode: "offline" });
  const mixer = pipeline.add(new AudioMixer(params), { name: "mix" });
  const sink = pipeline.add(new Collect<AudioBuffer>());
  inputs.forEach((buffers, i) => {
    pipeline.add(new Buffers(buffers), { name: `src${i}` });
    pipeline.connect(`src${i}.out`, `mix.sink_${i}`);
  });
  pipeline.connect(mixer.outputs.out, sink.inputs.in);
  setup?.(mixer);
  await pipeline.run();
  return sink.messages;
}

function near(actual: number, expected: number, what: string): void {
  assert.ok(Math.abs(actual - expected) < 1e-6, `${what}: ${actual}, expected ${expected}`);
}

const ramp = (i: number, c: number): number => (c === 0 ? 1 : -1) * i / 4096;
const wave = (i: number, c: number): number => 0.25 * Math.sin(i / (7 + c));

/**
 * Moves `clock` on by `us` one millisecond at a time, letting the pipeline go idle after each
 * step, so every tick's work is done before the next tick however busy the machine is.
 */
async function advanceIdle(clock: ManualClock, pipeline: Pipeline, us: number): Promise<void> {
  for (let moved = 0; moved < us;) {
    const step = Math.min(1_000, us - moved);
    await clock.advance(step);
    await pipeline.idle();
    moved += step;
  }
}

Deno.test("AudioMixer sums its inputs sample by sample, whatever their buffer sizes", async () => {
  const tones = [0, 1, 2, 3, 4].map((k) => (i: number, c: number): number => wave(i, c + k) / 3);
  const out = await mix({ samplesPerBuffer: 256 }, [
    signal(ramp, 1000, 100),
    signal(tones[0]!, 900, 300),
    signal(tones[1]!, 1000, 256),
    signal(tones[2]!, 1000, 512),
    signal(tones[3]!, 1000, 1000),
    signal(tones[4]!, 600, 256, { from: 10 }),
  ]);
  assert.deepEqual(out.map((b) => [b.position, b.numberOfFrames]), [
    [0, 256],
    [256, 256],
    [512, 256],
    [768, 232],
  ]);
  assert.deepEqual(out.map((b) => b.timestamp), [0, 5333, 10667, 16000]);
  for (const c of [0, 1]) {
    const mixed = channel(out, c);
    for (let i = 0; i < 1000; i++) {
      const expected = ramp(i, c) + (i < 900 ? tones[0]!(i, c) : 0) + tones[1]!(i, c) +
        tones[2]!(i, c) + tones[3]!(i, c) + (i >= 10 && i < 610 ? tones[4]!(i, c) : 0);
      near(mixed[i]!, expected, `channel ${c} sample ${i}`);
    }
  }
});

Deno.test("AudioMixer scales each input by its gain and leaves muted inputs out", async () => {
  const gains: AudioMixerInput[] = [
    { gain: 2 },
    { mute: true },
    {},
    { gain: 0.5 },
    {
      gain: 3,
      mute: false,
    },
    { gain: 0 },
    { gain: 0.25 },
  ];
  const out = await mix(
    {
      samplesPerBuffer: 64,
      inputs: Object.fromEntries(gains.map((g, k) => [`sink_${k}`, g])),
    },
    gains.map((_, k) => signal(() => 0.01 * (k + 1), 128, k % 3 === 2 ? 32 : 64)),
  );
  assert.equal(out.length, 2);
  const expected = 0.01 * (2 * 1 + 3 + 0.5 * 4 + 3 * 5 + 0.25 * 7);
  for (const b of out) for (const x of b.data) near(x, expected, "sample");
});

Deno.test("AudioMixer applies gain and mute changes made while running from the next buffer", async () => {
  const one = (): number => 0.1;
  const out = await mix({ samplesPerBuffer: 32 }, [signal(one, 128, 16)], (mixer) => {
    // After each output buffer, change the gain; mute the last.
    const write = mixer.outputs.out.write.bind(mixer.outputs.out);
    mixer.outputs.out.write = (buffer: AudioBuffer) => {
      const result = write(buffer);
      const n = buffer.position / 32 + 1;
      mixer.setInput("sink_0", n === 3 ? { mute: true } : { gain: n + 1 });
      return result;
    };
  });
  assert.deepEqual(out.map((b) => b.data.every((x) => x === b.data[0])), [true, true, true, true]);
  out.map((b) => b.data[0]!).forEach((x, n) => near(x, [0.1, 0.2, 0.3, 0][n]!, `buffer ${n}`));
});

Deno.test("AudioMixer applies port parameter changes made while running, through the port or the mixer", async () => {
  const one = (): number => 0.1;
  const out = await mix({ samplesPerBuffer: 32 }, [signal(one, 128, 16)], (mixer) => {
    const write = mixer.outputs.out.write.bind(mixer.outputs.out);
    mixer.outputs.out.write = (buffer: AudioBuffer) => {
      const result = write(buffer);
      const n = buffer.position / 32 + 1;
      const input = (mixer.inputs as Record<string, Input>).sink_0!;
      if (n === 3) mixer.setPadParams("sink_0", { mute: true });
      else input.setParams({ gain: n + 1 });
      return result;
    };
  });
  out.map((b) => b.data[0]!).forEach((x, n) => near(x, [0.1, 0.2, 0.3, 0][n]!, `buffer ${n}`));
});

Deno.test("AudioMixer's inputs parameter and its ports' parameters are the same settings", () => {
  const mixer = new AudioMixer({ inputs: { sink_1: { gain: 0.5 } } });
  assert.deepEqual(mixer.padParams("sink_1"), { gain: 0.5, mute: false });
  assert.deepEqual(mixer.padParams("sink_0"), { gain: 1, mute: false });
  mixer.setPadParams("sink_0", { mute: true });
  assert.deepEqual(mixer.params.inputs, { sink_1: { gain: 0.5 }, sink_0: { mute: true } });
  mixer.setParams({ inputs: { sink_0: { gain: 2 } } });
  assert.deepEqual(mixer.padParams("sink_0"), { gain: 2, mute: false });
  assert.deepEqual(mixer.padParams("sink_1"), { gain: 1, mute: false });
  assert.throws(
    () => mixer.setPadParams("sink_0", { volume: 1 }),
    (e: unknown) =>
      isStreamlibError(e, "SL_PARAM_UNKNOWN") && /gain \(number ≥ 0 ≤ 10/.test(e.message),
  );
  assert.throws(
    () => mixer.setPadParams("in_0", { gain: 1 }),
    (e: unknown) => isStreamlibError(e, "SL_PORT_NOT_FOUND"),
  );
});

Deno.test("AudioMixer puts a late-joining input's first sample on the sample of its timestamp", async () => {
  const rate = 48_000;
  const bed = signal(() => 0, 6 * rate, 4800);
  // Its own positions count from 0; its timestamps say it starts 5 s into the running time.
  const late = signal(() => 0.5, 1000, 300).map((b) => ({
    ...b,
    timestamp: b.timestamp + 5_000_000,
  }));
  const out = await mix({}, [bed, late]);
  const left = channel(out, 0);
  assert.equal(left.length, 6 * rate);
  const at = 5 * rate;
  assert.deepEqual(
    [left[at - 1], left[at], left[at + 999], left[at + 1000]],
    [0, 0.5, 0.5, 0],
  );
  assert.equal(left.subarray(0, at).some((x) => x !== 0), false);
});

Deno.test("AudioMixer does not stall on an input that ends without data or sends silence", async () => {
  const out = await mix({ samplesPerBuffer: 480 }, [
    signal(wave, 4800, 480),
    [],
    signal(() => 0, 4800, 960),
  ]);
  assert.equal(out.length, 10);
  const mixed = channel(out, 1);
  for (let i = 0; i < 4800; i++) near(mixed[i]!, wave(i, 1), `sample ${i}`);
});

Deno.test("AudioMixer in a live pipeline mixes silence for a missing input after its latency", async () => {
  const clock = new ManualClock();
  const pipeline = new Pipeline({ clock });
  const mixer = pipeline.add(new AudioMixer({ latency: 0.03 }), { name: "mix" });
  const sink = pipeline.add(new Collect<AudioBuffer>());
  pipeline.add(new Buffers(signal(wave, 100 * 1024, 1024)), { name: "tone", fps: 46.875 });
  pipeline.add(new Silent(), { name: "stalled" });
  pipeline.connect("tone.out", "mix.sink_0");
  pipeline.connect("stalled.out", "mix.sink_1");
  pipeline.connect(mixer.outputs.out, sink.inputs.in);
  const writtenAt: number[] = [];
  const write = mixer.outputs.out.write.bind(mixer.outputs.out);
  mixer.outputs.out.write = (buffer: AudioBuffer) => {
    writtenAt.push(clock.now());
    return write(buffer);
  };
  await pipeline.start();
  await advanceIdle(clock, pipeline, 1_000_000);
  // The tick at 981.3 ms writes what ends by 951.3 ms: 44 buffers of 1024.
  assert.equal(sink.messages.length, 44);
  sink.messages.forEach((b, n) => {
    const end = b.timestamp + b.duration;
    assert.ok(writtenAt[n]! >= end + 30_000, `buffer ${n} ending ${end} written ${writtenAt[n]}`);
    assert.ok(writtenAt[n]! < end + 30_000 + 21_334, `buffer ${n} held past the next tick`);
  });
  // Draining: the sources end; at its next tick the mixer takes what the tone delivered (47
  // buffers, ticks 0 to 46) and writes it all.
  const stopped = pipeline.stop();
  await clock.advance(21_334);
  await stopped;
  assert.equal(sink.messages.length, 47);
  const mixed = channel(sink.messages, 0);
  for (let i = 0; i < mixed.length; i++) near(mixed[i]!, wave(i, 0), `sample ${i}`);
});

Deno.test("AudioMixer in a live pipeline writes once every input has delivered, not waiting longer", async () => {
  const clock = new ManualClock();
  const pipeline = new Pipeline({ clock });
  const mixer = pipeline.add(new AudioMixer({ latency: 0.5 }), { name: "mix" });
  const sink = pipeline.add(new Collect<AudioBuffer>());
  pipeline.add(new Buffers(signal(wave, 20 * 1024, 1024)), { name: "a", fps: 46.875 });
  const low = (i: number, c: number): number => ramp(i, c) / 8;
  pipeline.add(new Buffers(signal(low, 20 * 1024, 1024)), { name: "b", fps: 46.875 });
  pipeline.connect("a.out", "mix.sink_0");
  pipeline.connect("b.out", "mix.sink_1");
  pipeline.connect(mixer.outputs.out, sink.inputs.in);
  const writtenAt: number[] = [];
  const write = mixer.outputs.out.write.bind(mixer.outputs.out);
  mixer.outputs.out.write = (buffer: AudioBuffer) => {
    writtenAt.push(clock.now());
    return write(buffer);
  };
  await pipeline.start();
  await advanceIdle(clock, pipeline, 1_000_000);
  await pipeline.done;
  assert.equal(sink.messages.length, 20);
  // Each buffer goes out by the tick at its end, far sooner than the 500 ms latency.
  sink.messages.forEach((b, n) => {
    assert.ok(writtenAt[n]! <= b.timestamp + b.duration, `buffer ${n} written ${writtenAt[n]}`);
  });
  const mixed = channel(sink.messages, 1);
  for (let i = 0; i < mixed.length; i++) near(mixed[i]!, wave(i, 1) + low(i, 1), `sample ${i}`);
});

Deno.test("AudioMixer in a live pipeline holds back an input that runs ahead of real time", async () => {
  const clock = new ManualClock();
  const pipeline = new Pipeline({ clock });
  const mixer = pipeline.add(new AudioMixer({ samplesPerBuffer: 480 }), { name: "mix" });
  const sink = pipeline.add(new Collect<AudioBuffer>());
  const flood = pipeline.add(new Flood(signal(wave, 200 * 480, 480)), { name: "flood" });
  pipeline.connect("flood.out", "mix.sink_0");
  pipeline.connect(mixer.outputs.out, sink.inputs.in);
  await pipeline.start();
  await clock.advance(100_000);
  await pipeline.idle();
  // 10 ms buffers: by 100 ms the mixer has taken those up to two buffers past now (12) and 8
  // wait in its input queue; the source waits for room instead of running on.
  assert.ok(flood.written >= 12 && flood.written <= 21, `${flood.written} written`);
  await clock.advance(2_000_000);
  await pipeline.done;
  assert.equal(flood.written, 200);
  const mixed = channel(sink.messages, 0);
  assert.equal(mixed.length, 200 * 480);
  for (let i = 0; i < mixed.length; i++) near(mixed[i]!, wave(i, 0), `sample ${i}`);
});

Deno.test("AudioMixer clips sums softly above −1 dBFS, or hard at ±1", async () => {
  const knee = 10 ** (-1 / 20);
  const soft = (x: number): number =>
    Math.sign(x) *
    (Math.abs(x) <= knee
      ? Math.abs(x)
      : knee + (1 - knee) * Math.tanh((Math.abs(x) - knee) / (1 - knee)));
  const level = (v: number) => (_i: number, c: number): number => c === 0 ? v : -v;
  for (const [v, hard] of [[0.4, 0.8], [0.8, 1], [3, 1]] as const) {
    const inputs = [signal(level(v), 16, 16), signal(level(v), 16, 16)];
    const [softOut] = await mix({ samplesPerBuffer: 16 }, inputs);
    const [hardOut] = await mix({ samplesPerBuffer: 16, clip: "hard" }, inputs);
    near(softOut!.data[0]!, soft(2 * v), `soft ${2 * v}`);
    near(softOut!.data[16]!, -soft(2 * v), `soft ${-2 * v}`);
    near(hardOut!.data[0]!, hard, `hard ${2 * v}`);
    near(hardOut!.data[16]!, -hard, `hard ${-2 * v}`);
    assert.ok(Math.abs(softOut!.data[0]!) <= 1);
  }
});

Deno.test("AudioMixer fails with SL_CAPS_MISMATCH on an input of another rate or channel count", async () => {
  for (const options of [{ sampleRate: 44_100 }, { channels: 1 }]) {
    await assert.rejects(
      mix({}, [signal(wave, 64, 64), signal(wave, 64, 64, options)]),
      (e) =>
        isStreamlibError(e, "SL_ACTOR_FAILED") && isStreamlibError(e.cause, "SL_CAPS_MISMATCH") &&
        e.cause.message.includes('"sink_1"'),
    );
  }
});

Deno.test("AudioMixer ticks sampleRate / samplesPerBuffer times a second", () => {
  assert.equal(new AudioMixer().fps, 46.875);
  assert.equal(new AudioMixer({ sampleRate: 44_100, samplesPerBuffer: 441 }).fps, 100);
});

Deno.test("AudioMixer rejects bad input settings, and setInput merges into one entry", () => {
  for (const inputs of [{ in_0: {} }, { sink_0: { gain: -1 } }, { sink_0: { volume: 1 } }]) {
    assert.throws(
      () => new AudioMixer({ inputs }),
      (e) => isStreamlibError(e, "SL_PARAM_INVALID"),
    );
  }
  const mixer = new AudioMixer();
  mixer.setInput("sink_2", { gain: 0.5 });
  mixer.setInput("sink_2", { mute: true });
  assert.deepEqual(mixer.params.inputs, { sink_2: { gain: 0.5, mute: true } });
  assert.throws(
    () => mixer.setInput("sink_2", { gain: 11 }),
    (e) => isStreamlibError(e, "SL_PARAM_INVALID"),
  );
  const kept: AudioMixerInput | undefined = mixer.params.inputs.sink_2;
  assert.equal(kept?.gain, 0.5);
});

Deno.test("AudioMixer refuses a new sample rate or channel count while it runs", async () => {
  let checked = 0;
  await mix({}, [signal(wave, 64, 64)], (mixer) => {
    mixer.outputs.out.write = () => {
      assert.throws(
        () => mixer.setParams({ channels: 1 }),
        (e) => isStreamlibError(e, "SL_STATE"),
      );
      mixer.setParams({ latency: 0.05 });
      checked++;
    };
  });
  assert.equal(checked, 1);
  const idle = new AudioMixer();
  idle.setParams({ sampleRate: 44_100, channels: 1 });
  assert.deepEqual([idle.params.sampleRate, idle.params.channels], [44_100, 1]);
});
