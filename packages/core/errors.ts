/**
 * The stable, machine-readable error codes that `@streamlib/core` throws.
 *
 * Other streamlib packages add their own codes (for example `SL_FFMPEG_EXITED`); they all use
 * {@linkcode StreamlibError}, so code that handles errors only ever checks `error.code`.
 *
 * @example Checking an error code
 * ```ts
 * import assert from "node:assert/strict";
 * import { type CoreErrorCode, StreamlibError } from "@streamlib/core";
 * const code: CoreErrorCode = "SL_CAPS_MISMATCH";
 * const error = new StreamlibError(code, "no common format");
 * assert.ok(error.code === "SL_CAPS_MISMATCH");
 * ```
 */
export type CoreErrorCode =
  /** Two ports cannot be connected: their formats or capabilities do not intersect. */
  | "SL_CAPS_MISMATCH"
  /** Two ports cannot be connected: one carries video and the other audio, say. */
  | "SL_KIND_MISMATCH"
  /** A port name does not exist on an actor. */
  | "SL_PORT_NOT_FOUND"
  /** An actor name or address is not known to the pipeline or registry. */
  | "SL_ACTOR_NOT_FOUND"
  /** `pipe()` found more than one port pair it could connect. */
  | "SL_PIPE_AMBIGUOUS"
  /** `pipe()` found no port pair it could connect. */
  | "SL_PIPE_NO_MATCH"
  /** The same output is already connected to that input, or the input takes one link only. */
  | "SL_ALREADY_CONNECTED"
  /** A parameter name is not in the actor's contract. */
  | "SL_PARAM_UNKNOWN"
  /** A parameter value has the wrong type or lies outside its range. */
  | "SL_PARAM_INVALID"
  /** A parameter read when the actor starts (`fixed`) was changed while it is in a pipeline. */
  | "SL_PARAM_FIXED"
  /** A contract (ports, parameters) is malformed. */
  | "SL_CONTRACT_INVALID"
  /** A delivery policy is malformed. */
  | "SL_POLICY_INVALID"
  /** `write()` was called while an earlier write on the same output still waits for space. */
  | "SL_WRITE_PENDING"
  /** An actor threw and its supervision policy stopped the pipeline. */
  | "SL_ACTOR_FAILED"
  /** An `actor://` address is malformed. */
  | "SL_ADDRESS_INVALID"
  /** A name or address is already taken. */
  | "SL_NAME_TAKEN"
  /** The operation is not allowed in the current state (e.g. starting a pipeline twice). */
  | "SL_STATE"
  /** A deadline passed before the operation finished. */
  | "SL_DEADLINE"
  /** The operation was aborted. */
  | "SL_ABORTED"
  /** Pipeline text does not parse; the message points at the line and column. */
  | "SL_PIPELINE_SYNTAX"
  /** A pipeline description (JSON form) is malformed. */
  | "SL_PIPELINE_INVALID"
  /** A plugin manifest is malformed. */
  | "SL_MANIFEST_INVALID"
  /** A manifest does not match what its implementation declares. */
  | "SL_MANIFEST_MISMATCH"
  /** No actor type of that name is in the catalogue. */
  | "SL_UNKNOWN_TYPE"
  /** The Worker running an actor died (an uncaught error, or it was ended); names the actor. */
  | "SL_WORKER_DIED"
  /** A Worker cannot load an actor's module, or the module lacks the class's export. */
  | "SL_WORKER_MODULE"
  /**
   * An actor's Worker did not come up (module imported, actor built) in time, or the module
   * starts the same actor in a Worker when imported: it runs code at top level that should sit
   * behind `if (import.meta.main)`. Names the module.
   */
  | "SL_WORKER_START"
  /**
   * A change through the control API (a patch, new parameters) needs a permission the node
   * was not granted: it runs with least privilege. Names the actor and the permission.
   */
  | "SL_PERMISSION_NOT_GRANTED"
  /** No running node has that name (`streamlib nodes` lists them). */
  | "SL_NODE_NOT_FOUND"
  /** A node's control socket or address does not answer: it has ended, or it is elsewhere. */
  | "SL_CONTROL_UNREACHABLE"
  /**
   * The folder of control sockets is not private to its user (another owner, or others may
   * enter it), so nothing is served or trusted there; or which folder to use cannot be told.
   */
  | "SL_CONTROL_FOLDER"
  /**
   * A request to a node's control address lacks its access token, or has a wrong one; or a
   * link's hello lacks the receiving node's link access token, or has another one.
   */
  | "SL_UNAUTHORIZED"
  /**
   * A link end names an actor on another node (`actor://edge/…`) but this process has no way
   * to reach other nodes: no remote resolver is installed (`@streamlib/net`'s link service).
   */
  | "SL_REMOTE_UNRESOLVED"
  /** Bytes on a link are not a wire frame: bad magic, type, lengths or fields. */
  | "SL_WIRE_MALFORMED"
  /** A wire frame has a format version this side does not speak. */
  | "SL_WIRE_VERSION"
  /** A wire frame's header or payload checksum does not match its bytes. */
  | "SL_WIRE_CHECKSUM"
  /** A link's bytes ended in the middle of a wire frame. */
  | "SL_WIRE_TRUNCATED"
  /** A wire frame is larger than the receiver accepts. */
  | "SL_WIRE_TOO_LARGE"
  /** A link asks for a codec this side lacks (no ffmpeg encoder or decoder for it). */
  | "SL_WIRE_CODEC"
  /** The other node refused a link: no such actor or port, ports that do not fit, taken. */
  | "SL_LINK_REFUSED"
  /** The other node cannot be reached: not announced on NATS, no peer address, no answer. */
  | "SL_LINK_UNREACHABLE"
  /** Encoding or decoding a link's payload failed (the codec's process ended, bad data). */
  | "SL_LINK_CODEC"
  /** A NATS server cannot be reached or refused the connection. */
  | "SL_NATS"
  /**
   * Downloaded bytes (a plugin's tarball) do not hash to the integrity the registry or the
   * lockfile gives: nothing was written. Names the package and both hashes.
   */
  | "SL_INTEGRITY"
  /** A package registry or a marketplace cannot be reached, or answered with an error. */
  | "SL_REGISTRY"
  /** No plugin of that name, or no version of it in the range asked for. */
  | "SL_PLUGIN_NOT_FOUND"
  /**
   * The lockfile (`streamlib.lock`) cannot be read, or an install with `--frozen` would change
   * what it records. Names the plugin and the difference.
   */
  | "SL_LOCKFILE"
  /**
   * No WebGPU adapter: the runtime has no WebGPU, or no GPU or driver answers. The message says
   * what to install (Mesa's software Vulkan driver runs everywhere).
   */
  | "SL_GPU_UNAVAILABLE"
  /**
   * The GPU device was lost (destroyed, a driver reset): the actors using it fail; restarting
   * them (supervision's `restart`) gets a new device.
   */
  | "SL_GPU_DEVICE_LOST"
  /** The GPU refused work an actor gave it (a validation error, out of memory). */
  | "SL_GPU_ERROR"
  /** A user's WGSL shader does not compile; the message points at its line and column. */
  | "SL_SHADER_COMPILE"
  /** A user's shader lacks the function the actor calls, or declares it with other types. */
  | "SL_SHADER_ENTRY";

