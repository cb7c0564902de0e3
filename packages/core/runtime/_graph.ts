/**
 * A pipeline's actors and how it finds them: by object, by name, by `"name.port"` reference,
 * and the port pair `link()` chooses when the caller names no port. Internal: nothing here is
 * public API.
 *
 * @module
 */

import { Actor } from "../graph/actor.ts";
import { negotiate, transferNeeded } from "../graph/caps.ts";
import { _formatOrigin, _produced } from "./_produced.ts";
import { Input, Output, type PortOwner } from "../graph/ports.ts";
import type { Capability, PortSpec } from "../graph/spec.ts";
import type { PortKind } from "../messages.ts";
import { _fitsTemplate } from "../graph/_template.ts";
import { formatPolicy } from "../delivery/policy.ts";
import { resolveEndpoint } from "../graph/names.ts";
import { StreamlibError } from "../errors.ts";
import type { Connection, PortRef } from "./pipeline_types.ts";
import type { _Node, _PortLink } from "./_node.ts";

/** @internal */
export class _Graph {
  /** Every actor's node, in the order they were added. */
  readonly nodes: Map<Actor, _Node> = new Map();
  /** Actors by name. */
  readonly byName: Map<string, Actor> = new Map();
  #counters = new Map<string, number>();
  /** Whether a transfer moves `kind` messages from memory `from` to `to`. */
  readonly #canMove: (from: Capability, to: Capability, kind: PortKind | "any") => unknown;

  /**
   * @param canMove Tells whether the pipeline knows a transfer for a move between memories
   *   (truthy: yes), so that `pair()` counts ports that need one as fitting.
   */
  constructor(canMove: (from: Capability, to: Capability, kind: PortKind | "any") => unknown) {
    this.#canMove = canMove;
  }

  /** The next free default name for `type`: `blur0`, `blur1`, … */
  autoName(type: string): string {
    let n = this.#counters.get(type) ?? 0;
    while (this.byName.has(`${type}${n}`)) n++;
    this.#counters.set(type, n + 1);
    return `${type}${n}`;
  }

  /** The node of an actor given by object or name (`SL_ACTOR_NOT_FOUND` if not here). */
  node(actor: PortOwner | string): _Node {
    const a = typeof actor === "string" ? this.byName.get(actor) : actor as Actor;
    const node = a === undefined ? undefined : this.nodes.get(a);
    if (node === undefined) {
      throw new StreamlibError(
        "SL_ACTOR_NOT_FOUND",
        `No actor ${
          JSON.stringify(typeof actor === "string" ? actor : actor.name)
        } in this pipeline; actors: ${[...this.byName.keys()].join(", ") || "none"}`,
      );
    }
    return node;
  }

