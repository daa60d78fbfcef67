/**
 * `Barrier`: `parties` threads wait until all have arrived, in three Int32 words of shared memory:
 * [generation·count, break epoch, broken]. Arrivals and the generation share one word, changed by
 * compare-and-swap, so a thread of the next round can never be confused with this one. Zeroed
 * memory is a fresh barrier. The break epoch only ever changes by one and is compared for
 * equality, so its wrap-around at 2^31 is harmless.
 *
 * @module
 */
import { keepShape } from '../shapes.js';
import { BrokenBarrierError, describeValue, rangeError, typeError } from '../errors.js';
import { checkOptions } from '../options.js';
import { cannotBlock, checkTimeout, deadlineOf, mustNotWait, remaining, wait, waitAsync, wake } from './futex.js';
import { type SharedPlace, wordsAt } from './memory.js';
import { showState } from './display.js';

const STATE = 0; // generation << 16 | arrived count
const EPOCH = 1; // bumped by abort() and reset(): waiters of an older epoch are broken
const BROKEN = 2; // 1 while broken
const COUNT_MASK = 0xffff;
const MAX_PARTIES = 0xfffe;

/** An arrival waiting for its round: its index, and the generation and break epoch it arrived in. */
interface Ticket {
  readonly index: number;
  readonly generation: number;
  readonly epoch: number;
}

/**
 * The state word that opens the round after `generation`, with no arrivals. The generation takes
 * the upper 16 bits and wraps after 65,536 rounds, which is safe: a waiter only compares it with
 * its own round's, and would have to sleep through 65,536 rounds completed without it to miss its
 * wake-up. (The word may read as negative; it is only ever compared and split with `>>> 16`.)
 */
function nextGeneration(generation: number): number {
  return ((generation + 1) & 0xffff) << 16;
}

/** The small Barrier that src/shapes.ts keeps alive (made when the library makes its first). */
const smallBarrier = (): Barrier => new Barrier(1, { action: () => {}, timeout: 0.5 });

/** The options of a {@link Barrier}. */
export interface BarrierOptions {
  /** Runs in the thread that completes a round, before the others are released. */
  readonly action?: () => void;
  /** The default timeout of `wait()`, in ms. */
  readonly timeout?: number;
  /** Where its words live (a new buffer of its own by default). */
  readonly place?: SharedPlace;
}

const BARRIER_OPTIONS = Object.keys({ action: true, timeout: true, place: true } satisfies Record<keyof BarrierOptions, true>);

/**
 * A barrier for `parties` threads, like Python's `threading.Barrier`: `wait()` returns a distinct
 * index from 0 to parties − 1 (the order of arrival) in each thread once all have arrived. `action` (if given to the
 * thread that completes a round) runs once per round before the others are released. A timeout,
 * `abort()` or a throwing action breaks the barrier: waiters get a `BrokenBarrierError`.
 *
 * @example
 * ```ts
 * import { Barrier } from 'sharedctypes';
 * const b = new Barrier(4);          // share b.place with 3 workers: new Barrier(4, { place })
 * const index = b.wait();            // 0 … 3
 * ```
 */
export class Barrier {
  /** Int32 words a barrier occupies. */
  static readonly WORDS = 3;
  readonly #a: Int32Array;
  readonly #i: number;
  /** Threads needed to pass. */
  readonly parties: number;
  readonly #action: (() => void) | undefined;
  readonly #timeout: number;

  /**
   * A barrier for `parties` threads in its own buffer or at `place`. `action` runs in the thread
   * that completes a round; `timeout` (ms) is the default for `wait()`.
   */
  constructor(parties: number, options: BarrierOptions = {}) {
    if (!Number.isInteger(parties) || parties < 1 || parties > MAX_PARTIES) {
      throw rangeError('out_of_range', 'Barrier', `parties = ${String(parties)} is not a whole number from 1 to ${MAX_PARTIES}`);
    }
    checkOptions('Barrier', options, BARRIER_OPTIONS);
    if (options.action !== undefined && typeof options.action !== 'function')
      throw typeError('invalid_argument', 'Barrier', `action must be a function (got ${describeValue(options.action)})`);
    if (options.timeout !== undefined) checkTimeout(options.timeout);
    const { a, i } = wordsAt('Barrier', Barrier.WORDS, options.place);
    this.#a = a;
    this.#i = i;
    this.parties = parties;
    this.#action = options.action;
    this.#timeout = options.timeout ?? -1;
    // A fractional timeout in the kept one: a user's fractional timeout then keeps its shape.
    if (new.target === Barrier) keepShape(Barrier, smallBarrier);
  }

