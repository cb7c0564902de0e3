import assert from "node:assert/strict";
import type { ControlEvent } from "@streamlib/core";
import { formatEvent } from "./format_event.ts";

const at = { seq: 3, time: Date.UTC(2025, 5, 1, 12, 0, 0, 5), runningTime: 0 };

Deno.test("formatEvent() gives each kind of event one line with its number and time", () => {
  const events: ControlEvent[] = [
    {
      ...at,
      type: "error",
      actor: "actor://local/filesrc/in",
      code: "SL_FILE_INVALID",
      message: "not media\nmore",
      phase: "start",
      action: "stop",
    },
    { ...at, type: "restart", actor: "actor://local/blur/b", attempt: 2, delayMs: 200 },
    { ...at, type: "eos", actor: "actor://local/log/log0" },
    { ...at, type: "state", state: "running" },
    { ...at, type: "control", op: "stop", text: "stop drain", details: { mode: "drain" } },
  ];
  assert.deepEqual(events.map(formatEvent), [
    "#3 12:00:00.005 in error SL_FILE_INVALID in start (stop): not media",
    "#3 12:00:00.005 b restart #2 in 200 ms",
    "#3 12:00:00.005 log0 end-of-stream",
    "#3 12:00:00.005 pipeline running",
    "#3 12:00:00.005 control: stop drain",
  ]);
});
