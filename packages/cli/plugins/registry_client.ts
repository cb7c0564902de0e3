import { DEFAULT_TARBALL_MAX_BYTES } from "./tarball.ts";
import { _readLimited } from "./_read_limited.ts";
import { StreamlibError } from "@streamlib/core";
import { integrityOf } from "./tarball.ts";

/**
 * One version in a registry's package document (npm's "packument"), as far as streamlib reads
 * it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { RegistryVersion } from "@streamlib/cli";
 * const v: RegistryVersion = {
 *   name: "reader",
 *   version: "1.0.0",
 *   dist: { tarball: "http://127.0.0.1:4873/reader/-/reader-1.0.0.tgz", integrity: "sha512-A" },
 * };
 * assert.ok(v.dist.tarball.endsWith(".tgz"));
 * ```
 */
export interface RegistryVersion {
  /** The package name. */
  readonly name: string;
  /** The version. */
  readonly version: string;
  /** What it does, in a line. */
  readonly description?: string;
  /** Its keywords. */
  readonly keywords?: readonly string[];
  /** Set when the version is deprecated (npm's "yank"): installs skip it unless named exactly. */
  readonly deprecated?: string;
  /** Its license. */
  readonly license?: string;
  /** Where its tarball is, and its integrity. */
  readonly dist: {
    /** The tarball's URL. */
    readonly tarball: string;
    /** The tarball's integrity (`sha512-…`). */
    readonly integrity?: string;
    readonly shasum?: string;
  };
}

/**
 * A registry's document of one package: its versions, tags and times.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { Packument } from "@streamlib/cli";
 * const doc: Packument = { name: "reader", "dist-tags": { latest: "1.0.0" }, versions: {} };
 * assert.ok(doc["dist-tags"].latest === "1.0.0");
 * ```
 */
export interface Packument {
  /** The package name. */
  readonly name: string;
  /** What it does, in a line. */
  readonly description?: string;
  /** Its tags (`latest`). */
  readonly "dist-tags": Readonly<Record<string, string>>;
  /** Its versions by number. */
  readonly versions: Readonly<Record<string, RegistryVersion>>;
  /** When each version was published, and `modified`. */
  readonly time?: Readonly<Record<string, string>>;
}

/**
 * A package a registry's search found.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { SearchHit } from "@streamlib/cli";
 * const hit: SearchHit = { name: "reader", version: "1.0.0", keywords: ["streamlib-plugin"] };
 * assert.ok(hit.keywords.includes("streamlib-plugin"));
 * ```
 */
export interface SearchHit {
  /** The package name. */
  readonly name: string;
  /** The version. */
  readonly version: string;
  /** What it does, in a line. */
  readonly description?: string;
  /** Its keywords. */
  readonly keywords: readonly string[];
  /** When the package last changed, if the registry says. */
  readonly modified?: string;
}

/** The keyword that marks a package as a streamlib plugin. */
export const PLUGIN_KEYWORD = "streamlib-plugin";

/**
 * A client of an npm-compatible registry (npm itself, Verdaccio, …): package documents,
 * tarballs, search, and publishing. Errors are `SL_REGISTRY` (unreachable, an HTTP error) or
 * `SL_PLUGIN_NOT_FOUND` (no such package).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { RegistryClient } from "@streamlib/cli";
 * const registry = new RegistryClient("http://127.0.0.1:4873");
 * assert.equal(registry.url, "http://127.0.0.1:4873/");
 * assert.equal(registry.packageUrl("@acme/blur"), "http://127.0.0.1:4873/@acme%2fblur");
 * ```
 */
export class RegistryClient {
  /** The registry's URL, ending with `/`. */
  readonly url: string;
  readonly #token: string | undefined;

