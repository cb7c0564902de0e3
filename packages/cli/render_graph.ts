import { extname } from "node:path";
import { StreamlibError } from "@streamlib/core";

/**
 * Writes a pipeline's Graphviz DOT to a file: `.dot` (or `.gv`) as it is; `.svg`, `.png` or
 * `.pdf` drawn by Graphviz's `dot`. Throws `SL_GRAPHVIZ_MISSING` when `dot` is not on the
 * PATH (saying how to install it), `SL_GRAPHVIZ_FAILED` when it fails, and `SL_USAGE` for
 * another extension.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { renderGraph } from "@streamlib/cli";
 * const file = `${await Deno.makeTempDir()}/graph.dot`;
 * await renderGraph("digraph { a -> b }", file);
 * assert.ok((await Deno.readTextFile(file)).startsWith("digraph"));
 * ```
 *
 * @param dot The DOT text.
 * @param output The file to write.
 * @returns A promise that resolves once the file is written.
 */
export async function renderGraph(dot: string, output: string): Promise<void> {
  const format = extname(output).slice(1).toLowerCase();
  if (format === "dot" || format === "gv") return await Deno.writeTextFile(output, dot);
  if (!["svg", "png", "pdf"].includes(format)) {
    throw new StreamlibError(
      "SL_USAGE",
      `Cannot write "${output}": give a file ending in .dot, .gv, .svg, .png or .pdf`,
    );
  }
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command("dot", {
      args: [`-T${format}`, "-o", output],
      stdin: "piped",
      stdout: "null",
      stderr: "piped",
    }).spawn();
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    throw new StreamlibError(
      "SL_GRAPHVIZ_MISSING",
      `Cannot draw "${output}": Graphviz's dot command is not on the PATH. Install graphviz ` +
        `(apt-get install graphviz, brew install graphviz, …) or write DOT with -o ${
          output.replace(/\.[^.]*$/, ".dot")
        }`,
    );
  }
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(dot)).catch(() => {});
  await writer.close().catch(() => {});
  const { code, stderr } = await child.output();
  if (code !== 0) {
    throw new StreamlibError(
      "SL_GRAPHVIZ_FAILED",
      `dot -T${format} failed (exit code ${code}): ${new TextDecoder().decode(stderr).trim()}`,
    );
  }
}

/**
 * Whether Graphviz's `dot` can be run.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { hasGraphviz } from "@streamlib/cli";
 * assert.ok(typeof (await hasGraphviz()) === "boolean");
 * ```
 *
 * @returns `true` when `dot -V` runs.
 */
export async function hasGraphviz(): Promise<boolean> {
  try {
    return (await new Deno.Command("dot", { args: ["-V"], stdout: "null", stderr: "null" })
      .output()).success;
  } catch {
    return false;
  }
}
