/**
 * Helpers for the control tests: a node on a manual clock in a fresh private folder. Not
 * published.
 *
 * @module
 */

import { Catalogue, ManualClock, type Pipeline } from "@streamlib/core";
import { serveControl, type ServeControlOptions } from "./serve_control.ts";
import type { ControlServer } from "./serve_control.ts";

/** Core's and the video package's actors. */
export async function videoCatalogue(): Promise<Catalogue> {
  return await Catalogue.withCore().load(import.meta.resolve("@streamlib/video/manifest.json"));
}

/** A node under test: its pipeline, clock, server and folder. */
export interface TestNode extends AsyncDisposable {
  readonly pipeline: Pipeline;
  readonly clock: ManualClock;
  readonly server: ControlServer;
  readonly dir: string;
}

/**
 * Builds `text` live on a manual clock, starts it, and serves it in a new folder (mode 0700,
 * inside a temporary folder); disposing stops all and removes the folder.
 */
export async function testNode(
  text: string,
  options: ServeControlOptions = {},
): Promise<TestNode> {
  const root = await Deno.makeTempDir({ prefix: "streamlib-control-test-" });
  const dir = `${root}/nodes`;
  const clock = new ManualClock();
  const catalogue = await videoCatalogue();
  const pipeline = await catalogue.build(text, { clock });
  await pipeline.start();
  const server = await serveControl(pipeline, {
    dir,
    catalogue,
    exitOnSignal: false,
    ...options,
  });
  return {
    pipeline,
    clock,
    server,
    dir,
    async [Symbol.asyncDispose](): Promise<void> {
      await pipeline.stop({ mode: "abort" }).catch(() => {});
      await server.close();
      await Deno.remove(root, { recursive: true }).catch(() => {});
    },
  };
}

/** Moves `clock` on in steps, letting the event loop turn between them (HTTP needs it). */
export async function advance(clock: ManualClock, us: number, steps = 10): Promise<void> {
  for (let i = 0; i < steps; i++) {
    await clock.advance(us / steps);
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
}
