/**
 * `RwLock`: a readers–writer lock in three Int32 words of shared memory (the design of Rust's
 * futex `RwLock`, with the writer's identity kept in the state word):
 *
 * - word 0, the state: bits 0–27 the number of read holds, or, with `WRITE_LOCKED`, the writer's
 *   identity (see owner.ts); `INCONSISTENT` (bit 28) while a dead writer's data is not repaired;
 *   `WRITE_LOCKED` (bit 29); `READERS_WAITING` (bit 30) while readers may sleep on this word;
 *   `WRITERS_WAITING` (bit 31) while writers may sleep on word 1;
 * - word 1, the writers' wake-up sequence: writers sleep on it, so that waking one writer wakes no
 *   reader; it changes by one per wake-up, and is compared for equality only;
 * - word 2, the counter that hands out writer identities to threads that joined no registry.
 *
 * Fairness: writers first. While a writer waits, new readers wait too, so a stream of readers
 * cannot starve a writer: the readers inside finish, the last one wakes a writer. When a writer
 * leaves, it wakes one waiting writer if there is one, else all waiting readers, so a stream of
 * writers can delay readers (use a `Lock` when writes dominate). A free lock is taken by whoever
 * comes first: a releasing thread may take it again before a waiter wakes.
 *
 * @module
 */
import { keepShape } from '../shapes.js';
import { OwnerDeadError, rangeError, SyncError } from '../errors.js';
import { Acquirable } from './acquirable.js';
import { cannotBlock, checkTimeout, deadlineOf, mustNotWait, remaining, wait, waitAsync, wake } from './futex.js';
import { type SharedPlace, wordsAt } from './memory.js';
import { handOffSleepUntil, ID_MASK, identityAt, INCONSISTENT, knownIdentity, ownerGone, sleepUntil, thisThread } from './owner.js';
import { clearMark, ownerDead, type RepairAcquired, repairWith, repairWithAsync } from './robust.js';
import { backOff, SPIN_ROUNDS } from './spin.js';
import { showState } from './display.js';

const WRITERS_WAITING = 0x80000000 | 0;
const READERS_WAITING = 0x40000000;
const WRITE_LOCKED = 0x20000000;
const WAITING = WRITERS_WAITING | READERS_WAITING;
/** The read holds, or the writer's identity (bits 0–27). */
const COUNT = ID_MASK;
/** The writers' wake-up sequence word. */
const SEQ = 1;
/** The owner-identity counter. */
const IDS = 2;

/** Whether nobody holds the lock (waiting bits and the mark aside). */
function unlocked(s: number): boolean {
  return (s & (WRITE_LOCKED | COUNT)) === 0;
}

/** The writer's identity in a write-locked state, else 0. */
function writerOf(s: number): number {
  return (s & WRITE_LOCKED) !== 0 ? s & COUNT : 0;
}

/** Wakes one writer; true when one was asleep. */
function wakeWriter(a: Int32Array, i: number): boolean {
  Atomics.add(a, i + SEQ, 1);
  return wake(a, i + SEQ, 1) > 0;
}

/**
 * After the lock became free in state `state` with waiters: wakes one writer if writers wait,
 * else every waiting reader (and readers too when no writer was actually asleep). If the lock is
 * taken meanwhile, its holder wakes them when it leaves.
 */
function wakeWriterOrReaders(a: Int32Array, i: number, state: number): void {
  let s = state;
  if ((s & ~INCONSISTENT) === WRITERS_WAITING) {
    // Hand the free lock to a sleeping writer with the bit still set: readers that come between
    // its wake-up and its compare-and-swap (tens of µs, more on a loaded machine) wait behind it
    // instead of barging in and sending it back to sleep (a reader stream starved writers so).
    // The writer takes the lock with the bit set; its release clears it when nobody else waits.
    if (wakeWriter(a, i)) return;
    const seen = Atomics.compareExchange(a, i, s, s & INCONSISTENT);
    if (seen === s) return;
    s = seen;
  }
  if ((s & ~INCONSISTENT) === WAITING) {
    // Readers keep waiting behind the writer woken here.
    if (Atomics.compareExchange(a, i, s, (s & INCONSISTENT) | READERS_WAITING) !== s) return;
    if (wakeWriter(a, i)) return;
    s = (s & INCONSISTENT) | READERS_WAITING;
  }
  if ((s & ~INCONSISTENT) === READERS_WAITING && Atomics.compareExchange(a, i, s, s & INCONSISTENT) === s) wake(a, i);
}

