import { StreamlibError } from "../errors.ts";

/**
 * The parts of an `actor://host/Type/id` address.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { ActorAddress } from "@streamlib/core";
 * const a: ActorAddress = { host: "local", type: "blur", id: "blur0" };
 * assert.ok(a.host === "local");
 * ```
 */
export interface ActorAddress {
  /** `local` for this process; otherwise a host name or `host:port`, resolved by the net package. */
  readonly host: string;
  /** The actor's contract type, e.g. `"blur"`. */
  readonly type: string;
  /** The actor's id (its name in its pipeline). */
  readonly id: string;
}

const SEGMENT = /^[A-Za-z0-9_.~-]+$/;

/**
 * Parses an `actor://host/Type/id` address; throws `SL_ADDRESS_INVALID` saying what is wrong.
 * The host keeps its port (`cam.lan:7000`) and IPv6 brackets (`[::1]:7000`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseActorAddress } from "@streamlib/core";
 * const a = parseActorAddress("actor://192.168.1.20:7000/testsrc/cam");
 * assert.ok(a.host === "192.168.1.20:7000" && a.type === "testsrc" && a.id === "cam");
 * ```
 *
 * @param address The address text.
 * @returns Its host, type and id.
 */
export function parseActorAddress(address: string): ActorAddress {
  const fail = (why: string): never => {
    throw new StreamlibError(
      "SL_ADDRESS_INVALID",
      `Invalid actor address ${JSON.stringify(address)}: ${why}; expected actor://host/Type/id`,
      { details: { address } },
    );
  };
  if (typeof address !== "string" || !address.startsWith("actor://")) {
    fail('it must start with "actor://"');
  }
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    return fail("it is not a URL");
  }
  if (url.username || url.password || url.search || url.hash) {
    fail("it must not have a user, query or fragment");
  }
  if (!url.host) fail("the host is missing");
  const path = url.pathname.split("/").slice(1);
  if (path.length !== 2) fail(`the path must be /Type/id, got "${url.pathname}"`);
  const [type, id] = path as [string, string];
  if (!SEGMENT.test(type)) {
    fail(`the type "${type}" is empty or has characters outside [A-Za-z0-9_.~-]`);
  }
  if (!SEGMENT.test(id)) fail(`the id "${id}" is empty or has characters outside [A-Za-z0-9_.~-]`);
  return { host: url.host, type, id };
}

/**
 * Formats an address from its parts, checking them as {@linkcode parseActorAddress} does.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatActorAddress } from "@streamlib/core";
 * assert.ok(formatActorAddress({ host: "local", type: "blur", id: "b0" }) ===
 *   "actor://local/blur/b0");
 * ```
 *
 * @param address Host, type and id.
 * @returns The `actor://` address.
 */
export function formatActorAddress(address: ActorAddress): string {
  const text = `actor://${address.host}/${address.type}/${address.id}`;
  parseActorAddress(text);
  return text;
}

/**
 * Maps `actor://` addresses to actors (or to anything: remote proxies, say). Pipelines register
 * every actor they hold; several pipelines may share one registry.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Registry } from "@streamlib/core";
 * const registry = new Registry<string>();
 * registry.register("actor://local/blur/b0", "the blur");
 * assert.ok(registry.lookup("actor://local/blur/b0") === "the blur");
 * assert.ok(registry.list({ type: "blur" }).length === 1);
 * ```
 *
 * @typeParam T What is registered.
 */
export class Registry<T = unknown> {
  #entries = new Map<string, { address: ActorAddress; value: T }>();

  /**
   * Registers `value` under `address`; throws `SL_NAME_TAKEN` when the address is in use.
   *
   * @param address An `actor://` address.
   * @param value What it resolves to.
   */
  register(address: string, value: T): void {
    const parsed = parseActorAddress(address);
    const key = _key(parsed);
    if (this.#entries.has(key)) {
      throw new StreamlibError("SL_NAME_TAKEN", `Address "${key}" is already registered`, {
        details: { address: key },
      });
    }
    this.#entries.set(key, { address: parsed, value });
  }

  /**
   * Removes an address.
   *
   * @param address The address.
   * @returns `true` when it was registered.
   */
  unregister(address: string): boolean {
    return this.#entries.delete(_key(parseActorAddress(address)));
  }

  /**
   * Finds what an address resolves to.
   *
   * @param address The address.
   * @returns The registered value, or `undefined`.
   */
  lookup(address: string): T | undefined {
    return this.#entries.get(_key(parseActorAddress(address)))?.value;
  }

  /**
   * Whether an address is registered.
   *
   * @param address The address.
   * @returns `true` when registered.
   */
  has(address: string): boolean {
    return this.#entries.has(_key(parseActorAddress(address)));
  }

  /**
   * Lists registered addresses, optionally only one host or type.
   *
   * @param filter Host and/or type to keep.
   * @returns The addresses, in registration order.
   */
  list(filter: { host?: string; type?: string } = {}): string[] {
    const out: string[] = [];
    for (const [key, { address }] of this.#entries) {
      if (filter.host !== undefined && address.host.toLowerCase() !== filter.host.toLowerCase()) {
        continue;
      }
      if (filter.type !== undefined && address.type !== filter.type) continue;
      out.push(key);
    }
    return out;
  }
}

function _key(a: ActorAddress): string {
  return `actor://${a.host.toLowerCase()}/${a.type}/${a.id}`;
}
