/**
 * `Event`: a flag in one Int32 word of shared memory that threads wait for.
 *
 * @module
 */
import { keepShape } from '../shapes.js';
import { deadlineOf, remaining, wait, waitAsync, wake } from './futex.js';
import { type SharedPlace, wordsAt } from './memory.js';
import { showState } from './display.js';

/**
 * The event's word: bit 0 the flag; the bits above count the calls of `set()` that set it, so that
 * a waiter woken by a `set()` that a `clear()` followed still sees that it was set (an old word of
 * 1, set, reads the same).
 */
const SET = 1;
/** Added to the word by a `set()` of a clear event: the flag and one more in the count. */
const SETTING = 3;

/** Whether the word `v` says the event is set, or was set since the waiter read `seen`. */
function setSince(seen: number, v: number): boolean {
  return (v & SET) !== 0 || v >>> 1 !== seen >>> 1;
}

/** The small Event that src/shapes.ts keeps alive (made when the library makes its first). */
const smallEvent = (): Event => new Event();

/**
 * A flag threads can wait for, like Python's `threading.Event`.
 *
 * @example
 * ```ts
 * import { Event } from 'sharedctypes';
 * const ready = new Event();
 * // worker: ready.wait(); main: ready.set();
 * ```
 */
export class Event {
  /** Int32 words an event occupies. */
  static readonly WORDS = 1;
  readonly #a: Int32Array;
  readonly #i: number;

  /** A new event (not set) in its own buffer, or the event living at `place`. */
  constructor(place?: SharedPlace) {
    const { a, i } = wordsAt('Event', Event.WORDS, place);
    this.#a = a;
    this.#i = i;
    if (new.target === Event) keepShape(Event, smallEvent);
  }

  /** The buffer and offset of the event's word. */
  get place(): { buffer: SharedArrayBuffer; byteOffset: number } {
    return { buffer: this.#a.buffer as SharedArrayBuffer, byteOffset: this.#a.byteOffset + this.#i * 4 };
  }

  /** Whether the flag is set. */
  isSet(): boolean {
    return (Atomics.load(this.#a, this.#i) & SET) !== 0;
  }

  /** Python spelling of {@link isSet}. */
  is_set(): boolean {
    return this.isSet();
  }

  /**
   * Sets the flag and wakes every waiter: each of them returns true, even if `clear()` follows
   * before it runs (as Python's). A set event stays as it is.
   */
  set(): void {
    const a = this.#a;
    const i = this.#i;
    for (let v = Atomics.load(a, i); (v & SET) === 0; ) {
      const seen = Atomics.compareExchange(a, i, v, (v + SETTING) | 0); // flag on, one more set() counted
      if (seen === v) {
        wake(a, i);
        return;
      }
      v = seen;
    }
  }

  /** Clears the flag. */
  clear(): void {
    Atomics.and(this.#a, this.#i, ~SET);
  }

  /**
   * Waits until the flag is set, or was set since this call began (a `set()` then `clear()`), or
   * `timeout` ms pass; returns whether it was set.
   */
  wait(timeout = -1): boolean {
    const deadline = deadlineOf(timeout);
    const a = this.#a;
    const i = this.#i;
    const seen = Atomics.load(a, i);
    for (let v = seen; !setSince(seen, v); v = Atomics.load(a, i)) {
      if (remaining(deadline) <= 0) return false;
      wait(a, i, v, deadline, 'Event.wait');
    }
    return true;
  }

  /** Waits without blocking the thread. */
  async waitAsync(timeout = -1): Promise<boolean> {
    const deadline = deadlineOf(timeout);
    const a = this.#a;
    const i = this.#i;
    const seen = Atomics.load(a, i);
    for (let v = seen; !setSince(seen, v); v = Atomics.load(a, i)) {
      if (remaining(deadline) <= 0) return false;
      await waitAsync(a, i, v, deadline);
    }
    return true;
  }
}

showState(Event, (e) => ({ set: e.isSet() }));
