/**
 * Tests that need something a machine may lack (a browser, a GPU adapter, ffmpeg) declare it
 * with `needs()`. Where it is missing the test is skipped with a message saying what is missing
 * and how to install it; with `STREAMLIB_REQUIRE_ALL=1` (which `.ci/run` sets) it fails instead,
 * so CI can never pass by skipping.
 *
 * @example
 * ```ts ignore
 * Deno.test(needs("Chromium", hasChromium(), "apt-get install chromium")({
 *   name: "the display page shows SMPTE bars",
 *   fn: async () => {},
 * }));
 * ```
 *
 * @module
 */

/** Whether skips must fail (`STREAMLIB_REQUIRE_ALL=1`). */
export function requireAll(): boolean {
  return Deno.env.get("STREAMLIB_REQUIRE_ALL") === "1";
}

/**
 * Wraps a test definition: unchanged when `available`, else skipped (or failing when every
 * requirement is required) with a message naming `what` and `install`.
 */
export function needs(
  what: string,
  available: boolean,
  install: string,
  required: boolean = requireAll(),
): (test: Deno.TestDefinition) => Deno.TestDefinition {
  return (test) => {
    if (available) return test;
    const message = `needs ${what}, which this machine lacks; install it with: ${install}`;
    if (required) {
      return {
        ...test,
        fn: () => {
          throw new Error(`${message} (STREAMLIB_REQUIRE_ALL=1 turns this skip into a failure)`);
        },
      };
    }
    return {
      ...test,
      name: `${test.name} (skipped: ${message})`,
      ignore: true,
    };
  };
}