  /** The buffer and offset of the barrier's words. */
  get place(): { buffer: SharedArrayBuffer; byteOffset: number } {
    return { buffer: this.#a.buffer as SharedArrayBuffer, byteOffset: this.#a.byteOffset + this.#i * 4 };
  }

  /**
   * Threads waiting in the current round: 0 while the barrier is broken (its waiters are leaving
   * with a `BrokenBarrierError`) or a round is completing, as in Python.
   */
  get nWaiting(): number {
    if (this.broken) return 0;
    const count = Atomics.load(this.#a, this.#i + STATE) & COUNT_MASK;
    return count < this.parties ? count : 0;
  }

  /** Python spelling of {@link nWaiting}. */
  get n_waiting(): number {
    return this.nWaiting;
  }

  /** Whether the barrier is broken. */
  get broken(): boolean {
    return Atomics.load(this.#a, this.#i + BROKEN) !== 0;
  }

  /**
   * One attempt to arrive. Never waits: returns this thread's index when it completed the round
   * (after running the action and releasing the others), the ticket to wait with when it arrived
   * in a round that is still filling, or `busy` with the state word to wait on when a round is
   * completing (more threads than parties: this one belongs to the next round). The blocking and
   * async forms do the waiting, each in its own way. A thread that may not wait (`mayWait` false:
   * a browser's main thread) arrives only when it completes the round, else throws before it is
   * counted (a count left behind would let a later round pass short of a party).
   */
  #arrive(what: string, mayWait: boolean): { index: number } | { ticket: Ticket } | { busy: number } {
    const a = this.#a;
    const s = this.#i + STATE;
    const epoch = Atomics.load(a, this.#i + EPOCH);
    for (;;) {
      if (this.broken) throw new BrokenBarrierError(`Barrier.${what}(): the barrier is broken`);
      const state = Atomics.load(a, s);
      const count = state & COUNT_MASK;
      const generation = state >>> 16;
      if (!mayWait && count + 1 < this.parties) throw cannotBlock(`Barrier.${what}`);
      if (count >= this.parties) return { busy: state };
      if (Atomics.compareExchange(a, s, state, state + 1) !== state) continue;
      if (count + 1 < this.parties) return { ticket: { index: count, generation, epoch } };
      // Last to arrive: run the action, then open the next generation and wake everyone.
      try {
        this.#action?.();
      } catch (e) {
        this.abort();
        throw e;
      }
      Atomics.store(a, s, nextGeneration(generation));
      wake(a, s);
      return { index: count };
    }
  }

  /**
   * One look at the barrier for a waiting thread: `true` when its round is over, else the state
   * word to wait on. Throws when the barrier was broken meanwhile, and breaks it (and throws) when
   * the deadline has passed.
   */
  #poll(w: Ticket, deadline: number, timeout: number, what: string): number | true {
    if (Atomics.load(this.#a, this.#i + EPOCH) !== w.epoch) throw new BrokenBarrierError(`Barrier.${what}(): the barrier was broken while waiting`);
    const now = Atomics.load(this.#a, this.#i + STATE);
    if (now >>> 16 !== w.generation) return true;
    this.#checkDeadline(deadline, timeout, what);
    return now;
  }

  /** Breaks the barrier and throws when `deadline` has passed. */
  #checkDeadline(deadline: number, timeout: number, what: string): void {
    if (remaining(deadline) <= 0) {
      this.abort();
      throw new BrokenBarrierError(`Barrier.${what}(): timed out after ${timeout} ms; the barrier is now broken`);
    }
  }

  /** Waits for all parties (up to `timeout` ms); returns this thread's arrival index 0 … parties − 1. */
  wait(timeout = this.#timeout): number {
    checkTimeout(timeout);
    const blocks = !mustNotWait(timeout);
    const deadline = deadlineOf(timeout);
    const s = this.#i + STATE;
    for (;;) {
      const arrived = this.#arrive('wait', blocks);
      if ('index' in arrived) return arrived.index;
      if ('busy' in arrived) {
        this.#checkDeadline(deadline, timeout, 'wait');
        wait(this.#a, s, arrived.busy, deadline, 'Barrier.wait');
        continue;
      }
      const t = arrived.ticket;
      for (let now = this.#poll(t, deadline, timeout, 'wait'); now !== true; now = this.#poll(t, deadline, timeout, 'wait')) {
        wait(this.#a, s, now, deadline, 'Barrier.wait');
      }
      return t.index;
    }
  }

  /**
   * Async form of {@link wait}, for a thread that may not block: it never waits synchronously, also
   * not when it arrives while a round is completing (it then awaits the next round).
   */
  async waitAsync(timeout = this.#timeout): Promise<number> {
    const deadline = deadlineOf(timeout);
    const s = this.#i + STATE;
    for (;;) {
      const arrived = this.#arrive('waitAsync', true);
      if ('index' in arrived) return arrived.index;
      if ('busy' in arrived) {
        this.#checkDeadline(deadline, timeout, 'waitAsync');
        await waitAsync(this.#a, s, arrived.busy, deadline);
        continue;
      }
      const t = arrived.ticket;
      for (let now = this.#poll(t, deadline, timeout, 'waitAsync'); now !== true; now = this.#poll(t, deadline, timeout, 'waitAsync')) {
        await waitAsync(this.#a, s, now, deadline);
      }
      return t.index;
    }
  }

  /** Breaks the barrier: current and future waiters get a `BrokenBarrierError` until `reset()`. */
  abort(): void {
    Atomics.store(this.#a, this.#i + BROKEN, 1);
    Atomics.add(this.#a, this.#i + EPOCH, 1);
    wake(this.#a, this.#i + STATE);
  }

  /** Returns the barrier to its empty state; threads waiting now get a `BrokenBarrierError`. */
  reset(): void {
    Atomics.add(this.#a, this.#i + EPOCH, 1);
    const state = Atomics.load(this.#a, this.#i + STATE);
    Atomics.store(this.#a, this.#i + STATE, nextGeneration(state >>> 16));
    Atomics.store(this.#a, this.#i + BROKEN, 0);
    wake(this.#a, this.#i + STATE);
  }
}

showState(Barrier, (b) => ({ parties: b.parties, waiting: b.nWaiting, broken: b.broken }));
