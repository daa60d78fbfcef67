// Async waits on the words of SharedMemory segments (src/memory/async-wait.ts): a waiter thread
// per thread sleeps in the kernel (futex_waitv) for all of its pending async waits, instead of the
// poll. Real processes and threads, coordinated by words of the segment and by what /proc says
// each thread sleeps on: never sleeps.
import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { asyncWaitCounts, asyncWaitState } from '../../src/memory/async-wait.js';
import { mappingOf } from '../../src/memory/backend.js';
import { hostOf } from '../../src/memory/host.js';
import { libc } from '../../src/memory/libc.js';
import {
  CANCELLED,
  CANCELLING,
  CLOSED,
  CLOSING,
  CONTROL_BYTES,
  DONE,
  FREE,
  INSIDE,
  OK,
  OPEN,
  PENDING,
  SLOT,
  UNWOKEN,
  type WaiterData,
  WORDS,
  waiterSource,
} from '../../src/memory/waiter-thread.js';
import { pollCount } from '../../src/sync/futex.js';
import { RUNNER, RUNNER_VIA } from '../setup/runtimes.js';
import { jsPeer, ownWaitvWords, sleepsOnFutex, until, waitvSleepers } from './peers.js';
import { Shared } from './schema.js';
import { segmentsOfEachTest } from './segments.js';

const JS = { node: 'Node', bun: 'Bun', deno: 'Deno' }[RUNNER.runtime];
const segments = segmentsOfEachTest();

/** Byte offsets in `Shared` (schema.ts). */
const LOCK = 0;
const READY = 32;
const ITEMS = 36;

function shared(tag: string) {
  const shm = segments.create(tag, 64);
  return { shm, s: Shared.view(shm.buf), words: new Int32Array(shm.buf), at: (offset: number) => ({ name: shm.name, offset }) };
}

/** Where each thread of this process mapped segment `name` (a worker maps it at an address of its own): [start, end, file offset]. */
function mappingsOf(name: string): [bigint, bigint, bigint][] {
  return readFileSync('/proc/self/maps', 'utf8')
    .split('\n')
    .filter((line) => line.endsWith(`/dev/shm/${name}`))
    .map((line) => {
      const [range = '', , offset = '0'] = line.split(/\s+/);
      const [start = '0', end = '0'] = range.split('-');
      return [BigInt(`0x${start}`), BigInt(`0x${end}`), BigInt(`0x${offset}`)];
    });
}

/**
 * How many words this process's futex_waitv sleepers wait on at byte `offset` of segment `name`
 * (through any thread's mapping of it), while it holds `value` (any value: undefined).
 */
function kernelWaitsOn(word: { name: string; offset: number }, value?: number): number {
  const maps = mappingsOf(word.name);
  const isWord = (address: bigint) =>
    maps.some(([start, end, offset]) => address >= start && address < end && address - start + offset === BigInt(word.offset));
  return ownWaitvWords()
    .flat()
    .filter((w) => isWord(w.address) && (value === undefined || w.value === value)).length;
}

