/**
 * `indexable(arr)`: Python-style bracket indexing (`a[i]`, `a[-1]`, `a[i] = v`) for array views
 * and synchronized arrays, through a `Proxy`. A convenience for code ported from Python: a Proxy
 * trap costs far more than `get(i)` / `set(i, v)`, which hot loops should keep using.
 *
 * @module
 */
import { typeError } from '../errors.js';

/** What `indexable` accepts: anything with `get(i)`, `set(i, v)` and `length`. */
export interface IndexableSource<T, W = T> {
  get(index: number): T;
  set(index: number, value: W): void;
  readonly length: number;
}

/** An array with bracket indexing added. */
export type Indexable<A> = A & { [index: number]: A extends IndexableSource<infer T, unknown> ? T : never };

const INDEX = /^(?:0|-?[1-9][0-9]*)$/;

function indexOf(target: IndexableSource<unknown>, prop: string): number {
  const i = Number(prop);
  // Counted from the end when that is an index; else the index given, which get/set then refuse by it.
  return i < 0 && i + target.length >= 0 ? i + target.length : i;
}

/**
 * The same array with `a[i]` reads and `a[i] = v` writes (negative indices count from the end, as
 * in Python; out of range is a `RangeError`, Python's `IndexError`). Everything else — `length`,
 * methods, iteration — is the array's own.
 *
 * @example
 * ```ts
 * import { indexable, RawArray, SharedArray } from 'sharedctypes';
 * const a = indexable(RawArray('d', [1, 2, 3]));
 * a[0] = 10;
 * a[-1];                               // 3
 * const h = indexable(SharedArray('i', 4)); // each access holds the array's lock
 * h[2] = 7;
 * ```
 */
export function indexable<A extends IndexableSource<unknown, never>>(arr: A): Indexable<A> {
  if (arr === null || typeof arr !== 'object' || typeof arr.get !== 'function' || typeof arr.set !== 'function') {
    throw typeError('invalid_argument', 'indexable', 'needs an array view or a synchronized array');
  }
  return new Proxy(arr, {
    get(target, prop) {
      if (typeof prop === 'string' && INDEX.test(prop)) return target.get(indexOf(target, prop));
      const value: unknown = Reflect.get(target, prop, target);
      // Methods run on the array itself (private fields do not work through a Proxy).
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
    set(target, prop, value) {
      if (typeof prop === 'string' && INDEX.test(prop)) {
        (target.set as (i: number, v: unknown) => void)(indexOf(target, prop), value);
        return true;
      }
      return Reflect.set(target, prop, value, target);
    },
    has(target, prop) {
      if (typeof prop === 'string' && INDEX.test(prop)) {
        const i = indexOf(target, prop);
        return i >= 0 && i < target.length;
      }
      return Reflect.has(target, prop);
    },
  }) as Indexable<A>;
}
