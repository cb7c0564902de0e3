import {
  Actor,
  type AudioBuffer,
  type Contract,
  StreamlibError,
  type TimedTick,
} from "@streamlib/core";
import { FfmpegProcess, findFfmpeg } from "@streamlib/ffmpeg";
import { interleave } from "./audio_buffer.ts";

/**
 * The contract of {@linkcode AudioSink}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { audioSinkContract } from "@streamlib/audio";
 * assert.ok(audioSinkContract.type === "audiosink");
 * ```
 */
export const audioSinkContract = {
  type: "audiosink",
  description: "Plays audio on the default output device through ffmpeg (PulseAudio or ALSA), " +
    "or discards it (null)",
  classification: "Sink/Audio",
  inputs: {
    in: {
      kind: "audio",
      formats: ["f32-planar"],
      policy: "queue:8:block",
      description: "The audio to play; the device's pace holds the pipeline back",
    },
  },
  params: {
    device: {
      type: "string",
      enum: ["auto", "pulse", "alsa", "null"],
      default: "auto",
      description: "auto: PulseAudio when a server is running, else ALSA; null: discard",
    },
    name: {
      type: "string",
      default: "",
      description: 'Output device name ("" for the default: PulseAudio\'s, ALSA\'s "default")',
    },
  },
  permissions: {
    run: {
      reason: "runs ffmpeg to play the audio (STREAMLIB_FFMPEG, PATH or the npm binary)",
      values: ["ffmpeg"],
    },
    env: {
      reason: "finds ffmpeg and a PulseAudio server",
      values: [
        "STREAMLIB_FFMPEG",
        "PULSE_SERVER",
        "XDG_RUNTIME_DIR",
      ],
    },
  },
} as const satisfies Contract;

/**
 * Plays its input on the machine's audio output: ffmpeg's PulseAudio output when a PulseAudio
 * (or PipeWire) server is running, else ALSA's `default` device, or the `device` and `name`
 * asked for (`auto` looks for `PULSE_SERVER`, then for `$XDG_RUNTIME_DIR/pulse/native`, which
 * needs read permission there; without it, set `device=pulse`). The device takes samples at its
 * own pace, so writing blocks and an offline pipeline is held to real time. `device=null` discards the audio at once, for tests and headless runs.
 *
 * A machine with no usable output fails the actor with `SL_AUDIO_DEVICE`, saying what was tried
 * and what ffmpeg said, and suggesting `device=null`. ffmpeg is stopped with the actor; at the
 * end of the stream it plays what it has before exiting.
 *
 * ```text
 * audiotestsrc duration=3 ! audiosink
 * ```
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Pipeline } from "@streamlib/core";
 * import { AudioSink, AudioTestSource } from "@streamlib/audio";
 * const sink = new AudioSink({ device: "null" });
 * await new Pipeline({ mode: "offline" }).pipe(new AudioTestSource({ duration: 0.1 }), sink).run();
 * assert.ok(sink.played === 4800);
 * ```
 */
export class AudioSink extends Actor<typeof audioSinkContract> {
  /** Ports and parameters. */
  static override contract: typeof audioSinkContract = audioSinkContract;
  #process: FfmpegProcess | undefined;
  /** Counts stops, so that an ffmpeg opened while a stop overtook it is ended, not kept. */
  #stops = 0;
  #format = "";
  #output = "";
  #played = 0;

  /**
   * Samples (per channel) handed to the device, or discarded by the null device.
   *
   * @returns The count since the actor started.
   */
  get played(): number {
    return this.#played;
  }

  /** Picks the output; ffmpeg starts with the first buffer, which fixes rate and channels. */
  override async start(): Promise<void> {
    this.#process = undefined;
    this.#format = "";
    this.#played = 0;
    this.#output = this.params.device === "auto" ? await _autoOutput() : this.params.device;
  }

  /**
   * Sends one buffer to the device.
   *
   * @param _tick Unused.
   */
  async process(_tick: TimedTick): Promise<void> {
    const buffer = this.inputs.in.read();
    if (buffer === undefined) return;
    if (this.#output === "null") {
      this.#played += buffer.numberOfFrames;
      return;
    }
    const format = `${buffer.sampleRate} Hz, ${buffer.numberOfChannels} channels`;
    if (this.#process === undefined) {
      this.#format = format;
      const stops = this.#stops;
      const opened = await this.#open(buffer);
      if (stops !== this.#stops) {
        // stop() ran while ffmpeg was being found: nothing will end this one but us.
        opened.kill();
        await opened.wait();
        return;
      }
      this.#process = opened;
    } else if (format !== this.#format) {
      throw new StreamlibError(
        "SL_CAPS_MISMATCH",
        `"${this.name}" was playing ${this.#format} and got ${format}; resample or mix first`,
      );
    }
    const samples = interleave(buffer);
    try {
      await this.#process.write(
        new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength),
      );
    } catch (error) {
      throw this.#deviceError(error);
    }
    this.#played += buffer.numberOfFrames;
  }

  /** Lets the device play what it has, then stops ffmpeg. */
  override async flush(): Promise<void> {
    const process = this.#process;
    if (process === undefined) return;
    await process.closeInput();
    const status = await process.waitOrKill(10_000);
    if (!status.success && !process.killed) {
      throw this.#deviceError(await process.failure("stopped playing"));
    }
  }

  /** Stops ffmpeg at once. */
  override async stop(): Promise<void> {
    this.#stops++;
    const process = this.#process;
    this.#process = undefined;
    if (process === undefined) return;
    process.kill();
    await process.wait();
  }

  async #open(buffer: AudioBuffer): Promise<FfmpegProcess> {
    const ffmpeg = await findFfmpeg();
    const target = this.params.name || (this.#output === "alsa" ? "default" : "streamlib");
    // deno-fmt-ignore
    return new FfmpegProcess(ffmpeg.path, [
      "-hide_banner", "-nostdin", "-loglevel", "error",
      "-f", "f32le", "-ar", String(buffer.sampleRate), "-ac", String(buffer.numberOfChannels),
      "-i", "pipe:0", "-f", this.#output,
      ...(this.#output === "pulse" && this.params.name ? ["-device", this.params.name] : []),
      target,
    ], { stdin: true });
  }

  #deviceError(error: unknown): StreamlibError {
    const detail = error instanceof Error ? error.message : String(error);
    return new StreamlibError(
      "SL_AUDIO_DEVICE",
      `"${this.name}" could not play on ${this.#output}` +
        `${this.params.name ? ` device "${this.params.name}"` : ""}: ${detail}\n` +
        "Is there a sound device (or a PulseAudio server)? For headless runs use device=null.",
      { cause: error },
    );
  }
}

/** PulseAudio when a server answers where clients look for one, else ALSA. */
async function _autoOutput(): Promise<"pulse" | "alsa"> {
  const env = (name: string): string | undefined => {
    try {
      return Deno.env.get(name);
    } catch {
      return undefined;
    }
  };
  if (env("PULSE_SERVER")) return "pulse";
  const runtime = env("XDG_RUNTIME_DIR");
  if (runtime) {
    try {
      await Deno.stat(`${runtime}/pulse/native`);
      return "pulse";
    } catch {
      // No server socket there.
    }
  }
  return "alsa";
}
