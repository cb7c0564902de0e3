/**
 * Reading server-sent events: the `data` of each event in a `text/event-stream` body, parsed as
 * JSON. Internal: `ControlClient.follow()` uses it.
 *
 * @module
 */

/** The JSON `data` of each event in `body`, until it ends or `signal` aborts. */
export async function* _sseEvents(
  body: ReadableStream<Uint8Array>,
  signal: AbortSignal,
): AsyncGenerator<unknown> {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  const cancel = (): void => void reader.cancel().catch(() => {});
  signal.addEventListener("abort", cancel, { once: true });
  let pending = "";
  let data: string[] = [];
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      pending += value;
      for (let nl = pending.indexOf("\n"); nl !== -1; nl = pending.indexOf("\n")) {
        const line = pending.slice(0, nl).replace(/\r$/, "");
        pending = pending.slice(nl + 1);
        if (line === "") {
          if (data.length) yield JSON.parse(data.join("\n"));
          data = [];
        } else if (line.startsWith("data:")) {
          data.push(line.slice(line[5] === " " ? 6 : 5));
        }
        // `id:`, `event:` and `: comments` add nothing the JSON does not say.
      }
    }
  } finally {
    signal.removeEventListener("abort", cancel);
    cancel();
  }
}
