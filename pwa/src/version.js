// @ts-check
/**
 * The app's version, reported with every sync and shown on the sync screen. The build
 * (build.mjs) replaces `globalThis.FIELDROLL_VERSION` with package.json's version or a
 * build label; code run unbundled (tests) says 'dev'.
 */
export const APP_VERSION = /** @type {string} */ (/** @type {any} */ (globalThis).FIELDROLL_VERSION ?? 'dev');