  /**
   * A client of the registry at `url`.
   *
   * @param url The registry's URL.
   * @param token A token sent as `Authorization: Bearer` (to publish, or read a private one).
   */
  constructor(url: string, token?: string) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new StreamlibError("SL_USAGE", `The registry URL "${url}" is not a URL`);
    }
    this.url = parsed.href.endsWith("/") ? parsed.href : `${parsed.href}/`;
    this.#token = token;
  }

  /**
   * The URL of a package's document.
   *
   * @param name The package name.
   * @returns The URL.
   */
  packageUrl(name: string): string {
    return `${this.url}${name.replace("/", "%2f")}`;
  }

  /**
   * A package's document. Throws `SL_PLUGIN_NOT_FOUND` when the registry has no such package.
   *
   * @param name The package name.
   * @returns Its document.
   */
  async packument(name: string): Promise<Packument> {
    const response = await this.#fetch(this.packageUrl(name), {
      headers: { accept: "application/json" },
    });
    if (response.status === 404) {
      await response.body?.cancel();
      throw new StreamlibError(
        "SL_PLUGIN_NOT_FOUND",
        `The registry ${this.url} has no package "${name}"`,
        { details: { name, registry: this.url } },
      );
    }
    return await this.#json(response, `the package "${name}"`) as Packument;
  }

  /**
   * Downloads a tarball; `SL_REGISTRY` for one larger than `maxBytes` (256 MiB unless told
   * otherwise), refused by its `Content-Length` or as soon as that much has come.
   *
   * @param url The tarball's URL.
   * @param maxBytes The most to download.
   * @returns Its bytes.
   */
  async tarball(url: string, maxBytes = DEFAULT_TARBALL_MAX_BYTES): Promise<Uint8Array> {
    const response = await this.#fetch(url);
    if (!response.ok) {
      await response.body?.cancel();
      throw new StreamlibError(
        "SL_REGISTRY",
        `Cannot download ${url}: HTTP ${response.status} ${response.statusText}`,
        { details: { url, status: response.status } },
      );
    }
    const tooLarge = (): StreamlibError =>
      new StreamlibError(
        "SL_REGISTRY",
        `Refused to download ${url}: it is larger than ${maxBytes} bytes, more than any plugin ` +
          `needs`,
        { details: { url, maxBytes } },
      );
    if (Number(response.headers.get("content-length") ?? 0) > maxBytes) {
      await response.body?.cancel();
      throw tooLarge();
    }
    return response.body === null
      ? new Uint8Array()
      : await _readLimited(response.body, maxBytes, tooLarge);
  }

  /**
   * Every package the registry's search finds for `text`, page by page (npm's
   * `/-/v1/search`), at most `limit`.
   *
   * @param text The search text (`keywords:streamlib-plugin` on npm; an empty text lists
   *   every package on Verdaccio).
   * @param limit The most to return.
   * @returns The packages found.
   */
  async search(text: string, limit = 10_000): Promise<SearchHit[]> {
    const hits: SearchHit[] = [];
    const size = 250;
    for (let from = 0; from < limit; from += size) {
      const url = `${this.url}-/v1/search?text=${
        encodeURIComponent(text)
      }&size=${size}&from=${from}`;
      const response = await this.#fetch(url, { headers: { accept: "application/json" } });
      if (response.status === 400 || response.status === 404) {
        await response.body?.cancel();
        return hits; // no search, or not for this text
      }
      const page = await this.#json(response, "the search") as {
        objects?: Array<{ package?: Record<string, unknown> }>;
        total?: number;
      };
      const objects = page.objects ?? [];
      for (const { package: p } of objects) {
        if (typeof p?.name !== "string") continue;
        const time = p.time as { modified?: unknown } | undefined;
        hits.push({
          name: p.name,
          version: typeof p.version === "string"
            ? p.version
            : String((p["dist-tags"] as Record<string, unknown> | undefined)?.latest ?? ""),
          ...(typeof p.description === "string" ? { description: p.description } : {}),
          keywords: Array.isArray(p.keywords)
            ? p.keywords.filter((k) => typeof k === "string")
            : [],
          ...(typeof time?.modified === "string"
            ? { modified: time.modified }
            : typeof p.date === "string"
            ? { modified: p.date }
            : {}),
        });
      }
      if (objects.length < size || (page.total !== undefined && from + size >= page.total)) break;
    }
    return hits.slice(0, limit);
  }

  /**
   * Publishes a package version (npm's publish request: the version's `package.json` with its
   * `dist`, and the tarball attached). Versions are immutable: publishing one again fails with
   * `SL_REGISTRY`.
   *
   * @param tarball The `.tgz` bytes.
   * @param pkg Its `package.json` (name and version at least).
   * @returns Its integrity and tarball URL.
   */
  async publish(
    tarball: Uint8Array,
    pkg: { readonly name: string; readonly version: string; readonly [key: string]: unknown },
  ): Promise<{ integrity: string; tarball: string }> {
    const integrity = await integrityOf(tarball);
    const sha1 = new Uint8Array(await crypto.subtle.digest("SHA-1", tarball as BufferSource));
    const shasum = [...sha1].map((b) => b.toString(16).padStart(2, "0")).join("");
    const file = `${pkg.name.replace(/^@[^/]+\//, "")}-${pkg.version}.tgz`;
    const url = `${this.url}${pkg.name}/-/${file}`;
    let data = "";
    for (let i = 0; i < tarball.length; i += 0x8000) {
      data += String.fromCharCode(...tarball.subarray(i, i + 0x8000));
    }
    const body = {
      _id: pkg.name,
      name: pkg.name,
      ...(typeof pkg.description === "string" ? { description: pkg.description } : {}),
      "dist-tags": { latest: pkg.version },
      versions: {
        [pkg.version]: {
          ...pkg,
          _id: `${pkg.name}@${pkg.version}`,
          dist: { integrity, shasum, tarball: url },
        },
      },
      _attachments: {
        [file]: {
          content_type: "application/octet-stream",
          data: btoa(data),
          length: tarball.length,
        },
      },
    };
    const response = await this.#fetch(this.packageUrl(pkg.name), {
      method: "PUT",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify(body),
    });
    if (!response.ok) {
      const text = (await response.text()).slice(0, 500).trim();
      const taken = response.status === 409 || response.status === 403 && /exist/i.test(text);
      throw new StreamlibError(
        "SL_REGISTRY",
        `The registry ${this.url} refused ${pkg.name} ${pkg.version}: HTTP ${response.status}` +
          `${text ? ` ${text}` : ""}${
            taken ? ". Published versions never change: raise the version and publish again" : ""
          }`,
        { details: { status: response.status, name: pkg.name, version: pkg.version } },
      );
    }
    await response.body?.cancel();
    return { integrity, tarball: url };
  }

  async #fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.#token !== undefined && url.startsWith(this.url)) {
      headers.set("authorization", `Bearer ${this.#token}`);
    }
    try {
      return await fetch(url, { ...init, headers });
    } catch (error) {
      throw new StreamlibError(
        "SL_REGISTRY",
        `Cannot reach ${url}: ${(error as Error).message}`,
        { cause: error, details: { url } },
      );
    }
  }

  async #json(response: Response, what: string): Promise<unknown> {
    if (!response.ok) {
      await response.body?.cancel();
      throw new StreamlibError(
        "SL_REGISTRY",
        `The registry ${this.url} answered HTTP ${response.status} ${response.statusText} for ${what}`,
        { details: { status: response.status } },
      );
    }
    try {
      return await response.json();
    } catch (error) {
      throw new StreamlibError(
        "SL_REGISTRY",
        `The registry ${this.url} sent something that is not JSON for ${what}`,
        { cause: error },
      );
    }
  }
}
