import type { Clock, TimedTick } from "../clock/clock.ts";
import {
  type ContractParams,
  type InputsOf,
  type OutputsOf,
  type RequestInputMessage,
  type RequestInputsOf,
  validateContract,
} from "./contract.ts";
import type { Contract } from "./spec.ts";
import { StreamlibError } from "../errors.ts";
import { Input, Output } from "./ports.ts";
import { checkParam, describeParam, type ParamSchema, resolveParams } from "./params.ts";
import { type DeliveryPolicy, resolvePolicy } from "../delivery/policy.ts";
import type { _Host } from "./_host.ts";
import { _fitsTemplate } from "./_template.ts";
import {
  _checkPadChanges,
  _padEntriesProblem,
  _padParamList,
  type _PadSchemas,
  _padTemplate,
} from "./_pads.ts";

const _validated = new WeakSet<Contract>();

/**
 * The base class of every actor. A subclass reads top to bottom like a contract:
 *
 * 1. `static contract`: ports and parameters with defaults (see {@linkcode defineContract});
 * 2. lifecycle: `start()` opens resources, `stop()` releases them, `flush()` writes what is left
 *    when the inputs end;
 * 3. `process(tick)`: reads inputs, writes outputs, nothing else.
 *
 * Sources (no inputs) run on each tick of their clock; other actors run when an input has data.
 * An actor ends by calling `end()` (sources) or when all its inputs have ended; end-of-stream
 * then goes downstream. `this.clock` is the pipeline's clock: actors never read wall time.
 *
 * @example A custom actor in a few lines
 * ```ts
 * import assert from "node:assert/strict";
 * import { Actor, defineContract, type TimedTick } from "@streamlib/core";
 *
 * const contract = defineContract({
 *   type: "scale",
 *   inputs: { in: { kind: "data" } },
 *   outputs: { out: { kind: "data" } },
 *   params: { factor: { type: "number", default: 2 } },
 * });
 *
 * class Scale extends Actor<typeof contract> {
 *   static override contract = contract;
 *   process(_tick: TimedTick): void {
 *     const m = this.inputs.in.read();
 *     if (m) this.outputs.out.write({ ...m, value: (m.value as number) * this.params.factor });
 *   }
 * }
 * assert.ok(new Scale({ factor: 3 }).params.factor === 3);
 * ```
 *
 * @typeParam C The contract type (`typeof contract`).
 */
export abstract class Actor<C extends Contract = Contract> {
  /** The contract of this actor type; every subclass sets its own. */
  static contract: Contract = { type: "actor" };

  /** This actor's contract (its class's `static contract`). */
  readonly contract: C;
  /** Parameter values, defaults filled in. Change them with {@linkcode Actor.setParams}. */
  readonly params: ContractParams<C>;
  /** Input ports by name (request ports appear once requested). */
  readonly inputs: InputsOf<C>;
  /** Output ports by name. */
  readonly outputs: OutputsOf<C>;
  /** @internal */
  _node: _Host | undefined;
  /** @internal */
  _name: string | undefined;
  /** @internal */
  _address: string | undefined;
  /** @internal */
  _clock: Clock | undefined;
  /** @internal */
  _mode: "live" | "offline" | undefined;
  /** The values given for each request port's parameters, by port name. */
  #padGiven = new Map<string, Record<string, unknown>>();
  /** Each request port's parameter values, defaults filled in: one object a port, for good. */
  #padValues = new Map<string, Record<string, unknown>>();