/**
 * The base class of every error streamlib throws: a stable machine-readable `code` and a message
 * for people. Tests assert on codes; users read messages.
 *
 * @example Catching by code
 * ```ts
 * import { StreamlibError } from "@streamlib/core";
 *
 * try {
 *   throw new StreamlibError("SL_PARAM_INVALID", 'Parameter "fps" must be > 0, got -1');
 * } catch (error) {
 *   if (error instanceof StreamlibError && error.code === "SL_PARAM_INVALID") {
 *     console.log(error.message);
 *   }
 * }
 * ```
 */
export class StreamlibError extends Error {
  /** The stable code, e.g. `"SL_CAPS_MISMATCH"`. */
  readonly code: CoreErrorCode | (string & Record<never, never>);
  /** Structured facts about the failure (port names, formats, actor address…), for programs. */
  readonly details: Readonly<Record<string, unknown>>;

  /**
   * Creates an error with a code and a human message.
   *
   * @param code The stable code.
   * @param message What went wrong, with the quoted value and what to do.
   * @param options The underlying `cause` and structured `details`.
   */
  constructor(
    code: CoreErrorCode | (string & Record<never, never>),
    message: string,
    options: { cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "StreamlibError";
    this.code = code;
    this.details = options.details ?? {};
  }
}

/**
 * Tells whether a value is a {@linkcode StreamlibError}, optionally with a given code.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isStreamlibError, StreamlibError } from "@streamlib/core";
 * const error: unknown = new StreamlibError("SL_STATE", "already started");
 * assert.ok(isStreamlibError(error, "SL_STATE"));
 * assert.ok(!isStreamlibError(new Error("x")));
 * ```
 *
 * @param value The value to test.
 * @param code When given, the code the error must have.
 * @returns `true` when `value` is a `StreamlibError` (with that code).
 */
export function isStreamlibError(
  value: unknown,
  code?: CoreErrorCode | (string & Record<never, never>),
): value is StreamlibError {
  return value instanceof StreamlibError && (code === undefined || value.code === code);
}
