import assert from "node:assert/strict";
import { isStreamlibError } from "@streamlib/core";
import { needs } from "../../../tests/_needs.ts";
import { ControlClient } from "./control_client.ts";
import { listNodes } from "./node_entry.ts";
import { testNode } from "./_control_testing.ts";

/** How long a child process may take to start or end before the test fails. */
const DEADLINE_MS = 30_000;

function isRoot(): boolean {
  try {
    return Deno.uid() === 0;
  } catch {
    return false;
  }
}

function hasRunuser(): boolean {
  try {
    return Deno.statSync("/usr/sbin/runuser").isFile || Deno.statSync("/sbin/runuser").isFile;
  } catch {
    return false;
  }
}

const asAnotherUser = needs(
  "root and runuser, to run a client as the user nobody",
  isRoot() && hasRunuser(),
  "run the tests as root on Linux (util-linux provides runuser)",
);

/** Reads a child's stdout until `pattern` shows, within the deadline. */
async function waitFor(
  reader: ReadableStreamDefaultReader<string>,
  pattern: RegExp,
): Promise<string> {
  let text = "";
  const deadline = Date.now() + DEADLINE_MS;
  while (!pattern.test(text)) {
    if (Date.now() > deadline) throw new Error(`no ${pattern} within ${DEADLINE_MS} ms: ${text}`);
    const { value, done } = await reader.read();
    if (done) throw new Error(`the process ended without ${pattern}: ${text}`);
    text += value;
  }
  return text;
}

Deno.test("A node on TCP off loopback refuses requests without its token", async () => {
  await using node = await testNode("videotestsrc width=64 height=36 ! nullsink", {
    tcp: { host: "0.0.0.0", port: 0 },
  });
  const { server } = node;
  assert.ok(server.token !== undefined && server.token.length === 32);
  const port = new URL(server.url!).port;
  const entry = (await listNodes({ dir: node.dir }))[0]!;
  assert.equal(entry.tokenRequired, true);
  assert.equal(entry.tcp, server.url);
  const bare = await fetch(`http://127.0.0.1:${port}/v1/graph`);
  assert.equal(bare.status, 401);
  await bare.body?.cancel();
  await assert.rejects(ControlClient.connect(`http://127.0.0.1:${port}`), (e: unknown) => {
    assert.ok(isStreamlibError(e, "SL_UNAUTHORIZED"));
    return true;
  });
  await assert.rejects(
    ControlClient.connect(`http://127.0.0.1:${port}`, { token: "wrong" }),
    (e: unknown) => isStreamlibError(e, "SL_UNAUTHORIZED"),
  );
  await using client = await ControlClient.connect(`http://127.0.0.1:${port}`, {
    token: server.token,
  });
  assert.equal((await client.info()).name, "videotestsrc-1");
  await using viaUrl = await ControlClient.connect(
    `http://127.0.0.1:${port}/?token=${server.token}`,
  );
  assert.equal((await viaUrl.graph()).actors.length, 2);
});

Deno.test("A node on TCP loopback needs its token too: any user of the machine reaches loopback", async () => {
  await using node = await testNode("videotestsrc width=64 height=36 ! nullsink", {
    tcp: { port: 0 },
  });
  const token = node.server.token!;
  assert.match(token, /^[0-9a-f]{32}$/);
  assert.match(node.server.url!, /^http:\/\/127\.0\.0\.1:\d+$/);
  const bare = await fetch(`${node.server.url}/v1/info`);
  assert.equal(bare.status, 401);
  assert.equal((await bare.json()).error.code, "SL_UNAUTHORIZED");
  await using client = await ControlClient.connect(node.server.url!, { token });
  assert.equal((await client.info()).tcp, node.server.url);
});

Deno.test(asAnotherUser({
  name: "Another user cannot open a node's socket: the folder is 0700 and the socket 0600",
  fn: async () => {
    await using node = await testNode("videotestsrc width=64 height=36 ! nullsink");
    const root = node.dir.slice(0, node.dir.lastIndexOf("/"));
    const tools = await Deno.makeTempDir({ prefix: "streamlib-as-nobody-" });
    try {
      const script = `${tools}/connect_as.js`;
      Deno.copyFileSync(new URL("./testdata/connect_as.js", import.meta.url), script);
      // Deno itself may sit where only root may go (under /root): nobody runs a copy.
      const deno = `${tools}/deno`;
      Deno.copyFileSync(Deno.execPath(), deno);
      Deno.chmodSync(deno, 0o755);
      Deno.mkdirSync(`${tools}/deno-dir`);
      Deno.chmodSync(`${tools}/deno-dir`, 0o777);
      Deno.chmodSync(tools, 0o755);
      Deno.chmodSync(script, 0o644);
      Deno.chmodSync(root, 0o711); // the test's own folder may be passed through
      const attempt = async (): Promise<string> => {
        // A child another test forks while the copy above is open for writing holds that
        // descriptor until it execs, and running the copy then fails with ETXTBSY ("Text file
        // busy"): that passes in moments, so try again a few times.
        for (let tries = 1;; tries++) {
          const out = await runAsNobody();
          if (!out.includes("Text file busy") || tries === 10) return out;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      };
      const runAsNobody = async (): Promise<string> => {
        const { stdout, stderr } = await new Deno.Command("runuser", {
          args: [
            "-u",
            "nobody",
            "--",
            deno,
            "run",
            "--no-config",
            "-A",
            script,
            node.server.socket!,
          ],
          env: { DENO_DIR: `${tools}/deno-dir`, NO_COLOR: "1", HOME: tools },
          stdout: "piped",
          stderr: "piped",
        }).output();
        return new TextDecoder().decode(stdout) + new TextDecoder().decode(stderr);
      };
      // The folder keeps others out.
      assert.match(await attempt(), /refused PermissionDenied: .*os error 13/);
      // Even where others may pass through the folder, the socket keeps them out.
      Deno.chmodSync(node.dir, 0o711);
      assert.match(await attempt(), /refused PermissionDenied: .*os error 13/);
      Deno.chmodSync(node.dir, 0o700);
      // This user gets in.
      await using client = await ControlClient.connect(node.server.socket!);
      assert.equal((await client.info()).state, "running");
    } finally {
      await Deno.remove(tools, { recursive: true });
    }
  },
}));

for (const [signal, status] of [["SIGTERM", 143], ["SIGINT", 130]] as const) {
  Deno.test(`A node removes its socket and entry and exits ${status} on ${signal}`, async () => {
    const dir = `${await Deno.makeTempDir()}/nodes`;
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        new URL("./testdata/serve_node.ts", import.meta.url).pathname,
        "sig",
        dir,
      ],
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    try {
      await waitFor(reader, /ready sig/);
      assert.deepEqual((await listNodes({ dir })).map((n) => n.pid), [child.pid]);
      child.kill(signal);
      const ended = await child.status;
      assert.equal(ended.code, status);
      assert.deepEqual([...Deno.readDirSync(dir)], []);
    } finally {
      reader.releaseLock();
      await child.stdout.cancel().catch(() => {});
      await child.stdin.close().catch(() => {});
      try {
        child.kill("SIGKILL");
      } catch {
        // Ended.
      }
      await child.status;
      await Deno.remove(dir.slice(0, dir.lastIndexOf("/")), { recursive: true });
    }
  });
}
