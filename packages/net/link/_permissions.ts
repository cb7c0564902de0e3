/**
 * What `netsink` and `netsrc` may need: the network (the other node, a NATS server), ffmpeg
 * for H.264 and Opus, Skia for JPEG. Internal to the link code.
 *
 * @module
 */

import type { PermissionName, PermissionRequest } from "@streamlib/core";

/** The permissions of the link actors. */
export const _LINK_PERMISSIONS: Readonly<Partial<Record<PermissionName, PermissionRequest>>> = {
  net: {
    reason: "Connects to the other node or listens for it (TCP), and to the NATS server",
  },
  run: {
    reason: "Runs ffmpeg to encode and decode H.264 and Opus (STREAMLIB_FFMPEG, ffmpeg on " +
      "PATH, or the npm @ffmpeg-installer binary), and nothing else",
    values: ["ffmpeg"],
  },
  env: {
    reason: "Reads STREAMLIB_FFMPEG to find ffmpeg; @napi-rs/canvas (JPEG) reads the others to " +
      "find its native library",
    values: [
      "STREAMLIB_FFMPEG",
      "NAPI_RS_NATIVE_LIBRARY_PATH",
      "NAPI_RS_FORCE_WASI",
      "DISABLE_SYSTEM_FONTS_LOAD",
    ],
  },
  ffi: { reason: "Loads Skia, the native library behind @napi-rs/canvas, for JPEG" },
  read: {
    reason: "@napi-rs/canvas reads /usr/bin/ldd to tell glibc from musl",
    values: ["/usr/bin/ldd"],
  },
  sys: { reason: "@napi-rs/canvas reads the home directory for its fonts", values: ["homedir"] },
};
