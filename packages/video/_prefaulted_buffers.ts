import { receiveMessageOnPort } from "node:worker_threads";

/** Node's name for a web `MessagePort`, which is what it reads. */
type _NodePort = Parameters<typeof receiveMessageOnPort>[0];

/** What {@linkcode _PrefaultedBuffers} takes; every field is optional. */
export interface _PrefaultedBuffersOptions {
  /** Buffers to keep ready (default 2). */
  readonly keep?: number;
  /** Smaller buffers are allocated directly, without the worker (default 1 MiB). */
  readonly minBytes?: number;
}

/**
 * The worker: allocates `count` buffers of `size` bytes, writes one byte in every 4 KiB page so
 * that the system maps them (the pages stay zero) and transfers them to the port it was sent
 * first. A buffer mapped there costs the taker no page faults when it writes the whole of it.
 */
const _WORKER_SOURCE = `
let port;
self.onmessage = (event) => {
  if (port === undefined) {
    port = event.data;
    return;
  }
  const { size, count } = event.data;
  for (let i = 0; i < count; i++) {
    const buffer = new ArrayBuffer(size);
    const bytes = new Uint8Array(buffer);
    for (let at = 0; at < size; at += 4096) bytes[at] = 0;
    port.postMessage(buffer, [buffer]);
  }
};
`;

/**
 * Fresh, zero-filled ArrayBuffers whose pages are already mapped: a worker thread allocates a
 * few ahead and writes a byte in each page, so that the thread that takes one does not stop on
 * a page fault every 4 KiB as it first writes it (about 2 ms for 8 MB). Each buffer is handed
 * out once and never reused, so takers may keep them.
 *
 * {@linkcode _PrefaultedBuffers.take} never waits: it returns a ready buffer of the size asked
 * for (received synchronously from the worker's port) or else allocates one, and asks the
 * worker for more. A new size drops the buffers of the old one. The worker is started on the
 * first take of at least `minBytes` and keeps the process alive until
 * {@linkcode _PrefaultedBuffers.close}. Where there is no `Worker`, every take allocates.
 */
export class _PrefaultedBuffers {
  readonly #keep: number;
  readonly #minBytes: number;
  #size = 0;
  #ready: ArrayBuffer[] = [];
  /** Buffers asked of the worker and not yet received, of any size. */
  #pending = 0;
  #worker: Worker | undefined;
  #port: MessagePort | undefined;
  #closed = false;

  /**
   * Creates the pool; the worker starts on the first large take.
   *
   * @param options How many to keep ready and from what size.
   */
  constructor(options: _PrefaultedBuffersOptions = {}) {
    this.#keep = options.keep ?? 2;
    this.#minBytes = options.minBytes ?? 1 << 20;
  }

  /** Whether a worker is running (started and not closed). */
  get running(): boolean {
    return this.#worker !== undefined;
  }

  /**
   * A fresh zero-filled buffer of `size` bytes: a prefaulted one when ready, else a new one.
   *
   * @param size The byte length.
   * @returns The buffer, the caller's to keep.
   */
  take(size: number): ArrayBuffer {
    if (size < this.#minBytes || this.#closed || typeof Worker !== "function") {
      return new ArrayBuffer(size);
    }
    if (size !== this.#size) {
      this.#size = size;
      this.#ready = [];
    }
    const port = this.#port ?? this.#open();
    for (
      let message;
      (message = receiveMessageOnPort(port as unknown as _NodePort)) !== undefined;
    ) {
      this.#pending--;
      const buffer = message.message as ArrayBuffer;
      if (buffer.byteLength === size) this.#ready.push(buffer);
    }
    const buffer = this.#ready.shift() ?? new ArrayBuffer(size);
    const more = this.#keep - this.#ready.length - this.#pending;
    if (more > 0) {
      this.#pending += more;
      this.#worker!.postMessage({ size, count: more });
    }
    return buffer;
  }

  /** Stops the worker and drops the ready buffers; later takes allocate. */
  close(): void {
    this.#closed = true;
    this.#worker?.terminate();
    this.#port?.close();
    this.#worker = undefined;
    this.#port = undefined;
    this.#ready = [];
    this.#pending = 0;
  }

  #open(): MessagePort {
    const url = URL.createObjectURL(new Blob([_WORKER_SOURCE], { type: "text/javascript" }));
    try {
      this.#worker = new Worker(url, { type: "module" });
    } finally {
      URL.revokeObjectURL(url);
    }
    this.#worker.onerror = (event): void => {
      // Without its worker the pool still works: every take allocates.
      event.preventDefault();
      this.close();
    };
    const { port1, port2 } = new MessageChannel();
    this.#worker.postMessage(port2, [port2]);
    return this.#port = port1;
  }
}