describe('async waits on segment words sleep in the kernel (a waiter thread in futex_waitv)', () => {
  it('this thread waits through a waiter thread here (Linux ≥ 5.16)', () => {
    expect(asyncWaitState()).toEqual({ mode: 'thread' });
  });

  it(`an async acquirer here sleeps in the kernel on the lock word, and a ${JS} process's release wakes it: not a poll`, async () => {
    const { shm, s, words, at } = shared('aw-wake');
    const holder = jsPeer('node', { op: 'hold', name: shm.name });
    await until(() => Atomics.load(words, 6) === 1, 'the peer to hold the lock');
    const looks = pollCount.looks;
    const woken = asyncWaitCounts.woken;
    const acquired = s.lock.acquireAsync(20_000);
    // 2: held, with a sleeper (this one)
    await until(() => kernelWaitsOn(at(LOCK), 2) === 1, 'the waiter thread to sleep on the lock word');
    Atomics.store(words, 6, 2); // the peer releases
    expect(await acquired).toBe(true);
    expect(asyncWaitCounts.woken).toBe(woken + 1); // completed by the futex wake…
    expect(pollCount.looks).toBe(looks); // …and never looked at by a poll
    s.lock.release();
    await holder;
    shm.close();
  });

  it('100 async acquirers of a semaphore here, in the kernel at once, each take one of 100 units another process releases one at a time: no poll', async () => {
    const { shm, s, at } = shared('aw-many');
    const looks = pollCount.looks;
    const takers = Array.from({ length: 100 }, () => s.items.acquireAsync(20_000));
    await until(() => kernelWaitsOn(at(ITEMS), 0) === 100, 'the 100 waits in the waiter thread’s vector');
    expect(await jsPeer('node', { op: 'release', name: shm.name, times: 100 })).toEqual({ released: 100 });
    expect(await Promise.all(takers)).toEqual(Array(100).fill(true));
    expect(s.items.value).toBe(0);
    expect(pollCount.looks).toBe(looks);
    shm.close();
  });

  it('200 async acquirers: 127 wait in the kernel, the rest poll (futex_waitv takes 128 words, one the doorbell); all take their unit', async () => {
    const { shm, s, at } = shared('aw-overflow');
    const handed = asyncWaitCounts.handed;
    const looks = pollCount.looks;
    const takers = Array.from({ length: 200 }, () => s.items.acquireAsync(20_000));
    await until(() => kernelWaitsOn(at(ITEMS), 0) === 127, 'the waiter thread’s vector to be full');
    expect(asyncWaitCounts.handed - handed).toBe(127);
    expect(pollCount.looks).toBeGreaterThan(looks);
    expect(await jsPeer('node', { op: 'release', name: shm.name, times: 200 })).toEqual({ released: 200 });
    expect(await Promise.all(takers)).toEqual(Array(200).fill(true));
    expect(s.items.value).toBe(0);
    shm.close();
  });

  it('timed waits time out, 0 ms ones at once, and leave the waiter thread’s vector', async () => {
    const { shm, s, words, at } = shared('aw-timeout');
    const holder = jsPeer('node', { op: 'hold', name: shm.name });
    await until(() => Atomics.load(words, 6) === 1, 'the peer to hold the lock');
    const t = performance.now();
    const [lock, event] = await Promise.all([s.lock.acquireAsync(60), s.ready.waitAsync(40)]);
    expect([lock, event]).toEqual([false, false]);
    expect(performance.now() - t).toBeGreaterThanOrEqual(59);
    expect(await s.lock.acquireAsync(0)).toBe(false);
    await until(() => kernelWaitsOn(at(LOCK)) + kernelWaitsOn(at(READY)) === 0, 'the waiter thread to drop the timed-out waits');
    Atomics.store(words, 6, 2);
    await holder;
    expect(await s.lock.acquireAsync(0)).toBe(true); // released by the peer: taken at once
    s.lock.release();
    shm.close();
  });

  it('a timeout beyond what a timer takes (2^31 − 1 ms) is kept, not fired at once', async () => {
    const { shm, s, at } = shared('aw-long-timeout');
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    try {
      const waiting = s.ready.waitAsync(2 ** 40);
      await until(() => kernelWaitsOn(at(READY), 0) === 1, 'the waiter thread to sleep on the event');
      s.ready.set();
      expect(await waiting).toBe(true);
      expect(warnings).toEqual([]); // Node's TimeoutOverflowWarning: a timer of 2^40 ms fires after 1 ms
    } finally {
      process.off('warning', onWarning);
    }
    shm.close();
  });

  it('a wait whose word changed before the waiter thread slept on it resolves (not-equal), as the poll did', async () => {
    const { shm, s } = shared('aw-changed');
    const waiting = s.ready.waitAsync(20_000);
    s.ready.set(); // in the same task: before the waiter thread could look at the word
    expect(await waiting).toBe(true);
    shm.close();
  });

  it('closing the segment under a pending async wait ends the wait at once with segment_closed, whether or not close() can detach the buffer (Node 20: it cannot)', async () => {
    const { shm, s, at } = shared('aw-close');
    s.lock.acquire();
    // A timeout far beyond the handshake's: the wait must end because of the close, not of its deadline.
    const pending = s.lock.acquireAsync(120_000);
    const event = s.ready.waitAsync(); // no timeout at all: it would keep the process alive for ever
    await until(() => kernelWaitsOn(at(LOCK), 2) === 1, 'the waiter thread to sleep on the lock word');
    shm.close();
    await until(() => waitvSleepers('self').length === 0, 'the waiter thread to leave the closed segment’s words');
    await expect(pending).rejects.toMatchObject({ name: 'SharedMemoryError', code: 'segment_closed' });
    await expect(event).rejects.toMatchObject({ name: 'SharedMemoryError', code: 'segment_closed' });
  });

  it('async acquirers here that time out over and over, while 2 processes count under the lock with blocking acquires: exact, nobody left asleep', async () => {
    // A timed-out wait may have taken a release's wake-up meant for a blocked process: the waiter
    // thread passes it on. Without that, a peer sleeps for ever here and the test times out.
    const { shm, s } = shared('aw-handoff');
    const times = 400;
    // Each holds the lock 0.5 ms: long enough for this process's 1–3 ms waits to time out often.
    const peers = [0, 1].map(() => jsPeer('node', { op: 'count', name: shm.name, times, holdMs: 0.5 }));
    let mine = 0;
    let timedOut = 0;
    await until(() => s.started === 2, 'both peers to start');
    const end = performance.now() + 30_000;
    // 16 acquirers at once: their waits sit in the kernel's queue of the word beside the peers'.
    const acquirer = async (k: number) => {
      while (s.n - mine < 2 * times && performance.now() < end) {
        if (await s.lock.acquireAsync(1 + ((mine + k) % 3))) {
          s.n = s.n + 1;
          mine++;
          s.lock.release();
        } else timedOut++;
        await new Promise((r) => setImmediate(r)); // the peers' increments, not these loops, say when to stop
      }
    };
    await Promise.all(Array.from({ length: 16 }, (_, k) => acquirer(k)));
    await Promise.all(peers);
    expect(timedOut).toBeGreaterThan(0);
    expect(s.n).toBe(2 * times + mine);
    shm.close();
  });
});

