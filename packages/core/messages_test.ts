import assert from "node:assert/strict";
import { type TimedTick, timingOf } from "./clock/clock.ts";
import {
  audioChannel,
  createAudioBuffer,
  createVideoFrame,
  videoFrameLayout,
  type VideoPixelFormat,
} from "./messages.ts";
import { createDataMessage, createKeyEvent, createMouseEvent } from "./create_messages.ts";

const hasCode = (code: string) => (e: unknown): boolean => (e as { code?: string }).code === code;
const invalid = hasCode("SL_PARAM_INVALID");

Deno.test("videoFrameLayout() packs RGBA and BGRA as one plane of 4 bytes a pixel", () => {
  for (const format of ["RGBA", "BGRA"] as const) {
    assert.deepEqual(videoFrameLayout(format, 641, 479), {
      layout: [{ offset: 0, stride: 641 * 4 }],
      byteLength: 641 * 479 * 4,
    });
  }
});

Deno.test("videoFrameLayout() rounds I420 chroma up for odd sizes", () => {
  // Y 641×479 = 307 039 bytes; U and V 321×240 = 77 040 bytes each.
  assert.deepEqual(videoFrameLayout("I420", 641, 479), {
    layout: [
      { offset: 0, stride: 641 },
      { offset: 307_039, stride: 321 },
      { offset: 307_039 + 77_040, stride: 321 },
    ],
    byteLength: 307_039 + 2 * 77_040,
  });
});

Deno.test("videoFrameLayout() rounds NV12 chroma up for odd sizes", () => {
  // Y 641×479, then 240 rows of 321 interleaved UV pairs.
  assert.deepEqual(videoFrameLayout("NV12", 641, 479), {
    layout: [{ offset: 0, stride: 641 }, { offset: 307_039, stride: 642 }],
    byteLength: 307_039 + 642 * 240,
  });
});

Deno.test("videoFrameLayout() handles a 1×1 frame in every format", () => {
  assert.equal(videoFrameLayout("RGBA", 1, 1).byteLength, 4);
  assert.equal(videoFrameLayout("I420", 1, 1).byteLength, 3);
  assert.equal(videoFrameLayout("NV12", 1, 1).byteLength, 3);
});

Deno.test("videoFrameLayout() rejects sizes that are not positive integers", () => {
  for (const [w, h] of [[0, 10], [10, 0], [-2, 4], [2.5, 4], [4, NaN], [Infinity, 4]]) {
    assert.throws(() => videoFrameLayout("RGBA", w!, h!), invalid, `${w}×${h}`);
  }
});

Deno.test("videoFrameLayout() rejects an unknown pixel format", () => {
  assert.throws(() => videoFrameLayout("YUY2" as VideoPixelFormat, 4, 4), invalid);
});

Deno.test("createVideoFrame() wraps the given data without copying it", () => {
  const data = new Uint8Array(4 * 2 * 4).fill(7);
  const frame = createVideoFrame({ format: "RGBA", codedWidth: 4, codedHeight: 2, data });
  assert.equal(frame.data, data);
  data[0] = 99;
  assert.equal(frame.data[0], 99);
});

Deno.test("createVideoFrame() allocates a zeroed, tightly packed buffer when no data is given", () => {
  const frame = createVideoFrame({ format: "I420", codedWidth: 5, codedHeight: 3 });
  assert.equal(frame.kind, "video");
  assert.equal(frame.data.length, 15 + 6 + 6);
  assert.ok(frame.data.every((b) => b === 0));
  assert.deepEqual(frame.layout, videoFrameLayout("I420", 5, 3).layout);
});

Deno.test("createVideoFrame() fills unset timing fields with 0 and an empty clock id", () => {
  const frame = createVideoFrame({ format: "NV12", codedWidth: 2, codedHeight: 2 });
  assert.equal(frame.timestamp, 0);
  assert.equal(frame.duration, 0);
  assert.equal(frame.position, 0);
  assert.equal(frame.clockId, "");
  assert.equal("colorSpace" in frame, false);
});