/** Wakes every waiter, readers and writers, each to look at the lock again. */
function wakeAll(a: Int32Array, i: number): void {
  for (let s = Atomics.load(a, i); (s & WAITING) !== 0; s = Atomics.load(a, i)) {
    if (Atomics.compareExchange(a, i, s, s & ~WAITING) === s) break;
  }
  Atomics.add(a, i + SEQ, 1);
  wake(a, i + SEQ);
  wake(a, i);
}

/** Releases the write lock of a dead writer seen in state `s`: free, marked; every waiter looks again. */
function releaseForDead(a: Int32Array, i: number, s: number): void {
  if (Atomics.compareExchange(a, i, s, INCONSISTENT) !== s) return;
  Atomics.add(a, i + SEQ, 1);
  wake(a, i + SEQ);
  wake(a, i);
}

/**
 * After a writer gave up (timed out): the writers-waiting bit it set may be the only reason new
 * readers wait (no other writer may be left), so it clears the waiting bits and wakes every waiter
 * to look again; writers still waiting set the bit again.
 */
function giveUpWriting(a: Int32Array, i: number): void {
  if ((Atomics.load(a, i) & WAITING) !== 0) wakeAll(a, i);
}

/**
 * How long a waiter sleeps in state `s`, `deadline` aside: while a writer holds the lock, until its
 * death could be seen; while none does (readers hold it, or it is being handed to a woken writer),
 * until a stalled hand-off could be seen (see {@link stalledHandOff}).
 */
function sleepIn(s: number, deadline: number): number {
  const writer = writerOf(s);
  return writer !== 0 ? sleepUntil(deadline, writer) : handOffSleepUntil(deadline);
}

/**
 * After a reader slept on the lock while it was handed to a woken writer (free in state `r`, the
 * writers-waiting bit kept for it): if nothing changed meanwhile (the same state, no writer woken
 * since `seq`), that writer may have been terminated before it took the lock, and nobody else
 * would wake the waiters: every waiter is woken to look again (writers still waiting set the bit
 * again). A writer merely slow to run loses its turn, not the lock's safety.
 */
function stalledHandOff(a: Int32Array, i: number, r: number, seq: number): void {
  if (Atomics.load(a, i) === r && Atomics.load(a, i + SEQ) === seq) wakeAll(a, i);
}

/** After a reader gave up (timed out): if the lock is free with waiters marked, wakes them, as its last holder would have. */
function passOn(a: Int32Array, i: number): void {
  const s = Atomics.load(a, i);
  if (unlocked(s) && (s & WAITING) !== 0) wakeWriterOrReaders(a, i, s);
}

/**
 * One attempt at a read hold: `true` (or `'inconsistent'`, when `repairing` and marked) when taken;
 * else, when it may wait, the state to sleep on (readers-waiting bit set), or `false`. A blocking
 * (`sync`) request by the write holder itself is a `SyncError`: it would wait for itself. A free,
 * marked lock refuses plain readers: every waiter is woken to learn it, and an `OwnerDeadError`
 * is thrown. A dead writer's lock is released on its behalf.
 */
function readStep(
  a: Int32Array,
  i: number,
  rw: RwLock,
  repairing: boolean,
  mayWait: boolean,
  sync: boolean,
  what: string,
): true | 'inconsistent' | false | number {
  for (;;) {
    const s = Atomics.load(a, i);
    if ((s & WRITE_LOCKED) === 0) {
      if ((s & INCONSISTENT) !== 0 && !repairing) {
        wakeAll(a, i);
        throw ownerDead(rw, what, false);
      }
      if ((s & COUNT) === COUNT) throw rangeError('out_of_range', what, `the lock already has ${COUNT} read holds, the most its word holds`);
      if ((s & WAITING) === 0) {
        if (Atomics.compareExchange(a, i, s, s + 1) === s) return (s & INCONSISTENT) !== 0 ? 'inconsistent' : true;
        continue;
      }
    } else if (ownerGone(s & COUNT)) {
      releaseForDead(a, i, s);
      continue;
    } else if (sync && mayWait && (s & COUNT) === knownIdentity(a, i))
      throw new SyncError(`${what}(): this thread holds the write lock, so a read hold would wait for ever: release the write lock first`, 'would_deadlock');
    if (!mayWait) return false;
    if ((s & READERS_WAITING) === 0 && Atomics.compareExchange(a, i, s, s | READERS_WAITING) !== s) continue;
    return s | READERS_WAITING;
  }
}

