/**
 * Waiting for room (producers) or for an item (consumers) when a claim failed: a short adaptive
 * spin, then sleep on the channel's futex words, announced so that the other side knows to wake us.
 *
 * The protocol, for a consumer (producers mirror it with `producersWaiting` and `notFull`):
 * count itself in `consumersWaiting`, read the `notEmpty` word, look once more whether an item is
 * ready, and sleep only while `notEmpty` still holds the value read. An MPMC producer publishes
 * an item and then, if it sees a waiting consumer, bumps `notEmpty` and wakes one. All of these
 * are sequentially consistent atomics, so either the consumer's last look sees the item or the
 * producer sees the consumer waiting: no wake-up is lost, and a producer with nobody waiting
 * pays one load of a word that is rarely written. In an SPSC ring a consumer about to sleep also
 * sets its asleep bit in the tail word (after counting itself, before its last look:
 * `Ring.announceSleep`), and the producer's publish, a compare-and-swap of the tail, finds the bit
 * without any load: either the publish came first (the last look sees the item) or the bit did
 * (the publish fails, clears the bit, publishes and wakes every counted sleeper). So an SPSC push
 * with nobody waiting reads no waiter word at all; an SPSC pop likewise, with the head word's bit
 * returned by its exchange.
 *
 * Who takes a waiter off the count: the thread that wakes it. `Atomics.notify` returns how many
 * waiters it woke, and each of them returns `'ok'` from its wait (a waiter whose time runs out
 * takes itself off the waiter list in the same critical section, so it is never both woken and
 * timed out): the waker subtracts the number it woke, and a waiter subtracts itself only when its
 * wait ended otherwise (its last look saw an item, the word had changed, or the time ran out).
 * So the count drops as soon as a sleeper is woken, not when it next runs, and the pushes made
 * while it gets up (several µs on a loaded machine) see no waiter and call no `Atomics.notify`.
 * (Before this, a consumer faster than its producer cost the producer one `notify` per item:
 * 993,735 calls for 1,000,000 pushes, 6,987 of which woke anyone.)
 *
 * The async forms never spin nor block: they wait with `Atomics.waitAsync`.
 *
 * @module
 */
import { canBlock, cannotBlock, checkTimeout, mayWait, remaining, wait, waitAsync } from '../sync/futex.js';
import { handOffSleepUntil } from '../sync/owner.js';
import { W } from './format.js';
import type { Ring } from './ring.js';

/** Header words used on hot paths, as module constants (see mpmc.ts). */
const { closed: CLOSED, consumersWaiting: CONSUMERS_WAITING, producersWaiting: PRODUCERS_WAITING, notEmpty: NOT_EMPTY, notFull: NOT_FULL } = W;

/** What a consumer waits for: an item, or the end (closed and drained). */
function consumerMayGo(ring: Ring): boolean {
  return ring.readable() || ring.ended();
}

/** What a producer waits for: a free slot, or the channel closed (the push then fails). */
function producerMayGo(ring: Ring): boolean {
  return ring.writable() || Atomics.load(ring.a, CLOSED) !== 0;
}

/**
 * After a failed claim: spins (see {@link spin}), then sleeps until woken (or `deadline`).
 * Returns false once `deadline` has passed (the caller then gives up). On a thread that may not
 * block, throws `cannot_block` naming `what` (`Channel<u32>.pop`) and `fix`.
 */
export function pause(ring: Ring, consumer: boolean, deadline: number, what: string, fix = `use ${what}Async() and await it, or a try… form`): boolean {
  if (remaining(deadline) <= 0) return false;
  if (!canBlock()) throw cannotBlock(what, fix);
  if (spin(ring, consumer, deadline)) return true;
  const a = ring.a;
  const count = consumer ? CONSUMERS_WAITING : PRODUCERS_WAITING;
  const word = consumer ? NOT_EMPTY : NOT_FULL;
  Atomics.add(a, count, 1);
  ring.announceSleep(consumer);
  let woken = false;
  try {
    const seq = Atomics.load(a, word);
    // A thread of a ThreadRegistry looks again every 20 ms: the waker takes the sleepers it wakes
    // off the count, and one woken but terminated before it claimed would leave the rest asleep.
    if (!(consumer ? consumerMayGo(ring) : producerMayGo(ring))) woken = wait(a, word, seq, handOffSleepUntil(deadline), what) === 'ok';
  } finally {
    if (!woken) Atomics.sub(a, count, 1);
  }
  return true;
}

