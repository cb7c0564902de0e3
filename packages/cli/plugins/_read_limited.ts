/**
 * Reading a stream whole, but no more than a limit: what a tarball's download and its
 * decompression share. Internal to the plugin code.
 *
 * @module
 */

/**
 * The bytes of `stream` in one array; throws what `tooLarge()` gives as soon as more than
 * `maxBytes` have come (the stream is cancelled then), and what the stream throws.
 *
 * @param stream The stream.
 * @param maxBytes The most to read.
 * @param tooLarge The error for a stream longer than that.
 * @returns The bytes.
 */
export async function _readLimited(
  stream: ReadableStream<Uint8Array>,
  maxBytes: number,
  tooLarge: () => Error,
): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  // Leaving the loop (a throw) cancels the stream.
  for await (const chunk of stream) {
    total += chunk.length;
    if (total > maxBytes) throw tooLarge();
    chunks.push(chunk);
  }
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.length;
  }
  return bytes;
}
