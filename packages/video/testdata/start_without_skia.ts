// Run by draw_test.ts without the permissions Skia needs: prints the code of start()'s error.
import { StreamlibError } from "@streamlib/core";
import { Draw } from "../draw.ts";

try {
  await new Draw({ width: 2, height: 2 }, { draw: () => {} }).start();
  Deno.stdout.writeSync(new TextEncoder().encode("started"));
} catch (error) {
  const text = error instanceof StreamlibError ? `${error.code}: ${error.message}` : String(error);
  Deno.stdout.writeSync(new TextEncoder().encode(text));
}
