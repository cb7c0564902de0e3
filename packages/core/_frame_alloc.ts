/**
 * Where {@linkcode createVideoFrame} gets fresh pixel memory: ordinary memory, except in an
 * actor Worker, whose runtime points large frames at its shared pools so that they leave the
 * thread without a copy.
 *
 * @module
 */

let _allocator: ((byteLength: number) => Uint8Array | undefined) | undefined;

/**
 * Sets this thread's allocator; it may decline (`undefined`) to get ordinary memory.
 *
 * @param allocator The allocator.
 */
export function _setFrameAllocator(
  allocator: ((byteLength: number) => Uint8Array | undefined) | undefined,
): void {
  _allocator = allocator;
}

/**
 * A zeroed buffer for a new frame.
 *
 * @param byteLength Its size.
 * @returns The buffer.
 */
export function _allocateFrame(byteLength: number): Uint8Array {
  return _allocator?.(byteLength) ?? new Uint8Array(byteLength);
}