  /**
   * Creates the actor with its ports; parameters are checked against the contract
   * (`SL_PARAM_UNKNOWN` for an unknown name, `SL_PARAM_INVALID` for a bad value).
   *
   * @param params Parameter values; the rest take their defaults.
   */
  constructor(params: Partial<ContractParams<C>> = {}) {
    const contract = (new.target as unknown as { contract: Contract }).contract;
    if (contract === Actor.contract) {
      throw new StreamlibError(
        "SL_CONTRACT_INVALID",
        `${new.target.name} has no contract: declare "static override contract = …" in the class`,
      );
    }
    if (!_validated.has(contract)) {
      validateContract(contract);
      _validated.add(contract);
    }
    this.contract = contract as C;
    this.params = resolveParams(
      contract.type,
      contract.params ?? {},
      params as Record<string, unknown>,
    ) as ContractParams<C>;
    const inputs: Record<string, Input> = {};
    for (const [name, spec] of Object.entries(contract.inputs ?? {})) {
      if (spec.presence === "request") continue;
      inputs[name] = new Input(
        this as Actor,
        name,
        spec,
        resolvePolicy(spec.policy, spec.kind, "live"),
      );
    }
    const outputs: Record<string, Output> = {};
    for (const [name, spec] of Object.entries(contract.outputs ?? {})) {
      if (spec.presence === "request") continue;
      outputs[name] = new Output(this as Actor, name, spec);
    }
    this.inputs = inputs as InputsOf<C>;
    this.outputs = outputs as OutputsOf<C>;
    for (const [name, template, schemas] of this.#shorthands()) {
      const value = (this.params as Record<string, unknown>)[name] as _PadEntries | undefined;
      this.#checkShorthand(name, schemas, value);
      for (const [pad, values] of Object.entries(value ?? {})) {
        this.#setPad(pad, template, schemas, values);
      }
    }
  }

  /**
   * The actor's name in its pipeline (`blur0`, or the name given to `Pipeline.add`); the type
   * name until it is added.
   *
   * @returns The name.
   */
  get name(): string {
    return this._name ?? this.contract.type;
  }

  /**
   * The actor's registry address, `actor://local/<type>/<name>`.
   *
   * @returns The address; `SL_STATE` before the actor is added to a pipeline.
   */
  get address(): string {
    if (this._address === undefined) {
      throw new StreamlibError(
        "SL_STATE",
        `Actor "${this.name}" has no address until it is added to a pipeline`,
      );
    }
    return this._address;
  }

  /**
   * The pipeline's clock. Read time from here, never from `Date.now()` or `performance.now()`.
   *
   * @returns The clock; `SL_STATE` before the actor is added to a pipeline.
   */
  get clock(): Clock {
    if (this._clock === undefined) {
      throw new StreamlibError(
        "SL_STATE",
        `Actor "${this.name}" has no clock until it is added to a pipeline`,
      );
    }
    return this._clock;
  }

  /**
   * How the actor's pipeline runs: `live` (paced by its clock) or `offline` (as fast as the
   * slowest actor, nothing dropped). A sink can choose its output from it, as the HLS sink
   * writes a complete VOD playlist offline.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Collect, Pipeline } from "@streamlib/core";
   * const sink = new Pipeline({ mode: "offline" }).add(new Collect());
   * assert.ok(sink.mode === "offline");
   * ```
   *
   * @returns The mode; `SL_STATE` before the actor is added to a pipeline.
   */
  get mode(): "live" | "offline" {
    if (this._mode === undefined) {
      throw new StreamlibError(
        "SL_STATE",
        `Actor "${this.name}" has no pipeline mode until it is added to a pipeline`,
      );
    }
    return this._mode;
  }

  /**
   * Ticks a second for tick-scheduled actors: the `fps` parameter when the contract has one,
   * else 30. Override to compute it otherwise; `Pipeline.add(actor, { fps })` overrides both.
   * The pipeline reads it when the actor is added and again after each `start()`, so a source
   * can learn its rate there (a file reader from its file).
   *
   * @returns The tick rate.
   */
  get fps(): number {
    const fps = (this.params as Record<string, unknown>).fps;
    return typeof fps === "number" && fps > 0 ? fps : 30;
  }

  /**
   * Opens resources before the first `process` call. Runs again after a supervised restart,
   * so it should (re)initialise all state.
   *
   * @returns Nothing, or a promise.
   */
  start(): void | Promise<void> {}

  /**
   * Writes whatever is left once every input has ended, just before end-of-stream goes
   * downstream (an encoder's last packets, a mixer's tail).
   *
   * @returns Nothing, or a promise.
   */
  flush(): void | Promise<void> {}

  /**
   * Releases resources (finalises files, ends child processes). Called once the actor has
   * finished, when the pipeline is aborted, and before a supervised restart.
   *
   * @returns Nothing, or a promise.
   */
  stop(): void | Promise<void> {}

