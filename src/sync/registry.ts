/**
 * `ThreadRegistry`: threads that join it get an identity with a liveness word in shared memory, so
 * that locks they hold can be recovered when they die. Two Int32 words per slot:
 *
 * - word 2k, the slot's state: 0 never used; the identity of the thread in it while alive; that
 *   identity with `GONE` (bit 31) once the thread died or left, and also `RESERVED` (bit 30) while a
 *   joining thread writes its tag, before it stores its own identity;
 * - word 2k + 1, the thread's tag (a number its parent knows it by, e.g. Node's `threadId`).
 *
 * An identity is `REGISTERED | (1 + slot + capacity × generation)`: a slot is reused by later
 * threads, each with the next generation, so the identity of a dead thread never comes back to
 * life (until 2^27 / capacity generations of one slot wrap around). Zeroed memory is an empty
 * registry.
 *
 * @module
 */
import { keepShape } from '../shapes.js';
import { rangeError, typeError } from '../errors.js';
import { wordsAt, type SharedPlace } from './memory.js';
import { ID_MASK, REGISTERED, setRegistered, thisThread } from './owner.js';
import { showState } from './display.js';

/** Set in a slot's state word once its thread died or left. */
const GONE = 0x80000000 | 0;
/** Set (with `GONE`) while a joining thread writes its tag, before its identity makes the slot live. */
const RESERVED = 0x40000000;
/** The part of an identity that numbers it (below the `REGISTERED` bit). */
const NUMBER_MASK = REGISTERED - 1;
const MAX_CAPACITY = 0x10000;

/**
 * What {@link ThreadRegistry.watch} watches, as it needs it: a Node `Worker` (known by its
 * `threadId`), a child process (`ChildProcess` of node:child_process, known by its `pid`), or a
 * `cluster` worker (known by its process's `pid`).
 */
export type WatchedWorker =
  | { readonly threadId: number; once(event: 'exit', listener: () => void): unknown }
  | {
      readonly pid?: number | undefined;
      readonly exitCode?: number | null;
      readonly signalCode?: string | null;
      once(event: 'exit', listener: () => void): unknown;
    }
  | { readonly process: { readonly pid?: number | undefined }; isDead?(): boolean; once(event: 'exit', listener: () => void): unknown };

/** The tag `x` joins with, and whether it has already ended (`exit` emitted before `watch`). */
function watchedTag(x: WatchedWorker): { tag: number | undefined; ended: boolean } {
  if ('threadId' in x) return { tag: x.threadId, ended: false };
  if ('process' in x) return { tag: x.process.pid, ended: x.isDead?.() === true };
  return { tag: x.pid, ended: (x.exitCode ?? null) !== null || (x.signalCode ?? null) !== null };
}

/** The registry this thread joined, and its slot there. */
let joined: { readonly registry: ThreadRegistry; readonly a: Int32Array; readonly i: number; readonly capacity: number; readonly slot: number } | undefined;

/** The small ThreadRegistry that src/shapes.ts keeps alive (made when the library makes its first). */
const smallThreadRegistry = (): ThreadRegistry => new ThreadRegistry(1);

/**
 * Threads that join a registry are known by an identity that locks record as their owner, and the
 * registry keeps a liveness word for each. When a thread dies, its parent marks it dead (Node:
 * {@link ThreadRegistry.watch} does on the worker's `exit` event); a thread waiting for a lock the
 * dead thread held then takes over: the lock is released, marked inconsistent, and its next
 * acquirer is told (`OwnerDeadError`, or the `repair` function of `withLock(fn, repair)`).
 *
 * Use one registry for all the threads that share locks, and join it before using them. See
 * docs/locks-and-atomics.md, "A holder that dies", for what it covers and its limits.
 *
 * @example
 * ```ts
 * import { ThreadRegistry } from 'sharedctypes';
 * // main thread:
 * const registry = new ThreadRegistry(64);   // room for 64 threads at once
 * registry.join(0);                         // Node's main thread has threadId 0
 * // const worker = new Worker(url, { workerData: { registry: registry.place } });
 * // registry.watch(worker);                 // marks it dead when it exits
 * // in the worker:
 * // new ThreadRegistry(64, workerData.registry).join(threadId);
 * registry.leave();
 * ```
 */