describe('processes with async waits end as they would with the poll', () => {
  it('woken by another process, a process ends by itself: its waiter thread does not hold it', async () => {
    const { shm, s, words } = shared('aw-end');
    s.lock.acquire();
    const peer = jsPeer<{ got: boolean }>('node', { op: 'asyncBlocked', name: shm.name });
    await until(() => Atomics.load(words, 0) === 2 && waitvSleepers(peer.pid).length === 1, 'the peer’s waiter thread to sleep in the kernel');
    s.lock.release();
    expect((await peer).got).toBe(true); // resolved when it exited
    shm.close();
  });

  it('a process whose async wait timed out ends by itself', async () => {
    const { shm } = shared('aw-end-timeout');
    expect(await jsPeer('node', { op: 'asyncTimeout', name: shm.name, timeout: 50 })).toEqual({ set: false });
    shm.close();
  });

  it('process.exit() with an async wait still asleep in the kernel ends the process (the waiter thread leaves the kernel first)', async () => {
    const { shm, s, words } = shared('aw-exit');
    s.lock.acquire();
    const peer = jsPeer<{ set: boolean; acquired: boolean }>('node', { op: 'asyncExit', name: shm.name });
    await until(
      () => Atomics.load(words, 0) === 2 && waitvSleepers(peer.pid).some((t) => t.count === 3),
      'the peer to wait for the lock and the event in the kernel',
    );
    s.ready.set();
    expect(await peer).toEqual({ set: true, acquired: false });
    s.lock.release();
    shm.close();
  });
});

/** A worker thread (async-thread.mjs) that acquires the mutex of segment `name` asynchronously. */
function worker(name: string): { w: Worker; result: Promise<{ got: boolean; asyncWaits: { mode: string; reason?: string } }>; exited: Promise<number> } {
  const w = new Worker(new URL('./async-thread.mjs', import.meta.url), { workerData: { name } });
  const result = new Promise<{ got: boolean; asyncWaits: { mode: string; reason?: string } }>((resolve, reject) => {
    w.once('message', resolve);
    w.once('error', reject);
  });
  return { w, result, exited: new Promise((resolve) => w.once('exit', resolve)) };
}

describe.runIf(RUNNER_VIA === 'koffi')(
  'worker threads through koffi poll (a waiter thread terminated with its worker while it binds koffi would abort the process)',
  () => {
    it("a worker's async acquirer polls (no thread of this process in futex_waitv) and gets the lock another process releases; memorySupport() there says why", async () => {
      const { shm, s, words, at } = shared('aw-worker-koffi');
      const holder = jsPeer('node', { op: 'hold', name: shm.name });
      await until(() => Atomics.load(words, 6) === 1, 'the peer to hold the lock');
      const { result, exited } = worker(shm.name);
      await until(() => s.started === 1 && Atomics.load(words, 0) === 2, 'the worker to wait for the lock');
      expect(kernelWaitsOn(at(LOCK))).toBe(0); // no waiter thread of this process sleeps on the lock word
      Atomics.store(words, 6, 2);
      const { got, asyncWaits } = await result;
      expect(got).toBe(true);
      expect(asyncWaits.mode).toBe('poll');
      expect(asyncWaits.reason).toContain('koffi');
      await exited;
      await holder;
      shm.close();
    });

    it('terminating a worker whose async wait polls ends it', async () => {
      const { shm, s, words } = shared('aw-terminate-koffi');
      s.lock.acquire();
      const { w, exited } = worker(shm.name);
      await until(() => s.started === 1 && Atomics.load(words, 0) === 2, 'the worker to wait for the lock');
      await w.terminate();
      await exited;
      s.lock.release();
      shm.close();
    });
  },
);

