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
  "num-buffers": ["frames", "count"],
  "is-live": [],
  "sync": [],
  "alpha": ["opacity"],
  "xpos": ["x"],
  "ypos": ["y"],
  "uri": ["location"],
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
  return `for GStreamer's ${key}, use ${ours.map((p) => `"${p}"`).join(" or ")} here`;
}
