/**
 * Runs jobs in the shared-memory test Worker (`testdata/shared_worker.ts`) and waits for each
 * one's answer, terminating the Worker however the test ends.
 *
 * @module
 */

/** A running test Worker; dispose to terminate it. */
export interface TestWorker {
  /** The Worker's answer to the job, or a rejection if it throws or takes over `timeoutMs`. */
  readonly result: Promise<Record<string, unknown>>;
  [Symbol.dispose](): void;
}

/** Starts the test Worker on `job`. */
export function startWorker(job: Record<string, unknown>, timeoutMs = 60_000): TestWorker {
  const worker = new Worker(new URL("../testdata/shared_worker.ts", import.meta.url), {
    type: "module",
  });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const result = new Promise<Record<string, unknown>>((resolve, reject) => {
    worker.onmessage = (e) => resolve(e.data);
    worker.onerror = (e) => {
      e.preventDefault();
      reject(new Error(`worker failed: ${e.message}`));
    };
    timer = setTimeout(
      () => reject(new Error(`worker gave no answer in ${timeoutMs} ms`)),
      timeoutMs,
    );
  }).finally(() => clearTimeout(timer));
  worker.postMessage(job);
  return {
    result,
    [Symbol.dispose]: () => {
      clearTimeout(timer);
      worker.terminate();
    },
  };
}

/** The `code` of what `f` throws, or undefined when it returns. */
export function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
}