Deno.test("createVideoFrame() keeps the given timing and colour space", () => {
  const frame = createVideoFrame({
    format: "I420",
    codedWidth: 2,
    codedHeight: 2,
    timestamp: 40_000,
    duration: 40_000,
    position: 1,
    clockId: "sw0",
    colorSpace: { matrix: "bt709", fullRange: false },
  });
  assert.equal(frame.timestamp, 40_000);
  assert.equal(frame.duration, 40_000);
  assert.equal(frame.position, 1);
  assert.equal(frame.clockId, "sw0");
  assert.deepEqual(frame.colorSpace, { matrix: "bt709", fullRange: false });
});

Deno.test("createVideoFrame() rejects data one byte too small for the format and size", () => {
  for (const format of ["RGBA", "BGRA", "I420", "NV12"] as const) {
    const { byteLength } = videoFrameLayout(format, 641, 479);
    const data = new Uint8Array(byteLength - 1);
    assert.throws(
      () => createVideoFrame({ format, codedWidth: 641, codedHeight: 479, data }),
      invalid,
      format,
    );
    // Exactly enough is fine.
    const ok = createVideoFrame({
      format,
      codedWidth: 641,
      codedHeight: 479,
      data: new Uint8Array(byteLength),
    });
    assert.equal(ok.data.length, byteLength);
  }
});

Deno.test("createVideoFrame() accepts a padded stride when the data covers the last row", () => {
  // 2×2 RGBA with 12-byte rows: the last row ends at 12 + 8 = 20.
  const layout = [{ offset: 0, stride: 12 }];
  const frame = createVideoFrame({
    format: "RGBA",
    codedWidth: 2,
    codedHeight: 2,
    data: new Uint8Array(20),
    layout,
  });
  assert.equal(frame.layout, layout);
  assert.throws(
    () =>
      createVideoFrame({
        format: "RGBA",
        codedWidth: 2,
        codedHeight: 2,
        data: new Uint8Array(19),
        layout,
      }),
    invalid,
  );
});

Deno.test("createVideoFrame() rejects a stride shorter than a row", () => {
  assert.throws(
    () =>
      createVideoFrame({
        format: "RGBA",
        codedWidth: 2,
        codedHeight: 2,
        data: new Uint8Array(64),
        layout: [{ offset: 0, stride: 7 }],
      }),
    invalid,
  );
  // I420 chroma rows of a 5-pixel-wide frame need 3 bytes.
  assert.throws(
    () =>
      createVideoFrame({
        format: "I420",
        codedWidth: 5,
        codedHeight: 3,
        data: new Uint8Array(64),
        layout: [{ offset: 0, stride: 5 }, { offset: 15, stride: 2 }, { offset: 30, stride: 3 }],
      }),
    invalid,
  );
});

Deno.test("createVideoFrame() rejects a negative plane offset", () => {
  assert.throws(
    () =>
      createVideoFrame({
        format: "RGBA",
        codedWidth: 2,
        codedHeight: 2,
        data: new Uint8Array(64),
        layout: [{ offset: -1, stride: 8 }],
      }),
    invalid,
  );
});

Deno.test("createVideoFrame() rejects a layout with the wrong number of planes", () => {
  assert.throws(
    () =>
      createVideoFrame({
        format: "I420",
        codedWidth: 2,
        codedHeight: 2,
        data: new Uint8Array(64),
        layout: [{ offset: 0, stride: 2 }, { offset: 4, stride: 1 }],
      }),
    invalid,
  );
});

Deno.test("createVideoFrame() rejects bad sizes and unknown formats", () => {
  assert.throws(() => createVideoFrame({ format: "RGBA", codedWidth: 0, codedHeight: 2 }), invalid);
  assert.throws(
    () => createVideoFrame({ format: "RGBA", codedWidth: 2, codedHeight: 1.5 }),
    invalid,
  );
  assert.throws(
    () => createVideoFrame({ format: "P010" as VideoPixelFormat, codedWidth: 2, codedHeight: 2 }),
    invalid,
  );
});

