import assert from "node:assert/strict";
import { needs } from "../../tests/_needs.ts";
import { cli } from "./_testing.ts";
import { hasGraphviz, renderGraph } from "./render_graph.ts";

const hasDot = await hasGraphviz();

Deno.test(
  needs("Graphviz dot", hasDot, "apt-get install graphviz")({
    name: "streamlib graph -o x.svg draws the pipeline with Graphviz",
    fn: async () => {
      const dir = await Deno.makeTempDir();
      try {
        const { code, stdout, stderr } = await cli([
          "graph",
          "datasrc name=src ! log  src. ! nullsink",
          "-o",
          `${dir}/graph.svg`,
        ]);
        assert.equal(code, 0, stderr);
        assert.equal(stdout, "");
        const svg = await Deno.readTextFile(`${dir}/graph.svg`);
        assert.match(svg, /<svg[\s>]/);
        assert.match(svg, />nullsink0</);
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    },
  }),
);

Deno.test("streamlib graph -o x.svg without Graphviz exits 1 and says to install it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const { code, stderr } = await cli(["graph", "datasrc ! log", "-o", `${dir}/graph.svg`], {
      env: { PATH: dir }, // no dot here
    });
    assert.equal(code, 1);
    assert.match(stderr, /Graphviz's dot command is not on the PATH\. Install graphviz/);
    assert.match(stderr, /or write DOT with -o .*graph\.dot/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("streamlib graph -o x.dot writes DOT; another extension is a usage error", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const dot = await cli(["graph", "datasrc ! log", "-o", `${dir}/graph.dot`]);
    assert.equal(dot.code, 0, dot.stderr);
    assert.match(await Deno.readTextFile(`${dir}/graph.dot`), /^digraph pipeline \{/);
    const txt = await cli(["graph", "datasrc ! log", "-o", `${dir}/graph.txt`]);
    assert.equal(txt.code, 2);
    assert.match(txt.stderr, /give a file ending in \.dot, \.gv, \.svg, \.png or \.pdf/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test(
  needs("Graphviz dot", hasDot, "apt-get install graphviz")({
    name: "renderGraph() reports what dot said when it fails",
    fn: async () => {
      const dir = await Deno.makeTempDir();
      try {
        await assert.rejects(
          renderGraph("digraph { a -> }", `${dir}/broken.svg`),
          (e: Error & { code?: string }) =>
            e.code === "SL_GRAPHVIZ_FAILED" && /syntax error/.test(e.message),
        );
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    },
  }),
);
