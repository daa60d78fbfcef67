// Real OS processes sharing a segment: JavaScript processes of the runtime running the suite (Node,
// or Bun or Deno under tools/runtimes/test-on.mjs; child_process), Python processes, and the test's
// own process, taking the same locks (futex backend) and reading each other's structs.
// Handshakes are words of the segment, never sleeps.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { array, fingerprint, SharedMemory, toCtypes, type ViewOf } from '../../src/index.js';
import { python3 } from '../setup/requirements.js';
import { RUNNER } from '../setup/runtimes.js';
import { jsPeer, pyPeer, sleepsOnFutex, uniqueName, until } from './peers.js';
import { Particle, Shared } from './schema.js';

/** The runtime of the JavaScript peers (process.execPath: the one running the suite), for the titles. */
const JS = { node: 'Node', bun: 'Bun', deno: 'Deno' }[RUNNER.runtime];

const made: string[] = [];
function segment(tag: string, size = 64): { shm: SharedMemory; s: ViewOf<typeof Shared> } {
  const shm = new SharedMemory({ name: uniqueName(tag), create: true, size });
  made.push(shm.name);
  return { shm, s: Shared.view(shm.buf) };
}
afterEach(() => {
  for (const name of made.splice(0)) {
    try {
      new SharedMemory(name).unlink();
    } catch {
      // unlinked by the test
    }
  }
});

