/**
 * Waiting for room (producers) or for an item (consumers) when a claim failed: sleep on the
 * channel's futex words, announced so that the other side knows to wake us.
 *
 * The protocol, for a consumer (producers mirror it with `producersWaiting` and `notFull`):
 * count itself in `consumersWaiting`, read the `notEmpty` word, look once more whether an item is
 * ready, and sleep only while `notEmpty` still holds the value read. A producer publishes an item
 * and then, if it sees a waiting consumer, bumps `notEmpty` and wakes one. All of these are
 * sequentially consistent atomics, so either the consumer's last look sees the item or the
 * producer sees the consumer waiting: no wake-up is lost, and a producer with nobody waiting
 * pays one load of a word that is rarely written.
 *
 * The async forms never spin nor block: they wait with `Atomics.waitAsync`.
 *
 * @module
 */
import { typeError } from '../errors.js';
import { canBlock, remaining, wait, waitAsync } from '../sync/futex.js';
import { W } from './format.js';
import type { Ring } from './ring.js';

/** What a consumer waits for: an item, or the end (closed and drained). */
function consumerMayGo(ring: Ring): boolean {
  return ring.readable() || (Atomics.load(ring.a, W.closed) !== 0 && ring.drained());
}

/** What a producer waits for: a free slot, or the channel closed (the push then fails). */
function producerMayGo(ring: Ring): boolean {
  return ring.writable() || Atomics.load(ring.a, W.closed) !== 0;
}

/**
 * After a failed claim: sleeps until woken (or `deadline`). Returns false once `deadline` has
 * passed (the caller then gives up). No spinning first: measured on a 2-core machine shared with
 * other work, a spinning consumer (as Lock does, `sync/spin.ts`) made a ping-pong round trip 4×
 * slower than sleeping at once (98 µs against 23 µs; a hand-written futex ping-pong: 16 µs), since
 * the spinner takes the core the other side needs. `round` is the caller's count of failed claims.
 */
export function pause(ring: Ring, consumer: boolean, deadline: number, _round: number, what: string): boolean {
  if (remaining(deadline) <= 0) return false;
  if (!canBlock())
    throw typeError(
      'cannot_block',
      `${what}: this thread may not block (a browser main thread)`,
      'use the async form (e.g. pushAsync(), popAsync()) or a try… form',
    );
  const a = ring.a;
  const count = consumer ? W.consumersWaiting : W.producersWaiting;
  const word = consumer ? W.notEmpty : W.notFull;
  Atomics.add(a, count, 1);
  try {
    const seq = Atomics.load(a, word);
    if (!(consumer ? consumerMayGo(ring) : producerMayGo(ring))) wait(a, word, seq, deadline);
  } finally {
    Atomics.sub(a, count, 1);
  }
  return true;
}

/** {@link pause} without blocking the thread and without spinning. */
export async function pauseAsync(ring: Ring, consumer: boolean, deadline: number): Promise<boolean> {
  if (remaining(deadline) <= 0) return false;
  const a = ring.a;
  const count = consumer ? W.consumersWaiting : W.producersWaiting;
  const word = consumer ? W.notEmpty : W.notFull;
  Atomics.add(a, count, 1);
  try {
    const seq = Atomics.load(a, word);
    if (!(consumer ? consumerMayGo(ring) : producerMayGo(ring))) await waitAsync(a, word, seq, deadline);
  } finally {
    Atomics.sub(a, count, 1);
  }
  return true;
}
