import assert from "node:assert/strict";
import { Pipeline } from "@streamlib/core";
import { needs } from "../../tests/_needs.ts";
import { FileWriter } from "./file_writer.ts";
import {
  Clicks,
  decodeAudio,
  ffmpegChildren,
  ffprobe,
  Flashes,
  frameBrightness,
  hasFfprobe,
} from "./_testing.ts";

const probe = needs("ffprobe", hasFfprobe(), "apt-get install ffmpeg");

/** Writes `seconds` of flashes and/or clicks into `location`. */
async function write(
  location: string,
  seconds: number,
  what: { video?: boolean; audio?: boolean; sampleRate?: number } = {},
  writer: ConstructorParameters<typeof FileWriter>[0] = {},
): Promise<void> {
  const pipeline = new Pipeline({ mode: "offline" });
  const sink = pipeline.add(new FileWriter({ location, preset: "ultrafast", ...writer }));
  if (what.video ?? true) {
    pipeline.connect(pipeline.add(new Flashes({ seconds })).outputs.out, sink.inputs.in);
  }
  if (what.audio ?? true) {
    const clicks = new Clicks({ seconds, sampleRate: what.sampleRate ?? 48_000 });
    pipeline.connect(pipeline.add(clicks).outputs.out, sink.inputs.audio);
  }
  await pipeline.run();
}

/** Sample indices where a click starts (a jump above 0.5 after quiet). */
function clickStarts(samples: Float32Array): number[] {
  const out: number[] = [];
  for (let i = 0; i < samples.length; i++) {
    if (Math.abs(samples[i]!) > 0.5 && Math.abs(samples[i - 1] ?? 0) < 0.25) {
      if (out.length === 0 || i - out.at(-1)! > 1000) out.push(i);
    }
  }
  return out;
}

function stream(
  info: Awaited<ReturnType<typeof ffprobe>>,
  type: string,
): Record<string, string | number> {
  return info.streams.find((s) => s.codec_type === type)!;
}

Deno.test(probe({
  name: "FileWriter muxes video and audio into one MP4 (H.264 + AAC) and one WebM (VP9 + Opus)",
  fn: async () => {
    const dir = await Deno.makeTempDir();
    try {
      await write(`${dir}/av.mp4`, 3);
      const mp4 = await ffprobe(`${dir}/av.mp4`);
      assert.equal(stream(mp4, "video").codec_name, "h264");
      assert.equal(stream(mp4, "audio").codec_name, "aac");
      assert.equal(stream(mp4, "audio").sample_rate, "48000");
      assert.equal(stream(mp4, "audio").channels, 2);
      assert.equal(stream(mp4, "video").nb_read_frames, "90");
      await write(`${dir}/av.webm`, 2, { sampleRate: 44_100 }, { crf: 40 });
      const webm = await ffprobe(`${dir}/av.webm`);
      assert.equal(stream(webm, "video").codec_name, "vp9");
      assert.equal(stream(webm, "audio").codec_name, "opus");
      assert.equal(stream(webm, "audio").sample_rate, "48000", "Opus takes 48 kHz");
      assert.deepEqual(ffmpegChildren(), []);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
}));

Deno.test(probe({
  name: "FileWriter writes audio alone as WAV, FLAC, MP3 and Opus with the right rate and length",
  fn: async () => {
    const dir = await Deno.makeTempDir();
    try {
      const cases = [
        ["wav", "pcm_s16le"],
        ["flac", "flac"],
        ["mp3", "mp3"],
        ["opus", "opus"],
        ["m4a", "aac"],
      ] as const;
      for (const [ext, codec] of cases) {
        const path = `${dir}/clicks.${ext}`;
        await write(path, 2, { video: false });
        const info = await ffprobe(path);
        const audio = stream(info, "audio");
        assert.equal(audio.codec_name, codec, ext);
        assert.equal(audio.channels, 2, ext);
        assert.equal(audio.sample_rate, "48000", ext);
        assert.equal(info.streams.length, 1, ext);
        // Encoders add priming or padding; lossless ones are exact.
        const tolerance = ext === "wav" || ext === "flac" ? 0.0001 : 0.08;
        assert.ok(
          Math.abs(Number(info.format.duration) - 2) <= tolerance,
          `${ext}: ${info.format.duration}`,
        );
      }
      const wav = await decodeAudio(`${dir}/clicks.wav`);
      assert.equal(wav.length, 96_000);
      assert.deepEqual(clickStarts(wav), [0, 48_000]);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
}));

Deno.test(probe({
  name: "FileWriter keeps 10 minutes of audio and video in sync: clicks sit on their frames",
  fn: async () => {
    const dir = await Deno.makeTempDir();
    try {
      const seconds = 600;
      const path = `${dir}/sync.mp4`;
      await write(path, seconds);
      const info = await ffprobe(path);
      const video = stream(info, "video");
      const audio = stream(info, "audio");
      const start = { video: Number(video.start_time), audio: Number(audio.start_time) };
      assert.ok(Math.abs(start.video - start.audio) < 0.001, JSON.stringify(start));
      assert.ok(
        Math.abs(Number(video.duration) - Number(audio.duration)) < 0.001 + 1024 / 48_000,
        `durations ${video.duration} ${audio.duration}`,
      );
      assert.ok(Math.abs(Number(video.duration) - seconds) < 0.001, `video ${video.duration}`);
      // Every second: the white frame and the click start at the same time, within 1 ms.
      const flashes = (await frameBrightness(path))
        .flatMap((luma, i) => (luma > 128 ? [start.video + i / 30] : []));
      const clicks = clickStarts(await decodeAudio(path)).map((i) => start.audio + i / 48_000);
      assert.equal(flashes.length, seconds);
      assert.equal(clicks.length, seconds);
      for (let k = 0; k < seconds; k++) {
        assert.ok(
          Math.abs(flashes[k]! - clicks[k]!) < 0.001,
          `second ${k}: frame at ${flashes[k]} s, click at ${clicks[k]} s`,
        );
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
}));
