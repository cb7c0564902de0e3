/**
 * One wire message of every kind, for the wire format's tests and its fuzzing.
 *
 * @module
 */

import { createAudioBuffer, createVideoFrame } from "@streamlib/core";
import type { WireMessage } from "./wire_format.ts";

const timing = { timestamp: 33_333, duration: 33_333, position: 1, clockId: "software-1" };

/** One message of each type, small. */
export function sampleWireMessages(): WireMessage[] {
  const frame = createVideoFrame({ format: "I420", codedWidth: 6, codedHeight: 4, ...timing });
  frame.data.forEach((_, i) => frame.data[i] = i * 7);
  const rgba = createVideoFrame({
    format: "RGBA",
    codedWidth: 3,
    codedHeight: 2,
    colorSpace: { matrix: "bt709", fullRange: true },
    ...timing,
  });
  rgba.data.fill(200);
  const audio = createAudioBuffer({
    sampleRate: 48_000,
    numberOfChannels: 2,
    numberOfFrames: 5,
    position: 480,
  });
  audio.data.forEach((_, i) => audio.data[i] = Math.sin(i));
  return [
    { type: "hello", body: { wire: 1, link: "abc", kind: "video", codec: "h264", window: 8 } },
    { type: "accept", body: { limit: 8, node: "edge" } },
    { type: "refuse", code: "SL_WIRE_CODEC", message: "no h265 here" },
    { type: "credit", limit: 42 },
    { type: "ping", t1: 123.5 },
    { type: "pong", t1: 123.5, t2: 4_000_000, t3: 4_000_010 },
    { type: "probe", next: 17 },
    { type: "video", seq: 1, message: frame },
    { type: "video", seq: 2, message: rgba },
    {
      type: "video-coded",
      seq: 3,
      message: {
        ...timing,
        codec: "h264",
        key: true,
        format: "RGBA",
        codedWidth: 1280,
        codedHeight: 720,
        description: new Uint8Array([1, 100, 0, 31]),
        data: new Uint8Array([0, 0, 0, 2, 0x65, 0x88]),
      },
    },
    {
      type: "video-coded",
      seq: 4,
      message: {
        ...timing,
        codec: "jpeg",
        key: true,
        format: "I420",
        codedWidth: 8,
        codedHeight: 8,
        data: new Uint8Array([0xff, 0xd8, 0xff, 0xd9]),
      },
    },
    { type: "audio", seq: 5, message: audio },
    {
      type: "audio-coded",
      seq: 6,
      message: {
        ...timing,
        codec: "opus",
        sampleRate: 48_000,
        numberOfChannels: 2,
        numberOfFrames: 960,
        description: new Uint8Array(19),
        data: new Uint8Array([0xfc, 1, 2]),
      },
    },
    {
      type: "event",
      seq: 7,
      message: {
        kind: "event",
        type: "keydown",
        key: "é",
        code: "KeyE",
        altKey: false,
        ctrlKey: true,
        metaKey: false,
        shiftKey: true,
        repeat: false,
        ...timing,
      },
    },
    {
      type: "event",
      seq: 8,
      message: {
        kind: "event",
        type: "wheel",
        x: 10.5,
        y: 20,
        button: 0,
        buttons: 1,
        deltaX: 0,
        deltaY: -3,
        altKey: true,
        ctrlKey: false,
        metaKey: false,
        shiftKey: false,
        ...timing,
      },
    },
    {
      type: "data",
      seq: 9,
      message: { kind: "data", topic: "motion", value: { area: [1, 2], ok: true }, ...timing },
    },
    {
      type: "data",
      seq: 10,
      message: { kind: "data", topic: "", value: new Uint8Array([9, 8, 7]), ...timing },
    },
    { type: "flush", seq: 11 },
    { type: "eos", seq: 12 },
    { type: "chunk", id: 5, index: 1, count: 3, total: 10, data: new Uint8Array([1, 2, 3]) },
  ];
}