  #splitRef(ref: string): [_Node, string] {
    const dot = ref.lastIndexOf(".");
    if (dot <= 0 || dot === ref.length - 1) {
      throw new StreamlibError(
        "SL_PORT_NOT_FOUND",
        `Port reference "${ref}" must look like "name.port"`,
      );
    }
    return [this.node(ref.slice(0, dot)), ref.slice(dot + 1)];
  }

  /** An output given by object or `"name.port"`. */
  output(ref: PortRef<Output>): Output {
    if (ref instanceof Output) {
      this.node(ref.actor);
      return ref;
    }
    const [node, port] = this.#splitRef(ref);
    const output = node.outputs.find((o) => o.name === port);
    if (output === undefined) {
      throw new StreamlibError(
        "SL_PORT_NOT_FOUND",
        `"${node.actor.name}" has no output "${port}"; outputs: ${
          node.outputs.map((o) => o.name).join(", ") || "none"
        }`,
      );
    }
    return output;
  }

  /**
   * An input given by object or `"name.port"`; with `create`, naming an instance of a request
   * template (`"mix.in_2"`, or the template itself) creates it.
   */
  input(ref: PortRef<Input>, create: boolean): Input {
    if (ref instanceof Input) {
      this.node(ref.actor);
      return ref;
    }
    const [node, port] = this.#splitRef(ref);
    const existing = node.inputs.find((i) => i.name === port);
    if (existing) return existing;
    const templates = Object.entries(node.actor.contract.inputs ?? {})
      .filter(([, s]) => s.presence === "request").map(([n]) => n);
    const template = port.includes("%u")
      ? templates.find((t) => t === port)
      : templates.find((t) => _fitsTemplate(port, t));
    if (create && template !== undefined) {
      if (node.over) {
        throw new StreamlibError(
          "SL_STATE",
          `"${node.actor.name}" has finished; it takes no new inputs`,
        );
      }
      return port === template
        ? (node.actor.requestInput as (t: string) => Input)(template)
        : (node.actor.requestInput as (t: string, n: string) => Input)(template, port);
    }
    throw new StreamlibError(
      "SL_PORT_NOT_FOUND",
      `"${node.actor.name}" has no input "${port}"; inputs: ${
        [...node.inputs.map((i) => i.name), ...templates].join(", ") || "none"
      }`,
    );
  }

  /** Resolves one end of `link()`: the actor, and the port when one is named. */
  end<P extends Input | Output>(
    ref: Actor | PortRef<P> | string,
    side: "input" | "output",
  ): [_Node, P | string | undefined] {
    if (ref instanceof Actor) return [this.node(ref), undefined];
    if (ref instanceof Input || ref instanceof Output) {
      if ((side === "input") !== (ref instanceof Input)) {
        throw new StreamlibError(
          "SL_PORT_NOT_FOUND",
          `"${ref.actor.name}.${ref.name}" is not an ${side}`,
        );
      }
      return [this.node(ref.actor), ref as P];
    }
    const [name, port] = resolveEndpoint(ref, (n) => this.byName.has(n));
    const node = this.node(name);
    if (port === undefined) return [node, undefined];
    if (side === "output") return [node, this.output(`${name}.${port}`) as P];
    return [node, `${name}.${port}`];
  }

  /**
   * The one output and input name `link()` connects when ports are left open: the single
   * compatible pair, free inputs first, then a new request input (`layer_%u`); when several fit
   * and exactly one uses the main ports `out` and `in`, that one. Ports that would fit but for
   * their memory (`cpu` and `gpu`) fit through a transfer when the pipeline knows one, and count
   * only where no pair fits directly. Throws `SL_PIPE_AMBIGUOUS` or `SL_PIPE_NO_MATCH`, listing
   * what fits or both sides' ports.
   */
  pair(
    up: _Node,
    down: _Node,
    fixedOut: Output | undefined,
    fixedIn: Input | string | undefined,
  ): [Output, string] {
    /** Pairs that fit only through a transfer. */
    const moving = new Set<string>();
    const fits = (o: Output, name: string, spec: Input["spec"] | undefined): boolean => {
      if (spec === undefined) return false;
      const move = transferNeeded(o.spec, spec);
      try {
        const caps = negotiate(
          _produced(o),
          move ? { ...spec, capabilities: o.spec.capabilities } : spec,
        );
        if (move === undefined) return true;
        if (!this.#canMove(move.from, move.to, caps.kind)) return false;
        moving.add(`${o.name}\n${name}`);
        return true;
      } catch {
        return false;
      }
    };
    const outputs = fixedOut !== undefined ? [fixedOut] : up.outputs;
    const a = up.actor.name;
    const b = down.actor.name;
    // The inputs link() may use: the named one, or the free ones and then the request templates.
    let candidates: Array<[string, PortSpec]>;
    if (fixedIn !== undefined) {
      const port = typeof fixedIn === "string" ? fixedIn.slice(b.length + 1) : fixedIn.name;
      const spec = typeof fixedIn === "string" ? this.#inputSpec(down, port) : fixedIn.spec;
      if (spec === undefined) this.input(`${b}.${port}`, false); // throws: no such input
      candidates = [[port, spec!]];
    } else {
      candidates = down.inputs.filter((i) => !i.connected).map((i) => [i.name, i.spec]);
    }
    const templates: Array<[string, PortSpec]> = fixedIn !== undefined ? [] : Object.entries(
      down.actor.contract.inputs ?? {},
    ).filter(([, spec]) => spec.presence === "request");
    let pairs: Array<[Output, string]> = [];
    for (const o of outputs) {
      for (const [name, spec] of candidates) if (fits(o, name, spec)) pairs.push([o, name]);
    }
    if (pairs.length === 0) {
      for (const o of outputs) {
        for (const [name, spec] of templates) if (fits(o, name, spec)) pairs.push([o, name]);
      }
    }
    if (pairs.length > 1) {
      // Several fit: the conventional main ports, "out" and "in", win if exactly one pair uses
      // them (a detector's video "out" rather than its "motion" events).
      const main = pairs.filter(([o, i]) =>
        (fixedOut !== undefined || o.name === "out") && (fixedIn !== undefined || i === "in")
      );
      if (main.length === 1) pairs = main;
    }
    if (pairs.length > 1) {
      // Then a pair that fits as it is wins over pairs that need a transfer.
      const direct = pairs.filter(([o, i]) => !moving.has(`${o.name}\n${i}`));
      if (direct.length === 1) pairs = direct;
    }
    if (pairs.length === 1) return pairs[0]!;
    if (pairs.length === 0) {
      const inputs = [...candidates, ...templates];
      let why = "";
      if (outputs.length === 1 && inputs.length === 1) {
        // One output and one input that do not fit: negotiation says exactly why (the kinds,
        // formats or memory).
        try {
          negotiate(_produced(outputs[0]!), inputs[0]![1]);
        } catch (error) {
          const message = (error as Error).message;
          why = message.slice(message.lastIndexOf("): ") + 3);
        }
      } else {
        const kinds = new Set(inputs.map(([, spec]) => spec.kind));
        const unwanted = [...new Set(outputs.map((o) => o.spec.kind))]
          .filter((kind) => kind !== "any" && !kinds.has(kind) && !kinds.has("any"));
        if (
          unwanted.length !== 0 && unwanted.length === new Set(outputs.map((o) => o.spec.kind)).size
        ) {
          why = `no input of "${b}" takes ${unwanted.join(" or ")}`;
        }
      }
      const list = (ports: Array<[string, PortSpec, string?]>): string =>
        ports.map(([name, spec, note]) =>
          `${name} (${spec.kind}: ${spec.formats?.join(", ") ?? "any"}${note ?? ""})`
        ).join(", ") || "none";
      // An output whose format a parameter picks is listed with that format and the parameter.
      const produced = outputs.map((o): [string, PortSpec, string?] => {
        const spec = _produced(o);
        const origin = spec === o.spec ? undefined : _formatOrigin(o);
        return origin === undefined ? [o.name, spec] : [o.name, spec, `, as ${origin} says`];
      });
      throw new StreamlibError(
        "SL_PIPE_NO_MATCH",
        `Cannot link "${a}" to "${b}": no compatible free ports. "${a}" outputs: ${
          list(produced)
        }; "${b}" ${fixedIn !== undefined ? "input" : "free inputs"}: ${list(candidates)}${
          templates.length ? `, request inputs: ${list(templates)}` : ""
        }${why ? ` — ${why}` : ""}`,
        { details: { from: a, to: b } },
      );
    }
    throw new StreamlibError(
      "SL_PIPE_AMBIGUOUS",
      `Cannot link "${a}" to "${b}": ${pairs.length} port pairs fit (${
        pairs.map(([o, i]) => `${a}.${o.name} → ${b}.${i}`).join(", ")
      }); choose one with pipeline.connect("${a}.${pairs[0]![0].name}", "${b}.${pairs[0]![1]}")`,
      { details: { from: a, to: b, pairs: pairs.map(([o, i]) => [o.name, i]) } },
    );
  }

  /** The spec a named input has, or will have once requested from its template. */
  #inputSpec(node: _Node, port: string): Input["spec"] | undefined {
    const existing = node.inputs.find((i) => i.name === port);
    if (existing) return existing.spec;
    return Object.entries(node.actor.contract.inputs ?? {})
      .find(([t, s]) => s.presence === "request" && (t === port || _fitsTemplate(port, t)))?.[1];
  }

  /** A link as `connect()` and `toJSON()` report it. */
  describe(link: _PortLink): Connection {
    const { output, input } = link;
    const caps = negotiate(output.spec, input.spec); // checked when the link was made
    return {
      from: `${output.actor.name}.${output.name}`,
      to: `${input.actor.name}.${input.name}`,
      kind: caps.kind,
      policy: formatPolicy(input._policy),
      formats: caps.formats ?? "any",
    };
  }

  /** Every link, output by output. */
  links(): Connection[] {
    const links: Connection[] = [];
    for (const node of this.nodes.values()) {
      for (const output of node.outputs) {
        for (const link of output._links) links.push(this.describe(link));
      }
    }
    return links;
  }
}
