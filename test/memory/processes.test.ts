// Real OS processes sharing a segment: JavaScript processes of the runtime running the suite (Node,
// or Bun or Deno under tools/runtimes/test-on.mjs; child_process), Python processes, and the test's
// own process, taking the same locks (futex backend) and reading each other's structs.
// Handshakes are words of the segment, never sleeps.
import { spawn } from 'node:child_process';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { array, attach, fingerprint, Lock, RawArray, RawValue, SharedArray, SharedMemory, share, ThreadRegistry, Value, type ViewOf } from '../../src/index.js';
import { python3 } from '../setup/requirements.js';
import { RUNNER } from '../setup/runtimes.js';
import { commandLine, jsPeer, PEER_JS, pyPeer, sleepsOnFutex, uniqueName, until } from './peers.js';
import { ctypesModule } from './python-setup.js';
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

const module = ctypesModule([Shared, Particle], 'ctypes');

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

  it('a Python process asleep on a lock that a registered thread holds (its identity in the word) is woken by its release', async () => {
    const { shm, s } = segment('py-wake-registered');
    const registry = new ThreadRegistry(4);
    const id = registry.join(1);
    try {
      s.lock.acquire();
      const word = new Int32Array(shm.buf);
      expect(Atomics.load(word, 0)).toBe(id);
      const peer = pyPeer<{ got: boolean }>({ op: 'blocked', name: shm.name, module });
      const marked = id | (0x80000000 | 0); // the identity kept, the waiters bit set
      await until(() => Atomics.load(word, 0) === marked && sleepsOnFutex(peer.pid, marked), 'Python to sleep on the lock in the kernel');
      s.lock.release();
      expect((await peer).got).toBe(true);
    } finally {
      registry.leave();
    }
    shm.close();
  });

  it('a Python process refuses a Lock and an RLock whose registered holder died (OwnerDeadError), leaving them free and marked; repaired from JavaScript, it takes them', async () => {
    const { shm, s } = segment('py-owner-dead');
    const registry = new ThreadRegistry(4);
    registry.join(1);
    s.lock.acquire();
    s.rlock.acquire();
    registry.leave(); // as if this thread had died holding both
    registry.join(2);
    try {
      expect(() => s.lock.acquire(false)).toThrow('a holder of the lock died'); // this thread finds the holder dead first
      expect(() => s.rlock.acquire(false)).toThrow('a holder of the lock died');
      expect(await pyPeer({ op: 'refused', name: shm.name, module })).toEqual({
        lock: 'OwnerDeadError',
        lockHeld: false,
        rlock: 'OwnerDeadError',
        rlockHeld: false,
      });
      expect(s.lock.isConsistent()).toBe(false);
      s.lock.withLock(
        () => {},
        () => {},
      );
      s.rlock.withLock(
        () => {},
        () => {},
      );
      expect(await pyPeer({ op: 'refused', name: shm.name, module })).toEqual({ lock: 'acquired', lockHeld: false, rlock: 'acquired', rlockHeld: false });
    } finally {
      registry.leave();
    }
    shm.close();
  });

  it(`a ${JS} process killed inside its critical section: its parent marks it dead (watch), and this process, waiting with a repair function, repairs once and runs`, async () => {
    const { shm, s } = segment('owner-killed', 128);
    const registry = new ThreadRegistry(8, { buffer: shm.buf, byteOffset: 64 });
    registry.join(process.pid);
    try {
      const [command, args] = commandLine('node', PEER_JS, [JSON.stringify({ op: 'robustHold', name: shm.name })]);
      const child = spawn(command, args, { stdio: 'ignore' });
      const exited = new Promise((resolve) => child.once('exit', resolve));
      registry.watch(child);
      const word = new Int32Array(shm.buf);
      await until(() => Atomics.load(word, 6) === 1, 'the peer inside its critical section');
      expect(registry.isAlive(child.pid ?? -1)).toBe(true);
      expect(Atomics.load(word, 0) & 0x08000000).not.toBe(0); // the lock records a registered owner
      child.kill('SIGKILL');
      let repairs = 0;
      await s.lock.withLockAsync(
        () => {
          s.n = s.n + 1;
          s.rn = s.rn + 1;
        },
        () => {
          repairs++;
          s.rn = s.n; // the dead holder's half-done update, completed
        },
      );
      await exited;
      expect(repairs).toBe(1);
      expect([s.n, s.rn]).toEqual([2, 2]);
      expect(s.lock.isConsistent()).toBe(true);
      expect(s.lock.locked()).toBe(false);
      expect(registry.isAlive(child.pid ?? -1)).toBe(false);
    } finally {
      registry.leave();
    }
    shm.close();
  });

  it('watch() takes a process that already exited, and refuses one that never started', async () => {
    const registry = new ThreadRegistry(4);
    const [command, args] = commandLine('node', PEER_JS, [JSON.stringify({ op: 'support' })]);
    const child = spawn(command, args, { stdio: 'ignore' });
    await new Promise((resolve) => child.once('exit', resolve));
    expect(registry.isAlive(child.pid ?? -1)).toBe(false);
    registry.watch(child); // marks the tag dead at once (no live member has it: nothing to do)
    expect(() => registry.watch({ pid: undefined, once: () => undefined })).toThrow('the process has no pid');
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

/** A segment with a `started` u32 at 0 (peers count themselves in) and room from byte 16. */
function handoff(tag: string): { shm: SharedMemory; started: ReturnType<typeof RawValue<'I'>>; startedHandle: string } {
  const shm = new SharedMemory({ name: uniqueName(tag), create: true, size: 256 });
  made.push(shm.name);
  const started = RawValue('I', 0, { memory: shm, byteOffset: 0 });
  return { shm, started, startedHandle: JSON.stringify(share(started)) };
}

describe('Value and Array in a segment, handed over as JSON handles', () => {
  it('Node processes and this one update() one Value: each peer maps the segment from the handle, the lock excludes them all: exact', async () => {
    const { shm, started, startedHandle } = handoff('v-node');
    const v = Value('i', 0, { memory: shm, byteOffset: 16 });
    const handle = JSON.stringify(share(v));
    const times = 10_000;
    const peers = [0, 1, 2].map(() => jsPeer<{ done: number; lockKind: string }>('node', { op: 'vupdate', handle, started: startedHandle, times }));
    await until(() => started.value >= 1, 'a peer to attach');
    for (let k = 0; k < times; k++) v.update((n) => n + 1);
    expect((await Promise.all(peers)).map((r) => r.lockKind)).toEqual(['RLock', 'RLock', 'RLock']);
    expect(v.value).toBe(4 * times);
    expect(v.getLock().locked()).toBe(false);
    shm.close();
  });

  it('a Node process that made a Value and exited leaves it (and the segment) to whoever attaches its handle; the creator’s side unlinks', async () => {
    const name = uniqueName('v-outlives');
    made.push(name);
    const { handle } = await jsPeer<{ handle: string }>('node', { op: 'makevalue', name });
    const v = attach(JSON.parse(handle)) as ReturnType<typeof Value<'d'>>;
    expect(v.value).toBe(2.5);
    v.update((x) => x * 2);
    expect(v.value).toBe(5);
    new SharedMemory(name).unlink(); // the segment goes once every mapping is gone; attaching by name no longer works
    expect(() => attach(JSON.parse(handle))).not.toThrow(); // this thread's mapping is still open: reused
  });

  it('attach() in another process maps the segment itself, and unmaps it once nothing attached over it is reachable', async () => {
    const { shm } = handoff('v-unmap');
    Value('i', 77, { memory: shm, byteOffset: 16 });
    const handle = JSON.stringify(share(Value('i', undefined, { memory: shm, byteOffset: 16 })));
    const r = await jsPeer('node', { op: 'unmapped', handle, name: shm.name }, 60_000, ['--expose-gc']);
    expect(r).toEqual({ value: 77, before: true, after: false });
    shm.close();
  });

  it('a SharedMemory closed, or never closed, is unmapped once its buffer is collected (also where close() cannot detach it: koffi on Node < 22)', async () => {
    const { shm } = handoff('own-unmap');
    const r = await jsPeer<{ afterClose: number }>('node', { op: 'unmappedOwn', name: shm.name }, 60_000, ['--expose-gc']);
    const detaches = typeof (ArrayBuffer.prototype as { transfer?: unknown }).transfer === 'function'; // the peer runs on this runtime
    expect(r).toEqual({ before: 2, afterClose: detaches ? 1 : 2, after: 0, kept: null });
    shm.close();
  });

  describe.skipIf(py.skip)(`${py.note}with Python`, () => {
    beforeAll(() => py.check());

    it('Node processes, a Python process given the handle, a Python process given the offset, and this one update one Value: exact', async () => {
      const { shm, started, startedHandle } = handoff('v-py');
      const v = Value('i', 0, { memory: shm, byteOffset: 32 });
      const handle = JSON.stringify(share(v));
      const times = 5_000;
      const peers = [
        pyPeer<{ done: number; lock: string }>({ op: 'vupdate', handle, started: startedHandle, times }),
        pyPeer<{ done: number; lock: string }>({ op: 'vupdate', name: shm.name, offset: 32, started: startedHandle, times }),
        jsPeer('node', { op: 'vupdate', handle, started: startedHandle, times }),
        jsPeer('node', { op: 'vupdate', handle, started: startedHandle, times }),
      ];
      await until(() => started.value >= 1, 'a peer to attach');
      for (let k = 0; k < times; k++) v.update((n) => n + 1);
      const results = await Promise.all(peers);
      expect(results.slice(0, 2).map((r) => (r as { lock: string }).lock)).toEqual(['RLock', 'RLock']);
      expect(v.value).toBe(5 * times);
      shm.close();
    });

    it('python/sharedctypes.py finds Values, Arrays, strings, structs and locks by handle and by offset, writes through them, and refuses bad places and stale handles', async () => {
      const { shm } = handoff('py-inspect');
      const v = Value('d', 1.5, { memory: shm, byteOffset: 0 }); // RLock @0, f64 @16
      const a = SharedArray('i', [1, 2, 3], { memory: shm, byteOffset: 24 }); // RLock @24, i32[3] @36
      const str = SharedArray('c', 'hi', { memory: shm, byteOffset: 48 }); // RLock @48, char[2] @60
      const r = RawArray('H', [7, 8], { memory: shm, byteOffset: 64 });
      const p = Particle.view(shm.buf, 72); // 32 bytes
      p.set({ id: 5, x: 0.5, alive: true });
      const lock = new Lock({ buffer: shm.buf, byteOffset: 104 });
      lock.acquire();
      const name = uniqueName('py-stale');
      const gone = new SharedMemory({ name, create: true, size: 64 });
      const stale = JSON.stringify(share(Value('i', 0, { memory: gone })));
      gone.close();
      gone.unlink();
      made.push(new SharedMemory({ name, create: true, size: 64 }).name); // the name, reborn
      const handles = Object.fromEntries(Object.entries({ v, a, s: str, r, p, lock }).map(([k, x]) => [k, JSON.stringify(share(x))]));
      const result = await pyPeer({ op: 'inspect', name: shm.name, handles, stale, module });
      expect(result).toEqual({
        v: 1.5,
        vByOffset: 1.5,
        vLock: 'RLock',
        dataOffset: 16,
        a: [1, 2, 3],
        aLen: 3,
        aRaw: [1, 2, 3], // lock=False: the raw i32[3] at 36, after the RLock
        s: 'hi',
        sRaw: [104, 105],
        r: [7, 8],
        p: [5, 0.5, true],
        locked: true,
        errors: {
          misaligned: 'ValueError',
          doesNotFit: 'ValueError',
          typecode: 'ValueError',
          notAType: 'TypeError',
          structWithoutCtype: 'TypeError',
          wrongSizeCtype: 'TypeError',
          wrongKindCtype: 'TypeError',
          wrongOrderCtype: 'TypeError',
          sameTypeAnotherName: null,
          deepDescriptor: 'ValueError',
          notAHandle: 'ValueError',
          noSegment: 'ValueError',
          stale: 'FileNotFoundError',
        },
      });
      expect([v.value, a.toArray(), str.value, r.toArray(), p.mass]).toEqual([2.5, [10, 2, 3], 'yo', [7, 80], 99]);
      lock.release();
      shm.close();
    });

    it('…and one element of an Array ("d"), by handle: exact', async () => {
      const { shm, started, startedHandle } = handoff('a-py');
      const a = SharedArray('d', 4, { memory: shm, byteOffset: 16 });
      const handle = JSON.stringify(share(a));
      const times = 5_000;
      const peers = [
        pyPeer({ op: 'aupdate', handle, started: startedHandle, times, index: 2 }),
        jsPeer('node', { op: 'aupdate', handle, started: startedHandle, times, index: 2 }),
      ];
      await until(() => started.value >= 1, 'a peer to attach');
      for (let k = 0; k < times; k++) a.update(2, (x) => x + 1);
      await Promise.all(peers);
      expect(a.toArray()).toEqual([0, 0, 3 * times, 0]);
      shm.close();
    });
  });
});