export class ThreadRegistry {
  /** Int32 words per thread slot. */
  static readonly WORDS_PER_SLOT = 2;
  readonly #a: Int32Array;
  readonly #i: number;
  /** How many threads can be members at once (part of the type: every thread must use the same). */
  readonly capacity: number;

  /** A registry for `capacity` threads at once, in its own buffer or at `place` (8 bytes per thread). */
  constructor(capacity = 256, place?: SharedPlace) {
    if (!Number.isInteger(capacity) || capacity < 1 || capacity > MAX_CAPACITY)
      throw rangeError('out_of_range', 'ThreadRegistry', `capacity ${String(capacity)} is not a whole number from 1 to ${MAX_CAPACITY}`);
    const { a, i } = wordsAt('ThreadRegistry', capacity * ThreadRegistry.WORDS_PER_SLOT, place);
    this.#a = a;
    this.#i = i;
    this.capacity = capacity;
    if (new.target === ThreadRegistry) keepShape(ThreadRegistry, smallThreadRegistry);
  }

  /** The buffer and offset of the registry's words, to hand to other threads with its capacity. */
  get place(): { buffer: SharedArrayBuffer; byteOffset: number } {
    return { buffer: this.#a.buffer as SharedArrayBuffer, byteOffset: this.#a.byteOffset + this.#i * 4 };
  }

  /**
   * Makes this thread a member, known by `tag` (a whole number from 0 to 2^31 − 1 that its parent
   * knows it by: in Node, its `threadId`), and returns its identity. Locks it takes from now on
   * record that identity, and its waits look after registered owners that die. Joining again with
   * the same tag returns the same identity; a thread is a member of one registry at a time, under
   * one tag, and no two live members may share a tag (each a `TypeError`). A full registry is a
   * `RangeError`.
   */
  join(tag: number): number {
    checkTag(tag, 'ThreadRegistry.join');
    if (joined !== undefined) {
      if (joined.registry.#a.buffer === this.#a.buffer && joined.registry.#i === this.#i && this.#tagAt(joined.slot) === tag) return thisThread.registered;
      throw typeError(
        'invalid_argument',
        'ThreadRegistry.join',
        'this thread is already a member of a registry (under another tag, or of another registry)',
        'leave() it first',
      );
    }
    if (this.#find(tag) >= 0)
      throw typeError('invalid_argument', 'ThreadRegistry.join', `a live member already has tag ${tag}`, 'give every thread its own tag');
    const a = this.#a;
    for (let slot = 0; slot < this.capacity; slot++) {
      const w = this.#i + 2 * slot;
      const state = Atomics.load(a, w);
      if (state !== 0 && (state & (GONE | RESERVED)) !== GONE) continue;
      // Reserve the slot, write the tag, then go live: markDead(tag) never sees a live slot with another thread's tag.
      if (Atomics.compareExchange(a, w, state, state | GONE | RESERVED) !== state) continue;
      Atomics.store(a, w + 1, tag);
      const id = this.#identity(slot, state === 0 ? 0 : this.#generation(state) + 1);
      Atomics.store(a, w, id);
      joined = { registry: this, a, i: this.#i, capacity: this.capacity, slot };
      setRegistered(id, isGone);
      return id;
    }
    throw rangeError(
      'out_of_range',
      'ThreadRegistry.join',
      `all ${this.capacity} slots hold live threads`,
      'make the registry larger, or mark threads that ended dead (watch() does when a worker exits)',
    );
  }

  /**
   * Ends this thread's membership: locks it still holds count as held by a dead thread (their next
   * acquirer recovers them), so leave after releasing them. Does nothing when this thread is not a
   * member of this registry.
   */
  leave(): void {
    if (joined === undefined || joined.registry.#a.buffer !== this.#a.buffer || joined.registry.#i !== this.#i) return;
    const w = this.#i + 2 * joined.slot;
    Atomics.or(this.#a, w, GONE);
    joined = undefined;
    setRegistered(0, undefined);
  }

  /**
   * Marks the live member with `tag` dead and returns whether there was one. Call it only once
   * that thread can no longer touch shared memory (Node: its `exit` event; {@link watch} does
   * this): waiters then take over the locks it held.
   */
  markDead(tag: number): boolean {
    checkTag(tag, 'ThreadRegistry.markDead');
    const a = this.#a;
    for (let slot = 0; slot < this.capacity; slot++) {
      const w = this.#i + 2 * slot;
      // The state first, then the tag: a thread joining this slot writes its tag before its identity.
      for (let state = Atomics.load(a, w); state !== 0 && (state & GONE) === 0 && Atomics.load(a, w + 1) === tag; state = Atomics.load(a, w)) {
        if (Atomics.compareExchange(a, w, state, state | GONE) === state) return true;
      }
    }
    return false;
  }

  /**
   * Marks `worker` dead when it exits (its `exit` event, which Node emits once the thread or
   * process has stopped): a Node `Worker`, known by its `threadId`; a child process
   * (node:child_process) or a `cluster` worker, known by its process id, which is the tag the
   * process joins with (`registry.join(process.pid)`, the registry living in a `SharedMemory`
   * segment). The thread that calls it must keep its event loop running to receive the event: a
   * parent blocked in a wait without a timeout never learns of the death.
   *
   * @example
   * ```ts
   * import { SharedMemory, ThreadRegistry } from 'sharedctypes';
   * import { fork } from 'node:child_process';
   * const shm = new SharedMemory({ create: true, size: 4096 });
   * const registry = new ThreadRegistry(64, { buffer: shm.buf, byteOffset: 2048 });
   * // const child = fork('worker.js', [shm.name]);   // it joins with registry.join(process.pid)
   * // registry.watch(child);                          // marks it dead when it exits
   * shm.close();
   * shm.unlink();
   * ```
   */
  watch(worker: WatchedWorker): void {
    const { tag, ended } = watchedTag(worker);
    if ('threadId' in worker && tag === -1)
      throw typeError(
        'invalid_argument',
        'ThreadRegistry.watch',
        'the worker has already exited (Node then sets its threadId to -1), so which member it was is no longer known',
        'call watch(worker) right after new Worker(…), or markDead(tag) with the threadId kept from before',
      );
    if (tag === undefined)
      throw typeError('invalid_argument', 'ThreadRegistry.watch', 'the process has no pid (it was not started)', 'watch a process that started');
    checkTag(tag, 'ThreadRegistry.watch');
    if (ended) {
      this.markDead(tag);
      return;
    }
    worker.once('exit', () => {
      this.markDead(tag);
    });
  }

  /** Whether a live member has `tag`. */
  isAlive(tag: number): boolean {
    checkTag(tag, 'ThreadRegistry.isAlive');
    return this.#find(tag) >= 0;
  }

  /** The number of live members. */
  get size(): number {
    let n = 0;
    for (let slot = 0; slot < this.capacity; slot++) {
      const state = Atomics.load(this.#a, this.#i + 2 * slot);
      if (state !== 0 && (state & GONE) === 0) n++;
    }
    return n;
  }

  /** The slot of the live member with `tag`, or -1. */
  #find(tag: number): number {
    for (let slot = 0; slot < this.capacity; slot++) {
      const state = Atomics.load(this.#a, this.#i + 2 * slot);
      if (state !== 0 && (state & GONE) === 0 && this.#tagAt(slot) === tag) return slot;
    }
    return -1;
  }

  #tagAt(slot: number): number {
    return Atomics.load(this.#a, this.#i + 2 * slot + 1);
  }

  /** The generation of the identity in a slot's state word. */
  #generation(state: number): number {
    return Math.floor(((state & NUMBER_MASK) - 1) / this.capacity);
  }

  /** The identity of `slot` in `generation` (wrapping around to generation 0 past 2^27). */
  #identity(slot: number, generation: number): number {
    const n = 1 + slot + this.capacity * generation;
    return REGISTERED | (n > NUMBER_MASK ? 1 + slot : n);
  }
}

function checkTag(tag: number, what: string): void {
  if (!Number.isInteger(tag) || tag < 0 || tag > 0x7fffffff)
    throw typeError(
      'invalid_argument',
      what,
      `the tag must be a whole number from 0 to 2^31 − 1 (got ${String(tag)})`,
      "pass the thread's id, e.g. Node's threadId",
    );
}

/** Whether the registered identity `id` is no longer the live member of its slot in the registry this thread joined. */
function isGone(id: number): boolean {
  if (joined === undefined) return false;
  const slot = (((id & NUMBER_MASK) - 1) >>> 0) % joined.capacity;
  return Atomics.load(joined.a, joined.i + 2 * slot) !== (id & ID_MASK);
}

showState(ThreadRegistry, (r) => ({ capacity: r.capacity, alive: r.size }));