/**
 * One attempt at the write lock for `me` (with `others`: the writers-waiting bit of a writer that
 * has slept, since more may sleep behind it): `true` (or `'inconsistent'`) when taken; else, when
 * it may wait, the writers' sequence value to sleep on, or `false`. A blocking (`sync`) request by
 * the holder itself is a `SyncError`: it would wait for itself.
 */
function writeStep(
  a: Int32Array,
  i: number,
  rw: RwLock,
  me: number,
  others: number,
  repairing: boolean,
  mayWait: boolean,
  sync: boolean,
  what: string,
): true | 'inconsistent' | false | number {
  for (;;) {
    const s = Atomics.load(a, i);
    if (unlocked(s)) {
      if ((s & INCONSISTENT) !== 0 && !repairing) {
        wakeAll(a, i);
        throw ownerDead(rw, what, false);
      }
      if (Atomics.compareExchange(a, i, s, s | WRITE_LOCKED | me | others) === s) return (s & INCONSISTENT) !== 0 ? 'inconsistent' : true;
      continue;
    }
    const writer = writerOf(s);
    if (writer === me && sync && mayWait)
      throw new SyncError(`${what}(): this thread holds the write lock, and an RwLock is not re-entrant: this acquire would wait for ever`, 'would_deadlock');
    if (writer !== 0 && ownerGone(writer)) {
      releaseForDead(a, i, s);
      continue;
    }
    if (!mayWait) return false;
    if ((s & WRITERS_WAITING) === 0 && Atomics.compareExchange(a, i, s, s | WRITERS_WAITING) !== s) continue;
    // Read the sequence before looking at the state again, so that no wake-up in between is missed.
    const seq = Atomics.load(a, i + SEQ);
    const now = Atomics.load(a, i);
    if (unlocked(now) || (now & WRITERS_WAITING) === 0) continue;
    return seq;
  }
}

/**
 * The read side of an {@link RwLock} (`rw.read`): any number of threads hold it at once, while no
 * thread holds the write side. Not re-entrant in the presence of writers: a thread that holds a
 * read lock and asks for another while a writer waits waits behind that writer, i.e. for itself.
 */
export class ReadLock extends Acquirable {
  readonly #a: Int32Array;
  readonly #i: number;
  readonly #rw: RwLock;

  /** The read side of `rw`, whose state word is `a[i]` (made by the `RwLock`). */
  constructor(rw: RwLock, a: Int32Array, i: number) {
    super();
    this.#rw = rw;
    this.#a = a;
    this.#i = i;
  }