  /**
   * How far the actor has got, for progress displays: `done` units (frames, messages, bytes)
   * of `total` when known. Sources that know their length (a file reader, a finite generator)
   * report it; the default reports nothing.
   *
   * @returns Progress, or `undefined`.
   */
  progress(): { readonly done: number; readonly total: number | undefined } | undefined {
    return undefined;
  }

  /**
   * The delivery policy of an input, when the actor derives it from its parameters (a queue
   * actor's capacity, say). `Pipeline.add(actor, { inputs })` still overrides it; otherwise it
   * overrides the contract's. Default: none.
   *
   * @param _input The input's name.
   * @returns A policy, or `undefined` to keep the contract's.
   */
  inputPolicy(_input: string): DeliveryPolicy | undefined {
    return undefined;
  }

  /**
   * Called after {@linkcode Actor.setParams} changed parameters while the actor exists.
   *
   * @param _changed The names of the changed parameters.
   */
  paramsChanged(_changed: readonly string[]): void {}

  /**
   * Called after {@linkcode Actor.setPadParams} (or a `pads` shorthand parameter such as a
   * compositor's `layers`) changed parameters of a request port.
   *
   * @param _pad The port, e.g. `"layer_1"`.
   * @param _changed The names of the changed parameters.
   */
  padParamsChanged(_pad: string, _changed: readonly string[]): void {}

  /**
   * Called when the pipeline released a request input (`layer_1`) because its last link went:
   * the port is gone from {@linkcode Actor.inputs}; an actor that keeps state per port drops it
   * here. The port's parameters stay, so a port of the same name made later takes them again.
   *
   * @param _input The released input's name.
   */
  inputReleased(_input: string): void {}

  /**
   * @internal Takes a released request input out of {@linkcode Actor.inputs}; the actor hears
   * of it in {@linkcode Actor.inputReleased}, in its Worker when it runs in one.
   */
  _releaseInput(name: string): void {
    delete (this.inputs as Record<string, Input>)[name];
    const remote = this._node?.remote;
    if (remote !== undefined) remote.inputReleased(name);
    else this.inputReleased(name);
  }

  /**
   * Does the actor's work for one tick (sources) or for newly arrived input.
   *
   * @param tick The tick: timestamp, frame number, clock id, fps.
   * @returns Nothing, or a promise (the actor is not called again until it settles).
   */
  abstract process(tick: TimedTick): void | Promise<void>;

  /**
   * Ends this actor's stream: no more ticks or `process` calls; after its pending writes, `flush`
   * runs, end-of-stream goes to every output, then `stop` runs.
   */
  end(): void {
    const node = this._node;
    if (node === undefined) {
      for (const output of Object.values(this.outputs as Record<string, Output>)) output.end();
      return;
    }
    node.sched._endRequested(node);
  }

  /**
   * Logs a line: it goes out on the pipeline's bus as a `log` event with this actor's address,
   * where the control API keeps it (`streamlib logs <node>` shows it). Nothing is printed; an
   * actor that should also print does so itself, as core's `log` actor does. Before the actor
   * is added to a pipeline there is no bus, and the line goes nowhere. From a Worker the line
   * goes to the main thread's bus.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Actor, defineContract, Pipeline, type TimedTick } from "@streamlib/core";
   *
   * const contract = defineContract({ type: "greeter", outputs: { out: { kind: "data" } } });
   * class Greeter extends Actor<typeof contract> {
   *   static override contract = contract;
   *   override start(): void {
   *     this.log("hello");
   *   }
   *   process(_tick: TimedTick): void {
   *     this.end();
   *   }
   * }
   * const pipeline = new Pipeline({ mode: "offline" });
   * const lines: string[] = [];
   * pipeline.bus.on("log", (event) => lines.push(`${event.actor}: ${event.text}`));
   * pipeline.add(new Greeter());
   * await pipeline.run();
   * assert.deepEqual(lines, ["actor://local/greeter/greeter0: hello"]);
   * ```
   *
   * @param text The line.
   */
  log(text: string): void {
    this._node?.log(String(text));
  }

