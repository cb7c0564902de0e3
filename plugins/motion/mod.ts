/**
 * `@streamlib/plugin-motion`: a motion detector for streamlib pipelines, and an example of a
 * plugin outside the core packages. Its `manifest.json` lets the catalogue list and describe it
 * without importing it:
 *
 * ```ts ignore
 * const catalogue = Catalogue.withCore();
 * await catalogue.load(import.meta.resolve("@streamlib/plugin-motion/manifest.json"));
 * ```
 *
 * @example
 * ```ts
 * import { MotionDetector } from "@streamlib/plugin-motion";
 * console.assert(MotionDetector.contract.type === "motion");
 * ```
 *
 * @module
 */

export * from "./motion.ts";
