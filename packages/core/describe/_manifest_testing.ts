/**
 * The manifests the validator's and the JSON Schema's tests share: valid ones using every field,
 * a base manifest, and changes to it that each break exactly one field.
 *
 * @module
 */

import assert from "node:assert/strict";
import { StreamlibError } from "../errors.ts";
import { validateManifest } from "./validate_manifest.ts";

/** The paths of the problems `validateManifest` reports, `[]` when it accepts the manifest. */
export function problemPaths(manifest: unknown, file?: string): string[] {
  try {
    validateManifest(manifest, file);
    return [];
  } catch (error) {
    assert.ok(error instanceof StreamlibError, `expected a StreamlibError, got ${error}`);
    assert.equal(error.code, "SL_MANIFEST_INVALID");
    const errors = error.details.errors as { path: string; expected: string; got: string }[];
    return errors.map((e) => e.path);
  }
}

/** The error `validateManifest` throws for `manifest`. */
export function rejection(manifest: unknown, file?: string): StreamlibError {
  try {
    validateManifest(manifest, file);
  } catch (error) {
    assert.ok(error instanceof StreamlibError);
    return error;
  }
  return assert.fail("expected the manifest to be rejected");
}

export const SCHEMA_URL = "https://streamlib.dev/schemas/manifest.schema.json";

