// One-off: builds packages/video/manifest.json from contracts + /tmp/parts/*.json.
import { fileReaderContract } from "./file_reader.ts";
import { fileWriterContract } from "./file_writer.ts";
const ffmpegPerms = {
  run: {
    reason: "runs ffmpeg (STREAMLIB_FFMPEG, ffmpeg on PATH, or the npm @ffmpeg-installer binary)",
  },
  env: { reason: "reads STREAMLIB_FFMPEG to find ffmpeg", values: ["STREAMLIB_FFMPEG"] },
};
function entry(contract: any, extra: any) {
  const { type, description, schedule: _s, clock: _c, ...rest } = contract;
  return {
    type,
    description,
    classification: extra.classification,
    module: extra.module,
    export: extra.export,
    ...rest,
    permissions: extra.permissions,
  };
}
const mine = [
  entry(fileReaderContract, {
    classification: "Source/File/Video",
    module: "./file_reader.ts",
    export: "FileReader",
    permissions: {
      read: { reason: "checks that the file exists (ffmpeg reads it)", params: ["location"] },
      ...ffmpegPerms,
    },
  }),
  entry(fileWriterContract, {
    classification: "Sink/File/Video",
    module: "./file_writer.ts",
    export: "FileWriter",
    permissions: {
      write: { reason: "ffmpeg writes the file", params: ["location"] },
      ...ffmpegPerms,
    },
  }),
];
const parts = [];
for (const e of Deno.readDirSync("/tmp/parts")) {
  parts.push(...JSON.parse(Deno.readTextFileSync(`/tmp/parts/${e.name}`)));
}
const actors = [...mine, ...parts].sort((a, b) => a.type.localeCompare(b.type));
const manifest = {
  $schema: "../core/manifest.schema.json",
  name: "@streamlib/video",
  version: "0.1.0",
  description:
    "Video actors: test patterns, compositor, Canvas 2D drawing, filters, pixel formats, ffmpeg file reading and writing, PNG snapshots",
  streamlib: "^0.1.0",
  actors,
};
Deno.writeTextFileSync(
  new URL("./manifest.json", import.meta.url),
  JSON.stringify(manifest, null, 2) + "\n",
);
console.log(actors.map((a) => a.type).join(" "));