  /**
   * Takes a read hold, waiting up to `timeout` ms (-1: for ever) when `blocking`; returns
   * whether it did. Refused with an `OwnerDeadError` while a dead writer's data is not repaired.
   */
  acquire(blocking = true, timeout = -1): boolean {
    checkTimeout(timeout);
    // Free or read-locked, nobody waiting, not marked, room for one more: one compare-and-swap.
    // A plain read (not Atomics.load, measured ~10 ns dearer here) suffices: it only proposes
    // the value the compare-and-swap checks; a stale one fails it, and the slow path looks again.
    const s = this.#a[this.#i] as number;
    if (s >>> 0 < COUNT && Atomics.compareExchange(this.#a, this.#i, s, s + 1) === s) return true;
    return this.#contended(blocking, timeout, false) !== false;
  }

  /**
   * Takes a read hold also while a dead writer's data is not repaired: then returns
   * `'inconsistent'` (reading such data is the caller's choice; repairing it needs the write
   * lock, see `withLock(fn, repair)`).
   */
  acquireForRepair(blocking = true, timeout = -1): RepairAcquired {
    checkTimeout(timeout);
    return this.#contended(blocking, timeout, true);
  }

  /** A read hold that is not a free-path compare-and-swap: spin briefly, then sleep. */
  #contended(blocking: boolean, timeout: number, repairing: boolean): RepairAcquired {
    const a = this.#a;
    const i = this.#i;
    const what = 'RwLock.read.acquire';
    // One look without waiting when this thread may not block either (refused, if it would have to
    // wait, before any waiting bit is set).
    const refuse = blocking && mustNotWait(timeout);
    if (!blocking || refuse) {
      const r = readStep(a, i, this.#rw, repairing, false, true, what);
      if (r === true || r === 'inconsistent') return r;
      if (refuse) throw cannotBlock(what);
      return false;
    }
    // While the lock stays open to readers, a failed compare-and-swap only means that another reader
    // came or went: try again at once. While a writer holds it or waits for it, back off and look
    // again (writers' sections are short, as a Lock's); queue up behind readers already asleep.
    for (let k = 0; k < SPIN_ROUNDS; ) {
      const s = Atomics.load(a, i);
      if (s >>> 0 < COUNT) {
        if (Atomics.compareExchange(a, i, s, s + 1) === s) return true;
      } else if ((s & (READERS_WAITING | INCONSISTENT)) !== 0) break;
      else backOff(k++);
    }
    const deadline = deadlineOf(timeout);
    for (;;) {
      const r = readStep(a, i, this.#rw, repairing, true, true, what);
      if (typeof r !== 'number') return r;
      if (remaining(deadline) <= 0) {
        passOn(a, i);
        return false;
      }
      const seq = Atomics.load(a, i + SEQ);
      if (wait(a, i, r, sleepIn(r, deadline), what) === 'timed-out' && unlocked(r) && remaining(deadline) > 0) stalledHandOff(a, i, r, seq);
    }
  }

  /** Takes a read hold without blocking the thread; resolves to whether it did within `timeout` ms. */
  async acquireAsync(timeout = -1): Promise<boolean> {
    checkTimeout(timeout);
    const s = this.#a[this.#i] as number;
    if (s >>> 0 < COUNT && Atomics.compareExchange(this.#a, this.#i, s, s + 1) === s) return true;
    return (await this.#contendedAsync(timeout, false)) !== false;
  }

  /** Async form of {@link acquireForRepair}. */
  acquireForRepairAsync(timeout = -1): Promise<RepairAcquired> {
    return this.#contendedAsync(timeout, true);
  }

  async #contendedAsync(timeout: number, repairing: boolean): Promise<RepairAcquired> {
    const a = this.#a;
    const i = this.#i;
    const deadline = deadlineOf(timeout);
    for (;;) {
      const r = readStep(a, i, this.#rw, repairing, true, false, 'RwLock.read.acquireAsync');
      if (typeof r !== 'number') return r;
      if (remaining(deadline) <= 0) {
        passOn(a, i);
        return false;
      }
      const seq = Atomics.load(a, i + SEQ);
      if ((await waitAsync(a, i, r, sleepIn(r, deadline))) === 'timed-out' && unlocked(r) && remaining(deadline) > 0) stalledHandOff(a, i, r, seq);
    }
  }

  /** Repairs under the write lock (readers cannot), then takes the read hold. */
  protected override acquireRepairing(repair: () => void): void {
    for (;;) {
      try {
        this.acquire();
        return;
      } catch (e) {
        if (!(e instanceof OwnerDeadError) || e.lock !== this.#rw) throw e;
      }
      this.#rw.write.withLock(() => {}, repair);
    }
  }

  protected override async acquireRepairingAsync(repair: () => void | Promise<void>): Promise<void> {
    for (;;) {
      try {
        await this.acquireAsync();
        return;
      } catch (e) {
        if (!(e instanceof OwnerDeadError) || e.lock !== this.#rw) throw e;
      }
      await this.#rw.write.withLockAsync(() => {}, repair);
    }
  }

  /** Gives back one read hold (of any thread: read holds have no owners). Giving back more than are held is a `SyncError`. */
  release(): void {
    // Read-locked, nobody waiting, not marked: one compare-and-swap, nobody to wake (a plain read
    // proposes the value, as in acquire).
    const s = this.#a[this.#i] as number;
    if (s > 0 && s <= COUNT && Atomics.compareExchange(this.#a, this.#i, s, s - 1) === s) return;
    this.#releaseSlow();
  }

  #releaseSlow(): void {
    const a = this.#a;
    const i = this.#i;
    for (;;) {
      const s = Atomics.load(a, i);
      if ((s & WRITE_LOCKED) !== 0 || (s & COUNT) === 0) throw new SyncError('RwLock.read.release(): no read lock is held', 'not_held');
      if (Atomics.compareExchange(a, i, s, s - 1) === s) {
        // The last reader out wakes a waiting writer (or readers, when no writer was asleep).
        if (unlocked(s - 1) && ((s - 1) & WAITING) !== 0) wakeWriterOrReaders(a, i, s - 1);
        return;
      }
    }
  }

  /** The number of read holds now (0 while a writer holds the lock). */
  holds(): number {
    const s = Atomics.load(this.#a, this.#i);
    return (s & WRITE_LOCKED) !== 0 ? 0 : s & COUNT;
  }
}

/**
 * The write side of an {@link RwLock} (`rw.write`): one thread at a time, while nobody holds a
 * read lock. Only its holder may release it; it is not re-entrant (a second blocking acquisition
 * by the holder is a `SyncError`). Async acquisitions are the thread's, as for an `RLock`: any task
 * of the thread may release them, and other tasks of the thread wait for them.
 */
export class WriteLock extends Acquirable {
  readonly #a: Int32Array;
  readonly #i: number;
  readonly #rw: RwLock;
  /** This thread's identity at this lock, valid while `thisThread.epoch` is `#epoch`. */
  #me = 0;
  #epoch = -1;

  /** The write side of `rw`, whose words start at `a[i]` (made by the `RwLock`). */
  constructor(rw: RwLock, a: Int32Array, i: number) {
    super();
    this.#rw = rw;
    this.#a = a;
    this.#i = i;
  }

  /** This thread's identity at this lock (allocated on first use; again after it joins or leaves a registry). */
  #identity(): number {
    const me = identityAt(this.#a, this.#i, this.#i + IDS, 'RwLock');
    this.#me = me;
    this.#epoch = thisThread.epoch;
    return me;
  }

  #knownIdentity(): number {
    return this.#epoch === thisThread.epoch ? this.#me : knownIdentity(this.#a, this.#i);
  }

  /**
   * Takes the write lock, waiting up to `timeout` ms (-1: for ever) when `blocking`; returns
   * whether it did. Refused with an `OwnerDeadError` while a dead writer's data is not repaired.
   */
  acquire(blocking = true, timeout = -1): boolean {
    checkTimeout(timeout);
    const me = this.#epoch === thisThread.epoch ? this.#me : this.#identity();
    if (Atomics.compareExchange(this.#a, this.#i, 0, WRITE_LOCKED | me) === 0) return true;
    return this.#contended(me, blocking, timeout, false) !== false;
  }

  /**
   * Takes the write lock also while a dead writer's data is not repaired: then returns
   * `'inconsistent'`, and the caller repairs the data and calls {@link markConsistent}.
   */
  acquireForRepair(blocking = true, timeout = -1): RepairAcquired {
    checkTimeout(timeout);
    const me = this.#epoch === thisThread.epoch ? this.#me : this.#identity();
    if (Atomics.compareExchange(this.#a, this.#i, 0, WRITE_LOCKED | me) === 0) return true;
    return this.#contended(me, blocking, timeout, true);
  }

  #contended(me: number, blocking: boolean, timeout: number, repairing: boolean): RepairAcquired {
    const a = this.#a;
    const i = this.#i;
    const what = 'RwLock.write.acquire';
    // One look without waiting when this thread may not block either (refused, if it would have to
    // wait, before this writer announces itself: a writers-waiting bit left behind would hold
    // readers back).
    const refuse = blocking && mustNotWait(timeout);
    if (!blocking || refuse) {
      const r = writeStep(a, i, this.#rw, me, 0, repairing, false, true, what);
      if (r === true || r === 'inconsistent') return r;
      if (refuse) throw cannotBlock(what);
      return false;
    }
    // Spin briefly. While readers hold the lock, announce this writer (the writers-waiting bit), so
    // that no new reader comes in and the ones inside drain; the bit stays set when the lock is
    // taken (another writer may have gone to sleep relying on it), and the release clears it.
    for (let k = 0; k < SPIN_ROUNDS; k++) {
      const s = Atomics.load(a, i);
      if ((s & (WRITE_LOCKED | COUNT | INCONSISTENT)) === 0) {
        if (Atomics.compareExchange(a, i, s, s | WRITE_LOCKED | me) === s) return true;
        continue;
      }
      if ((s & INCONSISTENT) !== 0 || writerOf(s) === me) break;
      if ((s & (WRITE_LOCKED | WRITERS_WAITING)) === 0) Atomics.compareExchange(a, i, s, s | WRITERS_WAITING);
      backOff(k);
    }
    const deadline = deadlineOf(timeout);
    for (let others = 0; ; others = WRITERS_WAITING) {
      const r = writeStep(a, i, this.#rw, me, others, repairing, true, true, what);
      if (typeof r !== 'number') return r;
      if (remaining(deadline) <= 0) {
        giveUpWriting(a, i);
        return false;
      }
      wait(a, i + SEQ, r, sleepIn(Atomics.load(a, i), deadline), what);
    }
  }

  /** Takes the write lock without blocking the thread; resolves to whether it did within `timeout` ms. */
  async acquireAsync(timeout = -1): Promise<boolean> {
    return (await this.#acquireAsync(timeout, false)) !== false;
  }

  /** Async form of {@link acquireForRepair}. */
  acquireForRepairAsync(timeout = -1): Promise<RepairAcquired> {
    return this.#acquireAsync(timeout, true);
  }

  async #acquireAsync(timeout: number, repairing: boolean): Promise<RepairAcquired> {
    checkTimeout(timeout);
    const me = this.#epoch === thisThread.epoch ? this.#me : this.#identity();
    const a = this.#a;
    const i = this.#i;
    if (Atomics.compareExchange(a, i, 0, WRITE_LOCKED | me) === 0) return true;
    const deadline = deadlineOf(timeout);
    for (let others = 0; ; others = WRITERS_WAITING) {
      const r = writeStep(a, i, this.#rw, me, others, repairing, true, false, 'RwLock.write.acquireAsync');
      if (typeof r !== 'number') return r;
      if (remaining(deadline) <= 0) {
        giveUpWriting(a, i);
        return false;
      }
      await waitAsync(a, i + SEQ, r, sleepIn(Atomics.load(a, i), deadline));
    }
  }

  protected override acquireRepairing(repair: () => void): void {
    repairWith(this, this.acquireForRepair(), repair);
  }

  protected override async acquireRepairingAsync(repair: () => void | Promise<void>): Promise<void> {
    await repairWithAsync(this, await this.acquireForRepairAsync(), repair);
  }

  /** Releases the write lock; only its holder (this thread) may (a `SyncError` otherwise). */
  release(): void {
    const held = WRITE_LOCKED | this.#me;
    // Held by this thread, nobody waiting, not marked: one compare-and-swap.
    if (this.#me !== 0 && Atomics.compareExchange(this.#a, this.#i, held, 0) === held) return;
    this.#releaseSlow();
  }

  #releaseSlow(): void {
    const a = this.#a;
    const i = this.#i;
    const me = this.#knownIdentity();
    for (;;) {
      const s = Atomics.load(a, i);
      if (me === 0 || writerOf(s) !== me) throw new SyncError('RwLock.write.release(): this thread does not hold the write lock', 'not_held');
      const next = s & (WAITING | INCONSISTENT);
      if (Atomics.compareExchange(a, i, s, next) === s) {
        if ((next & WAITING) !== 0) wakeWriterOrReaders(a, i, next);
        return;
      }
    }
  }

  /** Whether this thread holds the write lock. */
  isOwned(): boolean {
    const me = this.#knownIdentity();
    return me !== 0 && writerOf(Atomics.load(this.#a, this.#i)) === me;
  }

  /** Whether the data is consistent: false from a writer's death inside its critical section until {@link markConsistent}. */
  isConsistent(): boolean {
    return this.#rw.isConsistent();
  }

  /** Declares the data repaired after a writer's death; this thread must hold the write lock (a `SyncError` otherwise). */
  markConsistent(): void {
    const me = this.#knownIdentity();
    clearMark(
      this.#a,
      this.#i,
      (s) => me !== 0 && writerOf(s) === me,
      () => {
        throw new SyncError('RwLock.markConsistent(): this thread does not hold the write lock; acquire it (write.acquireForRepair()) first', 'not_held');
      },
    );
  }
}

/** The small RwLock that src/shapes.ts keeps alive (made when the library makes its first). */
const smallRwLock = (): RwLock => new RwLock();

/**
 * A readers–writer lock in shared memory: many readers at once (`rw.read`), or one writer
 * (`rw.write`). Each side is a lock with the usual methods: `acquire`, `acquireAsync`, `release`,
 * `withLock`, `withLockAsync`, `hold()` for `using`. Writers come first: while one waits, new
 * readers wait too, so readers cannot starve writers (a stream of writers can delay readers). The
 * writer is known; when it dies inside its critical section (threads that joined a
 * `ThreadRegistry`), the next thread recovers the lock as for a `Lock`, readers included: they
 * repair under the write lock.
 *
 * @example
 * ```ts
 * import { RwLock, struct, f64 } from 'sharedctypes';
 * const config = struct({ rate: f64, limit: f64 }).create(); // shared with the workers
 * const rw = new RwLock();                 // 12 bytes; share(rw) or rwlock() as a struct member
 * const rate = rw.read.withLock(() => config.rate);          // readers run side by side
 * rw.write.withLock(() => {                                 // a writer runs alone
 *   config.rate = 2;
 *   config.limit = 10;
 * });
 * {
 *   using _r = rw.read.hold();             // released at the end of the block
 * }
 * if (await rw.write.acquireAsync(100)) rw.write.release(); // a thread that may not block
 * ```
 */
export class RwLock {
  /** Int32 words an RwLock occupies. */
  static readonly WORDS = 3;
  readonly #a: Int32Array;
  readonly #i: number;
  /** The read side: shared holds. */
  readonly read: ReadLock;
  /** The write side: one holder, alone. */
  readonly write: WriteLock;

  /** A new RwLock in its own buffer, or the RwLock living at `place`. */
  constructor(place?: SharedPlace) {
    const { a, i } = wordsAt('RwLock', RwLock.WORDS, place);
    this.#a = a;
    this.#i = i;
    this.read = new ReadLock(this, a, i);
    this.write = new WriteLock(this, a, i);
    if (new.target === RwLock) keepShape(RwLock, smallRwLock);
  }

  /** The buffer and offset of the lock's words, to hand to another thread. */
  get place(): { buffer: SharedArrayBuffer; byteOffset: number } {
    return { buffer: this.#a.buffer as SharedArrayBuffer, byteOffset: this.#a.byteOffset + this.#i * 4 };
  }

  /** The number of read holds now (0 while a writer holds the lock). */
  readers(): number {
    return this.read.holds();
  }

  /** Whether a writer holds the lock. */
  writeLocked(): boolean {
    return (Atomics.load(this.#a, this.#i) & WRITE_LOCKED) !== 0;
  }

  /** Whether anyone holds the lock, reader or writer. */
  locked(): boolean {
    return !unlocked(Atomics.load(this.#a, this.#i));
  }

  /** Whether the data is consistent: false from a writer's death inside its critical section until {@link markConsistent}. */
  isConsistent(): boolean {
    return (Atomics.load(this.#a, this.#i) & INCONSISTENT) === 0;
  }

  /** Declares the data repaired after a writer's death; this thread must hold the write lock (a `SyncError` otherwise). */
  markConsistent(): void {
    this.write.markConsistent();
  }
}

showState(RwLock, (rw) => ({ readers: rw.readers(), writeLocked: rw.writeLocked(), ...(!rw.isConsistent() && { consistent: false }) }));
showState(ReadLock, (r) => ({ holds: r.holds() }));
showState(WriteLock, (w) => ({ ownedHere: w.isOwned() }));
