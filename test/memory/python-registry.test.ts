// Python processes as members of a ThreadRegistry (python/sharedctypes.py): real OS processes (this
// one, Node processes of the runtime running the suite, Python processes under each of the oldest
// and newest CPython found) sharing a segment that holds the `Shared` struct and a registry
// (capacity 8, at byte 64). A member killed inside its critical section is marked dead by its
// parent's watch() (this process watches the peers it starts), and a waiting member recovers the lock.
// Handshakes are words of the segment and /proc/<pid>/syscall (a peer asleep on the futex), never sleeps;
// every wait in this thread is bounded, and peers are killed after each test, so a broken protocol
// fails a test instead of hanging the run.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OwnerDeadError, ThreadRegistry } from '../../src/index.js';
import { python3 } from '../setup/requirements.js';
import { RUNNER } from '../setup/runtimes.js';
import { commandLine, type Host, jsPeer, PEER_JS, PEER_PY, pyPeer, type Running, sleepsOnFutex, until } from './peers.js';
import { Shared } from './schema.js';
import { ctypesModule, oldestAndNewestPython } from './python-setup.js';
import { segmentsOfEachTest } from './segments.js';

const JS = { node: 'Node', bun: 'Bun', deno: 'Deno' }[RUNNER.runtime];
/** How a Python parent starts a child of this runtime: Node and Bun run a script given to their own binary; Deno needs `run` and its permissions. */
const CHILD_HOST: Host = RUNNER.runtime === 'deno' ? 'deno' : 'node';
const ID_MASK = 0x0fffffff;
const REGISTERED = 0x08000000;
const WAITERS = 0x80000000 | 0;
/** Words of `Shared`: the Lock, the RLock's owner word, n, rn, flag, started (handshakes); after it, the pid of a Python parent's child (peer.py's CHILD_PID_AT). */
const W = { lock: 0, rlock: 1, n: 4, rn: 5, flag: 6, started: 7, childPid: 14 } as const;
/** How long a wait of this thread may last: a broken protocol fails the test rather than hang it. */
const BOUND_MS = 20_000;

const segments = segmentsOfEachTest();
const py = python3();
const interpreters = oldestAndNewestPython();
const module = ctypesModule([Shared], 'pyreg');

/** Peers still running: killed after each test, so that a failed test leaves no process blocked on its segment. */
const running = new Set<Running<unknown>>();
function track<T>(p: Running<T>): Running<T> {
  running.add(p as Running<unknown>);
  const forget = () => running.delete(p as Running<unknown>);
  p.then(forget, forget);
  return p;
}
afterEach(() => {
  for (const p of running) p.child.kill('SIGKILL');
  running.clear();
});

/** A segment with `Shared` at 0 and a registry at 64 that this thread joins (left by the caller). */
function setup(tag: string) {
  const shm = segments.create(tag, 128);
  const registry = new ThreadRegistry(8, { buffer: shm.buf, byteOffset: 64 });
  registry.join(process.pid);
  return { shm, s: Shared.view(shm.buf), words: new Int32Array(shm.buf), registry };
}

/** Kills `peer` (SIGKILL) and resolves once it exited (its promise rejects: it was killed). */
async function kill(peer: Running<unknown>): Promise<void> {
  const exited = new Promise((resolve) => peer.child.once('exit', resolve));
  peer.catch(() => undefined);
  peer.child.kill('SIGKILL');
  await exited;
}