/** Valid manifests that, between them, use every field of the format. */
export const VALID: Record<string, unknown> = {
  "a minimal manifest with one actor": {
    name: "datasrc",
    version: "0.1.0",
    streamlib: "^0.1.0",
    actors: [{
      type: "datasrc",
      description: "Generates numbers",
      classification: "Source/Data",
      module: "./data_source.ts",
      export: "DataSource",
    }],
  },
  "a filter using every port, parameter, schedule and clock field": {
    $schema: SCHEMA_URL,
    name: "@example/video-tools",
    version: "2.3.4",
    description: "Video filters",
    streamlib: ">=0.1.0 <0.3.0",
    actors: [{
      type: "blur",
      description: "Blurs each frame",
      classification: "Filter/Video",
      module: "./actors/blur.ts",
      export: "Blur",
      inputs: {
        in: {
          kind: "video",
          formats: ["RGBA", "BGRA"],
          capabilities: ["cpu", "gpu"],
          presence: "always",
          description: "Frames to blur",
          policy: "latest",
          multiple: false,
        },
      },
      outputs: {
        out: {
          kind: "video",
          formats: ["RGBA"],
          capabilities: ["gpu"],
          presence: "always",
          description: "Blurred frames",
        },
      },
      params: {
        radius: {
          type: "number",
          default: 4,
          minimum: 0,
          maximum: 64,
          description: "Blur radius",
          unit: "px",
        },
        passes: {
          type: "integer",
          default: 2,
          exclusiveMinimum: 0,
          exclusiveMaximum: 10,
          description: "Box blur passes",
          unit: "passes",
        },
        mode: {
          type: "string",
          enum: ["box", "gauss"],
          default: "gauss",
          description: "Kernel",
        },
        label: {
          type: "string",
          pattern: "^[a-z]+$",
          minLength: 1,
          maxLength: 16,
          default: "blur",
          description: "Name shown in stats",
        },
        enabled: { type: "boolean", default: true, description: "Bypass when false" },
      },
      schedule: "input",
      clock: "graph",
    }],
  },
  "a file source asking for permissions tied to a parameter and to fixed values": {
    name: "file-tools",
    version: "1.0.0-beta.1+build.7",
    streamlib: "^0.1.0 || ^1.0.0-beta",
    actors: [{
      type: "filesrc",
      description: "Reads a file as data messages",
      classification: "Source/Data",
      module: "../shared/file_source.ts",
      export: "FileSource",
      outputs: { out: { kind: "data" } },
      params: {
        path: { type: "string", description: "The file to read" },
        mirrors: { type: "array", items: { type: "string" }, default: [] },
      },
      permissions: {
        read: { reason: "Reads the file it is given", params: ["path", "mirrors"] },
        net: { reason: "Fetches remote files", values: ["example.com", "cdn.example.com:443"] },
        env: { reason: "Reads the proxy setting", values: ["HTTPS_PROXY"], params: ["path"] },
      },
      schedule: "external",
    }],
  },
  "a mixer with request templates and both object policy forms": {
    name: "mixer",
    version: "0.2.0",
    streamlib: "~0.1.0",
    actors: [{
      type: "audiomix",
      description: "Mixes audio inputs",
      classification: "Filter/Audio/Mixer",
      module: "./mix.ts",
      export: "AudioMix",
      inputs: {
        "in_%u": {
          kind: "audio",
          presence: "request",
          policy: { type: "queue", capacity: 32, full: "drop-oldest" },
        },
        control: { kind: "event", policy: { type: "latest" }, multiple: true },
        clock: { kind: "data", policy: { type: "queue" } },
        log: { kind: "any", policy: "queue:16:block" },
      },
      outputs: {
        out: { kind: "audio", formats: ["f32-planar"] },
        "dbg_%u_tap": { kind: "any", presence: "request" },
      },
      schedule: "tick",
      clock: "upstream",
    }],
  },
  "a compositor with port parameters on a request template and a pads shorthand": {
    name: "@example/compositor",
    version: "0.1.0",
    streamlib: "^0.1.0",
    actors: [{
      type: "compositor",
      description: "Composites layers",
      classification: "Filter/Editor/Video",
      module: "./compositor.ts",
      export: "Compositor",
      inputs: {
        "layer_%u": {
          kind: "video",
          presence: "request",
          params: {
            x: { type: "integer", default: 0, unit: "px" },
            opacity: { type: "number", default: 1, minimum: 0, maximum: 1 },
            visible: { type: "boolean", default: true },
          },
        },
      },
      outputs: { out: { kind: "video" } },
      params: {
        layers: {
          type: "object",
          default: { layer_1: { opacity: 0.5 } },
          additionalProperties: true,
          pads: "layer_%u",
        },
      },
      schedule: "tick",
    }],
  },
  "nested array and object parameters": {
    name: "shapes",
    version: "3.0.0",
    streamlib: "*",
    actors: [{
      type: "overlay",
      description: "Draws shapes",
      classification: "Filter/Video",
      module: "https://example.com/overlay.ts",
      export: "$Overlay_2",
      params: {
        rect: {
          type: "array",
          items: { type: "integer", minimum: 0 },
          minItems: 4,
          maxItems: 4,
          default: [0, 0, 64, 64],
        },
        points: {
          type: "array",
          items: {
            type: "object",
            properties: { x: { type: "number" }, y: { type: "number" } },
            required: ["x", "y"],
            additionalProperties: false,
          },
          default: [{ x: 1, y: 2 }],
        },
        style: {
          type: "object",
          properties: {
            colour: { type: "string", enum: ["red", "green"], default: "red" },
            dash: { type: "array", items: { type: "number", exclusiveMinimum: 0 } },
            font: { type: "object", properties: { size: { type: "integer", default: 12 } } },
          },
          required: [],
          additionalProperties: true,
          default: { colour: "green", extra: 1 },
          description: "Drawing style",
        },
      },
    }],
  },
  "several actors from URL and npm modules with unrestricted permissions": {
    $schema: SCHEMA_URL,
    name: "@streamlib/native",
    version: "0.1.0-rc.2",
    description: "",
    streamlib: "0.1.x || 1.2.3 - 2",
    actors: [
      {
        type: "cam",
        description: "Captures a camera",
        classification: "Source/Video/Live",
        module: "npm:@example/cam@1.2.3/actor",
        export: "Camera",
        outputs: { out: { kind: "video" } },
        permissions: {
          ffi: { reason: "Calls the camera driver" },
          sys: { reason: "Lists devices" },
          run: { reason: "Starts the helper", values: ["cam-helper"] },
          write: { reason: "Writes a calibration cache", values: ["/tmp/cam"] },
        },
      },
      {
        type: "nullsink",
        description: "Discards everything",
        classification: "Sink/Any",
        module: "./null.ts",
        export: "NullSink",
        inputs: { in: { kind: "any" } },
      },
    ],
  },
};