Deno.test({
  name: "createVideoFrame() rejects a layout whose stride or offset is NaN",
  fn(): void {
    assert.throws(
      () =>
        createVideoFrame({
          format: "RGBA",
          codedWidth: 2,
          codedHeight: 2,
          data: new Uint8Array(16),
          layout: [{ offset: 0, stride: NaN }],
        }),
      invalid,
    );
    assert.throws(
      () =>
        createVideoFrame({
          format: "RGBA",
          codedWidth: 2,
          codedHeight: 2,
          data: new Uint8Array(16),
          layout: [{ offset: NaN, stride: 8 }],
        }),
      invalid,
    );
  },
});

Deno.test("createAudioBuffer() derives timestamps that tile without drift", () => {
  const sampleRate = 44_100;
  const frames = 1024;
  const data = new Float32Array(frames);
  let previous = createAudioBuffer({
    sampleRate,
    numberOfChannels: 1,
    numberOfFrames: frames,
    data,
  });
  assert.equal(previous.timestamp, 0);
  let total = previous.duration;
  for (let i = 1; i < 10_000; i++) {
    const buffer = createAudioBuffer({
      sampleRate,
      numberOfChannels: 1,
      numberOfFrames: frames,
      data,
      position: i * frames,
    });
    if (previous.timestamp + previous.duration !== buffer.timestamp) {
      assert.fail(
        `buffer ${i} starts at ${buffer.timestamp}, previous ends at ${
          previous.timestamp + previous.duration
        }`,
      );
    }
    total += buffer.duration;
    previous = buffer;
  }
  const lastPosition = 9_999 * frames;
  assert.equal(previous.position, lastPosition);
  assert.equal(previous.timestamp, Math.round(lastPosition * 1e6 / sampleRate));
  assert.equal(total, Math.round(10_000 * frames * 1e6 / sampleRate));
});

Deno.test("createAudioBuffer() fills in format, zeroed data and defaults", () => {
  const buffer = createAudioBuffer({
    sampleRate: 48_000,
    numberOfChannels: 2,
    numberOfFrames: 480,
  });
  assert.equal(buffer.kind, "audio");
  assert.equal(buffer.format, "f32-planar");
  assert.equal(buffer.data.length, 960);
  assert.ok(buffer.data.every((s) => s === 0));
  assert.equal(buffer.timestamp, 0);
  assert.equal(buffer.duration, 10_000);
  assert.equal(buffer.position, 0);
  assert.equal(buffer.clockId, "");
});

Deno.test("createAudioBuffer() wraps the given data without copying it", () => {
  const data = new Float32Array(8);
  const buffer = createAudioBuffer({
    sampleRate: 8000,
    numberOfChannels: 2,
    numberOfFrames: 4,
    data,
    clockId: "a0",
  });
  assert.equal(buffer.data, data);
  assert.equal(buffer.clockId, "a0");
});

Deno.test("createAudioBuffer() allows an empty buffer with zero duration", () => {
  const buffer = createAudioBuffer({
    sampleRate: 44_100,
    numberOfChannels: 1,
    numberOfFrames: 0,
    position: 441,
  });
  assert.equal(buffer.timestamp, 10_000);
  assert.equal(buffer.duration, 0);
});

Deno.test("createAudioBuffer() rejects bad rates, channel counts, frame counts and short data", () => {
  const base = { sampleRate: 48_000, numberOfChannels: 2, numberOfFrames: 4 };
  const bad = [
    { ...base, sampleRate: 0 },
    { ...base, sampleRate: -1 },
    { ...base, sampleRate: NaN },
    { ...base, numberOfChannels: 0 },
    { ...base, numberOfChannels: 1.5 },
    { ...base, numberOfFrames: -1 },
    { ...base, numberOfFrames: 2.5 },
    { ...base, data: new Float32Array(7) },
  ];
  for (const init of bad) assert.throws(() => createAudioBuffer(init), invalid);
});

