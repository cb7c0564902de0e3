/**
 * Pools of the textures and storage buffers that GPU frames live in, one set per device: a frame
 * takes one, and it comes back when nothing holds the frame any more (a `FinalizationRegistry`
 * on the frame's memory handle, which copies of the frame share). When a size runs short while
 * most of its resources were made since the last look, a collection is asked for (`_gc.ts`), so
 * a steady pipeline settles at about twice what it really holds. Internal.
 *
 * @module
 */

import { _collect, _loadGc } from "./_gc.ts";

type _Resource = GPUTexture | GPUBuffer;

/** Every usage a frame texture needs: kernels read and write it, transfers copy it. */
const _TEXTURE_USAGE = 0x04 /* TEXTURE_BINDING */ | 0x08 /* STORAGE_BINDING */ |
  0x01 /* COPY_SRC */ | 0x02 /* COPY_DST */;
/** Every usage a frame buffer needs. */
const _BUFFER_USAGE = 0x80 /* STORAGE */ | 0x04 /* COPY_SRC */ | 0x08 /* COPY_DST */;

/** Takes between sweeps of sizes no longer used. */
const _SWEEP_EVERY = 256;

interface _Size {
  readonly free: _Resource[];
  /** Resources of this size alive: free or held by frames. */
  made: number;
  /** Made since the last collection was asked for. */
  since: number;
  /** The take count when this size was last taken. */
  used: number;
}

/** @internal */
export class _Pools {
  readonly #device: GPUDevice;
  readonly #sizes = new Map<string, _Size>();
  readonly #registry = new FinalizationRegistry<{ key: string; resource: _Resource }>(
    (held) => this.#release(held.key, held.resource),
  );
  #takes = 0;
  #closed = false;

  constructor(device: GPUDevice) {
    this.#device = device;
    void _loadGc();
  }

  /** An `rgba8uint` texture of `width` × `height`, back in the pool when `holder` is collected. */
  texture(width: number, height: number, holder: object): GPUTexture {
    return this.#take(`t${width}x${height}`, holder, () =>
      this.#device.createTexture({
        label: `frame ${width}x${height}`,
        size: [width, height],
        format: "rgba8uint",
        usage: _TEXTURE_USAGE,
      })) as GPUTexture;
  }

  /** A storage buffer of `size` bytes (a multiple of 4), back when `holder` is collected. */
  buffer(size: number, holder: object): GPUBuffer {
    return this.#take(
      `b${size}`,
      holder,
      () => this.#device.createBuffer({ label: `frame ${size} B`, size, usage: _BUFFER_USAGE }),
    ) as GPUBuffer;
  }

  /** Resources alive and free, for tests and stats. */
  count(): { made: number; free: number } {
    let made = 0;
    let free = 0;
    for (const size of this.#sizes.values()) {
      made += size.made;
      free += size.free.length;
    }
    return { made, free };
  }

  /** The device is gone: free resources are destroyed, and so is each one released later. */
  close(): void {
    this.#closed = true;
    for (const size of this.#sizes.values()) {
      for (const resource of size.free.splice(0)) resource.destroy();
    }
  }

  #take(key: string, holder: object, make: () => _Resource): _Resource {
    if (++this.#takes % _SWEEP_EVERY === 0) this.#sweep();
    let size = this.#sizes.get(key);
    if (size === undefined) {
      size = { free: [], made: 0, since: 0, used: 0 };
      this.#sizes.set(key, size);
    }
    size.used = this.#takes;
    let resource = size.free.pop();
    if (resource === undefined) {
      // All in use. When most were made since the last collection, frames that nobody holds
      // are probably among them: ask for one (this take still makes a new resource).
      if (size.made >= 4 && size.since * 2 >= size.made && _collect()) {
        for (const s of this.#sizes.values()) s.since = 0;
      }
      resource = make();
      size.made++;
      size.since++;
    }
    this.#registry.register(holder, { key, resource });
    return resource;
  }

  #release(key: string, resource: _Resource): void {
    const size = this.#sizes.get(key);
    if (this.#closed || size === undefined) {
      resource.destroy();
      return;
    }
    size.free.push(resource);
  }

  /** Destroys the free resources of sizes not taken since the last sweep. */
  #sweep(): void {
    for (const [key, size] of this.#sizes) {
      if (this.#takes - size.used < _SWEEP_EVERY) continue;
      const idle = size.free.splice(0);
      for (const resource of idle) resource.destroy();
      size.made -= idle.length;
      // Ones still held come back to the free list later, and go with a later sweep.
      if (size.made === 0) this.#sizes.delete(key);
    }
  }
}
