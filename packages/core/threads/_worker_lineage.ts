/**
 * What a thread is importing for its actors, handed down to the Workers it starts meanwhile. A
 * module that runs a pipeline with its own actor in a Worker at top level would otherwise import
 * itself in a new Worker, which runs that code again, and so on, without end: a Worker told to
 * import a module that a thread above it was importing when it started it knows this is that
 * loop, and says so at once. Internal: nothing here is public API.
 *
 * @module
 */

/** This thread's part in the chain of Workers that started one another. */
export const _lineage: {
  /** Actor modules whose import is under way on this thread. */
  readonly importing: Set<string>;
  /** Modules the threads above this one were importing when each started the next. */
  inherited: readonly string[];
  /** What a Worker started now is handed down. */
  forNewWorker(): string[];
} = {
  importing: new Set<string>(),
  inherited: [],
  forNewWorker(): string[] {
    return [...this.inherited, ...this.importing];
  },
};
