/**
 * The checks every public function that takes an object of options makes of it, so that each
 * refuses the same mistakes with the same words: something that is not an object (`null`, a
 * number), a key it does not know (a misspelt `chekced` would otherwise be dropped silently), an
 * option of the wrong kind.
 *
 * @module
 */
import { describeValue, named, typeError } from './errors.js';

/**
 * Checks that `options` is an object whose own keys are all in `allowed`; `what` names the
 * function in the message (`Value`, `view(struct Particle)`).
 */
export function checkOptions(what: string, options: unknown, allowed: readonly string[]): asserts options is object {
  if (options === null || typeof options !== 'object')
    throw typeError('invalid_argument', what, `options must be an object (got ${describeValue(options)})`, `the options are ${allowed.join(', ')}`);
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) throw typeError('invalid_argument', what, `has no option ${named(key)}`, `the options are ${allowed.join(', ')}`);
  }
}

/** Checks that the option `key` of `what` is `true`, `false` or left out (`undefined`). */
export function checkBooleanOption(what: string, key: string, value: unknown): asserts value is boolean | undefined {
  if (value !== undefined && typeof value !== 'boolean')
    throw typeError('invalid_argument', what, `${key} must be true or false (got ${describeValue(value)})`);
}
