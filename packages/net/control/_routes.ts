/**
 * The control API over HTTP: one hono app with a route per operation of `PipelineControl`,
 * JSON in and out, events also as server-sent events (`follow=1`), and errors as
 * `{ "error": { "code", "message", "details" } }` with an HTTP status that fits the code.
 * Internal: `serveControl` serves it; `ControlClient` speaks it.
 *
 * @module
 */

import { Hono } from "hono";
import type { Context } from "hono";
import {
  type ControlEvent,
  type EventQuery,
  isStreamlibError,
  type PipelineControl,
  StreamlibError,
} from "@streamlib/core";
import type { NodeInfo } from "./control_wire.ts";
import { _encodeTap, _scaledSize } from "./_tap_encode.ts";

/** The routes, for the not-found message and the docs. */
export const _ROUTES: readonly string[] = [
  "GET /v1/info",
  "GET /v1/graph[?format=dot]",
  "GET /v1/stats",
  "GET /v1/events[?type=a,b&actor=name&since=N&limit=N&follow=1]",
  "POST /v1/tap",
  "POST /v1/set",
  "POST /v1/patch",
  "POST /v1/connect",
  "POST /v1/disconnect",
  "POST /v1/remove",
  "POST /v1/stop",
];

/** The HTTP status for an error code. */
export function _statusOf(code: string): 400 | 401 | 403 | 404 | 409 | 500 {
  switch (code) {
    case "SL_UNAUTHORIZED":
      return 401;
    case "SL_PERMISSION_NOT_GRANTED":
      return 403;
    case "SL_ACTOR_NOT_FOUND":
    case "SL_PORT_NOT_FOUND":
    case "SL_USAGE":
      return 404;
    case "SL_STATE":
    case "SL_NAME_TAKEN":
    case "SL_ALREADY_CONNECTED":
      return 409;
    default:
      return /^SL_(PARAM|PIPELINE|PIPE|CAPS|KIND|UNKNOWN_TYPE|POLICY)/.test(code) ? 400 : 500;
  }
}

/** An error as the wire carries it. */
function _errorBody(
  error: unknown,
): { error: { code: string; message: string; details: unknown } } {
  const code = isStreamlibError(error) ? error.code : error instanceof Error ? error.name : "Error";
  let details: unknown = {};
  try {
    details = JSON.parse(JSON.stringify(isStreamlibError(error) ? error.details : {}) ?? "{}");
  } catch {
    // Details JSON cannot carry are left out.
  }
  return {
    error: { code, message: error instanceof Error ? error.message : String(error), details },
  };
}

/** The request's JSON body as an object (`SL_PARAM_INVALID` otherwise). */
async function _body(c: Context): Promise<Record<string, unknown>> {
  let value: unknown;
  try {
    const text = await c.req.text();
    value = text.trim() === "" ? {} : JSON.parse(text);
  } catch (error) {
    throw new StreamlibError(
      "SL_PARAM_INVALID",
      `The request body is not JSON: ${(error as Error).message}`,
    );
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new StreamlibError("SL_PARAM_INVALID", "The request body must be a JSON object");
  }
  return value as Record<string, unknown>;
}

/** A field of the body, checked: `type` names what `typeof` must say. */
function _field<T>(
  body: Record<string, unknown>,
  key: string,
  type: "string" | "number" | "boolean" | "object",
  required = false,
): T | undefined {
  const value = body[key];
  if (value === undefined || value === null) {
    if (!required) return undefined;
    throw new StreamlibError("SL_PARAM_INVALID", `The request needs "${key}" (a ${type})`);
  }
  const ok = type === "object"
    ? typeof value === "object" && !Array.isArray(value)
    : type === "string"
    ? typeof value === "string"
    : type === "number"
    ? typeof value === "number"
    : typeof value === "boolean";
  if (!ok) {
    throw new StreamlibError(
      "SL_PARAM_INVALID",
      `"${key}" must be a ${type}, got ${JSON.stringify(value)}`,
    );
  }
  return value as T;
}

/** The event query in a URL's search parameters. */
function _query(c: Context): EventQuery {
  const number = (key: string): number | undefined => {
    const text = c.req.query(key);
    if (text === undefined || text === "") return undefined;
    const value = Number(text);
    if (!Number.isInteger(value)) {
      throw new StreamlibError(
        "SL_PARAM_INVALID",
        `"${key}" must be a whole number, got "${text}"`,
      );
    }
    return value;
  };
  const types = c.req.query("type");
  const actor = c.req.query("actor");
  const since = number("since");
  const limit = number("limit");
  return {
    ...(types ? { types: types.split(",") as ControlEvent["type"][] } : {}),
    ...(actor ? { actor } : {}),
    ...(since === undefined ? {} : { since }),
    ...(limit === undefined ? {} : { limit }),
  };
}

/** Server-sent events of a follow: `id` the sequence number, `event` the type, `data` JSON. */
function _follow(control: PipelineControl, query: EventQuery, signal: AbortSignal): Response {
  const encoder = new TextEncoder();
  const iterator = control.follow(query, { signal });
  const body = new ReadableStream<Uint8Array>({
    start(controller): void {
      controller.enqueue(encoder.encode(": streamlib events\n\n"));
    },
    async pull(controller): Promise<void> {
      const { value, done } = await iterator.next();
      if (done) {
        controller.close();
        return;
      }
      controller.enqueue(
        encoder.encode(
          `id: ${value.seq}\nevent: ${value.type}\ndata: ${JSON.stringify(value)}\n\n`,
        ),
      );
    },
    async cancel(): Promise<void> {
      await iterator.return?.(undefined);
    },
  });
  return new Response(body, {
    headers: {
      "content-type": "text/event-stream",
      "cache-control": "no-cache",
    },
  });
}

