import assert from "node:assert/strict";
import { isStreamlibError } from "@streamlib/core";
import { _audio, _channels, _runAudio } from "./_channels_testing.ts";
import { Panorama, panoramaGains } from "./panorama.ts";

function close(actual: number, expected: number, what: string): void {
  assert.ok(Math.abs(actual - expected) < 1e-12, `${what}: ${actual} ≠ ${expected}`);
}

Deno.test("panoramaGains() pans mono at constant power: −3 dB each side at the centre", () => {
  const table: Array<[number, number, number]> = [
    [-1, 1, 0],
    [-0.5, Math.cos(Math.PI / 8), Math.sin(Math.PI / 8)], // 0.9239, 0.3827
    [0, Math.SQRT1_2, Math.SQRT1_2],
    [0.5, Math.sin(Math.PI / 8), Math.cos(Math.PI / 8)],
    [1, 0, 1],
  ];
  for (const [p, left, right] of table) {
    const [[l], [r]] = panoramaGains(p, 1);
    close(l!, left, `left at ${p}`);
    close(r!, right, `right at ${p}`);
  }
  assert.deepEqual(panoramaGains(-1, 1), [[1], [0]]);
  assert.deepEqual(panoramaGains(1, 1), [[0], [1]]);
  for (let p = -1; p <= 1; p += 0.125) {
    const [[l], [r]] = panoramaGains(p, 1);
    close(l! ** 2 + r! ** 2, 1, `power at ${p}`);
  }
});

Deno.test("panoramaGains() sets the balance of stereo by lowering the far side only", () => {
  assert.deepEqual(panoramaGains(0, 2), [[1, 0], [0, 1]]);
  assert.deepEqual(panoramaGains(-0.25, 2), [[1, 0], [0, 0.75]]);
  assert.deepEqual(panoramaGains(0.25, 2), [[0.75, 0], [0, 1]]);
  assert.deepEqual(panoramaGains(-1, 2), [[1, 0], [0, 0]]);
  assert.deepEqual(panoramaGains(1, 2), [[0, 0], [0, 1]]);
});

Deno.test("Panorama turns mono into panned stereo with the input's timing", async () => {
  const input = _audio([[1, -0.5]], 96);
  const [out] = await _runAudio(new Panorama({ panorama: 1 }), [input]);
  assert.deepEqual(_channels(out!), [[0, 0], [1, -0.5]]);
  assert.equal(out!.position, 96);
  assert.equal(out!.timestamp, input.timestamp);
  const [centre] = await _runAudio(new Panorama(), [input]);
  assert.deepEqual(_channels(centre!), [
    [Math.fround(Math.SQRT1_2), Math.fround(-0.5 * Math.SQRT1_2)],
    [Math.fround(Math.SQRT1_2), Math.fround(-0.5 * Math.SQRT1_2)],
  ]);
});

Deno.test("Panorama balances stereo and passes it through unchanged at the centre", async () => {
  const input = _audio([[1, 0.5], [-1, 0.25]]);
  const [left] = await _runAudio(new Panorama({ panorama: -0.5 }), [input]);
  assert.deepEqual(_channels(left!), [[1, 0.5], [-0.5, 0.125]]);
  const [centre] = await _runAudio(new Panorama(), [input]);
  assert.equal(centre, input);
});

Deno.test("Panorama glides to a position changed while running", async () => {
  const ones = (position: number) => _audio([[1, 1, 1, 1], [1, 1, 1, 1]], position);
  const pan = new Panorama();
  const out = await _runAudio(pan, [ones(0), ones(4), ones(8)], (n) => {
    if (n === 1) pan.setParams({ panorama: 1 });
  });
  assert.deepEqual(_channels(out[1]!), [[0.75, 0.5, 0.25, 0], [1, 1, 1, 1]]);
  assert.deepEqual(_channels(out[2]!), [[0, 0, 0, 0], [1, 1, 1, 1]]);
});

Deno.test("Panorama fails on audio that is neither mono nor stereo", async () => {
  await assert.rejects(
    _runAudio(new Panorama(), [_audio([[0], [0], [0]])]),
    (e) => isStreamlibError(e, "SL_ACTOR_FAILED") && isStreamlibError(e.cause, "SL_AUDIO_FORMAT"),
  );
  assert.throws(
    () => new Panorama({ panorama: 1.5 }),
    (e) => isStreamlibError(e, "SL_PARAM_INVALID"),
  );
});
