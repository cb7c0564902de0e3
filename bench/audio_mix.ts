/**
 * How many times faster than real time the audio mixer mixes 16 stereo 48 kHz inputs on one
 * core, side by side in the same run with the same mix in ffmpeg's `amix`.
 *
 *   streamlib:  16 sources → audiomixer → NullSink   (offline pipeline, as fast as it goes)
 *   ffmpeg:     16 × sine → aformat fltp stereo → amix=inputs=16:normalize=0 → -f null
 *
 * Both mix 16 tones (220 Hz, 275 Hz… ; streamlib's at −26 dBFS, below the soft clip's knee)
 * in 1024-sample buffers. streamlib's sources replay pre-made planar buffers, so they cost
 * next to nothing; the mixer writes a fresh buffer each time. ffmpeg makes its inputs in its
 * filter graph with `sine` (converted to planar float stereo for amix), runs with
 * `-threads 1 -filter_complex_threads 1`, and is timed as a whole process: its time includes
 * its sources, the conversion and its start-up. The summary compares with that run. The same
 * mix of silent `anullsrc` inputs, whose cost is next to nothing, is timed too: the closest
 * to amix alone.
 *
 * Each measurement mixes about `SECONDS` seconds of wall time (audio length sized from a
 * short trial) and the best of `ROUNDS` rounds is kept. Ends with one summary line; its ratio
 * is streamlib's realtime factor over ffmpeg's with sine sources.
 *
 * Run: deno run -A bench/audio_mix.ts [seconds per round, default 1] [rounds, default 3]
 *
 * @module
 */

import {
  Actor,
  type Contract,
  createAudioBuffer,
  NullSink,
  Pipeline,
  type TimedTick,
} from "@streamlib/core";
import { AudioMixer } from "@streamlib/audio";
import { findFfmpeg } from "@streamlib/ffmpeg";
import { benchDeadline } from "./_deadline.ts";

benchDeadline("bench:audio-mix");

const SECONDS = Number(Deno.args[0] ?? 1);
const ROUNDS = Number(Deno.args[1] ?? 3);
const INPUTS = 16;
const RATE = 48_000;
const FRAMES = 1024;
/** Pre-made buffers an input cycles through (about a second of audio). */
const CHUNKS = 47;

const replayContract = {
  type: "replay",
  outputs: { out: { kind: "audio", formats: ["f32-planar"] } },
} as const satisfies Contract;

