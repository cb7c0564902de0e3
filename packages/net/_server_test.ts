import assert from "node:assert/strict";
import { Hono } from "hono";
import { StreamlibError } from "@streamlib/core";
import { _isLoopback, _serve, _tokenFor, _tokenGuard } from "./_server.ts";

function app(token: string | undefined): Hono {
  const app = new Hono();
  app.use("*", _tokenGuard(token));
  app.get("/", (c) => c.text("page"));
  return app;
}

Deno.test("loopback addresses need no token; any other gets a made-up one", () => {
  for (const host of ["127.0.0.1", "127.1.2.3", "localhost", "::1"]) {
    assert.equal(_isLoopback(host), true, host);
    assert.equal(_tokenFor(host, ""), undefined, host);
  }
  for (const host of ["0.0.0.0", "192.168.1.5", "::"]) assert.equal(_isLoopback(host), false);
  const made = _tokenFor("0.0.0.0", "");
  assert.match(made ?? "", /^[0-9a-f]{32}$/);
  assert.notEqual(_tokenFor("0.0.0.0", ""), made, "a fresh token each time");
  assert.equal(_tokenFor("127.0.0.1", "secret"), "secret", "a given token is always used");
});

Deno.test("a server with a token refuses requests without it and accepts query, header or cookie", async () => {
  const server = _serve(app("s3cret"), { host: "127.0.0.1", port: 0, token: "s3cret", name: "t" });
  try {
    assert.equal(server.token, "s3cret");
    assert.equal(server.url, `${server.origin}/?token=s3cret`);
    const none = await fetch(`${server.origin}/`);
    assert.equal(none.status, 401);
    await none.body?.cancel();
    const wrong = await fetch(`${server.origin}/?token=s3creT`);
    assert.equal(wrong.status, 401);
    await wrong.body?.cancel();
    const query = await fetch(server.url);
    assert.equal(await query.text(), "page");
    const cookie = query.headers.get("set-cookie") ?? "";
    assert.match(cookie, /^streamlib_token=s3cret; .*HttpOnly/);
    const byCookie = await fetch(`${server.origin}/`, {
      headers: { cookie: cookie.split(";")[0]! },
    });
    assert.equal(await byCookie.text(), "page");
    const byHeader = await fetch(`${server.origin}/`, {
      headers: { authorization: "Bearer s3cret" },
    });
    assert.equal(await byHeader.text(), "page");
  } finally {
    await server.close();
  }
});

Deno.test("a refused page gets text, a refused control request the API's JSON error", async () => {
  const page = await app("s3cret").request("/");
  assert.equal(page.status, 401);
  assert.match(page.headers.get("content-type") ?? "", /^text\/plain/);
  assert.match(await page.text(), /^401 Unauthorized: this stream needs its access token/);
  const control = new Hono();
  control.use(_tokenGuard("s3cret", "json"));
  control.get("/v1/info", (c) => c.json({}));
  const refused = await control.request("/v1/info");
  assert.equal(refused.status, 401);
  assert.equal(refused.headers.get("www-authenticate"), 'Bearer realm="streamlib control"');
  const { error } = await refused.json();
  assert.equal(error.code, "SL_UNAUTHORIZED");
  assert.match(error.message, /^This node's control API needs its access token/);
  assert.deepEqual(error.details, {});
  const allowed = await control.request("/v1/info", {
    headers: { authorization: "Bearer s3cret" },
  });
  assert.equal(allowed.status, 200);
});

Deno.test("a loopback server without a token serves everyone", async () => {
  const server = _serve(app(undefined), { host: "127.0.0.1", port: 0, token: "", name: "t" });
  try {
    assert.equal(server.token, undefined);
    assert.equal(server.url, `${server.origin}/`);
    assert.equal(await (await fetch(server.url)).text(), "page");
  } finally {
    await server.close();
  }
});

Deno.test("a port in use fails with SL_NET_ADDRESS_IN_USE", async () => {
  const first = _serve(app(undefined), { host: "127.0.0.1", port: 0, token: "", name: "a" });
  try {
    assert.throws(
      () => _serve(app(undefined), { host: "127.0.0.1", port: first.port, token: "", name: "b" }),
      (e: unknown) =>
        e instanceof StreamlibError && e.code === "SL_NET_ADDRESS_IN_USE" &&
        e.message.includes(`127.0.0.1:${first.port}`),
    );
  } finally {
    await first.close();
  }
});

Deno.test("closing twice is harmless", async () => {
  const server = _serve(app(undefined), { host: "127.0.0.1", port: 0, token: "", name: "t" });
  await Promise.all([server.close(), server.close()]);
  await assert.rejects(fetch(server.url));
});
