/**
 * Headless Chromium for the net package's tests: Debian's `chromium` (or `STREAMLIB_CHROMIUM`)
 * driven by `puppeteer-core`, with the flags this machine's closed network needs and a fresh
 * profile folder that is removed afterwards.
 *
 * @module
 */

import puppeteer, { type Browser, type Page } from "puppeteer-core";
import { needs } from "../../tests/_needs.ts";

/** The browser binary: `STREAMLIB_CHROMIUM`, else the first of the usual paths that exists. */
export function chromiumPath(): string | undefined {
  const own = Deno.env.get("STREAMLIB_CHROMIUM");
  if (own) return own;
  for (const path of ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]) {
    try {
      if (Deno.statSync(path).isFile) return path;
    } catch {
      // not there
    }
  }
  return undefined;
}

/** Marks a test as needing Chromium (skipped, or failing under `STREAMLIB_REQUIRE_ALL=1`). */
export const needsChromium: (test: Deno.TestDefinition) => Deno.TestDefinition = needs(
  "Chromium",
  chromiumPath() !== undefined,
  "apt-get install chromium",
);

/** A launched browser; `close()` ends it and removes its profile. */
export interface TestBrowser {
  readonly browser: Browser;
  /** A new tab at `url`, loaded. */
  open(url: string): Promise<Page>;
  /** The browser's process id, to check it is gone after `close()`. */
  readonly pid: number | undefined;
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Launches headless Chromium. Use with `await using`, so it ends however the test ends.
 *
 * @example
 * ```ts ignore
 * await using chrome = await launchBrowser();
 * const page = await chrome.open("http://127.0.0.1:8080/");
 * ```
 */
export async function launchBrowser(): Promise<TestBrowser> {
  const executablePath = chromiumPath();
  if (executablePath === undefined) throw new Error("no Chromium: apt-get install chromium");
  const userDataDir = await Deno.makeTempDir({ prefix: "streamlib-chromium-" });
  const browser = await puppeteer.launch({
    executablePath,
    headless: true,
    userDataDir,
    // puppeteer-core's own signal handlers would outlive the test (sanitizers).
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--autoplay-policy=no-user-gesture-required",
    ],
  });
  const pid = browser.process()?.pid;
  let closed: Promise<void> | undefined;
  const close = (): Promise<void> =>
    closed ??= (async () => {
      try {
        await browser.close();
      } finally {
        await Deno.remove(userDataDir, { recursive: true }).catch(() => {});
      }
    })();
  return {
    browser,
    pid,
    async open(url: string): Promise<Page> {
      const page = await browser.newPage();
      await page.goto(url, { waitUntil: "load" });
      return page;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
