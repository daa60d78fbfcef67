/**
 * How synchronization objects show themselves: `console.log(lock)` / `util.inspect` in Node print
 * the class and its state (`Lock { locked: false }`), and `JSON.stringify` gives the state, instead
 * of an empty object (the words live in shared memory, not in properties).
 *
 * @module
 */

/** Node's `util.inspect.custom`, by its registered name (no `node:util` import: this runs in browsers too). */
const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/** Gives instances of `cls` a printout and a `toJSON` made of `state(instance)`. */
export function showState<T>(cls: { prototype: T; name: string }, state: (x: T) => Record<string, unknown>): void {
  Object.defineProperties(cls.prototype, {
    [INSPECT]: {
      value(this: T, depth: number, options: object, inspect: (v: unknown, o: object) => string): string {
        const name = (this as { constructor: { name: string } }).constructor.name;
        return depth < 0 ? `[${name}]` : `${name} ${inspect(state(this), options)}`;
      },
      configurable: true,
      writable: true,
    },
    toJSON: {
      value(this: T): Record<string, unknown> {
        return state(this);
      },
      configurable: true,
      writable: true,
    },
  });
}
