import type { Manifest, PermissionName, PermissionSet, PipelineSpec } from "@streamlib/core";

/**
 * What {@linkcode runnerSource} needs: the pipeline, and for each plugin manifest it uses, the
 * manifest, where it came from and the modules of the actor types the pipeline creates.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { RunnerOptions } from "@streamlib/cli";
 * const options: RunnerOptions = {
 *   spec: { actors: [{ name: "src", type: "datasrc" }], links: [] },
 *   mode: "live",
 *   plugins: [],
 * };
 * assert.ok(options.plugins.length === 0);
 * ```
 */
export interface RunnerOptions {
  /** The pipeline. */
  readonly spec: PipelineSpec;
  /** The pipeline text, when it came as text, so that build errors point at it. */
  readonly text?: string;
  /** `live` or `offline`. */
  readonly mode: "live" | "offline";
  /** The plugins the pipeline uses (not core: its actors are always there). */
  readonly plugins: ReadonlyArray<{
    readonly manifest: Manifest;
    readonly url: string;
    /** The module URLs to import (none for a sandboxed plugin: only its Workers import it). */
    readonly modules: readonly string[];
    /** Its actors run sandboxed, with what it was granted (see `discoverPlugins`). */
    readonly sandbox?: { readonly granted: readonly PermissionName[] };
  }>;
  /** The working folder, against which sandboxed actors' paths are resolved. */
  readonly cwd?: string;
  /**
   * The key the process's protocol lines carry (see `encodeMessage`): a plugin's Worker
   * prints to the same stdout, and never sees it.
   */
  readonly key?: string;
  /** The pipeline process's own module (default: `_child.ts` beside this module). */
  readonly childUrl?: string;
  /**
   * Serve the control API as this node (see `serveControl` in `@streamlib/net`): its name,
   * the control folder, TCP if asked, and a summary for `streamlib nodes`.
   */
  readonly control?: {
    readonly name: string;
    readonly dir: string;
    readonly tcp?: { readonly host: string; readonly port: number; readonly token?: string };
    readonly summary: string;
  };
  /**
   * Start a node's link service (`startNetNode` in `@streamlib/net`) before building, so that
   * `actor://node/…` addresses in the pipeline reach other nodes, and links to this node's
   * actors land in it: its name, a NATS server, peers by name, where to take direct links,
   * and the link access token its links carry and require.
   */
  readonly net?: {
    readonly name: string;
    readonly nats?: string;
    readonly peers?: Readonly<Record<string, string>>;
    readonly listen?: string;
    readonly token?: string;
    /** What remote links of each kind carry (`--link-codec`). */
    readonly codecs?: { readonly video?: string; readonly audio?: string };
  };
  /** What the process is granted: patches that need more are refused. */
  readonly granted?: PermissionSet;
  /**
   * The other plugins a patch may use: their modules get literal `import()`s that are not
   * called until a patch needs them, which lets the process load them without `--allow-read`.
   */
  readonly available?: RunnerOptions["plugins"];
}

/**
 * The source of the module that `streamlib run` runs in the pipeline process: it imports the
 * pipeline process's code, imports each plugin module with a literal specifier (Deno loads
 * those without `--allow-read`) and runs the pipeline, embedded as JSON. So the process needs
 * only the permissions its actors declare.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { runnerSource } from "@streamlib/cli";
 * const source = runnerSource({
 *   spec: { actors: [{ name: "src", type: "datasrc", params: { count: 3 } }], links: [] },
 *   mode: "offline",
 *   plugins: [],
 * });
 * assert.ok(source.includes("runChild(") && source.includes('"count":3'));
 * ```
 *
 * @param options The pipeline and the plugins it uses.
 * @returns TypeScript source.
 */
export function runnerSource(options: RunnerOptions): string {
  const child = options.childUrl ?? new URL("./_child.ts", import.meta.url).href;
  const plugins = (list: RunnerOptions["plugins"]): string[] =>
    list.map((plugin) => {
      const modules = plugin.modules.map((url) =>
        `        ${JSON.stringify(url)}: () => import(${JSON.stringify(url)}),`
      );
      return [
        "    {",
        `      url: ${JSON.stringify(plugin.url)},`,
        `      manifest: ${JSON.stringify(plugin.manifest)},`,
        ...(plugin.sandbox === undefined
          ? []
          : [`      sandbox: ${JSON.stringify({ granted: plugin.sandbox.granted })},`]),
        "      modules: {",
        ...modules,
        "      },",
        "    },",
      ].join("\n");
    });
  return [
    "// Written by `streamlib run` for one run; safe to delete.",
    `import { runChild } from ${JSON.stringify(child)};`,
    "",
    "await runChild({",
    `  mode: ${JSON.stringify(options.mode)},`,
    `  spec: ${JSON.stringify(options.spec)},`,
    ...(options.text === undefined ? [] : [`  text: ${JSON.stringify(options.text)},`]),
    ...(options.net === undefined ? [] : [`  net: ${JSON.stringify(options.net)},`]),
    ...(options.cwd === undefined ? [] : [`  cwd: ${JSON.stringify(options.cwd)},`]),
    ...(options.key === undefined ? [] : [`  key: ${JSON.stringify(options.key)},`]),
    "  plugins: [",
    ...plugins(options.plugins),
    "  ],",
    ...(options.control === undefined ? [] : [
      `  control: ${JSON.stringify(options.control)},`,
      `  granted: ${JSON.stringify(options.granted ?? {})},`,
      "  available: [",
      ...plugins(options.available ?? []),
      "  ],",
    ]),
    "});",
    "",
  ].join("\n");
}
