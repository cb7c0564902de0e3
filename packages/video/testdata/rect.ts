// A draw module for draw_test.ts: a filled square whose position comes from `vars` and time.
import type { SKRSContext2D } from "@napi-rs/canvas";
import type { DrawInfo } from "../draw.ts";

/** Fills a `size` square at (x + speed · time, y) in `color`. */
export default function draw(ctx: SKRSContext2D, info: DrawInfo): void {
  const { x = 0, y = 0, size = 4, speed = 0, color = "#ff0000" } = info.vars as {
    x?: number;
    y?: number;
    size?: number;
    speed?: number;
    color?: string;
  };
  ctx.fillStyle = color;
  ctx.fillRect(x + speed * info.time, y, size, size);
}
