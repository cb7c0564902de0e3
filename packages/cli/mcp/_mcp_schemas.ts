/**
 * The MCP tools' input and output schemas, in zod as the MCP SDK expects them. Objects that
 * mirror streamlib's own JSON types (the live graph, stats, events) name their main fields and
 * let the rest through, so that a field added to those types does not break the tools.
 * Internal: `_mcp_tools.ts` registers the tools with them.
 *
 * @module
 */

import { z } from "zod";

/** A node: its name as `list_nodes` gives it, a socket path, or an `http://` URL. */
export const _NODE = z.string().min(1).describe(
  "the node: its name as list_nodes gives it (a socket path or an http:// URL also work)",
);

/** A parameter value as pipeline text takes it: a quantity as text (`"10s"`), or JSON. */
export const _VALUE = z.union([
  z.string(),
  z.number(),
  z.boolean(),
  z.null(),
  z.array(z.unknown()),
  z.record(z.string(), z.unknown()),
]).describe('a value: "10s" or "48kHz" for a quantity, a number, text, true/false, JSON');

/** One actor type, as `list_types` gives it. */
export const _LISTED_TYPE = z.object({
  type: z.string(),
  package: z.string(),
  version: z.string(),
  classification: z.string(),
  description: z.string(),
});

/** A port of a manifest entry. */
const _PORT = z.looseObject({
  kind: z.string().optional(),
  formats: z.array(z.string()).optional(),
  presence: z.string().optional(),
  params: z.record(z.string(), z.unknown()).optional(),
});

/** A manifest entry with where it comes from, as `describe_type` gives it. */
export const _TYPE = z.looseObject({
  type: z.string(),
  description: z.string(),
  classification: z.string(),
  package: z.string(),
  version: z.string(),
  inputs: z.record(z.string(), _PORT).optional(),
  outputs: z.record(z.string(), _PORT).optional(),
  params: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
  permissions: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
  manifestUrl: z.string(),
  moduleUrl: z.string(),
});

/** A link, ports chosen. */
export const _CONNECTION = z.looseObject({
  from: z.string(),
  to: z.string(),
  kind: z.string(),
  policy: z.string(),
  formats: z.union([z.array(z.string()), z.literal("any")]),
});

/** An actor's name and type. */
export const _ACTOR_REF = z.object({ name: z.string(), type: z.string() });

/** A `StreamlibError` as the tools report it. */
export const _ERROR = z.object({
  code: z.string().describe("the stable SL_ code"),
  message: z.string(),
  details: z.record(z.string(), z.unknown()),
});

/** The live graph (`ControlGraph`). */
export const _GRAPH = z.looseObject({
  mode: z.enum(["live", "offline"]),
  state: z.string(),
  runningTime: z.number().describe("µs"),
  actors: z.array(z.looseObject({
    name: z.string(),
    type: z.string(),
    address: z.string(),
    state: z.string(),
    params: z.record(z.string(), z.unknown()),
    inputs: z.array(z.looseObject({ name: z.string(), kind: z.string(), policy: z.string() })),
    outputs: z.array(z.looseObject({ name: z.string(), kind: z.string() })),
    templates: z.array(z.looseObject({ name: z.string() })),
  })),
  links: z.array(z.looseObject({
    from: z.string(),
    to: z.string(),
    kind: z.string(),
    policy: z.string(),
    depth: z.number(),
    capacity: z.number(),
    dropped: z.number(),
  })),
});

/** The pipeline's stats (`PipelineStats`). */
export const _STATS = z.looseObject({
  state: z.string(),
  mode: z.enum(["live", "offline"]),
  runningTime: z.number().describe("µs"),
  actors: z.array(z.looseObject({
    name: z.string(),
    type: z.string(),
    address: z.string(),
    state: z.string(),
    processed: z.number(),
    dropped: z.number(),
    errors: z.number(),
    restarts: z.number(),
    inputs: z.record(z.string(), z.looseObject({ policy: z.string(), dropped: z.number() })),
    outputs: z.record(z.string(), z.looseObject({ written: z.number() })),
  })),
});

/** One event a node keeps (`ControlEvent`). */
export const _EVENT = z.looseObject({
  seq: z.number(),
  time: z.number().describe("ms since 1970"),
  runningTime: z.number().describe("µs"),
  type: z.enum(["error", "restart", "eos", "state", "log", "control"]),
  actor: z.string().optional(),
});

/** One message a tap sampled, without its picture (that is the image content). */
export const _TAPPED = z.looseObject({
  kind: z.enum(["video", "audio", "data", "event"]),
  timestamp: z.number().describe("µs of running time"),
  duration: z.number(),
  position: z.number(),
  image: z.number().optional().describe("for video: the index of its image in the content"),
});

/** A node as `list_nodes` gives it. */
export const _NODE_ROW = z.object({
  name: z.string(),
  pid: z.number(),
  startedAt: z.number().describe("ms since 1970"),
  summary: z.string(),
  actors: z.number(),
  state: z.string().describe("the pipeline's state, or `not answering`"),
  socket: z.string().optional(),
  tcp: z.string().optional(),
  startedHere: z.boolean().describe("started by this MCP server (stopped when it exits)"),
});

/** A node this server started that has ended, as `list_nodes` gives it. */
export const _ENDED_ROW = z.object({
  name: z.string(),
  pid: z.number(),
  endedAt: z.number().describe("ms since 1970"),
  how: z.string().describe("end-of-stream, aborted, or failed: with its error codes and message"),
  failed: z.boolean(),
});