/**
 * A blocking call of a Python-style wrapper (`Queue.get`, `Connection.recv`…) on a thread that
 * may not block: makes one non-blocking `attempt` (`undefined` or `false`: nothing taken), after
 * checking `timeout`; when nothing was taken, the channel has not `ended` and `timeout` would have
 * let the call wait, throws `cannot_block` in the wrapper's words (its async form, or `tryForm`).
 * Else returns what the attempt did.
 */
export function triedOnce<T>(attempt: () => T, ended: () => boolean, timeout: number, what: string, tryForm?: string): T {
  checkTimeout(timeout); // before the attempt: a bad timeout takes nothing
  const attempted = attempt();
  if ((attempted === undefined || attempted === false) && !ended() && mayWait(timeout)) {
    throw cannotBlock(what, tryForm === undefined ? undefined : `use ${what}Async() and await it, or ${tryForm}`);
  }
  return attempted;
}

/** {@link pause} without blocking the thread and without spinning. */
export async function pauseAsync(ring: Ring, consumer: boolean, deadline: number): Promise<boolean> {
  if (remaining(deadline) <= 0) return false;
  const a = ring.a;
  const count = consumer ? CONSUMERS_WAITING : PRODUCERS_WAITING;
  const word = consumer ? NOT_EMPTY : NOT_FULL;
  Atomics.add(a, count, 1);
  ring.announceSleep(consumer);
  let woken = false;
  try {
    const seq = Atomics.load(a, word);
    if (!(consumer ? consumerMayGo(ring) : producerMayGo(ring))) woken = (await waitAsync(a, word, seq, handOffSleepUntil(deadline))) === 'ok';
  } finally {
    if (!woken) Atomics.sub(a, count, 1);
  }
  return true;
}

// ---- spinning --------------------------------------------------------------------------------------

/**
 * The fewest and the most looks a blocking call takes before it sleeps. A look is a load or
 * two of the ring's positions and one of `closed` (about 30 ns on the bench machine), so the
 * spin lasts from about 0.5 µs to about 8 µs: at most about what a sleep costs (an
 * `Atomics.wait`/`notify` hand-off takes 7–8 µs there, one way).
 */
export const SPIN_MIN = 16;
export const SPIN_MAX = 256;

/**
 * Gathering: when a look finds items (free slots) coming one at a time, a waiting side of an SPSC
 * ring lets the other side work a while before it looks again.
 *
 * A look at the other side's position moves that position's cache line to this core, and the
 * other side's next write of it must move it back (50–100 ns each way on the bench machine, and
 * the same again for the line the item is in). A consumer faster than its producer finds the ring
 * empty after every item and, looking at once, takes the items one by one: each item then pays
 * these transfers on both sides. Left alone for a few microseconds, the producer writes a run of
 * items into lines nobody else touches, and the consumer takes them all after one look. In four
 * full runs of bench/channels.mjs (2026-12-02), the hand-written twin's per-item f64 stream took
 * 129–179 ms per million items looking at once and 70–81 ms gathering, the channel's 62–78 ms
 * (142 before).
 *
 * The cost is latency: an item can wait up to the gathering time (at most {@link GATHER_MAX}
 * steps, about 5 µs, less than one futex wake-up here) before it is seen. So a side gathers only
 * while items come as a stream, and stops as soon as they do not:
 * - a spin that succeeds within {@link QUICK_LOOKS} looks (the next item was on its way) starts
 *   gathering at {@link GATHER_MIN} idle steps;
 * - after gathering, a look that finds at least {@link GATHER_MORE} items doubles the time (up to
 *   {@link GATHER_MAX}); one that finds fewer halves it (below the minimum: off); one that finds
 *   none turns it off and the ordinary spin follows.
 * An exchange of single items (a ping-pong, a request and its answer, a channel of capacity 1)
 * never finds two items after a wait, so it stays off or turns off within a few waits. MPMC rings
 * do not gather: their sides cannot count what a look finds without claiming it.
 *
 * An idle step is a multiply and an add on a local (about 1.25 ns on the bench machine, once
 * compiled): unlike a look, it touches no shared memory, and unlike `Atomics.wait` with a short
 * timeout (at least the kernel's timer slack, 50 µs), it lasts about as long as it is asked to.
 * Before the engine has compiled the loop (a thread's first waits) a step takes ~10× longer, so
 * a wait also ends once it has lasted {@link IDLE_STEP_BOUND_NS} per step by the clock, or at the
 * caller's deadline; the clock is read once per {@link IDLE_CHUNK} steps.
 */
