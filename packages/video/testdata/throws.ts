// A draw module for draw_test.ts that throws on the frames listed in vars.fail.
import type { SKRSContext2D } from "@napi-rs/canvas";
import type { DrawInfo } from "../draw.ts";

/** Paints the canvas white, then throws on the frames in `vars.fail`. */
export function draw(ctx: SKRSContext2D, info: DrawInfo): void {
  ctx.fillStyle = "white";
  ctx.fillRect(0, 0, info.width, info.height);
  const fail = (info.vars.fail ?? []) as number[];
  if (fail.includes(info.frame)) throw new RangeError(`frame ${info.frame} is cursed`);
}
