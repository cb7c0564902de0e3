/**
 * `@streamlib/net/link`: streams across machines. The wire format every remote link speaks
 * (versioned, length-prefixed binary frames with checksums, decoded strictly).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeWire, encodeWire } from "@streamlib/net/link";
 * const [head, payload] = encodeWire({ type: "ping", t1: 5 });
 * assert.deepEqual(decodeWire(new Uint8Array([...head, ...payload])), { type: "ping", t1: 5 });
 * ```
 *
 * @module
 */

export * from "./wire_format.ts";
export * from "./wire_decoder.ts";
export * from "./clock_sync.ts";
export * from "./net_clock.ts";
export * from "./net_sink.ts";
export * from "./net_src.ts";
export * from "./net_node.ts";
export * from "./list_net_nodes.ts";
