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
 * import assert from "node:assert/strict";
 * import { MotionDetector } from "@streamlib/plugin-motion";
 * assert.ok(MotionDetector.contract.type === "motion");
 * ```
 *
 * @module
 */

export * from "./motion.ts";
