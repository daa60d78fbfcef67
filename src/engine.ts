/**
 * The JavaScript engine this thread runs on, as far as code shapes tuned per engine need to know:
 * V8 before version 12 (Node 20) optimises some forms better than later engines do, and the reverse
 * (src/views/attach.ts, src/codegen/generate.ts).
 *
 * @module
 */

/** The V8 major version `process.versions` reports (Bun reports one too, ≥ 12), or NaN without `process` (a browser). */
const v8Major = Number.parseInt(String((globalThis as { process?: { versions?: { v8?: unknown } } }).process?.versions?.v8), 10);

/** Whether this is V8 before 12 (Node 20; Node 22 has V8 12.4). */
export const V8_BEFORE_12 = v8Major < 12;

/** Whether this host stores numbers in little-endian byte order (every platform Node, Deno and browsers run on today). */
const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Whether generated setters store numbers through typed arrays (src/codegen/store-arrays.ts): on
 * little-endian hosts (every one Node, Deno and browsers run on today) under V8, Node 20 included
 * (with a setter guard of its own there: `emitTypedStore` in src/codegen/access.ts). Not on Bun
 * (JavaScriptCore, not measured), which reports a V8 version too. bench/results/backend.md.
 */
export const TYPED_STORES = LITTLE_ENDIAN_HOST && (globalThis as { process?: { versions?: { bun?: unknown } } }).process?.versions?.bun === undefined;
