/**
 * How the command prints an error: with its `SL_` code, and the codes of its causes, so that a
 * person sees what to look up and a script can match on it. Internal: nothing here is public API.
 *
 * @module
 */

import { isStreamlibError } from "@streamlib/core";
import { _printable } from "./_printable.ts";

/**
 * The `SL_` codes of an error's causes, outermost first (`SL_FILE_INVALID` under an
 * `SL_ACTOR_FAILED`); repeats of the same code in a row are left out.
 */
export function _causeCodes(error: unknown): string[] {
  const codes: string[] = [];
  let last = isStreamlibError(error) ? error.code : undefined;
  let e: unknown = error instanceof Error ? error.cause : undefined;
  for (let depth = 0; e instanceof Error && depth < 10; depth++, e = e.cause) {
    if (!isStreamlibError(e) || e.code === last) continue;
    codes.push(e.code);
    last = e.code;
  }
  return codes;
}

/**
 * `error SL_ACTOR_FAILED ← SL_FILE_INVALID: …`; a code that is no `SL_` code (an error's
 * name) is left out, so the line reads `error: …`.
 */
export function _errorText(
  code: string | undefined,
  causes: readonly string[],
  message: string,
): string {
  return `error${_slCodes(code, causes).length ? " " : ": "}${_codedText(code, causes, message)}`;
}

/** `SL_ACTOR_FAILED ← SL_FILE_INVALID: …`, or the message alone when no code is an `SL_` one. */
export function _codedText(
  code: string | undefined,
  causes: readonly string[],
  message: string,
): string {
  const codes = _slCodes(code, causes);
  // Messages quote manifests and registries: their escape sequences are shown, not obeyed.
  return `${codes.length ? `${codes.join(" ← ")}: ` : ""}${_printable(message)}`;
}

function _slCodes(code: string | undefined, causes: readonly string[]): string[] {
  return [code, ...causes].filter((c): c is string => c?.startsWith("SL_") === true);
}

/** How a child process ended without saying why: `signal SIGKILL`, or `exit code 1`. */
export function _exitText(status: Deno.CommandStatus | undefined): string {
  return status?.signal ? `signal ${status.signal}` : `exit code ${status?.code ?? "unknown"}`;
}

/** The text of any error the command catches. */
export function _describeCaught(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return _errorText(isStreamlibError(error) ? error.code : undefined, _causeCodes(error), message);
}
