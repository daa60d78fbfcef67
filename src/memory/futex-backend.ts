/**
 * The futex backend: waiting and waking through the Linux `futex` system call on the word's
 * address (FUTEX_WAIT / FUTEX_WAKE without FUTEX_PRIVATE_FLAG: the kernel keys a shared futex by
 * the page's backing object and offset, so waiters in other processes, or other mappings of the
 * segment in this process, are found). Same words and meaning as the Atomics backend. Async waits
 * are made by a waiter thread (async-wait.ts).
 *
 * @module
 */
import { internalError } from '../errors.js';
import { waitAsyncInKernel } from './async-wait.js';
import { mappingOf, type WaitBackend } from './backend.js';
import { hostOf } from './host.js';
import { libc } from './libc.js';

const FUTEX_WAIT = 0;
const FUTEX_WAKE = 1;
const EAGAIN = 11;
const ETIMEDOUT = 110;
const INT32_MAX = 0x7fffffff;

/** A `struct timespec` for the relative timeout of FUTEX_WAIT (one per thread; calls do not overlap). */
const timespec = new BigInt64Array(2);

function addressOf(a: Int32Array, i: number): bigint {
  const m = mappingOf(a.buffer);
  if (m === undefined) throw internalError('a futex wait on memory that is not a mapping');
  return m.address + BigInt(a.byteOffset + i * 4);
}

/** The futex system call: processes (and threads) sharing a `SharedMemory` segment. */
export const FUTEX_BACKEND: WaitBackend = {
  kind: 'futex',
  wait(a, i, expected, timeoutMs) {
    if (Atomics.load(a, i) !== expected) return 'not-equal';
    const c = libc();
    let timeout: BigInt64Array | null = null;
    if (timeoutMs !== Infinity) {
      const ns = BigInt(Math.max(0, Math.round(timeoutMs * 1e6)));
      timespec[0] = ns / 1_000_000_000n;
      timespec[1] = ns % 1_000_000_000n;
      timeout = timespec;
    }
    if (c.futex(sysFutex(), addressOf(a, i), FUTEX_WAIT, expected, timeout) === 0) return 'ok';
    const e = c.errno();
    return e === ETIMEDOUT ? 'timed-out' : e === EAGAIN ? 'not-equal' : 'ok'; // EINTR: a spurious wake-up, as callers allow
  },
  wake(a, i, count) {
    const n = count === Infinity ? INT32_MAX : Math.max(0, Math.min(INT32_MAX, Math.floor(count)));
    const r = libc().futex(sysFutex(), addressOf(a, i), FUTEX_WAKE, n, null);
    return Math.max(0, r);
  },
  // No runtime has an asynchronous futex wait: a waiter thread sleeps in the kernel for this one.
  waitAsync: waitAsyncInKernel,
};

function sysFutex(): number {
  return hostOf().sysFutex ?? -1; // libc() refused already where it is unknown
}
