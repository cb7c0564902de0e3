/**
 * The class of an isolated plugin's actors on the thread that hosts them: made from the manifest
 * alone, so the plugin's code is never imported there (its Worker builds the real one).
 *
 * @module
 */

import { Actor } from "../graph/actor.ts";
import type { TimedTick } from "../clock/clock.ts";
import { StreamlibError } from "../errors.ts";
import type { Contract } from "../graph/spec.ts";
import { contractOf, type ManifestActor } from "./manifest.ts";

type _ActorClass = new (params?: Record<string, unknown>) => Actor;

/** What of a catalogue entry the class needs (the entry itself fits). */
interface _IsolatedEntry {
  readonly type: string;
  readonly package: string;
  readonly version: string;
  readonly actor: ManifestActor;
}

const _classes = new WeakMap<_IsolatedEntry, _ActorClass>();

/**
 * An actor class with the manifest entry's contract whose hooks never run here: the pipeline
 * calls its Worker's instead.
 *
 * @param entry The type's catalogue entry.
 * @returns The class (one per entry).
 */
export function _isolatedClass(entry: _IsolatedEntry): _ActorClass {
  const known = _classes.get(entry);
  if (known !== undefined) return known;
  const contract: Contract = contractOf(entry.actor);
  const where = `${entry.package} ${entry.version}`;
  class Isolated extends Actor {
    static override contract: Contract = contract;
    process(_tick: TimedTick): void {
      throw new StreamlibError(
        "SL_STATE",
        `"${this.address}" (${entry.type}, from ${where}) runs isolated: only its Worker runs it`,
      );
    }
  }
  const made = Isolated as unknown as _ActorClass;
  _classes.set(entry, made);
  return made;
}