describe.skipIf(py.skip)(`${py.note}Python processes in a ThreadRegistry`, () => {
  beforeAll(() => py.check());
  it('finds a Python 3.11 or later', () => {
    expect(interpreters.length).toBeGreaterThan(0);
  });

  for (const python of interpreters) {
    const pyJob = <T = Record<string, unknown>>(job: Record<string, unknown>) => track(pyPeer<T>({ module, ...job }, 45_000, python.exe));
    const jsJob = <T = Record<string, unknown>>(job: Record<string, unknown>) => track(jsPeer<T>('node', job, 45_000));

    describe(`Python ${python.version}`, () => {
      it('joins with the words and identities JavaScript uses: slots, generations, tags, liveness seen from both sides', async () => {
        const { shm, registry } = setup('pyreg-protocol');
        try {
          const first = await pyJob<{ pid: number }>({ op: 'registry', name: shm.name, jsTag: process.pid });
          expect(first).toEqual({
            pid: first.pid,
            identity: REGISTERED | 2, // slot 1 (this thread has slot 0), generation 0
            again: REGISTERED | 2,
            seesJs: true,
            size: 2,
            otherTag: 'RuntimeError',
            duplicateTag: 'ValueError',
            badTag: 'ValueError',
            badCapacity: 'ValueError',
            full: 'RuntimeError',
            afterLeave: { alive: false, size: 1 },
            rejoined: REGISTERED | (1 + 1 + 8 * 1), // slot 1 again, the next generation
            markDeadUnknown: false,
          });
          // It exited a member: nobody watched it, so it stays one until someone marks it dead.
          expect(registry.isAlive(first.pid)).toBe(true);
          expect(registry.size).toBe(2);
          expect(registry.markDead(first.pid)).toBe(true);
          expect([registry.isAlive(first.pid), registry.size]).toEqual([false, 1]);
          // The next Python member takes the slot JavaScript marked, in the generation after.
          const second = await pyJob({ op: 'registry', name: shm.name, jsTag: process.pid, leave: false });
          expect(second).toMatchObject({ identity: REGISTERED | (1 + 1 + 8 * 2), seesJs: true, size: 2 });
        } finally {
          registry.leave();
          shm.close();
        }
      });

      it(`a Python member killed inside its Lock’s critical section: a waiting ${JS} member gets OwnerDeadError, this process repairs once`, async () => {
        const { shm, s, words, registry } = setup('pyreg-killed-lock');
        try {
          const holder = pyJob({ op: 'robustHold', name: shm.name, kind: 'lock' });
          registry.watch(holder.child);
          await until(() => Atomics.load(words, W.flag) === 1, 'the Python member inside its critical section', BOUND_MS);
          const id = Atomics.load(words, W.started);
          expect(id & REGISTERED).not.toBe(0);
          expect(Atomics.load(words, W.lock) & ID_MASK).toBe(id); // the lock records the Python process's registry identity
          expect(registry.isAlive(holder.pid)).toBe(true);
          const waiter = jsJob({ op: 'deadWaiter', name: shm.name, kind: 'lock' });
          await until(() => sleepsOnFutex(waiter.pid, id | WAITERS), `the ${JS} member asleep on the lock`, BOUND_MS);
          await kill(holder);
          expect(await waiter).toEqual({ result: 'OwnerDeadError', locked: false, consistent: false });
          expect(registry.isAlive(holder.pid)).toBe(false);
          let repairs = 0;
          const got = await s.lock.acquireForRepairAsync(BOUND_MS);
          expect(got).toBe('inconsistent');
          repairs++;
          s.rn = s.n; // the dead holder's half-done update, completed
          s.lock.markConsistent();
          s.n += 1;
          s.rn += 1;
          s.lock.release();
          expect([repairs, s.n, s.rn]).toEqual([1, 2, 2]);
          expect(s.lock.isConsistent()).toBe(true);
        } finally {
          registry.leave();
          shm.close();
        }
      });

      it(`a Python member killed holding its RLock twice: a ${JS} member waiting with withLock(fn, repair) repairs once and runs`, async () => {
        const { shm, s, words, registry } = setup('pyreg-killed-rlock');
        try {
          const holder = pyJob({ op: 'robustHold', name: shm.name, kind: 'rlock' });
          registry.watch(holder.child);
          await until(() => Atomics.load(words, W.flag) === 1, 'the Python member inside its critical section', BOUND_MS);
          const id = Atomics.load(words, W.started);
          expect(Atomics.load(words, W.rlock) & ID_MASK).toBe(id);
          expect(Atomics.load(words, W.rlock + 1)).toBe(2); // the depth
          const waiter = jsJob({ op: 'deadWaiter', name: shm.name, kind: 'rlock', repair: true });
          await until(() => sleepsOnFutex(waiter.pid, id | WAITERS), `the ${JS} member asleep on the RLock`, BOUND_MS);
          await kill(holder);
          expect(await waiter).toEqual({ repairs: 1, locked: false, consistent: true });
          expect([s.n, s.rn]).toEqual([2, 2]);
          expect(s.rlock.locked()).toBe(false);
        } finally {
          registry.leave();
          shm.close();
        }
      });

      it(`${JS} members, Python members (two threads each) and this one increment one counter under one Lock, and one under one RLock: exact, every hold recording its registry identity`, async () => {
        const { shm, s, words, registry } = setup('pyreg-count');
        try {
          const times = 3_000;
          for (const kind of ['lock', 'rlock'] as const) {
            Atomics.store(words, W.started, 0);
            const peers = [
              pyJob<{ identity: number; recorded: number; done: number }>({ op: 'registeredCount', name: shm.name, kind, times, threads: 2 }),
              pyJob<{ identity: number; recorded: number; done: number }>({ op: 'registeredCount', name: shm.name, kind, times, threads: 2 }),
              jsJob<{ identity: number; recorded: number; done: number }>({ op: 'registeredCount', name: shm.name, kind, times }),
            ];
            await until(() => Atomics.load(words, W.started) >= 1, 'a peer to start', BOUND_MS);
            const lock = kind === 'lock' ? s.lock : s.rlock;
            for (let k = 0; k < times; k++) {
              expect(lock.acquire(true, BOUND_MS)).toBe(true);
              if (kind === 'lock') s.n = s.n + 1;
              else s.rn = s.rn + 1;
              lock.release();
            }
            const results = await Promise.all(peers);
            for (const r of results) {
              expect(r.identity & REGISTERED).not.toBe(0);
              expect(r.recorded).toBe(r.done);
            }
            expect(new Set(results.map((r) => r.identity)).size).toBe(3);
            expect(kind === 'lock' ? s.n : s.rn).toBe(6 * times);
          }
          expect([s.lock.locked(), s.rlock.locked()]).toEqual([false, false]);
        } finally {
          registry.leave();
          shm.close();
        }
      });

      for (const kind of ['lock', 'rlock'] as const) {
        it(`a Python member waiting for a${kind === 'lock' ? ' Lock' : 'n RLock'} whose ${JS} holder is killed sees it dead: OwnerDeadError, and with a repair function, one repair`, async () => {
          const { shm, s, words, registry } = setup(`pyreg-dead-js-${kind}`);
          const word = kind === 'lock' ? W.lock : W.rlock;
          try {
            for (const repair of [false, true]) {
              Atomics.store(words, W.flag, 0);
              const holder = jsJob({ op: 'robustHold', name: shm.name, kind });
              registry.watch(holder.child);
              await until(() => Atomics.load(words, W.flag) === 1, `the ${JS} member inside its critical section`, BOUND_MS);
              const held = Atomics.load(words, word);
              expect(held & REGISTERED).not.toBe(0);
              const waiter = pyJob({ op: 'deadWaiter', name: shm.name, kind, join: true, repair });
              await until(() => sleepsOnFutex(waiter.pid, held | WAITERS), 'the Python member asleep on the lock', BOUND_MS);
              await kill(holder);
              if (!repair) {
                expect(await waiter).toEqual({ result: 'OwnerDeadError', locked: false, consistent: false });
                const got = await (kind === 'lock' ? s.lock : s.rlock).acquireForRepairAsync(BOUND_MS);
                expect(got).toBe('inconsistent');
                s.rn = s.n;
                const lock = kind === 'lock' ? s.lock : s.rlock;
                lock.markConsistent();
                lock.release();
              } else {
                expect(await waiter).toEqual({ repairs: 1, locked: false, consistent: true });
              }
              expect(s.rn).toBe(s.n);
            }
            expect([s.n, s.rn]).toEqual([3, 3]); // two dead holders' updates, repaired; one update by the repairing Python member
          } finally {
            registry.leave();
            shm.close();
          }
        });
      }

      it(`a Python process in no registry, asleep on a lock whose ${JS} holder is killed, is woken when a member recovers the lock, and raises OwnerDeadError`, async () => {
        const { shm, s, words, registry } = setup('pyreg-unregistered');
        try {
          const holder = jsJob({ op: 'robustHold', name: shm.name, kind: 'lock' });
          registry.watch(holder.child);
          await until(() => Atomics.load(words, W.flag) === 1, `the ${JS} member inside its critical section`, BOUND_MS);
          const held = Atomics.load(words, W.lock);
          const waiter = pyJob({ op: 'deadWaiter', name: shm.name, kind: 'lock', join: false });
          await until(() => sleepsOnFutex(waiter.pid, held | WAITERS), 'the Python process asleep on the lock', BOUND_MS);
          await kill(holder);
          // This member's wait finds the holder dead, releases the lock marked, wakes every sleeper.
          await expect(s.lock.acquireAsync(BOUND_MS)).rejects.toThrow(OwnerDeadError);
          expect(await waiter).toEqual({ result: 'OwnerDeadError', locked: false, consistent: false });
        } finally {
          registry.leave();
          shm.close();
        }
      });

      for (const childLanguage of ['Python', JS] as const) {
        it(`a Python parent's watch(child): its ${childLanguage} child killed inside the Lock's critical section is marked dead, and a waiting ${JS} member gets OwnerDeadError`, async () => {
          const { shm, words, registry } = setup(`pyreg-pywatch-${childLanguage}`);
          try {
            const hold = { op: 'robustHold', name: shm.name, kind: 'lock' };
            const child =
              childLanguage === 'Python'
                ? [python.exe, PEER_PY, JSON.stringify({ module, ...hold })]
                : (([c, a]) => [c, ...a])(commandLine(CHILD_HOST, PEER_JS, [JSON.stringify(hold)]));
            // This process does not watch the child: its parent, a Python process, does.
            const parent = pyJob<{ child: number }>({ op: 'watchParent', name: shm.name, child });
            await until(
              () => Atomics.load(words, W.flag) === 1 && Atomics.load(words, W.childPid) !== 0,
              `the ${childLanguage} child inside its critical section`,
              BOUND_MS,
            );
            const pid = Atomics.load(words, W.childPid);
            const held = Atomics.load(words, W.lock);
            expect(held & REGISTERED).not.toBe(0); // the child's registry identity
            expect(registry.isAlive(pid)).toBe(true);
            const waiter = jsJob({ op: 'deadWaiter', name: shm.name, kind: 'lock' });
            await until(() => sleepsOnFutex(waiter.pid, held | WAITERS), `the ${JS} member asleep on the lock`, BOUND_MS);
            process.kill(pid, 'SIGKILL');
            expect(await waiter).toEqual({ result: 'OwnerDeadError', locked: false, consistent: false });
            expect(await parent).toEqual({ child: pid, returncode: -9, markedDead: true });
            expect(registry.isAlive(pid)).toBe(false);
          } finally {
            registry.leave();
            shm.close();
          }
        });
      }

      it('watch() takes a Popen, one already reaped, a process id and a multiprocessing.Process, and refuses what is not a started process', async () => {
        const { shm, registry } = setup('pyreg-watch-forms');
        try {
          expect(await pyJob({ op: 'watchForms', name: shm.name })).toEqual({
            popenAlive: true,
            popenMarked: true,
            reapedAliveBefore: true,
            reapedAliveAfter: false,
            pidMarked: true,
            unstarted: 'ValueError',
            processAlive: true,
            processMarked: true,
            notAProcess: 'TypeError',
            bool: 'TypeError',
            negative: 'ValueError',
            size: 1, // this process
          });
        } finally {
          registry.leave();
          shm.close();
        }
      });
    });
  }
});
