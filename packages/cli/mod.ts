/**
 * `@streamlib/cli`: the `streamlib` command — list and inspect actor types, run pipelines with
 * least privilege, draw them, and check plugins. Install it from a checkout with
 * `deno install -g -A -n streamlib --config deno.json packages/cli/main.ts`.
 *
 * ```sh
 * streamlib list                                   # every actor type
 * streamlib inspect datasrc                        # ports, parameters, permissions
 * streamlib run "datasrc count=5 ! log"            # run it; Ctrl-C drains, twice aborts
 * streamlib run --print-permissions "…"            # the exact Deno flags it needs
 * streamlib graph "datasrc ! log" -o graph.svg     # draw it with Graphviz
 * streamlib plugins validate plugins/x/manifest.json
 * streamlib mcp --allow-files ./media              # an MCP server for agents (@streamlib/cli/mcp)
 * ```
 *
 * A pipeline runs in a child `deno run --no-prompt` process granted exactly the permissions
 * its actors' manifests declare ({@linkcode permissionFlags}); the pieces the command is made
 * of are exported for programs that want the same behaviour.
 *
 * @example Compute what a pipeline may do before running it
 * ```ts
 * import assert from "node:assert/strict";
 * import { discoverPlugins, loadPipeline, permissionFlags } from "@streamlib/cli";
 * const { catalogue } = await discoverPlugins({ cwd: await Deno.makeTempDir() });
 * const { spec } = await loadPipeline("datasrc count=5 ! log", catalogue);
 * assert.ok(permissionFlags(catalogue.permissions(spec)).length === 0); // core needs nothing
 * ```
 *
 * @module
 */

export * from "./main.ts";
export * from "./discover_plugins.ts";
export * from "./load_pipeline.ts";
export * from "./permission_flags.ts";
export * from "./allow_flags.ts";
export * from "./shell_quote.ts";
export * from "./exit_code.ts";
export * from "./format_list.ts";
export * from "./format_inspect.ts";
export * from "./format_json.ts";
export * from "./format_plugins.ts";
export * from "./format_progress.ts";
export * from "./format_actor_stats.ts";
export * from "./progress_display.ts";
export * from "./protocol.ts";
export * from "./runner_source.ts";
export * from "./pipeline_process.ts";
export * from "./run_pipeline.ts";
export * from "./run_script.ts";
export * from "./render_graph.ts";
export * from "./validate_plugin.ts";
export * from "./control_permissions.ts";
export * from "./parse_assignments.ts";
export * from "./format_event.ts";
export * from "./format_nodes.ts";
export * from "./sandbox.ts";
export * from "./scope_programs.ts";
export * from "./plugin_grants.ts";
export * from "./plugins/lockfile.ts";
export * from "./plugins/tarball.ts";
export * from "./plugins/registry_client.ts";
export * from "./plugins/pack_plugin.ts";
export * from "./plugins/install_plugins.ts";
