/**
 * The marketplace's web pages, rendered on the server: a search page and a plugin's page.
 *
 * @module
 */

import type { Manifest, ManifestActor } from "@streamlib/core";
import type { MarketDetails, MarketPlugin, MarketQuery } from "./market_db.ts";
import { _permissionScope } from "../plugins/_package_check.ts";

/** Text made safe for HTML. */
export function _escape(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!,
  );
}

const _STYLE =
  `body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
a{color:#0b5cad}h1 a{color:inherit;text-decoration:none}form{display:flex;flex-wrap:wrap;gap:.5rem;margin:1rem 0}
input,select{font:inherit;padding:.3rem}table{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem}
td,th{border-bottom:1px solid #ddd;padding:.3rem .5rem;text-align:left;vertical-align:top}
code,pre{background:#f4f4f4;padding:.1rem .3rem;border-radius:3px}.perm{color:#8a3b00}
.none{color:#2a7a2a}.muted{color:#777}li{margin:.4rem 0}`;

function _page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${
    _escape(title)
  }</title><meta name="viewport" content="width=device-width"><style>${_STYLE}</style></head><body>
<h1><a href="/">streamlib plugins</a></h1>${body}</body></html>`;
}

/** The search page with its results. */
export function _searchPage(
  query: MarketQuery,
  found: { total: number; results: readonly MarketPlugin[] },
): string {
  const value = (v: string | undefined): string => _escape(v ?? "");
  const kinds = ["", "video", "audio", "data", "event", "any"].map((k) =>
    `<option value="${k}"${query.port === k ? " selected" : ""}>${k || "any port"}</option>`
  ).join("");
  const form = `<form method="get" action="/">
<input name="q" placeholder="words" value="${value(query.text)}" aria-label="words">
<input name="type" placeholder="actor type" value="${value(query.type)}" aria-label="actor type">
<select name="port" aria-label="port kind">${kinds}</select>
<input name="format" placeholder="format (RGBA, text…)" value="${
    value(query.format)
  }" aria-label="format">
<label><input type="checkbox" name="noPermissions" value="1"${
    query.noPermissions ? " checked" : ""
  }> needs no permissions</label>
<button>Search</button></form>`;
  const items = found.results.map((p) =>
    `<li><a href="/plugins/${_escape(p.name)}">${_escape(p.name)}</a> ${_escape(p.version)} — ${
      _escape(p.description)
    }<br><span class="muted">types: ${_escape(p.types.join(", "))}</span> · ${
      p.permissions.length
        ? `<span class="perm">permissions: ${_escape(p.permissions.join(", "))}</span>`
        : `<span class="none">needs no permissions</span>`
    }</li>`
  ).join("\n");
  return _page(
    "streamlib plugins",
    `${form}<p>${found.total} plugin${found.total === 1 ? "" : "s"}</p><ul>${items}</ul>`,
  );
}

/** A plugin's page: its actor types with ports, parameters and permissions, versions, install. */
export function _pluginPage(details: MarketDetails, registry: string): string {
  const latest = details.latest;
  const manifest: Manifest | undefined = latest?.manifest;
  const install = `streamlib plugins install ${details.name}@${latest?.version ?? "latest"}${
    registry ? ` --registry ${registry}` : ""
  }`;
  const actors = (manifest?.actors ?? []).map(_actorSection).join("\n");
  const versions = details.versions.map((v) =>
    `<tr><td>${_escape(v.version)}</td><td>${_escape(v.published ?? "")}</td><td>${
      v.problem
        ? `refused: ${_escape(v.problem)}`
        : v.deprecated
        ? `deprecated: ${_escape(v.deprecated)}`
        : "ok"
    }</td></tr>`
  ).join("");
  return _page(
    `${details.name} — streamlib plugins`,
    `<h2>${_escape(details.name)} ${_escape(latest?.version ?? "")}</h2>
<p>${_escape(manifest?.description ?? details.description)}</p>
<p>Install: <code id="install">${_escape(install)}</code></p>
<p class="muted">Integrity: <code>${_escape(latest?.integrity ?? "")}</code></p>
${actors}
<h3>Versions</h3><table><tr><th>version</th><th>published</th><th>state</th></tr>${versions}</table>`,
  );
}

function _actorSection(actor: ManifestActor): string {
  const ports = [
    ...Object.entries(actor.inputs ?? {}).map(([n, p]) => ["in", n, p] as const),
    ...Object.entries(actor.outputs ?? {}).map(([n, p]) => ["out", n, p] as const),
  ].map(([dir, name, p]) =>
    `<tr><td>${dir}</td><td>${_escape(name)}</td><td>${_escape(p.kind)}</td><td>${
      _escape((p.formats ?? []).join(", ") || "any")
    }</td></tr>`
  ).join("");
  const params = Object.entries(actor.params ?? {}).map(([name, s]) =>
    `<tr><td>${_escape(name)}</td><td>${_escape(String(s.type))}</td><td>${
      _escape(s.default === undefined ? "" : JSON.stringify(s.default))
    }</td><td>${_escape(s.description ?? "")}</td></tr>`
  ).join("");
  const permissions = Object.entries(actor.permissions ?? {}).map(([name, r]) => {
    const scope = r === undefined ? "" : _permissionScope(r, actor.params);
    return `<li class="perm"><b>${_escape(name)}</b> (${_escape(scope)}): ${
      _escape(r?.reason ?? "")
    }</li>`;
  }).join("");
  return `<h3>${_escape(actor.type)} <span class="muted">${
    _escape(actor.classification)
  }</span></h3>
<p>${_escape(actor.description)}</p>
<table><tr><th></th><th>port</th><th>kind</th><th>formats</th></tr>${ports}</table>
${
    params
      ? `<table><tr><th>parameter</th><th>type</th><th>default</th><th></th></tr>${params}</table>`
      : ""
  }
<h4>Permissions</h4>${
    permissions ? `<ul>${permissions}</ul>` : `<p class="none">Needs no permissions.</p>`
  }`;
}
