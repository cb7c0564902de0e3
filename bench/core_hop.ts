/**
 * Per-hop cost of a chain of 5 pass-through actors for small messages, side by side in the same
 * run with the equivalent chain of Web Streams `TransformStream`s.
 *
 *   streamlib:   source → identity ×5 → null sink           (offline pipeline)
 *   web-streams: ReadableStream → TransformStream ×5 → WritableStream
 *
 * Both move the same N small messages through 6 links; ns/hop = wall time / (N × 6). Rounds
 * alternate between the two and the median round of each is reported, so a noisy machine
 * affects both alike. Ends with one summary line.
 *
 * Run: deno task bench
 *
 * @module
 */

import { createDataMessage } from "@streamlib/core";
import { hopChain, HOPS, median, runChain } from "./_hop_chain.ts";
import { benchDeadline } from "./_deadline.ts";

benchDeadline("bench");

const N = Number(Deno.args[0] ?? 200_000);
const ROUNDS = Number(Deno.args[1] ?? 7);
const message = createDataMessage(1);

function streamlibRound(): Promise<number> {
  return runChain(hopChain(N), N);
}

async function webStreamsRound(): Promise<number> {
  let sent = 0;
  let received = 0;
  let stream: ReadableStream<unknown> = new ReadableStream({
    pull(controller): void {
      controller.enqueue(message);
      if (++sent === N) controller.close();
    },
  });
  for (let i = 0; i < 5; i++) {
    stream = stream.pipeThrough(
      new TransformStream({
        transform(chunk, controller): void {
          controller.enqueue(chunk);
        },
      }),
    );
  }
  const t0 = performance.now();
  await stream.pipeTo(
    new WritableStream({
      write(): void {
        received++;
      },
    }),
  );
  const ms = performance.now() - t0;
  if (received !== N) throw new Error(`web streams delivered ${received} of ${N}`);
  return ms * 1e6 / (N * HOPS);
}

// Warm both paths up before measuring.
await streamlibRound();
await webStreamsRound();

const ours: number[] = [];
const theirs: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  ours.push(await streamlibRound());
  theirs.push(await webStreamsRound());
}
const a = median(ours);
const b = median(theirs);
const lines = [
  `messages per round: ${N}, rounds: ${ROUNDS}, hops per message: ${HOPS}`,
  `streamlib rounds (ns/hop):   ${ours.map((v) => v.toFixed(0)).join(" ")}`,
  `web-streams rounds (ns/hop): ${theirs.map((v) => v.toFixed(0)).join(" ")}`,
  `core-hop: streamlib ${a.toFixed(0)} ns/hop, web-streams ${b.toFixed(0)} ns/hop, ratio ${
    (b / a).toFixed(1)
  }x`,
];
await Deno.stdout.write(new TextEncoder().encode(lines.join("\n") + "\n"));