let dir = '';
let module = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sct-ctypes-'));
  module = join(dir, 'schemas.py');
  writeFileSync(module, `${toCtypes(Shared)}\n\n${toCtypes(Particle)}\n`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const py = python3();

describe(`${JS} processes`, () => {
  it('build the same schemas (fingerprints agree with the test’s)', async () => {
    expect(await jsPeer('node', { op: 'fingerprint' })).toEqual({ shared: fingerprint(Shared), particle: fingerprint(Particle) });
  });

  it('3 processes and this one increment one counter under one mutex: exact', async () => {
    const { shm, s } = segment('count');
    const times = 20_000;
    const peers = [0, 1, 2].map(() => jsPeer('node', { op: 'count', name: shm.name, times }));
    await until(() => s.started >= 1, 'a peer to start');
    for (let k = 0; k < times; k++) {
      s.lock.acquire();
      s.n = s.n + 1;
      s.lock.release();
    }
    await Promise.all(peers);
    expect(s.n).toBe(4 * times);
    expect(s.lock.locked()).toBe(false);
    shm.close();
  });

  it('2 processes and this one take the RLock re-entrantly: exact', async () => {
    const { shm, s } = segment('rcount');
    const times = 10_000;
    const peers = [0, 1].map(() => jsPeer('node', { op: 'rcount', name: shm.name, times }));
    for (let k = 0; k < times; k++) s.rlock.withLock(() => s.rlock.withLock(() => (s.rn = s.rn + 1)));
    await Promise.all(peers);
    expect(s.rn).toBe(3 * times);
    shm.close();
  });

  it('a process asleep on the lock is woken by this process’s release (futex across processes)', async () => {
    const { shm, s } = segment('wake');
    s.lock.acquire();
    const peer = jsPeer<{ got: boolean }>('node', { op: 'blocked', name: shm.name });
    const word = new Int32Array(shm.buf);
    // 2 = held with a sleeper: the peer marked the lock and went to sleep in the kernel
    await until(() => Atomics.load(word, 0) === 2 && sleepsOnFutex(peer.pid, 2), 'the peer to sleep on the lock in the kernel');
    s.lock.release();
    expect((await peer).got).toBe(true);
    shm.close();
  });

  it('async forms wait for another process without blocking this thread (acquireAsync, Event.waitAsync)', async () => {
    const { shm, s } = segment('async');
    const words = new Int32Array(shm.buf);
    const peer = jsPeer('node', { op: 'hold', name: shm.name });
    await until(() => Atomics.load(words, 6) === 1, 'the peer to hold the lock');
    expect(await s.lock.acquireAsync(20)).toBe(false); // held elsewhere: times out
    const acquired = s.lock.acquireAsync(20_000);
    const set = s.ready.waitAsync(20_000);
    Atomics.store(words, 6, 2); // both are pending, this thread runs on: tell the peer to release and set the event
    expect(await acquired).toBe(true);
    expect(await set).toBe(true);
    s.lock.release();
    await peer;
    shm.close();
  });

  it('a timed acquisition in another process gives up after its timeout', async () => {
    const { shm, s } = segment('timeout');
    s.lock.acquire();
    const r = await jsPeer<{ got: boolean; ms: number }>('node', { op: 'blocked', name: shm.name, timeout: 100 });
    expect(r.got).toBe(false);
    expect(r.ms).toBeGreaterThanOrEqual(90);
    s.lock.release();
    shm.close();
  });

  it('Event, Semaphore, Condition and Barrier work across processes', async () => {
    const { shm, s } = segment('primitives');
    const words = new Int32Array(shm.buf);
    // Event: two processes wait, this one sets it once both are waiting.
    const waiters = [0, 1].map(() => jsPeer<{ set: boolean }>('node', { op: 'event', name: shm.name }));
    await until(() => Atomics.load(words, 6) === 2, 'both peers to wait for the event');
    s.ready.set();
    expect((await Promise.all(waiters)).map((r) => r.set)).toEqual([true, true]);
    // Semaphore: a process takes 5 items this one releases one at a time.
    const taker = jsPeer<{ got: number }>('node', { op: 'semaphore', name: shm.name, times: 5 });
    for (let k = 0; k < 5; k++) s.items.release();
    expect((await taker).got).toBe(5);
    // Condition: a process waits until n reaches 3; this one increments and notifies.
    s.flag = 0;
    const watcher = jsPeer<{ ok: boolean; n: number }>('node', { op: 'condition', name: shm.name, target: 3 });
    await until(() => s.flag === 1, 'the peer to wait on the condition');
    for (let k = 0; k < 3; k++) {
      s.lock.acquire();
      s.n += 1;
      s.changed.notifyAll();
      s.lock.release();
    }
    expect(await watcher).toEqual({ ok: true, n: 3 });
    // Barrier(3): two processes and this one meet 5 times.
    const rounds = 5;
    const meeters = [0, 1].map(() => jsPeer<{ indices: number[] }>('node', { op: 'barrier', name: shm.name, rounds }));
    const mine: number[] = [];
    for (let k = 0; k < rounds; k++) mine.push(await s.meet.waitAsync(20_000));
    const all = [mine, ...(await Promise.all(meeters)).map((r) => r.indices)];
    for (let k = 0; k < rounds; k++) expect(all.map((ix) => ix[k]).sort()).toEqual([0, 1, 2]);
    shm.close();
  });
});

describe.skipIf(py.skip)(`${py.note}Python processes`, () => {
  beforeAll(() => py.check());

  it(`${JS} processes, Python processes and this one increment one counter under one Lock: exact`, async () => {
    const { shm, s } = segment('py-count');
    const times = 10_000;
    const peers = [
      pyPeer({ op: 'count', name: shm.name, times, module }),
      pyPeer({ op: 'count', name: shm.name, times, module }),
      jsPeer('node', { op: 'count', name: shm.name, times }),
    ];
    for (let k = 0; k < times; k++) s.lock.withLock(() => (s.n = s.n + 1));
    await Promise.all(peers);
    expect(s.n).toBe(4 * times);
    shm.close();
  });

  it('…and under one RLock (re-entered): exact', async () => {
    const { shm, s } = segment('py-rcount');
    const times = 5_000;
    const peers = [pyPeer({ op: 'rcount', name: shm.name, times, module }), jsPeer('node', { op: 'rcount', name: shm.name, times })];
    for (let k = 0; k < times; k++) s.rlock.withLock(() => (s.rn = s.rn + 1));
    await Promise.all(peers);
    expect(s.rn).toBe(3 * times);
    shm.close();
  });

  it('a Python process asleep on the lock is woken by this process’s release', async () => {
    const { shm, s } = segment('py-wake');
    s.lock.acquire();
    const peer = pyPeer<{ got: boolean }>({ op: 'blocked', name: shm.name, module });
    const word = new Int32Array(shm.buf);
    await until(() => Atomics.load(word, 0) === 2 && sleepsOnFutex(peer.pid, 2), 'Python to sleep on the lock in the kernel');
    s.lock.release();
    expect((await peer).got).toBe(true);
    shm.close();
  });

  it(`Python reads 1M particles written by a ${JS} process that has exited: every value equal`, async () => {
    const name = uniqueName('particles');
    made.push(name);
    const count = 1_000_000;
    expect(await jsPeer('node', { op: 'particles', name, count }, 120_000)).toEqual({ written: count });
    // the writer is gone; its segment is not
    const shm = new SharedMemory(name);
    expect(shm.size).toBe(count * 32);
    const ps = array(Particle, count).view(shm.buf);
    expect(ps.get(count - 1).toObject()).toEqual({
      id: count - 1,
      x: (count - 1) * 0.5,
      y: -(count - 1),
      z: Math.fround((count - 1) / 3),
      alive: (count - 1) % 3 === 0,
      mass: (count - 1) % 1000,
    });
    expect(await pyPeer({ op: 'particles', name, count, module }, 120_000)).toEqual({ read: count, bad: [] });
    shm.close();
  });
});