describe.runIf(RUNNER_VIA !== 'koffi')('worker threads wait through waiter threads of their own', () => {
  it(`a worker’s async acquirer is woken by a ${JS} process's release`, async () => {
    const { shm, s, words, at } = shared('aw-worker');
    const holder = jsPeer('node', { op: 'hold', name: shm.name });
    await until(() => Atomics.load(words, 6) === 1, 'the peer to hold the lock');
    const { result, exited } = worker(shm.name);
    await until(() => s.started === 1 && kernelWaitsOn(at(LOCK), 2) === 1, 'the worker’s waiter thread to sleep on the lock word');
    Atomics.store(words, 6, 2);
    expect(await result).toEqual({ got: true, asyncWaits: { mode: 'thread' } });
    await exited;
    await holder;
    shm.close();
  });

  it('terminating a worker whose async wait sleeps in the kernel ends it', async () => {
    const { shm, s, at } = shared('aw-terminate');
    s.lock.acquire();
    const { w, exited } = worker(shm.name);
    await until(() => s.started === 1 && kernelWaitsOn(at(LOCK), 2) === 1, 'the worker’s waiter thread to sleep on the lock word');
    await w.terminate();
    await exited;
    await until(() => kernelWaitsOn(at(LOCK)) === 0, 'the worker’s waiter thread to be gone');
    s.lock.release();
    shm.close();
  });
});

describe('with SHAREDCTYPES_ASYNC_WAIT=poll', () => {
  it('memorySupport() says async waits poll, and why', async () => {
    expect(await jsPeer('node', { op: 'support' }, undefined, [], { SHAREDCTYPES_ASYNC_WAIT: 'poll' })).toMatchObject({
      available: true,
      asyncWaits: { mode: 'poll', reason: 'SHAREDCTYPES_ASYNC_WAIT=poll' },
    });
    expect(await jsPeer('node', { op: 'support' })).toMatchObject({ available: true, asyncWaits: { mode: 'thread' } });
  });

  it('a process polls (no thread of it in futex_waitv) and its async acquisition still gets the lock', async () => {
    const { shm, s, words } = shared('aw-poll');
    s.lock.acquire();
    const peer = jsPeer<{ got: boolean }>('node', { op: 'asyncBlocked', name: shm.name }, undefined, [], { SHAREDCTYPES_ASYNC_WAIT: 'poll' });
    await until(() => s.flag === 1 && Atomics.load(words, 0) === 2, 'the peer to wait for the lock');
    expect(waitvSleepers(peer.pid)).toEqual([]);
    expect(sleepsOnFutex(peer.pid, 2)).toBe(false);
    s.lock.release();
    expect((await peer).got).toBe(true);
    shm.close();
  });
});

// ---- the waiter thread driven by hand through its control block (waiter-thread.ts) ----------------

function startWaiter(): { words: Int32Array; wide: BigInt64Array; stop(): Promise<void> } {
  const c = libc();
  const host = hostOf();
  const control = new SharedArrayBuffer(CONTROL_BYTES);
  const data: WaiterData = {
    control,
    via: c.via,
    koffiFrom: c.koffiFrom,
    sysWaitv: host.sysFutexWaitv ?? -1,
    sysFutex: host.sysFutex ?? -1,
    maxSleepMs: Number.POSITIVE_INFINITY,
    words: WORDS,
    slot: SLOT,
  };
  const worker = new Worker(waiterSource(), { eval: true, workerData: data });
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  const words = new Int32Array(control);
  return {
    words,
    wide: new BigInt64Array(control),
    async stop() {
      // Closes its gate (waiter-thread.ts): at once where it is outside the FFI, else when it leaves it.
      while (Atomics.compareExchange(words, WORDS.gate, OPEN, CLOSED) === INSIDE) {
        if (Atomics.compareExchange(words, WORDS.gate, INSIDE, CLOSING) === INSIDE) break;
      }
      Atomics.add(words, WORDS.door, 1);
      Atomics.notify(words, WORDS.door); // out of Atomics.wait…
      const door = new BigInt64Array(control)[WORDS.address / 2] ?? 0n;
      if (door !== 0n) c.futex(host.sysFutex ?? -1, door, 1 /* FUTEX_WAKE */, 1, null); // …or of futex_waitv
      await exited;
    },
  };
}

