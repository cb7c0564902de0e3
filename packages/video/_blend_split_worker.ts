/**
 * The helper thread of {@linkcode _SplitBlender}. Its first message brings the control words and
 * the job area; it then waits (`Atomics.waitAsync`, so that messages still arrive) for the
 * posted job number to change, blends the job's rows with a blender of its own into the scratch
 * buffer the job names, and stores the job's number as done. Buffers come by message, each once, and are
 * forgotten when the compositor's thread lets go of them; a job whose buffers are still on the
 * way runs when they arrive.
 *
 * @module
 */

import { _Blender, type _BlendLayer } from "./_blend.ts";
import {
  _CONTROL,
  _JOB_HEAD,
  _LAYER_FIELDS,
  type _SplitBuffers,
  type _SplitSetup,
} from "./_blend_split_job.ts";

/** This Worker's side of its channel (typed here: the project checks with the window's types). */
const scope = self as unknown as { onmessage: ((event: MessageEvent) => void) | null };

const blender = new _Blender();
const buffers = new Map<number, SharedArrayBuffer>();
let control: Int32Array | undefined;
let job: Float64Array | undefined;
/** The last job number taken. */
let seen = 0;
/** Whether a job waits for a buffer still on its way (then nothing waits on the control word). */
let stalled = false;

scope.onmessage = (event: MessageEvent): void => {
  if (control === undefined) {
    ({ control, job } = event.data as _SplitSetup);
    Atomics.store(control, _CONTROL.ready, 1);
    listen();
    return;
  }
  const message = event.data as _SplitBuffers;
  for (const [id, buffer] of message.add ?? []) buffers.set(id, buffer);
  for (const id of message.drop ?? []) buffers.delete(id);
  if (stalled && run()) {
    stalled = false;
    listen();
  }
};

/** Waits for the next job, without blocking the thread. */
function listen(): void {
  const waiting = Atomics.waitAsync(control!, _CONTROL.posted, seen);
  if (waiting.async) waiting.value.then(wake);
  else queueMicrotask(wake);
}

function wake(): void {
  if (Atomics.load(control!, _CONTROL.closed) === 1) return;
  if (run()) listen();
  else stalled = true;
}

/** Runs the posted job if it is new; `false` when one of its buffers has not arrived yet. */
function run(): boolean {
  const posted = Atomics.load(control!, _CONTROL.posted);
  if (posted === seen) return true;
  const j = job!;
  const layers: _BlendLayer[] = [];
  for (let i = 0, count = j[6]!; i < count; i++) {
    const at = _JOB_HEAD + i * _LAYER_FIELDS;
    const buffer = buffers.get(j[at]!);
    if (buffer === undefined) return false;
    layers.push({
      data: new Uint8Array(buffer, j[at + 1]!, j[at + 2]!),
      offset: j[at + 3]!,
      stride: j[at + 4]!,
      width: j[at + 5]!,
      height: j[at + 6]!,
      x: j[at + 7]!,
      y: j[at + 8]!,
      opacity: j[at + 9]!,
      swap: j[at + 10] === 1,
    });
  }
  const scratch = buffers.get(j[7]!);
  if (scratch === undefined) return false;
  seen = posted;
  const width = j[0]!;
  const height = j[1]!;
  let failed = 0;
  try {
    blender.blend(
      new Uint8Array(scratch, 0, width * height * 4),
      width,
      height,
      [j[2]!, j[3]!, j[4]!, j[5]!],
      layers,
    );
  } catch {
    failed = 1; // the caller blends these rows itself
  }
  Atomics.store(control!, _CONTROL.failed, failed);
  Atomics.store(control!, _CONTROL.done, posted);
  Atomics.notify(control!, _CONTROL.done);
  return true;
}
