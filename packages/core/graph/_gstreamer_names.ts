/**
 * GStreamer's names for what streamlib calls otherwise, for the hints in "unknown type" and
 * "unknown parameter" errors: someone who types `fakesink` or `num-buffers` from habit is told the
 * name here, instead of being offered whatever name is spelled closest (`filesink`, which would
 * write a file).
 *
 * @module
 */

/** GStreamer element → streamlib actor types that do its job, best first. */
const _TYPES: Readonly<Record<string, readonly string[]>> = {
  fakesink: ["nullsink"],
  fakevideosink: ["nullsink"],
  fakeaudiosink: ["nullsink"],
  autovideosink: ["display"],
  xvimagesink: ["display"],
  ximagesink: ["display"],
  glimagesink: ["display"],
  waylandsink: ["display"],
  autoaudiosink: ["audiosink"],
  pulsesink: ["audiosink"],
  alsasink: ["audiosink"],
  appsink: ["collect"],
  appsrc: ["datasrc"],
  fakesrc: ["datasrc"],
  videorate: ["ratelimit"],
  audioconvert: ["channelmix", "audioresample"],
  videomixer: ["compositor"],
  glvideomixer: ["compositor", "gpucompositor"],
  gaussianblur: ["blur"],
  avdec_h264: ["filesrc"],
  decodebin: ["filesrc"],
  uridecodebin: ["filesrc"],
  playbin: ["filesrc"],
  x264enc: ["filesink"],
  mp4mux: ["filesink"],
  matroskamux: ["filesink"],
  hlssink2: ["hlssink"],
  tcpserversink: ["netsink"],
  tcpclientsrc: ["netsrc"],
  udpsink: ["netsink"],
  udpsrc: ["netsrc"],
};

/** GStreamer property → streamlib parameters that do its job. */
const _PARAMS: Readonly<Record<string, readonly string[]>> = {
  "num-buffers": ["frames", "count", "buffers"],
  "max-size-buffers": ["capacity"],
  "max-size-time": ["capacity"],
  "max-size-bytes": ["capacity"],
  "freq": ["frequency"],
  "samplesperbuffer": ["samplesPerBuffer"],
  "is-live": [],
  "sync": [],
  "alpha": ["opacity"],
  "xpos": ["x"],
  "ypos": ["y"],
  "uri": ["location"],
};

/** What a parameter named in a hint takes, where GStreamer's property counts otherwise. */
const _NOTES: Readonly<Record<string, string>> = {
  "max-size-buffers": "how many messages it holds; leaky=upstream or leaky=downstream drops " +
    "when full, leaky=no holds the writer back",
  "max-size-time": "how many messages it holds, not a time; leaky=upstream or " +
    "leaky=downstream drops when full, leaky=no holds the writer back",
  "max-size-bytes": "how many messages it holds, not bytes; leaky=upstream or " +
    "leaky=downstream drops when full, leaky=no holds the writer back",
};

/** GStreamer's enum properties set by number (`leaky=2`), whose names streamlib takes. */
const _VALUES: Readonly<Record<string, readonly string[]>> = {
  leaky: ["no", "upstream", "downstream"],
};

/**
 * The types of `known` that do the job of a GStreamer element called `type` (none when `type`
 * is not one).
 *
 * @param type The name given.
 * @param known Whether a type exists.
 * @returns E.g. `["nullsink"]` for `fakesink`.
 */
export function _gstreamerTypes(type: string, known: (type: string) => boolean): string[] {
  return (_TYPES[type] ?? []).filter(known);
}

/**
 * The hint for an unknown parameter that is a GStreamer property's name: the parameters of
 * `valid` that do its job; for a property streamlib has no use for, says so.
 *
 * @param key The name given.
 * @param valid The actor's parameter names.
 * @returns E.g. `for GStreamer's num-buffers, use "frames" here`, or `undefined`.
 */
export function _gstreamerParamHint(key: string, valid: readonly string[]): string | undefined {
  const candidates = _PARAMS[key];
  if (candidates === undefined) return undefined;
  if (candidates.length === 0) {
    return `GStreamer's ${key} has no counterpart here: leave it out`;
  }
  const ours = candidates.filter((c) => valid.includes(c));
  if (ours.length === 0) return undefined;
  const note = _NOTES[key];
  return `for GStreamer's ${key}, use ${ours.map((p) => `"${p}"`).join(" or ")} here${
    note ? ` (${note})` : ""
  }`;
}

/**
 * The hint for a value given as GStreamer's number for an enum property that streamlib takes by
 * name, where the parameter's values are GStreamer's names.
 *
 * @param key The parameter's name.
 * @param value The value given.
 * @param allowed The parameter's values.
 * @returns E.g. `GStreamer's leaky=2 is leaky=downstream here`, or `undefined`.
 */
export function _gstreamerValueHint(
  key: string,
  value: unknown,
  allowed: readonly string[] | undefined,
): string | undefined {
  const names = _VALUES[key];
  if (names === undefined || typeof value !== "number" || !Number.isInteger(value)) {
    return undefined;
  }
  const name = names[value];
  if (name === undefined || !allowed?.includes(name)) return undefined;
  return `GStreamer's ${key}=${value} is ${key}=${name} here`;
}