Deno.test("audioChannel() returns views that share the buffer's memory", () => {
  const buffer = createAudioBuffer({ sampleRate: 8000, numberOfChannels: 3, numberOfFrames: 4 });
  const left = audioChannel(buffer, 0);
  const right = audioChannel(buffer, 2);
  assert.equal(left.length, 4);
  assert.equal(left.buffer, buffer.data.buffer);
  right.fill(0.5);
  assert.deepEqual([...buffer.data], [0, 0, 0, 0, 0, 0, 0, 0, 0.5, 0.5, 0.5, 0.5]);
  buffer.data[1] = 0.25;
  assert.equal(left[1], 0.25);
});

Deno.test("audioChannel() rejects a channel index that does not exist", () => {
  const buffer = createAudioBuffer({ sampleRate: 8000, numberOfChannels: 2, numberOfFrames: 4 });
  for (const channel of [-1, 2, 0.5, NaN]) {
    assert.throws(() => audioChannel(buffer, channel), invalid, String(channel));
  }
});

Deno.test("createKeyEvent() fills unset modifiers with false and timing with 0", () => {
  assert.deepEqual(createKeyEvent({ type: "keydown", key: "a" }), {
    kind: "event",
    type: "keydown",
    key: "a",
    code: "",
    altKey: false,
    ctrlKey: false,
    metaKey: false,
    shiftKey: false,
    repeat: false,
    timestamp: 0,
    duration: 0,
    position: 0,
    clockId: "",
  });
  const e = createKeyEvent({ type: "keyup", key: "Q", code: "KeyQ", shiftKey: true, position: 3 });
  assert.equal(e.code, "KeyQ");
  assert.equal(e.shiftKey, true);
  assert.equal(e.position, 3);
});

Deno.test("createMouseEvent() fills unset buttons, deltas and modifiers", () => {
  assert.deepEqual(createMouseEvent({ type: "mousemove", x: 10, y: 20 }), {
    kind: "event",
    type: "mousemove",
    x: 10,
    y: 20,
    button: 0,
    buttons: 0,
    deltaX: 0,
    deltaY: 0,
    altKey: false,
    ctrlKey: false,
    metaKey: false,
    shiftKey: false,
    timestamp: 0,
    duration: 0,
    position: 0,
    clockId: "",
  });
  const wheel = createMouseEvent({ type: "wheel", x: 1, y: 2, deltaY: -120, ctrlKey: true });
  assert.equal(wheel.deltaY, -120);
  assert.equal(wheel.ctrlKey, true);
});

Deno.test("createDataMessage() carries the value with an empty topic and zero timing by default", () => {
  const value = { motion: 0.4 };
  const m = createDataMessage(value);
  assert.deepEqual(m, {
    kind: "data",
    topic: "",
    value,
    timestamp: 0,
    duration: 0,
    position: 0,
    clockId: "",
  });
  assert.equal(m.value, value);
  const n = createDataMessage("x", {
    topic: "t",
    timestamp: 5,
    duration: 2,
    position: 9,
    clockId: "c",
  });
  assert.equal(n.topic, "t");
  assert.equal(n.timestamp, 5);
  assert.equal(n.duration, 2);
  assert.equal(n.position, 9);
  assert.equal(n.clockId, "c");
});

Deno.test("timingOf() maps a tick's frame number to the message position", () => {
  const tick: TimedTick = {
    timestamp: 40_000,
    duration: 40_000,
    frameNumber: 1,
    clockId: "sw0",
    fps: 25,
    late: true,
  };
  assert.deepEqual(timingOf(tick), {
    timestamp: 40_000,
    duration: 40_000,
    position: 1,
    clockId: "sw0",
  });
});
