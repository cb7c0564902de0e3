/**
 * Request-port templates (`layer_%u`). Internal: nothing here is public API.
 *
 * @module
 */

/** Whether `name` is an instance of the request template `template`. */
export function _fitsTemplate(name: string, template: string): boolean {
  const [prefix, suffix] = template.split("%u") as [string, string];
  return name.startsWith(prefix) && name.endsWith(suffix) &&
    /^\d+$/.test(name.slice(prefix.length, name.length - suffix.length));
}
