/**
 * The only place that turns generated source text into code, and the switch between compiled and
 * interpreted accessors (for pages whose Content-Security-Policy forbids `eval`).
 *
 * @module
 */
import { typeError } from '../errors.js';

/** How accessors are built: `'auto'` compiles when the platform allows it, `'on'` always, `'off'` never. */
export type CodegenMode = 'auto' | 'on' | 'off';

let mode: CodegenMode = 'auto';
let epoch = 0;
let probed: boolean | undefined;
let warned = false;

/**
 * Chooses how accessors are built from now on (views already compiled keep theirs). Use `'off'` on
 * pages with a strict Content-Security-Policy: it skips the one-time `new Function` probe, which
 * such a page would report as a violation even though the library catches it.
 *
 * @example
 * ```ts
 * import { configure, codegenActive } from 'sharedctypes';
 * configure({ codegen: 'off' });
 * codegenActive(); // false: interpreted accessors, same results, slower
 * ```
 */
export function configure(options: { readonly codegen?: CodegenMode }): void {
  if (options === null || typeof options !== 'object')
    throw typeError(
      'invalid_argument',
      'configure',
      `takes an object of options, such as { codegen: 'off' } (got ${options === null ? 'null' : typeof options})`,
    );
  if (options.codegen !== undefined) {
    if (options.codegen !== 'auto' && options.codegen !== 'on' && options.codegen !== 'off') {
      throw typeError('invalid_argument', 'configure', `codegen is 'auto', 'on' or 'off' (got ${JSON.stringify(options.codegen)})`);
    }
    mode = options.codegen;
    epoch++;
    for (const listener of listeners) listener();
  }
}

const listeners: Array<() => void> = [];

/**
 * Calls `listener` after every {@link configure} that sets the mode: caches of classes made under
 * one mode that are probed without asking {@link codegenEpoch} (the fast path of `view()`) forget
 * them there.
 */
export function whenConfigured(listener: () => void): void {
  listeners.push(listener);
}

function canEvaluate(): boolean {
  if (probed === undefined) {
    try {
      probed = new Function('return 1')() === 1;
    } catch {
      probed = false;
    }
    if (!probed && !warned && mode === 'auto') {
      warned = true;
      console.warn(
        'sharedctypes: code generation is blocked here (Content-Security-Policy?); using interpreted accessors. configure({ codegen: "off" }) silences this.',
      );
    }
  }
  return probed;
}

/**
 * Whether accessors compiled from now on are generated code (the fast path); false under a
 * Content-Security-Policy without `'unsafe-eval'`, or after `configure({ codegen: 'off' })`.
 *
 * @example
 * ```ts
 * import { codegenActive } from 'sharedctypes';
 * console.log(codegenActive() ? 'compiled accessors' : 'interpreted accessors (CSP)');
 * ```
 */
export function codegenActive(): boolean {
  if (mode === 'off') return false;
  if (mode === 'on') return true;
  return canEvaluate();
}

/** Changes whenever {@link configure} is called: what was decided under one mode is re-decided after. */
export function codegenEpoch(): number {
  return epoch;
}

/**
 * Evaluates generated source `body` as the body of a function of `params` and calls it with `args`.
 * Callers pass only code built by the emitters from plans: numbers, booleans and fixed text.
 */
export function evaluate<T>(params: readonly string[], body: string, args: readonly unknown[]): T {
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const factory = new Function(...params, `'use strict';\n${body}`) as (...a: unknown[]) => T;
  return factory(...args);
}
