/**
 * Where something stands in pipeline text: 1-based line and column, 0-based offset, length.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { SourceSpan } from "@streamlib/core";
 * const span: SourceSpan = { offset: 10, line: 1, column: 11, length: 4 };
 * assert.ok(span.column === span.offset + 1);
 * ```
 */
export interface SourceSpan {
  /** Offset of the first character, from 0. */
  readonly offset: number;
  /** Line, from 1. */
  readonly line: number;
  /** Column, from 1. */
  readonly column: number;
  /** Characters covered. */
  readonly length: number;
}

/**
 * Formats a message that points at a place in pipeline text, with the line and a caret under
 * the span:
 *
 * ```console
 * line 1, column 18: unknown actor type "blr"; expected one of blur, testsrc
 *   testsrc fps=30 ! blr radius=4
 *                    ^^^
 * ```
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { pointAt } from "@streamlib/core";
 * const text = pointAt("a ! b", { offset: 4, line: 1, column: 5, length: 1 }, "unknown type");
 * assert.ok(text === "line 1, column 5: unknown type\n  a ! b\n      ^");
 * ```
 *
 * @param text The pipeline text.
 * @param span The place.
 * @param message What is wrong there.
 * @returns The message, the location, the line and the caret.
 */
export function pointAt(text: string, span: SourceSpan, message: string): string {
  const line = (text.split("\n")[span.line - 1] ?? "").replaceAll("\t", " ");
  const caret = " ".repeat(span.column - 1) +
    "^".repeat(Math.max(1, Math.min(span.length, line.length - span.column + 1)));
  return `line ${span.line}, column ${span.column}: ${message}\n  ${line}\n  ${caret}`;
}
