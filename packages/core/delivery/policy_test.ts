import assert from "node:assert/strict";
import fc from "fast-check";
import { BoundedQueue, type FullBehavior } from "./bounded_queue.ts";
import { StreamlibError } from "../errors.ts";
import { LatestRing } from "./latest_ring.ts";
import type { PortKind } from "../messages.ts";
import {
  createDeliveryBuffer,
  DEFAULT_QUEUE_CAPACITY,
  type DeliveryPolicy,
  formatPolicy,
  type ResolvedPolicy,
  resolvePolicy,
} from "./policy.ts";

const isPolicyInvalid = (error: unknown): boolean =>
  error instanceof StreamlibError && error.code === "SL_POLICY_INVALID";

const LOSSLESS: ResolvedPolicy = { type: "queue", capacity: 8, full: "block" };
const KINDS: ReadonlyArray<PortKind | "any"> = ["video", "audio", "event", "data", "any"];
const FULLS: readonly FullBehavior[] = ["block", "drop-oldest", "drop-newest"];

Deno.test("The default queue capacity is 8", () => {
  assert.equal(DEFAULT_QUEUE_CAPACITY, 8);
});

Deno.test("resolvePolicy() defaults live video inputs to latest", () => {
  assert.deepEqual(resolvePolicy(undefined, "video", "live"), { type: "latest" });
});

Deno.test("resolvePolicy() defaults offline video inputs to a lossless queue:8:block", () => {
  assert.deepEqual(resolvePolicy(undefined, "video", "offline"), LOSSLESS);
});

Deno.test("resolvePolicy() defaults audio, event, data and any inputs to queue:8:block in both modes", () => {
  for (const kind of ["audio", "event", "data", "any"] as const) {
    for (const mode of ["live", "offline"] as const) {
      assert.deepEqual(resolvePolicy(undefined, kind, mode), LOSSLESS, `${kind}/${mode}`);
    }
  }
});

Deno.test("resolvePolicy() reads the string forms latest, queue, queue:N and queue:N:behaviour", () => {
  const cases: Array<[DeliveryPolicy, ResolvedPolicy]> = [
    ["latest", { type: "latest" }],
    ["queue", LOSSLESS],
    ["queue:16", { type: "queue", capacity: 16, full: "block" }],
    ["queue:1", { type: "queue", capacity: 1, full: "block" }],
    ["queue:4:drop-oldest", { type: "queue", capacity: 4, full: "drop-oldest" }],
    ["queue:4:drop-newest", { type: "queue", capacity: 4, full: "drop-newest" }],
    ["queue:4:block", { type: "queue", capacity: 4, full: "block" }],
  ];
  for (const [policy, expected] of cases) {
    assert.deepEqual(resolvePolicy(policy, "audio", "live"), expected, String(policy));
  }
});

Deno.test("resolvePolicy() reads the object forms and fills in capacity 8 and block", () => {
  assert.deepEqual(resolvePolicy({ type: "latest" }, "data", "live"), { type: "latest" });
  assert.deepEqual(resolvePolicy({ type: "queue" }, "data", "live"), LOSSLESS);
  assert.deepEqual(resolvePolicy({ type: "queue", capacity: 3 }, "data", "live"), {
    type: "queue",
    capacity: 3,
    full: "block",
  });
  assert.deepEqual(resolvePolicy({ type: "queue", full: "drop-newest" }, "data", "live"), {
    type: "queue",
    capacity: 8,
    full: "drop-newest",
  });
  assert.deepEqual(
    resolvePolicy({ type: "queue", capacity: 32, full: "drop-oldest" }, "data", "live"),
    { type: "queue", capacity: 32, full: "drop-oldest" },
  );
});

Deno.test("resolvePolicy() keeps an explicit policy whatever the kind and mode", () => {
  for (const kind of KINDS) {
    for (const mode of ["live", "offline"] as const) {
      assert.deepEqual(resolvePolicy("latest", kind, mode), { type: "latest" });
      assert.deepEqual(resolvePolicy("queue:2:drop-oldest", kind, mode), {
        type: "queue",
        capacity: 2,
        full: "drop-oldest",
      });
    }
  }
});

Deno.test("resolvePolicy() rejects malformed policy strings with SL_POLICY_INVALID", () => {
  const bad = [
    "queue:0",
    "queue:-1",
    "queue:1.5",
    "queue:x",
    "queue:",
    "queue::block",
    "queue:4:",
    "queue:4:sideways",
    "queue:4:drop-oldest:extra",
    "lifo",
    "",
    "LATEST",
    "Queue",
    " latest",
  ];
  for (const policy of bad) {
    assert.throws(
      () => resolvePolicy(policy as DeliveryPolicy, "data", "live"),
      isPolicyInvalid,
      JSON.stringify(policy),
    );
  }
});

Deno.test("resolvePolicy() rejects malformed policy objects with SL_POLICY_INVALID", () => {
  const bad: unknown[] = [
    { type: "queue", capacity: 0 },
    { type: "queue", capacity: -2 },
    { type: "queue", capacity: 2.5 },
    { type: "queue", capacity: Number.NaN },
    { type: "queue", capacity: Number.POSITIVE_INFINITY },
    { type: "queue", capacity: "4" },
    { type: "queue", full: "sideways" },
    { type: "lifo" },
    {},
    null,
    42,
  ];
  for (const policy of bad) {
    assert.throws(
      () => resolvePolicy(policy as DeliveryPolicy, "data", "live"),
      isPolicyInvalid,
      String(JSON.stringify(policy)),
    );
  }
});

