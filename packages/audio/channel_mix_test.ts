import assert from "node:assert/strict";
import { isStreamlibError } from "@streamlib/core";
import { _audio, _channels, _runAudio } from "./_channels_testing.ts";
import { ChannelMix, channelMixMatrix } from "./channel_mix.ts";

const g = Math.SQRT1_2;
const n = 1 / (1 + 2 * g); // 0.41421356…

Deno.test("channelMixMatrix() duplicates mono and averages stereo", () => {
  assert.deepEqual(channelMixMatrix(1, 2), [[1], [1]]);
  assert.deepEqual(channelMixMatrix(2, 1), [[0.5, 0.5]]);
  assert.deepEqual(channelMixMatrix(2, 2), [[1, 0], [0, 1]]);
});

Deno.test("channelMixMatrix() downmixes 5.1 with the ITU-R BS.775 gains, normalised, no LFE", () => {
  // L R C LFE Ls Rs
  assert.deepEqual(channelMixMatrix(6, 2), [
    [n, 0, n * g, 0, n * g, 0],
    [0, n, n * g, 0, 0, n * g],
  ]);
  assert.ok(Math.abs(n - 0.41421356237) < 1e-10);
  assert.ok(Math.abs(n * g - 0.29289321881) < 1e-10);
  const [mono] = channelMixMatrix(6, 1);
  const expected = [n / 2, n / 2, n * g, 0, (n * g) / 2, (n * g) / 2];
  mono!.forEach((gain, i) => assert.ok(Math.abs(gain - expected[i]!) < 1e-16, `channel ${i}`));
  // Full scale on every channel stays within full scale.
  for (const row of [...channelMixMatrix(6, 2), ...channelMixMatrix(6, 1)]) {
    assert.ok(Math.abs(row.reduce((a, b) => a + b) - 1) < 1e-15);
  }
});

Deno.test("channelMixMatrix() puts stereo on the front pair and mono in the centre of 5.1", () => {
  assert.deepEqual(channelMixMatrix(2, 6), [[1, 0], [0, 1], [0, 0], [0, 0], [0, 0], [0, 0]]);
  assert.deepEqual(channelMixMatrix(1, 6), [[0], [0], [1], [0], [0], [0]]);
});

Deno.test("ChannelMix downmixes 5.1 buffers to stereo sample by sample", async () => {
  // One channel at a time, then all at once.
  const input = _audio([
    [1, 0, 0, 0, 0, 0, 1],
    [0, 1, 0, 0, 0, 0, 1],
    [0, 0, 1, 0, 0, 0, 1],
    [0, 0, 0, 1, 0, 0, 1],
    [0, 0, 0, 0, 1, 0, 1],
    [0, 0, 0, 0, 0, 1, 1],
  ], 480);
  const [out] = await _runAudio(new ChannelMix({ channels: 2 }), [input]);
  const f = Math.fround;
  assert.deepEqual(_channels(out!), [
    [f(n), 0, f(n * g), 0, f(n * g), 0, 1],
    [0, f(n), f(n * g), 0, 0, f(n * g), 1],
  ]);
  assert.equal(out!.position, 480);
  assert.equal(out!.timestamp, 10_000);
  assert.equal(out!.clockId, "test");
});

Deno.test("ChannelMix converts between mono, stereo and 5.1", async () => {
  const run = async (channels: number, input: number[][]) =>
    _channels((await _runAudio(new ChannelMix({ channels }), [_audio(input)]))[0]!);
  assert.deepEqual(await run(2, [[0.5, -1]]), [[0.5, -1], [0.5, -1]]);
  assert.deepEqual(await run(1, [[0.5, -1], [0.25, 1]]), [[0.375, 0]]);
  assert.deepEqual(await run(6, [[0.5], [0.25]]), [[0.5], [0.25], [0], [0], [0], [0]]);
  assert.deepEqual(await run(6, [[0.5]]), [[0], [0], [0.5], [0], [0], [0]]);
  const [mono] = await run(1, [[1], [1], [1], [1], [1], [1]]);
  assert.equal(mono![0], 1);
});

Deno.test("ChannelMix passes buffers that already have the channels through", async () => {
  const input = _audio([[0.1], [0.2]]);
  const [out] = await _runAudio(new ChannelMix({ channels: 2 }), [input]);
  assert.equal(out, input);
});

Deno.test("ChannelMix refuses layouts other than mono, stereo and 5.1", async () => {
  for (const channels of [3, 4, 5]) {
    assert.throws(
      () => new ChannelMix({ channels }),
      (e) => isStreamlibError(e, "SL_PARAM_INVALID"),
    );
  }
  const mix = new ChannelMix();
  assert.throws(
    () => mix.setParams({ channels: 4 }),
    (e) => isStreamlibError(e, "SL_PARAM_INVALID"),
  );
  assert.equal(mix.params.channels, 2);
  await assert.rejects(
    _runAudio(new ChannelMix(), [_audio([[0], [0], [0], [0]])]),
    (e) => isStreamlibError(e, "SL_ACTOR_FAILED") && isStreamlibError(e.cause, "SL_AUDIO_FORMAT"),
  );
});
