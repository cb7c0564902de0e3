/**
 * The number syntax of the pipeline language. Internal: nothing here is public API.
 *
 * @module
 */

/** A plain number as the language writes it. */
export const _NUMBER: RegExp = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
