import assert from "node:assert/strict";
import { Bus, type BusEvent } from "./bus.ts";

const eos = (actor: string): BusEvent => ({ type: "eos", actor });

Deno.test("Bus delivers an event only to listeners of its type", () => {
  const bus = new Bus();
  const eosSeen: string[] = [];
  const states: string[] = [];
  bus.on("eos", (e) => eosSeen.push(e.actor));
  bus.on("state", (e) => states.push(e.state));
  bus.emit(eos("actor://local/sink/s0"));
  bus.emit({ type: "state", state: "running" });
  assert.deepEqual(eosSeen, ["actor://local/sink/s0"]);
  assert.deepEqual(states, ["running"]);
});

Deno.test("Bus delivers every event to * listeners, after the type's listeners", () => {
  const bus = new Bus();
  const order: string[] = [];
  bus.on("*", (e) => order.push(`*:${e.type}`));
  bus.on("restart", (e) => order.push(`restart:${e.attempt}`));
  bus.emit({ type: "restart", actor: "actor://local/a/a0", attempt: 1, delayMs: 100 });
  bus.emit({ type: "state", state: "stopped" });
  assert.deepEqual(order, ["restart:1", "*:restart", "*:state"]);
});

Deno.test("Bus calls several listeners of one type in subscription order", () => {
  const bus = new Bus();
  const order: number[] = [];
  bus.on("eos", () => order.push(1));
  bus.on("eos", () => order.push(2));
  bus.emit(eos("a"));
  assert.deepEqual(order, [1, 2]);
});

Deno.test("Bus stops calling a listener once it unsubscribes", () => {
  const bus = new Bus();
  const seen: string[] = [];
  const all: string[] = [];
  const off = bus.on("eos", (e) => seen.push(e.actor));
  const offAll = bus.on("*", (e) => all.push(e.type));
  bus.emit(eos("a"));
  off();
  offAll();
  off(); // unsubscribing twice is harmless
  bus.emit(eos("b"));
  assert.deepEqual(seen, ["a"]);
  assert.deepEqual(all, ["eos"]);
});

Deno.test("Bus unsubscribes one listener without affecting others", () => {
  const bus = new Bus();
  const seen: string[] = [];
  const off = bus.on("eos", () => seen.push("first"));
  bus.on("eos", () => seen.push("second"));
  off();
  bus.emit(eos("a"));
  assert.deepEqual(seen, ["second"]);
});

Deno.test("Bus keeps calling other listeners when one throws", () => {
  const bus = new Bus();
  const seen: string[] = [];
  bus.on("error", () => {
    throw new Error("listener failed");
  });
  bus.on("error", (e) => seen.push(`error:${e.phase}`));
  bus.on("*", () => {
    throw new Error("wildcard failed");
  });
  bus.on("*", (e) => seen.push(`*:${e.type}`));
  bus.emit({
    type: "error",
    actor: "actor://local/a/a0",
    error: new Error("boom"),
    phase: "process",
    action: "skip",
  });
  assert.deepEqual(seen, ["error:process", "*:error"]);
});

Deno.test("Bus emits to nobody without failing", () => {
  const bus = new Bus();
  bus.emit(eos("a"));
});