/** Sends `count` stereo buffers of `FRAMES` samples, cycling through pre-made data. */
class Replay extends Actor<typeof replayContract> {
  static override contract: typeof replayContract = replayContract;
  readonly #chunks: readonly Float32Array[];
  readonly #count: number;
  constructor(chunks: readonly Float32Array[], count: number) {
    super();
    this.#chunks = chunks;
    this.#count = count;
  }
  process(tick: TimedTick): void {
    const n = tick.frameNumber;
    this.outputs.out.write(createAudioBuffer({
      sampleRate: RATE,
      numberOfChannels: 2,
      numberOfFrames: FRAMES,
      data: this.#chunks[n % CHUNKS],
      position: n * FRAMES,
      clockId: tick.clockId,
    }));
    if (n + 1 >= this.#count) this.end();
  }
}

/** `CHUNKS` planar stereo buffers of a tone at `hz`, amplitude 0.05 (−26 dBFS). */
function tone(hz: number): Float32Array[] {
  return Array.from({ length: CHUNKS }, (_, k) => {
    const data = new Float32Array(2 * FRAMES);
    for (let i = 0; i < FRAMES; i++) {
      const v = 0.05 * Math.sin((2 * Math.PI * hz * (k * FRAMES + i)) / RATE);
      data[i] = v;
      data[FRAMES + i] = v;
    }
    return data;
  });
}

const tones = Array.from({ length: INPUTS }, (_, i) => tone(220 + 55 * i));

/** Mixes `buffers` buffers a input offline; returns the realtime factor. */
async function streamlibRun(buffers: number): Promise<number> {
  const pipeline = new Pipeline({ mode: "offline" });
  const mixer = pipeline.add(new AudioMixer({ samplesPerBuffer: FRAMES }), { name: "mix" });
  for (let i = 0; i < INPUTS; i++) {
    pipeline.add(new Replay(tones[i]!, buffers), { name: `src${i}` });
    pipeline.connect(`src${i}.out`, `mix.sink_${i}`);
  }
  const sink = pipeline.add(new NullSink());
  pipeline.connect(mixer.outputs.out, sink.inputs.in);
  const t0 = performance.now();
  await pipeline.run();
  const seconds = (performance.now() - t0) / 1000;
  if (sink.received !== buffers) throw new Error(`mixer wrote ${sink.received} of ${buffers}`);
  return (buffers * FRAMES / RATE) / seconds;
}

/**
 * Runs ffmpeg mixing `seconds` of 16 inputs made in its filter graph: the same tones from its
 * `sine` source converted to planar float stereo, or silence from `anullsrc` (next to free).
 * Returns the realtime factor of the whole run.
 */
async function ffmpegRun(ffmpeg: string, seconds: number, silent: boolean): Promise<number> {
  const sources = Array.from(
    { length: INPUTS },
    (_, i) =>
      (silent
        ? `anullsrc=r=${RATE}:cl=stereo:n=${FRAMES},atrim=duration=${seconds}`
        : `sine=frequency=${220 + 55 * i}:sample_rate=${RATE}:duration=${seconds}:` +
          `samples_per_frame=${FRAMES},aformat=sample_fmts=fltp:channel_layouts=stereo`) +
      `[a${i}]`,
  );
  const labels = sources.map((_, i) => `[a${i}]`).join("");
  const graph = `${sources.join(";")};${labels}amix=inputs=${INPUTS}:normalize=0[out]`;
  const args = ["-nostdin", "-hide_banner", "-loglevel", "error"];
  args.push("-threads", "1", "-filter_complex_threads", "1");
  args.push("-filter_complex", graph, "-map", "[out]", "-f", "null", "-");
  const t0 = performance.now();
  const { code, stderr } = await new Deno.Command(ffmpeg, {
    args,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).output();
  const wall = (performance.now() - t0) / 1000;
  if (code !== 0) throw new Error(`ffmpeg failed: ${new TextDecoder().decode(stderr)}`);
  return seconds / wall;
}

/** Audio seconds for a round of about `SECONDS`, at a trial's realtime `factor`. */
const sized = (factor: number): number => Math.min(3600, Math.max(5, Math.round(factor * SECONDS)));

/** The best realtime factor of `ROUNDS` rounds, audio length sized from a short trial. */
async function best(trial: (audioSeconds: number) => Promise<number>): Promise<number> {
  const audio = sized(Math.max(await trial(5), await trial(5)));
  let factor = 0;
  for (let round = 0; round < ROUNDS; round++) factor = Math.max(factor, await trial(audio));
  return factor;
}

const out = (line: string): Promise<number> =>
  Deno.stdout.write(new TextEncoder().encode(line + "\n"));

const streamlib = await best((audio) => streamlibRun(Math.round(audio * RATE / FRAMES)));
await out(`streamlib audiomixer  ${streamlib.toFixed(0).padStart(5)}× realtime (one core)`);

const ffmpeg = await findFfmpeg();
const sine = await best((audio) => ffmpegRun(ffmpeg.path, audio, false));
await out(
  `ffmpeg ${ffmpeg.version} amix ${
    sine.toFixed(0).padStart(5)
  }× realtime (whole run: 16 sine sources, conversion and start-up included)`,
);
const silent = await best((audio) => ffmpegRun(ffmpeg.path, audio, true));
await out(
  `ffmpeg amix, silent inputs ${
    silent.toFixed(0).padStart(5)
  }× realtime (anullsrc sources, next to free: closest to amix alone)`,
);
await out(
  `audio-mix: ${INPUTS} stereo 48 kHz inputs, streamlib ${streamlib.toFixed(0)}× realtime, ` +
    `ffmpeg amix ${sine.toFixed(0)}× realtime, ratio ${(streamlib / sine).toFixed(1)}×`,
);
