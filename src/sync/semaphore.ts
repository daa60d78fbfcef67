/**
 * `Semaphore` and `BoundedSemaphore` in one Int32 word of shared memory. The word holds the value
 * minus the initial value, so zeroed memory is a semaphore at its initial value: a struct field
 * needs no initialisation, and a thread can attach without initialising. The value never exceeds
 * {@link Semaphore.MAX_VALUE} (2^31 − 1): a release that would raise it further is refused, so the
 * word can never wrap around to a negative number (which would block every later acquire).
 *
 * @module
 */
import { keepShape } from '../shapes.js';
import { rangeError } from '../errors.js';
import { checkTimeout, deadlineOf, remaining, shown, wait, waitAsync, wake } from './futex.js';
import { handOffSleepUntil } from './owner.js';
import { Acquirable } from './acquirable.js';
import { type SharedPlace, wordsAt } from './memory.js';
import { showState } from './display.js';

/** The small Semaphore that src/shapes.ts keeps alive (made when the library makes its first). */
const smallSemaphore = (): Semaphore => new Semaphore(1);

/**
 * A counting semaphore in shared memory, like Python's `threading.Semaphore`.
 *
 * @example
 * ```ts
 * import { Semaphore } from 'sharedctypes';
 * const slots = new Semaphore(3);   // at most 3 holders at once
 * slots.acquire();
 * try {
 *   // … use one of the three slots
 * } finally {
 *   slots.release();
 * }
 * ```
 */
export class Semaphore extends Acquirable {
  /** Int32 words a semaphore occupies. */
  static readonly WORDS = 1;
  /** The largest value a semaphore holds (2^31 − 1); `release(n)` beyond it is a `RangeError`. */
  static readonly MAX_VALUE = 0x7fffffff;
  readonly #a: Int32Array;
  readonly #i: number;
  /** The initial value (part of the type: every thread must use the same). */
  readonly initial: number;

  /** A new semaphore with `value` in its own buffer, or the one living at `place`. */
  constructor(value = 1, place?: SharedPlace) {
    if (!Number.isInteger(value) || value < 0 || value > 0x3fffffff)
      throw rangeError('out_of_range', 'Semaphore', `initial value ${shown(value)} is not a whole number from 0 to 2^30 − 1`);
    super();
    const { a, i } = wordsAt(new.target.name, Semaphore.WORDS, place);
    this.#a = a;
    this.#i = i;
    this.initial = value;
    if (new.target === Semaphore) keepShape(Semaphore, smallSemaphore);
    else if (new.target === BoundedSemaphore) keepShape(BoundedSemaphore, smallBoundedSemaphore);
  }

  /** The buffer and offset of the semaphore's word. */
  get place(): { buffer: SharedArrayBuffer; byteOffset: number } {
    return { buffer: this.#a.buffer as SharedArrayBuffer, byteOffset: this.#a.byteOffset + this.#i * 4 };
  }

  /** The current value. */
  get value(): number {
    return this.initial + Atomics.load(this.#a, this.#i);
  }

  #tryTake(): number | true {
    const a = this.#a;
    const i = this.#i;
    for (;;) {
      const d = Atomics.load(a, i);
      if (this.initial + d <= 0) return d;
      if (Atomics.compareExchange(a, i, d, d - 1) === d) return true;
    }
  }

  /**
   * Decrements the value, waiting (up to `timeout` ms) while it is 0. Returns whether it did. A
   * thread that joined a `ThreadRegistry` looks again every 20 ms while it waits: a release's
   * wake-up may go to a thread terminated before it took the unit.
   */
  acquire(blocking = true, timeout = -1): boolean {
    checkTimeout(timeout);
    let r = this.#tryTake();
    if (r === true) return true;
    if (!blocking) return false;
    const deadline = deadlineOf(timeout);
    for (;;) {
      if (remaining(deadline) <= 0) return false;
      wait(this.#a, this.#i, r, handOffSleepUntil(deadline), `${this.constructor.name}.acquire`);
      r = this.#tryTake();
      if (r === true) return true;
    }
  }

  /** Acquires without blocking the thread. */
  async acquireAsync(timeout = -1): Promise<boolean> {
    const deadline = deadlineOf(timeout);
    for (let r = this.#tryTake(); r !== true; r = this.#tryTake()) {
      if (remaining(deadline) <= 0) return false;
      await waitAsync(this.#a, this.#i, r, handOffSleepUntil(deadline));
    }
    return true;
  }

  /**
   * Increments the value by `n` (a whole number from 1 to 2^31 − 1), waking up to `n` waiters. A
   * release that would take the value above {@link Semaphore.MAX_VALUE} (or, for a
   * {@link BoundedSemaphore}, above its initial value) is a `RangeError` and changes nothing.
   */
  release(n = 1): void {
    const what = `${this.constructor.name}.release`;
    if (!Number.isInteger(n) || n < 1 || n > Semaphore.MAX_VALUE) {
      throw rangeError('out_of_range', what, `n = ${shown(n)} is not a whole number from 1 to 2^31 − 1`, 'release the number of units acquired');
    }
    const a = this.#a;
    const i = this.#i;
    // The largest word (value − initial) allowed: the bound, or what keeps the word from wrapping.
    const limit = this.bounded ? 0 : Semaphore.MAX_VALUE - this.initial;
    for (;;) {
      const d = Atomics.load(a, i);
      if (d + n > limit) {
        const value = this.initial + d + n;
        throw this.bounded
          ? rangeError('out_of_range', what, `would raise the value to ${value}, above its bound ${this.initial}`, 'release only what was acquired')
          : rangeError(
              'out_of_range',
              what,
              `would raise the value to ${value}, above the most a semaphore holds (2^31 − 1)`,
              'release only what was acquired',
            );
      }
      if (Atomics.compareExchange(a, i, d, d + n) === d) break;
    }
    wake(a, i, n);
  }

  /** Whether the value may not exceed the initial value ({@link BoundedSemaphore}). */
  protected get bounded(): boolean {
    return false;
  }
}

/** The small BoundedSemaphore that src/shapes.ts keeps alive (made when the library makes its first). */
const smallBoundedSemaphore = (): BoundedSemaphore => new BoundedSemaphore(1);

/**
 * A semaphore whose value may never exceed its initial value: releasing more than was acquired is
 * a `RangeError` (Python's `ValueError`).
 *
 * @example
 * ```ts
 * import { BoundedSemaphore } from 'sharedctypes';
 * const pool = new BoundedSemaphore(2);
 * pool.acquire();
 * pool.release();
 * // pool.release();  // RangeError: would raise the value to 3, above its bound 2
 * ```
 */
export class BoundedSemaphore extends Semaphore {
  protected override get bounded(): boolean {
    return true;
  }
}

showState(Semaphore, (s) => ({ value: s.value }));