export const GATHER_MIN = 256;
export const GATHER_MAX = 4096;
export const GATHER_MORE = 2;
export const QUICK_LOOKS = 4;
export const IDLE_CHUNK = 256;
export const IDLE_STEP_BOUND_NS = 2.5;

/**
 * The gathering time after a wait of `gather` idle steps whose look found `found` items (free
 * slots): doubled when the wait gathered {@link GATHER_MORE} or more (up to {@link GATHER_MAX}),
 * halved when it gathered fewer (0 once below {@link GATHER_MIN}), 0 when it found none.
 */
export function gatherAfter(gather: number, found: number): number {
  if (found <= 0) return 0;
  if (found >= GATHER_MORE) return Math.min(GATHER_MAX, gather * 2);
  return gather >= GATHER_MIN * 2 ? gather >> 1 : 0;
}

/** Where the idle loop's result goes, so that the compiler keeps the loop's work. */
// biome-ignore lint/correctness/noUnusedVariables: written, never read: an idle loop whose result went nowhere could be compiled to an empty one
let idleSink = 0;

/**
 * Spends about `steps` multiply-adds touching no shared memory (a multiple of {@link IDLE_CHUNK}),
 * and never more than {@link IDLE_STEP_BOUND_NS} per step by the clock, nor past `deadline`.
 */
function idle(steps: number, deadline: number): void {
  const end = Math.min(deadline, performance.now() + (steps * IDLE_STEP_BOUND_NS) / 1e6);
  let x = steps;
  for (let done = 0; done < steps; done += IDLE_CHUNK) {
    for (let j = 0; j < IDLE_CHUNK; j++) x = (Math.imul(x, 0x41c64e6d) + 12345) | 0;
    if (performance.now() >= end) break;
  }
  idleSink ^= x;
}

/**
 * Before sleeping: first, when gathering (above), idles and looks once; then looks up to the
 * side's spin budget times whether the claim could now succeed; true as soon as it could (the
 * caller claims again, and nobody had to wake it).
 *
 * When the other side is running, the next item (or free slot) usually comes within a few looks
 * (measured: most successful spins took 0–3 looks, almost none more than 64), and a spin saves
 * both sleeping and the other side's `Atomics.notify`. When the other side is not running (it
 * sleeps itself, or the machine has more runnable threads than cores and it waits for one), no
 * spin helps, and a long one takes the core from whoever needs it: a fixed spin of 1,024 looks
 * made a ping-pong round trip 3.6–4× slower on the 2-core bench machine. So the budget adapts, per
 * channel object and side, like glibc's adaptive mutexes: doubled (up to {@link SPIN_MAX}) after
 * a spin that succeeded, halved (down to {@link SPIN_MIN}) after one that did not.
 */
function spin(ring: Ring, consumer: boolean, deadline: number): boolean {
  const gather = consumer ? ring.gatherConsumer : ring.gatherProducer;
  if (gather > 0) {
    idle(gather, deadline);
    const found = ring.countReady(consumer);
    const next = gatherAfter(gather, found);
    if (consumer) ring.gatherConsumer = next;
    else ring.gatherProducer = next;
    if (found > 0) return true;
  }
  const budget = consumer ? ring.spinConsumer : ring.spinProducer;
  for (let k = 0; k < budget; k++) {
    if (consumer ? consumerMayGo(ring) : producerMayGo(ring)) {
      if (consumer) ring.spinConsumer = Math.min(SPIN_MAX, budget * 2);
      else ring.spinProducer = Math.min(SPIN_MAX, budget * 2);
      if (gather === 0 && k < QUICK_LOOKS && ring.countReady(consumer) > 0) {
        if (consumer) ring.gatherConsumer = GATHER_MIN;
        else ring.gatherProducer = GATHER_MIN;
      }
      return true;
    }
  }
  if (consumer) ring.spinConsumer = Math.max(SPIN_MIN, budget >> 1);
  else ring.spinProducer = Math.max(SPIN_MIN, budget >> 1);
  return false;
}
