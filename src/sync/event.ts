/**
 * `Event`: a flag in one Int32 word of shared memory that threads wait for.
 *
 * @module
 */
import { deadlineOf, remaining, wait, waitAsync, wake } from './futex.js';
import { type SharedPlace, wordsAt } from './memory.js';
import { showState } from './display.js';

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
  }

  /** The buffer and offset of the event's word. */
  get place(): { buffer: SharedArrayBuffer; byteOffset: number } {
    return { buffer: this.#a.buffer as SharedArrayBuffer, byteOffset: this.#a.byteOffset + this.#i * 4 };
  }

  /** Whether the flag is set. */
  isSet(): boolean {
    return Atomics.load(this.#a, this.#i) !== 0;
  }

  /** Python spelling of {@link isSet}. */
  is_set(): boolean {
    return this.isSet();
  }

  /** Sets the flag and wakes every waiter. */
  set(): void {
    Atomics.store(this.#a, this.#i, 1);
    wake(this.#a, this.#i);
  }

  /** Clears the flag. */
  clear(): void {
    Atomics.store(this.#a, this.#i, 0);
  }

  /** Waits until the flag is set or `timeout` ms pass; returns the flag. */
  wait(timeout = -1): boolean {
    const deadline = deadlineOf(timeout);
    while (Atomics.load(this.#a, this.#i) === 0) {
      if (remaining(deadline) <= 0) return false;
      wait(this.#a, this.#i, 0, deadline);
    }
    return true;
  }

  /** Waits without blocking the thread. */
  async waitAsync(timeout = -1): Promise<boolean> {
    const deadline = deadlineOf(timeout);
    while (Atomics.load(this.#a, this.#i) === 0) {
      if (remaining(deadline) <= 0) return false;
      await waitAsync(this.#a, this.#i, 0, deadline);
    }
    return true;
  }
}

showState(Event, (e) => ({ set: e.isSet() }));
