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
 * The function a message names (`Value`, `view(struct Particle)`): a string, or a function that
 * makes it, called only when the message is (a label built from a schema costs a call that passes).
 */
export type Subject = string | (() => string);

const subjectText = (what: Subject): string => (typeof what === 'string' ? what : what());

/** Checks that `options` is an object whose own keys are all in `allowed`; `what` names the function in the message. */
export function checkOptions(what: Subject, options: unknown, allowed: readonly string[]): asserts options is object {
  if (options === null || typeof options !== 'object')
    throw typeError(
      'invalid_argument',
      subjectText(what),
      `options must be an object (got ${describeValue(options)})`,
      `the options are ${allowed.join(', ')}`,
    );
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) throw typeError('invalid_argument', subjectText(what), `has no option ${named(key)}`, `the options are ${allowed.join(', ')}`);
  }
}

/** Checks that the option `key` of `what` is `true`, `false` or left out (`undefined`). */
export function checkBooleanOption(what: Subject, key: string, value: unknown): asserts value is boolean | undefined {
  if (value !== undefined && typeof value !== 'boolean')
    throw typeError('invalid_argument', subjectText(what), `${key} must be true or false (got ${describeValue(value)})`);
}
