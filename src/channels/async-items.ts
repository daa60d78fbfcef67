/**
 * The async iterator of a channel (`for await (const x of ch)`), written out instead of as an
 * `async function*`: an async generator resumes its body through the engine's generator machinery
 * and awaits inside it, two promises and three microtask turns per item even when the item is
 * already there (measured on Node 20: 790–910 ns per item from a worker to the main thread,
 * against 400 for a blocking `pop()` loop). Here an item that is there now is one resolved promise.
 *
 * It keeps an async generator's contract: calls are answered in order (a `next()` made while an
 * earlier one waits runs after it), `return()` ends the iteration (the items left stay in the
 * channel), `throw(e)` ends it and rejects with `e`, an error ends it, and after the end every
 * `next()` resolves `{ done: true }`.
 *
 * @module
 */
import { keepShape } from '../shapes.js';

/** The prototype of async generators' prototypes (`[Symbol.asyncIterator]() { return this }`, and `[Symbol.asyncDispose]` where the engine has it). */
const AsyncIteratorPrototype = Object.getPrototypeOf(Object.getPrototypeOf(async function* () {}.prototype)) as object;

const DONE: IteratorReturnResult<undefined> = Object.freeze({ value: undefined, done: true });

/**
 * Where the items come from: `now(source)` gives the next item if one is there now, else
 * `undefined` (never waits); `later(source)` waits for the next item, `undefined` once there will
 * be none (closed and drained). The same two functions for every iterator of a kind, not closures
 * made per iterator: optimised code that inlined a closure would be thrown away once no iterator
 * holding it is alive (src/shapes.ts).
 */
export interface ItemSource<S, T> {
  readonly now: (source: S) => T | undefined;
  readonly later: (source: S) => Promise<T | undefined>;
}

/** The small iterator that src/shapes.ts keeps alive (made when the library makes its first). */
const smallAsyncItems = (): AsyncItems<null, undefined> => new AsyncItems<null, undefined>(null, { now: () => undefined, later: async () => undefined });

export class AsyncItems<S, T> implements AsyncGenerator<T, undefined, undefined> {
  readonly #source: S;
  readonly #items: ItemSource<S, T>;
  #done = false;
  /** The last call still waiting (later calls run after it), or null. */
  #tail: Promise<unknown> | null = null;

  constructor(source: S, items: ItemSource<S, T>) {
    this.#source = source;
    this.#items = items;
    if (new.target === AsyncItems) keepShape(AsyncItems, smallAsyncItems);
  }

  next(): Promise<IteratorResult<T, undefined>> {
    // Not through #inOrder: no closure to make per item when no earlier call waits (the usual case).
    const tail = this.#tail;
    if (tail === null) return this.#step();
    const step = (): Promise<IteratorResult<T, undefined>> => this.#step();
    return this.#track(tail.then(step, step));
  }

  return(value?: undefined | PromiseLike<undefined>): Promise<IteratorResult<T, undefined>> {
    return this.#inOrder(() => {
      this.#done = true;
      return Promise.resolve(value).then((v) => ({ value: v, done: true }) as const);
    });
  }

  throw(e: unknown): Promise<IteratorResult<T, undefined>> {
    return this.#inOrder(() => {
      this.#done = true;
      return Promise.reject(e);
    });
  }

  declare [Symbol.asyncIterator]: () => AsyncGenerator<T, undefined, undefined>;
  declare [Symbol.asyncDispose]: () => Promise<void>;

  /** Runs `call` now if no earlier call is waiting, else after the last one. */
  #inOrder(call: () => Promise<IteratorResult<T, undefined>>): Promise<IteratorResult<T, undefined>> {
    const tail = this.#tail;
    if (tail === null) return call();
    return this.#track(tail.then(call, call));
  }

  #step(): Promise<IteratorResult<T, undefined>> {
    if (this.#done) return Promise.resolve(DONE);
    let v: T | undefined;
    try {
      v = this.#items.now(this.#source);
    } catch (e) {
      this.#done = true;
      return Promise.reject(e);
    }
    if (v !== undefined) return Promise.resolve({ value: v, done: false });
    return this.#track(
      this.#items.later(this.#source).then(
        (item): IteratorResult<T, undefined> => {
          if (item !== undefined) return { value: item, done: false };
          this.#done = true;
          return DONE;
        },
        (e: unknown) => {
          this.#done = true;
          throw e;
        },
      ),
    );
  }

  /** Makes `p` the call later calls wait for, until it settles. */
  #track(p: Promise<IteratorResult<T, undefined>>): Promise<IteratorResult<T, undefined>> {
    this.#tail = p;
    const settled = (): void => {
      if (this.#tail === p) this.#tail = null;
    };
    p.then(settled, settled);
    return p;
  }
}

Object.setPrototypeOf(AsyncItems.prototype, AsyncIteratorPrototype);