/** Hands the waits (`address` while it holds `expected`) to the idle waiter, in slots 0, 1, … */
function hand(w: { words: Int32Array; wide: BigInt64Array }, waits: [address: bigint, expected: number][]): void {
  waits.forEach(([address, expected], slot) => {
    const b = WORDS.slots + slot * SLOT.words;
    Atomics.store(w.words, b + SLOT.expected, expected);
    w.wide[(b + SLOT.address) / 2] = address;
    Atomics.store(w.words, b + SLOT.state, PENDING);
  });
  Atomics.add(w.words, WORDS.door, 1);
  Atomics.notify(w.words, WORDS.door);
}

const slotState = (w: { words: Int32Array }, slot: number) => Atomics.load(w.words, WORDS.slots + slot * SLOT.words + SLOT.state);

describe('the waiter thread passes on a wake-up it took for a wait taken back meanwhile without a verdict (CANCELLED: its segment closing)', () => {
  // The waiter thread driven by hand through its control block (waiter-thread.ts), so that the
  // race is not left to chance: the owner takes a wait back without ringing the doorbell (the waiter
  // stays in the kernel on the word, queued before a blocked peer), then the lock is released.
  // Its one wake-up reaches the waiter thread first (the kernel wakes in queue order): the waiter
  // must hand it to the peer. Without that the peer sleeps for ever, and is killed after 10 s.
  it('the woken wait itself: the peer gets the lock', async () => {
    const { shm, s, words, at } = shared('aw-forward');
    const w = startWaiter();
    try {
      await until(() => w.wide[WORDS.address / 2] !== 0n, 'the waiter thread to start');
      s.lock.acquire();
      Atomics.store(words, 0, 2); // held, with sleepers
      hand(w, [[mappingOf(shm.buf)?.address ?? 0n, 2]]);
      await until(() => kernelWaitsOn(at(LOCK), 2) === 1, 'the waiter thread to sleep on the lock word');
      const peer = jsPeer<{ got: boolean }>('node', { op: 'blocked', name: shm.name }, 10_000); // killed (and the test failed) if never woken
      await until(() => sleepsOnFutex(peer.pid, 2), 'the peer to sleep on the lock word, queued after the waiter thread');
      expect(Atomics.compareExchange(w.words, WORDS.slots + SLOT.state, PENDING, CANCELLED)).toBe(PENDING); // no doorbell
      s.lock.release(); // one wake-up: the waiter thread's
      expect((await peer).got).toBe(true);
      await until(() => slotState(w, 0) === FREE, 'the waiter thread to free the cancelled slot');
    } finally {
      await w.stop();
    }
    shm.close();
  });

  it('a wait woken beside another (futex_waitv reports only the highest woken): the peer gets the lock', async () => {
    const { shm, s, words, at } = shared('aw-forward-2');
    const w = startWaiter();
    const lock = mappingOf(shm.buf)?.address ?? 0n;
    try {
      await until(() => w.wide[WORDS.address / 2] !== 0n, 'the waiter thread to start');
      s.lock.acquire();
      Atomics.store(words, 0, 2);
      hand(w, [
        [lock, 2], // position 1 of the vector
        [lock, 2], // position 2
      ]);
      await until(() => kernelWaitsOn(at(LOCK), 2) === 2, 'the waiter thread to sleep on the lock word twice');
      const peer = jsPeer<{ got: boolean }>('node', { op: 'blocked', name: shm.name }, 10_000);
      await until(() => sleepsOnFutex(peer.pid, 2), 'the peer to sleep on the lock word, queued after the waiter thread');
      expect(Atomics.compareExchange(w.words, WORDS.slots + SLOT.state, PENDING, CANCELLED)).toBe(PENDING);
      // A release by hand that wakes two: both of the waiter thread's, in one system call. It
      // reports position 2 (completed); position 1 was cancelled: its wake-up goes to the peer.
      Atomics.store(words, 0, 0);
      libc().futex(hostOf().sysFutex ?? -1, lock, 1 /* FUTEX_WAKE */, 2, null);
      expect((await peer).got).toBe(true);
      await until(() => slotState(w, 0) === FREE && slotState(w, 1) === DONE, 'the waiter thread to free the cancelled slot and complete the other');
    } finally {
      await w.stop();
    }
    shm.close();
  });
});