  /**
   * Changes parameters while the actor exists, checked against the contract, then calls
   * {@linkcode Actor.paramsChanged}. A `fixed` parameter may not change once the actor is in a
   * pipeline (`SL_PARAM_FIXED`).
   *
   * @param changes The parameters to change.
   */
  setParams(changes: Partial<ContractParams<C>>): void {
    const schemas = (this.contract.params ?? {}) as Record<string, ParamSchema>;
    const entries = Object.entries(changes as Record<string, unknown>);
    for (const [key, value] of entries) {
      const schema = schemas[key];
      if (schema === undefined) {
        resolveParams(this.contract.type, schemas, { [key]: value });
      } else {
        const problem = checkParam(schema, value);
        if (problem) {
          throw new StreamlibError(
            "SL_PARAM_INVALID",
            `Parameter "${key}" of "${this.name}" ${problem}; expected ${describeParam(schema)}`,
            { details: { actor: this.name, param: key, value } },
          );
        }
        const now = (this.params as Record<string, unknown>)[key];
        if (
          schema.fixed === true && this._node !== undefined &&
          JSON.stringify(value) !== JSON.stringify(now)
        ) {
          throw new StreamlibError(
            "SL_PARAM_FIXED",
            `Parameter "${key}" of "${this.name}" (${this.contract.type}) is read when it starts ` +
              `and cannot change while it is in a pipeline (it is ${JSON.stringify(now)}); ` +
              `replace the actor (patch) or restart the pipeline with the new value`,
            { details: { actor: this.name, param: key, value, now } },
          );
        }
      }
    }
    const shorthands = this.#shorthands().filter(([name]) => Object.hasOwn(changes, name));
    for (const [name, , padSchemas] of shorthands) {
      this.#checkShorthand(name, padSchemas, (changes as Record<string, unknown>)[name]);
    }
    const params = this.params as Record<string, unknown>;
    // A shorthand replaces every port's values: ports it leaves out go back to their defaults.
    const padChanges: Array<[string, string[]]> = [];
    for (const [name, template, padSchemas] of shorthands) {
      const before = (params[name] ?? {}) as _PadEntries;
      const after = (changes as Record<string, _PadEntries>)[name] ?? {};
      for (const pad of new Set([...Object.keys(before), ...Object.keys(after)])) {
        const reset = Object.fromEntries(
          Object.keys(this.#padGiven.get(pad) ?? {}).map((key) => [key, undefined]),
        );
        const changed = this.#setPad(pad, template, padSchemas, { ...reset, ...after[pad] });
        if (changed.length !== 0) padChanges.push([pad, changed]);
      }
    }
    for (const [key, value] of entries) params[key] = value;
    const remote = this._node?.remote;
    if (remote !== undefined) {
      remote.paramsChanged(Object.fromEntries(entries));
      return;
    }
    this.paramsChanged(entries.map(([key]) => key));
    for (const [pad, changed] of padChanges) this.padParamsChanged(pad, changed);
  }

  /**
   * The parameters of a request port, defaults filled in: those its template declares, such as
   * a compositor layer's `x` and `opacity`. A port may be asked about before it is requested
   * (its values are kept until then). The object is the same for the port's life and changes
   * when its parameters do. `SL_PORT_NOT_FOUND` when no request template with parameters fits
   * `pad`.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Actor, defineContract, type TimedTick } from "@streamlib/core";
   *
   * const contract = defineContract({
   *   type: "summer",
   *   inputs: {
   *     "in_%u": {
   *       kind: "data",
   *       presence: "request",
   *       params: { weight: { type: "number", default: 1 } },
   *     },
   *   },
   * });
   * class Summer extends Actor<typeof contract> {
   *   static override contract = contract;
   *   process(_tick: TimedTick): void {}
   * }
   * const summer = new Summer();
   * summer.setPadParams("in_1", { weight: 0.5 });
   * assert.ok(summer.padParams("in_1").weight === 0.5);
   * assert.ok(summer.padParams("in_0").weight === 1);
   * ```
   *
   * @param pad The port's name, e.g. `"layer_1"`.
   * @returns Its parameter values.
   */
  padParams(pad: string): Readonly<Record<string, unknown>> {
    let values = this.#padValues.get(pad);
    if (values === undefined) {
      const [, schemas] = _padTemplate(this.contract, this.name, pad);
      values = _defaults(schemas);
      this.#padValues.set(pad, values);
    }
    return values;
  }

  /**
   * Changes parameters of one request port (GStreamer's pad properties), checked against its
   * template's schemas, while the actor exists, before or after the port is requested; then
   * calls {@linkcode Actor.padParamsChanged}. A value given as `undefined` restores the
   * default. A `pads` shorthand parameter of the contract (a compositor's `layers`) is kept in
   * step. `SL_PORT_NOT_FOUND` when no request template with parameters fits `pad`,
   * `SL_PARAM_UNKNOWN` for a name the template lacks (listing its parameters),
   * `SL_PARAM_INVALID` for a bad value. For an actor in a Worker, the change goes there.
   *
   * @param pad The port's name, e.g. `"layer_1"`.
   * @param changes The parameters to change.
   */
  setPadParams(pad: string, changes: Readonly<Record<string, unknown>>): void {
    const [template, schemas] = _padTemplate(this.contract, this.name, pad);
    _checkPadChanges(this.name, pad, schemas, changes);
    this.#setPad(pad, template, schemas, changes);
    const given = this.#padGiven.get(pad);
    const params = this.params as Record<string, unknown>;
    for (const [name, shorthand] of this.#shorthands()) {
      if (shorthand !== template) continue;
      const { [pad]: _old, ...others } = (params[name] ?? {}) as _PadEntries;
      params[name] = given === undefined ? others : { ...others, [pad]: { ...given } };
    }
    const remote = this._node?.remote;
    if (remote !== undefined) remote.padParamsChanged(pad, { ...changes });
    else this.padParamsChanged(pad, Object.keys(changes));
  }

  /** @internal The values given for each port's parameters, to rebuild the actor elsewhere. */
  _padsGiven(): Record<string, Record<string, unknown>> {
    return Object.fromEntries([...this.#padGiven].map(([pad, given]) => [pad, { ...given }]));
  }

  /** The contract's `pads` shorthand parameters: name, template and the template's schemas. */
  #shorthands(): Array<[name: string, template: string, schemas: _PadSchemas]> {
    const found: Array<[string, string, _PadSchemas]> = [];
    for (const [name, schema] of Object.entries(this.contract.params ?? {})) {
      if (schema.type !== "object" || schema.pads === undefined) continue;
      const padSchemas = this.contract.inputs?.[schema.pads]?.params;
      if (padSchemas !== undefined) found.push([name, schema.pads, padSchemas]);
    }
    return found;
  }

  /** Throws `SL_PARAM_INVALID` unless every entry of the shorthand `name` fits the schemas. */
  #checkShorthand(name: string, schemas: _PadSchemas, value: unknown): void {
    const problem = value === undefined ? undefined : _padEntriesProblem(schemas, value);
    if (problem === undefined) return;
    throw new StreamlibError(
      "SL_PARAM_INVALID",
      `Parameter "${name}" of "${this.name}": ${problem}; each port takes ${
        _padParamList(schemas)
      }`,
      { details: { actor: this.name, param: name, value } },
    );
  }

  /**
   * Merges checked `changes` into a port's given values (`undefined` removes one) and updates
   * its values in place.
   *
   * @returns The names whose value changed.
   */
  #setPad(
    pad: string,
    template: string,
    schemas: _PadSchemas,
    changes: Readonly<Record<string, unknown>>,
  ): string[] {
    if (!_fitsTemplate(pad, template)) return [];
    const given = { ...this.#padGiven.get(pad) };
    const values = this.padParams(pad) as Record<string, unknown>;
    const changed: string[] = [];
    for (const [key, value] of Object.entries(changes)) {
      const next = value === undefined ? _defaultOf(schemas[key]) : value;
      if (value === undefined) delete given[key];
      else given[key] = value;
      if (values[key] !== next) changed.push(key);
      values[key] = next;
    }
    if (Object.keys(given).length === 0) this.#padGiven.delete(pad);
    else this.#padGiven.set(pad, given);
    return changed;
  }

  /**
   * Creates an input from a request template (GStreamer's request pads): `layer_%u` gives
   * `layer_0`, `layer_1`… or the `name` asked for, which must fit the template.
   *
   * @param template The template name from the contract, e.g. `"layer_%u"`.
   * @param name A specific name such as `"layer_3"`; the lowest free index when absent.
   * @returns The new input, also found in `this.inputs` by its name.
   */
  requestInput<K extends RequestInputsOf<C>>(
    template: K,
    name?: string,
  ): Input<RequestInputMessage<C, K>> {
    const spec = this.contract.inputs?.[template];
    if (spec === undefined || spec.presence !== "request") {
      const templates = Object.entries(this.contract.inputs ?? {})
        .filter(([, s]) => s.presence === "request").map(([n]) => n);
      throw new StreamlibError(
        "SL_PORT_NOT_FOUND",
        `"${this.name}" has no input template "${template}"; templates: ${
          templates.join(", ") || "none"
        }`,
      );
    }
    const inputs = this.inputs as Record<string, Input>;
    const [prefix, suffix] = template.split("%u") as [string, string];
    let portName = name;
    if (portName === undefined) {
      let i = 0;
      while (inputs[`${prefix}${i}${suffix}`] !== undefined) i++;
      portName = `${prefix}${i}${suffix}`;
    } else if (!_fitsTemplate(portName, template)) {
      throw new StreamlibError(
        "SL_PORT_NOT_FOUND",
        `"${portName}" does not fit the template "${template}" of "${this.name}"`,
      );
    } else if (inputs[portName] !== undefined) {
      throw new StreamlibError("SL_NAME_TAKEN", `"${this.name}.${portName}" already exists`);
    }
    const input = new Input(
      this as Actor,
      portName,
      spec,
      resolvePolicy(spec.policy, spec.kind, "live"),
    );
    inputs[portName] = input;
    this._node?.sched._inputAdded(this._node, input);
    return input as Input<RequestInputMessage<C, K>>;
  }
}

/**
 * A constructor of actors with contract `C`, as returned by {@linkcode defineActor}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type ActorClass, defineActor } from "@streamlib/core";
 * const Base: ActorClass<{ type: "noop" }> = defineActor({ type: "noop" });
 * assert.ok(Base.contract.type === "noop");
 * ```
 */
export type ActorClass<C extends Contract> =
  & (abstract new (
    params?: Partial<ContractParams<C>>,
  ) => Actor<C>)
  & { readonly contract: C };

/**
 * Declares an actor's contract and gives back a base class to extend: one declaration, typed
 * ports and parameters, no `static contract` line.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { defineActor, type TimedTick } from "@streamlib/core";
 *
 * class Double extends defineActor({
 *   type: "double",
 *   inputs: { in: { kind: "data" } },
 *   outputs: { out: { kind: "data" } },
 * }) {
 *   process(_tick: TimedTick): void {
 *     const m = this.inputs.in.read();
 *     if (m) this.outputs.out.write({ ...m, value: (m.value as number) * 2 });
 *   }
 * }
 * assert.ok(new Double().contract.type === "double");
 * ```
 *
 * @param contract The contract.
 * @returns An abstract actor class with that contract.
 */
export function defineActor<const C extends Contract>(contract: C): ActorClass<C> {
  validateContract(contract);
  abstract class Defined extends Actor<C> {
    static override contract: Contract = contract;
  }
  return Defined as unknown as ActorClass<C>;
}

/** A `pads` shorthand's value: parameter values by port name. */
type _PadEntries = Readonly<Record<string, Readonly<Record<string, unknown>>>>;

/** A schema's default, deep-copied. */
function _defaultOf(schema: ParamSchema | undefined): unknown {
  return schema?.default === undefined ? undefined : structuredClone(schema.default);
}

/** Every parameter of `schemas` at its default (`undefined` where there is none). */
function _defaults(schemas: _PadSchemas): Record<string, unknown> {
  return Object.fromEntries(Object.entries(schemas).map(([key, s]) => [key, _defaultOf(s)]));
}
