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