describe('a wait the waiter thread took a wake-up for ends ok, even one its owner gave up on meanwhile', () => {
  // A waker counts the waits it wakes (FUTEX_WAKE returns how many), and a channel's waker takes
  // them off its count of sleepers; a wait that then ends otherwise takes itself off too: the
  // count is one short and the next sleeper is never woken (a producer and a consumer process
  // each asleep for ever on their channel word). The owner gives up with CANCELLING and waits for
  // the waiter's verdict: OK when it took a wake-up, UNWOKEN when not.
  const FLAG = 24; // word 6 of Shared: a plain word here
  const outcomeOf = (w: { words: Int32Array }, slot: number) => Atomics.load(w.words, WORDS.slots + slot * SLOT.words + SLOT.outcome);
  const wakeWord = (address: bigint, count: number) => libc().futex(hostOf().sysFutex ?? -1, address, 1 /* FUTEX_WAKE */, count, null);
  type OnFlag = { w: ReturnType<typeof startWaiter>; words: Int32Array; at: ReturnType<typeof shared>['at']; flag: bigint };
  /**
   * A waiter thread started by hand, given `count` waits on FLAG (holding 5) in slots 0, 1, … and
   * asleep on them in the kernel; then `body`; then the waiter stops and the segment closes.
   */
  async function onFlag(name: string, count: number, body: (o: OnFlag) => Promise<void>): Promise<void> {
    const { shm, words, at } = shared(name);
    const w = startWaiter();
    const flag = (mappingOf(shm.buf)?.address ?? 0n) + BigInt(FLAG);
    try {
      await until(() => Atomics.load(w.wide, WORDS.address / 2) !== 0n, 'the waiter thread to start');
      Atomics.store(words, FLAG / 4, 5);
      hand(
        w,
        Array.from({ length: count }, (): [bigint, number] => [flag, 5]), // positions 1, 2, … of the vector
      );
      await until(() => kernelWaitsOn(at(FLAG), 5) === count, `the waiter thread to sleep on the word (${count} waits)`);
      await body({ w, words, at, flag });
    } finally {
      await w.stop();
    }
    shm.close();
  }

  it('given up on while asleep in the kernel, then woken (the waker counts it): the verdict is OK', () =>
    onFlag('aw-verdict-ok', 1, async ({ w, words, flag }) => {
      // The owner gives up (its deadline), and before its doorbell gets the waiter out, a waker bumps the word and wakes it.
      expect(Atomics.compareExchange(w.words, WORDS.slots + SLOT.state, PENDING, CANCELLING)).toBe(PENDING);
      Atomics.store(words, FLAG / 4, 6);
      expect(wakeWord(flag, 1)).toBe(1); // counted as woken
      await until(() => slotState(w, 0) === DONE, 'the verdict');
      expect(outcomeOf(w, 0)).toBe(OK);
    }));

  it('given up on and not woken: the verdict is UNWOKEN, and the waiter leaves the word', () =>
    onFlag('aw-verdict-unwoken', 1, async ({ w, at, flag }) => {
      expect(Atomics.compareExchange(w.words, WORDS.slots + SLOT.state, PENDING, CANCELLING)).toBe(PENDING);
      Atomics.add(w.words, WORDS.door, 1);
      expect(wakeWord(Atomics.load(w.wide, WORDS.address / 2), 1)).toBe(1); // the doorbell: out of futex_waitv
      await until(() => slotState(w, 0) === DONE, 'the verdict');
      expect(outcomeOf(w, 0)).toBe(UNWOKEN);
      expect(kernelWaitsOn(at(FLAG))).toBe(0);
      expect(wakeWord(flag, 1)).toBe(0); // nobody left on the word
    }));

  it('woken beside another (futex_waitv reports only the highest woken), then its word changed: OK, not NOT_EQUAL', () =>
    onFlag('aw-verdict-beside', 2, async ({ w, words, flag }) => {
      Atomics.store(words, FLAG / 4, 6);
      expect(wakeWord(flag, 2)).toBe(2); // both counted as woken; the call reports position 2
      await until(() => slotState(w, 0) === DONE && slotState(w, 1) === DONE, 'both waits to complete');
      expect([outcomeOf(w, 0), outcomeOf(w, 1)]).toEqual([OK, OK]);
    }));
});
