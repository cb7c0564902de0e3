import assert from "node:assert/strict";
import { isStreamlibError } from "@streamlib/core";
import { _audio, _channels, _runAudio } from "./_channels_testing.ts";
import { Volume } from "./volume.ts";

Deno.test("Volume multiplies every sample of every channel by the gain and keeps the timing", async () => {
  const input = _audio([[0.5, -1, 0.25], [1, 0, -0.75]], 4800);
  const [out] = await _runAudio(new Volume({ volume: 0.5 }), [input]);
  assert.deepEqual(_channels(out!), [[0.25, -0.5, 0.125], [0.5, 0, -0.375]]);
  assert.equal(out!.position, 4800);
  assert.equal(out!.timestamp, 100_000);
  assert.equal(out!.duration, input.duration);
  assert.equal(out!.clockId, "test");
  assert.deepEqual(_channels(input), [[0.5, -1, 0.25], [1, 0, -0.75]]);
});

Deno.test("Volume does not clip: a gain above 1 can take samples past full scale", async () => {
  const [out] = await _runAudio(new Volume({ volume: 2 }), [_audio([[0.75, -0.75]])]);
  assert.deepEqual(_channels(out!), [[1.5, -1.5]]);
});

Deno.test("Volume passes the same buffers through at gain 1", async () => {
  const input = [_audio([[0.1, 0.2]]), _audio([[0.3, 0.4]], 2)];
  const out = await _runAudio(new Volume(), input);
  assert.equal(out[0], input[0]);
  assert.equal(out[1], input[1]);
});

Deno.test("Volume with mute set writes silence", async () => {
  const [out] = await _runAudio(new Volume({ volume: 3, mute: true }), [_audio([[0.5, -1]])]);
  assert.deepEqual(_channels(out!), [[0, 0]]);
});

Deno.test("Volume glides to a gain changed while running over one buffer, without a jump", async () => {
  const ones = (position: number) => _audio([[1, 1, 1, 1], [-1, -1, -1, -1]], position);
  const volume = new Volume();
  const out = await _runAudio(volume, [ones(0), ones(4), ones(8), ones(12)], (n) => {
    if (n === 1) volume.setParams({ volume: 0.5 });
    if (n === 3) volume.setParams({ mute: true });
  });
  assert.deepEqual(out.map((b) => _channels(b)[0]), [
    [1, 1, 1, 1],
    [0.875, 0.75, 0.625, 0.5],
    [0.5, 0.5, 0.5, 0.5],
    [0.375, 0.25, 0.125, 0],
  ]);
  assert.deepEqual(_channels(out[1]!)[1], [-0.875, -0.75, -0.625, -0.5]);
  assert.deepEqual(out.map((b) => b.position), [0, 4, 8, 12]);
});

Deno.test("Volume refuses a gain outside 0 to 10", () => {
  assert.throws(() => new Volume({ volume: 11 }), (e) => isStreamlibError(e, "SL_PARAM_INVALID"));
  assert.throws(
    () => new Volume().setParams({ volume: -1 }),
    (e) => isStreamlibError(e, "SL_PARAM_INVALID"),
  );
});