/** The manifest the invalid cases change. */
export function base(): Record<string, unknown> {
  return {
    name: "@example/gain",
    version: "1.0.0",
    streamlib: "^0.1.0",
    actors: [{
      type: "gain",
      description: "Multiplies numbers by a gain",
      classification: "Filter/Data",
      module: "./gain.ts",
      export: "Gain",
      inputs: { in: { kind: "data" } },
      outputs: { out: { kind: "data" } },
      params: {
        gain: { type: "number", default: 1 },
        fps: { type: "number", default: 30, minimum: 1 },
        mode: { type: "string", enum: ["linear", "db"], default: "linear" },
        path: { type: "string" },
        points: { type: "array", items: { type: "object", properties: { x: { type: "number" } } } },
      },
      permissions: { read: { reason: "Reads a gain table", params: ["path"] } },
    }],
  };
}

const SEGMENT = /\.([A-Za-z0-9_$%-]+)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]|^([A-Za-z0-9_$%-]+)/g;

/** Sets (or, with `undefined`, deletes) the value at a path like `actors[0].inputs["in put"]`. */
function setAt(root: Record<string, unknown>, path: string, value: unknown): void {
  const keys = [...path.matchAll(SEGMENT)].map((m) =>
    m[1] ?? m[4] ?? (m[2] === undefined ? JSON.parse(m[3]!) as string : Number(m[2]))
  );
  let node = root as Record<string | number, unknown>;
  for (const key of keys.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  const last = keys.at(-1)!;
  if (value === undefined) delete node[last];
  else node[last] = structuredClone(value);
}

/** A manifest that fails at exactly one path. */
export interface InvalidCase {
  /** Changes to {@linkcode base}: path to new value (`undefined` deletes). */
  readonly set?: Readonly<Record<string, unknown>>;
  /** Or the whole value, instead of a changed base. */
  readonly manifest?: unknown;
  /** The one path the error must name. */
  readonly path: string;
}

export function build(c: InvalidCase): unknown {
  if (c.set === undefined) return c.manifest;
  const manifest = base();
  for (const [path, value] of Object.entries(c.set)) setAt(manifest, path, value);
  return manifest;
}

export const SECOND_ACTOR = {
  type: "gain2",
  description: "Another gain",
  classification: "Filter/Data",
  module: "./gain2.ts",
  export: "Gain2",
};

/** Manifests that both the JSON Schema and `validateManifest` reject. */
export const INVALID: Record<string, InvalidCase> = {
  "the manifest is not an object": { manifest: [], path: "" },
  "the manifest is null": { manifest: null, path: "" },
  "name is missing": { set: { name: undefined }, path: "name" },
  "name has spaces and capitals": { set: { name: "Motion Detector" }, path: "name" },
  "name has an empty scope": { set: { name: "@/gain" }, path: "name" },
  "version has two numbers": { set: { version: "1.0" }, path: "version" },
  "version has a leading zero": { set: { version: "1.02.0" }, path: "version" },
  "version has an empty prerelease": { set: { version: "1.0.0-" }, path: "version" },
  "an unknown top-level key": { set: { author: "me" }, path: "author" },
  "$schema is a number": { set: { $schema: 1 }, path: "$schema" },
  "description is a number": { set: { description: 3 }, path: "description" },
  "streamlib is a number": { set: { streamlib: 3 }, path: "streamlib" },
  "streamlib is empty": { set: { streamlib: "" }, path: "streamlib" },
  "actors is empty": { set: { actors: [] }, path: "actors" },
  "actors is an object": { set: { actors: {} }, path: "actors" },
  "an actor is a string": { set: { "actors[0]": "gain" }, path: "actors[0]" },
  "an unknown actor key": { set: { "actors[0].colour": "red" }, path: "actors[0].colour" },
  "an actor lacks its module": { set: { "actors[0].module": undefined }, path: "actors[0].module" },
  "a second actor lacks its type": {
    set: { "actors[1]": SECOND_ACTOR, "actors[1].type": undefined },
    path: "actors[1].type",
  },
  "an actor type starts with a digit": {
    set: { "actors[0].type": "9lives" },
    path: "actors[0].type",
  },
  "an empty description": { set: { "actors[0].description": "" }, path: "actors[0].description" },
  "a lowercase classification": {
    set: { "actors[0].classification": "filter/data" },
    path: "actors[0].classification",
  },
  "a classification of one word": {
    set: { "actors[0].classification": "Filter" },
    path: "actors[0].classification",
  },
  "a bare module specifier": {
    set: { "actors[0].module": "actors/gain.ts" },
    path: "actors[0].module",
  },
  "an export that is not an identifier": {
    set: { "actors[0].export": "my-gain" },
    path: "actors[0].export",
  },
  "an unknown port kind": {
    set: { "actors[0].inputs.in.kind": "smell" },
    path: "actors[0].inputs.in.kind",
  },
  "a port without a kind": {
    set: { "actors[0].outputs.out.kind": undefined },
    path: "actors[0].outputs.out.kind",
  },
  "a policy on an output port": {
    set: { "actors[0].outputs.out.policy": "latest" },
    path: "actors[0].outputs.out.policy",
  },
  "an empty formats list": {
    set: { "actors[0].inputs.in.formats": [] },
    path: "actors[0].inputs.in.formats",
  },
  "a repeated format": {
    set: { "actors[0].inputs.in.formats": ["RGBA", "RGBA"] },
    path: "actors[0].inputs.in.formats[1]",
  },
  "an unknown capability": {
    set: { "actors[0].inputs.in.capabilities": ["cpu", "tpu"] },
    path: "actors[0].inputs.in.capabilities[1]",
  },
  "an unknown presence": {
    set: { "actors[0].outputs.out.presence": "sometimes" },
    path: "actors[0].outputs.out.presence",
  },
  "a policy string that is not a policy": {
    set: { "actors[0].inputs.in.policy": "fifo" },
    path: "actors[0].inputs.in.policy",
  },
  "a queue policy of capacity 0": {
    set: { "actors[0].inputs.in.policy": "queue:0" },
    path: "actors[0].inputs.in.policy",
  },
  "an unknown key in a policy object": {
    set: { "actors[0].inputs.in.policy": { type: "queue", size: 4 } },
    path: "actors[0].inputs.in.policy.size",
  },
  "a policy object with a fractional capacity": {
    set: { "actors[0].inputs.in.policy": { type: "queue", capacity: 1.5 } },
    path: "actors[0].inputs.in.policy.capacity",
  },
  "multiple is a string": {
    set: { "actors[0].inputs.in.multiple": "yes" },
    path: "actors[0].inputs.in.multiple",
  },
  "a port name with a space": {
    set: { 'actors[0].inputs["in put"]': { kind: "data" } },
    path: 'actors[0].inputs["in put"]',
  },
  "a parameter bound that is not a number": {
    set: { "actors[0].params.fps.minimum": "ten" },
    path: "actors[0].params.fps.minimum",
  },
  "an unknown parameter type": {
    set: { "actors[0].params.gain.type": "float" },
    path: "actors[0].params.gain.type",
  },
  "an unknown parameter key": {
    set: { "actors[0].params.gain.step": 0.1 },
    path: "actors[0].params.gain.step",
  },
  "a string keyword on a number parameter": {
    set: { "actors[0].params.gain.enum": ["1"] },
    path: "actors[0].params.gain.enum",
  },
  "a number default for a string parameter": {
    set: { "actors[0].params.mode.default": 3 },
    path: "actors[0].params.mode.default",
  },
  "a fractional default for an integer parameter": {
    set: { "actors[0].params.n": { type: "integer", default: 1.5 } },
    path: "actors[0].params.n.default",
  },
  "an empty enum": {
    set: { "actors[0].params.mode.enum": [] },
    path: "actors[0].params.mode.enum",
  },
  "a negative minLength": {
    set: { "actors[0].params.path.minLength": -1 },
    path: "actors[0].params.path.minLength",
  },
  "an unknown key in array items": {
    set: { "actors[0].params.points.items.colour": "red" },
    path: "actors[0].params.points.items.colour",
  },
  "an unknown key in a nested property schema": {
    set: { "actors[0].params.points.items.properties.x.minumum": 0 },
    path: "actors[0].params.points.items.properties.x.minumum",
  },
  "a required list that is not an array": {
    set: { "actors[0].params.points.items.required": "x" },
    path: "actors[0].params.points.items.required",
  },
  "a parameter name with a space": {
    set: { 'actors[0].params["has space"]': { type: "number" } },
    path: 'actors[0].params["has space"]',
  },
  "an unknown schedule": { set: { "actors[0].schedule": "always" }, path: "actors[0].schedule" },
  "an unknown clock": { set: { "actors[0].clock": "wall" }, path: "actors[0].clock" },
  "an unknown permission": {
    set: { "actors[0].permissions.camera": { reason: "Films you" } },
    path: "actors[0].permissions.camera",
  },
  "a permission without a reason": {
    set: { "actors[0].permissions.net": { values: ["example.com"] } },
    path: "actors[0].permissions.net.reason",
  },
  "an unknown key in a permission request": {
    set: { "actors[0].permissions.net": { reason: "Fetches", hosts: ["example.com"] } },
    path: "actors[0].permissions.net.hosts",
  },
  "an empty list of permission values": {
    set: { "actors[0].permissions.net": { reason: "Fetches", values: [] } },
    path: "actors[0].permissions.net.values",
  },
  "a permission request that is a string": {
    set: { "actors[0].permissions.env": "HOME" },
    path: "actors[0].permissions.env",
  },
  "port parameters on an output": {
    set: { "actors[0].outputs.out.params": { x: { type: "integer" } } },
    path: "actors[0].outputs.out.params",
  },
  "a port parameter of an unknown type": {
    set: {
      'actors[0].inputs["in_%u"]': {
        kind: "data",
        presence: "request",
        params: { x: { type: "float" } },
      },
    },
    path: "actors[0].inputs.in_%u.params.x.type",
  },
  "a pads keyword without %u": {
    set: { "actors[0].params.layers": { type: "object", pads: "layer" } },
    path: "actors[0].params.layers.pads",
  },
};

/**
 * Semantic-only cases: manifests the JSON Schema accepts (it cannot express these rules) but
 * `validateManifest` rejects.
 */
export const SEMANTIC_ONLY: Record<string, InvalidCase> = {
  "two actors declare the same type": {
    set: { "actors[1]": { ...SECOND_ACTOR, type: "gain" } },
    path: "actors[1].type",
  },
  "a permission names a parameter the actor lacks": {
    set: { "actors[0].permissions.read.params": ["file"] },
    path: "actors[0].permissions.read.params[0]",
  },
  "a permission names a number parameter": {
    set: { "actors[0].permissions.read.params": ["path", "gain"] },
    path: "actors[0].permissions.read.params[1]",
  },
  "a default below the minimum": {
    set: { "actors[0].params.fps.default": 0 },
    path: "actors[0].params.fps.default",
  },
  "a default outside the enum": {
    set: { "actors[0].params.mode.default": "log" },
    path: "actors[0].params.mode.default",
  },
  "an array default whose items fail the item schema": {
    set: { "actors[0].params.points.default": [{ x: "1" }] },
    path: "actors[0].params.points.default",
  },
  "a request port without %u in its name": {
    set: { "actors[0].inputs.layer": { kind: "video", presence: "request" } },
    path: "actors[0].inputs.layer",
  },
  "a %u name on a port that is not a request port": {
    set: { 'actors[0].outputs["src_%u"]': { kind: "video" } },
    path: "actors[0].outputs.src_%u",
  },
  "a version number beyond 2^53": {
    set: { version: "1.2.99999999999999999" },
    path: "version",
  },
  "a streamlib range that does not parse": { set: { streamlib: "^^0.1.0" }, path: "streamlib" },
  "a streamlib range with an empty alternative": {
    set: { streamlib: "^0.1.0 ||" },
    path: "streamlib",
  },
  "a string pattern that is not a regular expression": {
    set: { "actors[0].params.path.pattern": "([a-z" },
    path: "actors[0].params.path.pattern",
  },
  "port parameters on an input that is not a request template": {
    set: { "actors[0].inputs.in.params": { x: { type: "integer" } } },
    path: "actors[0].inputs.in.params",
  },
  "a port parameter default that fails its schema": {
    set: {
      'actors[0].inputs["in_%u"]': {
        kind: "data",
        presence: "request",
        params: { x: { type: "integer", minimum: 0, default: -1 } },
      },
    },
    path: "actors[0].inputs.in_%u.params.x.default",
  },
  "a pads parameter naming a template without port parameters": {
    set: {
      'actors[0].inputs["in_%u"]': { kind: "data", presence: "request" },
      "actors[0].params.ins": { type: "object", pads: "in_%u" },
    },
    path: "actors[0].params.ins.pads",
  },
};