/**
 * A 200 answer whose JSON body is `value` once it settles (an error settles as the node's error
 * body). The body streams, so a client that goes away cancels it, and `gone` aborts at once:
 * this is how a tap learns of it (Deno's `request.signal` would also abort on every successful
 * answer, and warns about that on the terminal).
 */
function _waitedJson(value: Promise<unknown>, gone: AbortController): Response {
  value.catch(() => {}); // a client gone before the body was read never hears of it
  const body = new ReadableStream<Uint8Array>({
    async pull(controller): Promise<void> {
      let text: string;
      try {
        text = JSON.stringify(await value);
      } catch (error) {
        text = JSON.stringify(_errorBody(error));
      }
      controller.enqueue(new TextEncoder().encode(text));
      controller.close();
    },
    cancel(): void {
      gone.abort();
    },
  });
  return new Response(body, { headers: { "content-type": "application/json" } });
}

/**
 * The control API's routes over `control`. `info` says what the node is; `streams` ends taps
 * when the server closes, and `follows` ends event streams (they also end, after the events
 * before, when the control closes).
 */
export function _controlApp(
  control: PipelineControl,
  info: () => NodeInfo,
  streams: AbortSignal,
  follows: AbortSignal = streams,
): Hono {
  const app = new Hono();
  app.onError((error, c) => {
    const body = _errorBody(error);
    return c.json(body, _statusOf(body.error.code));
  });
  app.notFound((c) =>
    c.json(
      _errorBody(
        new StreamlibError(
          "SL_USAGE",
          `No route ${c.req.method} ${new URL(c.req.url).pathname}; routes: ${_ROUTES.join(", ")}`,
        ),
      ),
      404,
    )
  );
  app.get("/v1/info", (c) => c.json(info()));
  app.get("/v1/graph", (c) => {
    if (c.req.query("format") === "dot") {
      return c.body(control.toDot(), 200, { "content-type": "text/vnd.graphviz; charset=utf-8" });
    }
    return c.json(control.graph());
  });
  app.get("/v1/stats", (c) => c.json(control.stats()));
  app.get("/v1/events", (c) => {
    const query = _query(c);
    const follow = c.req.query("follow");
    if (follow === undefined || follow === "" || follow === "0" || follow === "false") {
      return c.json(control.events(query));
    }
    // A client that goes away cancels the stream; the server's close ends them all.
    return _follow(control, query, follows);
  });
  app.post("/v1/tap", async (c) => {
    const body = await _body(c);
    const port = _field<string>(body, "port", "string", true)!;
    const request = {
      count: _field<number>(body, "count", "number"),
      timeoutMs: _field<number>(body, "timeoutMs", "number"),
      width: _field<number>(body, "width", "number"),
      height: _field<number>(body, "height", "number"),
    };
    _scaledSize(1, 1, request); // a bad size is refused before the tap
    const gone = new AbortController();
    const started = Promise.withResolvers<"started">();
    const tap = control.tap(port, {
      ...(request.count === undefined ? {} : { count: request.count }),
      ...(request.timeoutMs === undefined ? {} : { timeoutMs: request.timeoutMs }),
      signal: AbortSignal.any([streams, gone.signal]),
      onStart: () => started.resolve("started"),
    });
    const first = await Promise.race([tap, started.promise]);
    if (first !== "started") return c.json(await _encodeTap(first, request));
    return _waitedJson(tap.then((result) => _encodeTap(result, request)), gone);
  });
  app.post("/v1/set", async (c) => {
    const body = await _body(c);
    const actor = _field<string>(body, "actor", "string", true)!;
    const params = _field<Record<string, never>>(body, "params", "object") ?? {};
    const pads = _field<Record<string, Record<string, never>>>(body, "pads", "object") ?? {};
    return c.json(control.set(actor, params, pads));
  });
  app.post("/v1/patch", async (c) => {
    const body = await _body(c);
    const text = _field<string>(body, "text", "string", true)!;
    const dryRun = _field<boolean>(body, "dryRun", "boolean") ?? false;
    return c.json(await control.patch(text, { dryRun }));
  });
  app.post("/v1/connect", async (c) => {
    const body = await _body(c);
    const from = _field<string>(body, "from", "string", true)!;
    const to = _field<string>(body, "to", "string", true)!;
    const policy = _field<string>(body, "policy", "string");
    return c.json(
      control.connect(from, to, policy === undefined ? {} : { policy: policy as "latest" }),
    );
  });
  app.post("/v1/disconnect", async (c) => {
    const body = await _body(c);
    const from = _field<string>(body, "from", "string", true)!;
    const to = _field<string>(body, "to", "string", true)!;
    return c.json(control.disconnect(from, to));
  });
  app.post("/v1/remove", async (c) => {
    const body = await _body(c);
    const actor = _field<string>(body, "actor", "string", true)!;
    await control.remove(actor);
    return c.json({ removed: actor });
  });
  app.post("/v1/stop", async (c) => {
    const body = await _body(c);
    const mode = _field<string>(body, "mode", "string") ?? "drain";
    if (mode !== "drain" && mode !== "abort") {
      throw new StreamlibError(
        "SL_PARAM_INVALID",
        `"mode" must be "drain" or "abort", got ${JSON.stringify(mode)}`,
      );
    }
    const timeoutMs = _field<number>(body, "timeoutMs", "number");
    const result = await control.stop({
      mode,
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
    });
    return c.json({ status: result.status, stats: result.stats });
  });
  return app;
}
