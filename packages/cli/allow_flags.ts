import { StreamlibError } from "@streamlib/core";

const _NAMES = ["read", "write", "net", "env", "run", "ffi", "sys", "import", "all"];

/**
 * Turns the `--allow` values of `streamlib run script.ts` into Deno flags. Each value names a
 * permission, optionally with values: `read`, `read=./data`, `net=example.com:443`, or the
 * flag itself (`--allow-read=./data`); `all` grants everything. Throws `SL_USAGE` for anything
 * else.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { allowFlags } from "@streamlib/cli";
 * const flags = allowFlags(["read=./data", "--allow-net=example.com", "env"]);
 * assert.ok(flags.join(" ") === "--allow-read=./data --allow-net=example.com --allow-env");
 * ```
 *
 * @param values What the user passed.
 * @returns The flags for `deno run`.
 */
export function allowFlags(values: readonly string[]): string[] {
  return values.map((value) => {
    const match = /^(?:--allow-)?([a-z]+)(=.*)?$/.exec(value);
    if (match === null || !_NAMES.includes(match[1]!) || (match[1] === "all" && match[2])) {
      throw new StreamlibError(
        "SL_USAGE",
        `--allow ${JSON.stringify(value)}: expected a permission (${
          _NAMES.join(", ")
        }), optionally with values, like read=./data or net=example.com:443`,
        { details: { value } },
      );
    }
    return `--allow-${match[1]}${match[2] ?? ""}`;
  });
}
