/**
 * What to say when a word alone in pipeline text reads as a file name: `streamlib run in.mp4`
 * (an ffplay habit) or `streamlib run p.txt` (a pipeline kept in a file). Internal: nothing here
 * is public API.
 *
 * @module
 */

/** Extensions of media files, which `filesrc location=…` reads. */
const _MEDIA_EXTENSIONS: ReadonlySet<string> = new Set([
  "mp4",
  "m4v",
  "mov",
  "mkv",
  "webm",
  "avi",
  "ts",
  "mts",
  "flv",
  "ogv",
  "mpg",
  "mpeg",
  "h264",
  "h265",
  "hevc",
  "ivf",
  "y4m",
  "gif",
  "png",
  "jpg",
  "jpeg",
  "bmp",
  "webp",
  "wav",
  "mp3",
  "m4a",
  "aac",
  "flac",
  "ogg",
  "opus",
  "oga",
  "aiff",
  "m3u8",
]);
/** Extensions of text files, where a pipeline's text may be kept. */
const _TEXT_EXTENSIONS: ReadonlySet<string> = new Set(["txt", "pipeline", "gst", "sl", "text"]);

/**
 * What is wrong and what was expected, for a lone word whose extension is a media or text
 * file's; `undefined` for any other word.
 */
export function _fileNameHint(word: string): { what: string; expected: string } | undefined {
  const extension = /\.([A-Za-z0-9]+)$/.exec(word)?.[1]?.toLowerCase();
  if (extension === undefined) return undefined;
  const what = `"${word}" reads as a file name, and a file name alone is not a pipeline`;
  if (_MEDIA_EXTENSIONS.has(extension)) {
    return { what, expected: `pipeline text that reads the file: "filesrc location=${word} ! …"` };
  }
  if (_TEXT_EXTENSIONS.has(extension)) {
    return { what, expected: "the pipeline's text itself, not the name of a file that holds it" };
  }
  return undefined;
}
