/**
 * The helper thread of {@linkcode _SplitBlender}: blends the rows it is sent with a blender of
 * its own, straight into the shared output, then says so through the shared control words
 * (`[0]` the job's number once done, `[1]` 0, or 1 when it failed).
 *
 * @module
 */

import { _Blender, type _BlendLayer } from "./_blend.ts";

/** This Worker's side of its channel (typed here: the project checks with the window's types). */
const scope = self as unknown as {
  onmessage: ((event: MessageEvent) => void) | null;
  postMessage(message: unknown): void;
};

/** One job: the rows of an output to blend, with everything `_Blender.blend` takes. */
export interface _SplitJob {
  readonly seq: number;
  readonly control: Int32Array;
  readonly out: Uint8Array;
  readonly width: number;
  readonly height: number;
  readonly background: readonly [number, number, number, number];
  readonly layers: readonly _BlendLayer[];
}

const blender = new _Blender();

scope.onmessage = (event: MessageEvent): void => {
  const job = event.data as _SplitJob;
  let failed = 0;
  try {
    blender.blend(job.out, job.width, job.height, job.background, job.layers);
  } catch {
    failed = 1; // the caller blends these rows itself
  }
  Atomics.store(job.control, 1, failed);
  Atomics.store(job.control, 0, job.seq);
  Atomics.notify(job.control, 0);
};
scope.postMessage("ready");
