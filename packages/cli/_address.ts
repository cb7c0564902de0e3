/**
 * The `[host:]port` of options such as `--control-tcp` and `streamlib mcp --http`. Internal.
 *
 * @module
 */

import { StreamlibError } from "@streamlib/core";

/** `[host:]port` (127.0.0.1 when no host is given; IPv6 in brackets), or `SL_USAGE`. */
export function _hostPort(value: string, flag: string): { host: string; port: number } {
  const match = /^(?:(\[[^\]]+\]|[^:]+):)?(\d+)$/.exec(value.trim());
  const port = Number(match?.[2]);
  if (match === null || !(port >= 0 && port <= 65_535)) {
    throw new StreamlibError(
      "SL_USAGE",
      `${flag} takes [host:]port (9000, 0.0.0.0:9000, [::1]:9000), got "${value}"`,
    );
  }
  return { host: (match[1] ?? "127.0.0.1").replace(/^\[(.*)\]$/, "$1"), port };
}