Deno.test("resolvePolicy() names the unknown policy and the accepted forms in its error", () => {
  assert.throws(
    () => resolvePolicy("lifo" as DeliveryPolicy, "data", "live"),
    (e) =>
      e instanceof StreamlibError && e.message.includes('"lifo"') &&
      e.message.includes("queue:<capacity>"),
  );
  assert.throws(
    () => resolvePolicy("queue:4:sideways" as DeliveryPolicy, "data", "live"),
    (e) => e instanceof StreamlibError && e.message.includes('"queue:4:sideways"'),
  );
});

Deno.test("resolvePolicy() quotes the whole text of a malformed queue policy", () => {
  for (
    const text of [
      "queue:x",
      "queue:",
      "queue::block",
      "queue:0x10",
      "queue: 4",
      "queue:4.0",
      "queue:1e1",
    ]
  ) {
    assert.throws(
      () => resolvePolicy(text as DeliveryPolicy, "data", "live"),
      (e) =>
        e instanceof StreamlibError && e.code === "SL_POLICY_INVALID" &&
        e.message.includes(`"${text}"`),
      text,
    );
  }
});

Deno.test("formatPolicy() writes latest and queue:<capacity>:<behaviour>", () => {
  assert.equal(formatPolicy({ type: "latest" }), "latest");
  assert.equal(formatPolicy(LOSSLESS), "queue:8:block");
  assert.equal(
    formatPolicy({ type: "queue", capacity: 4, full: "drop-oldest" }),
    "queue:4:drop-oldest",
  );
});

Deno.test("formatPolicy() output reads back through resolvePolicy() to the same policy", () => {
  const resolved: fc.Arbitrary<ResolvedPolicy> = fc.oneof(
    fc.constant<ResolvedPolicy>({ type: "latest" }),
    fc.tuple(fc.integer({ min: 1, max: 1_000_000 }), fc.constantFrom(...FULLS)).map((
      [capacity, full],
    ): ResolvedPolicy => ({ type: "queue", capacity, full })),
  );
  fc.assert(
    fc.property(resolved, fc.constantFrom(...KINDS), fc.boolean(), (policy, kind, live) => {
      const text = formatPolicy(policy);
      assert.deepEqual(
        resolvePolicy(text as DeliveryPolicy, kind, live ? "live" : "offline"),
        policy,
      );
    }),
    { seed: 4242, numRuns: 300 },
  );
});

Deno.test("formatPolicy() normalises every accepted policy string to a canonical form", () => {
  assert.equal(formatPolicy(resolvePolicy("queue", "data", "live")), "queue:8:block");
  assert.equal(formatPolicy(resolvePolicy("queue:16", "data", "live")), "queue:16:block");
  assert.equal(formatPolicy(resolvePolicy(undefined, "video", "live")), "latest");
  assert.equal(formatPolicy(resolvePolicy(undefined, "video", "offline")), "queue:8:block");
});

Deno.test("createDeliveryBuffer() makes a LatestRing for latest", () => {
  const buffer = createDeliveryBuffer<number>({ type: "latest" });
  assert.ok(buffer instanceof LatestRing);
  assert.equal(buffer.capacity, 1);
  buffer.offer(1);
  buffer.offer(2);
  assert.equal(buffer.take(), 2);
  assert.equal(buffer.dropped, 1);
});

Deno.test("createDeliveryBuffer() makes a BoundedQueue with the policy's capacity and behaviour", () => {
  for (const full of FULLS) {
    const buffer = createDeliveryBuffer<number>({ type: "queue", capacity: 3, full });
    assert.ok(buffer instanceof BoundedQueue);
    assert.equal(buffer.capacity, 3);
    assert.equal((buffer as BoundedQueue<number>).full, full);
    assert.equal(buffer.size, 0);
  }
  const blocking = createDeliveryBuffer<number>({ type: "queue", capacity: 2, full: "block" });
  assert.equal(blocking.offer(1), true);
  assert.equal(blocking.offer(2), true);
  assert.equal(blocking.offer(3), false);
  assert.equal(blocking.take(), 1);
});

Deno.test("createDeliveryBuffer() returns a new empty buffer on every call", () => {
  const policy: ResolvedPolicy = { type: "queue", capacity: 2, full: "block" };
  const a = createDeliveryBuffer<number>(policy);
  const b = createDeliveryBuffer<number>(policy);
  assert.notEqual(a, b);
  a.offer(1);
  assert.equal(a.size, 1);
  assert.equal(b.size, 0);
});

Deno.test("createDeliveryBuffer() with a resolved default gives the buffer each port kind expects", () => {
  assert.ok(createDeliveryBuffer(resolvePolicy(undefined, "video", "live")) instanceof LatestRing);
  assert.ok(
    createDeliveryBuffer(resolvePolicy(undefined, "audio", "live")) instanceof BoundedQueue,
  );
});
