// SharedMemory on every runtime that can map memory: Node 26 (node:ffi), Bun (bun:ffi) and Deno
// (Deno.dlopen), each a real process sharing a segment and its locks with the runtime that runs the
// suite (Node through koffi on 20–24 or node:ffi from 26.1; Bun or Deno under
// tools/runtimes/test-on.mjs), and the clear error where the FFI is switched off or not permitted,
// or missing (Node 22 and 24 without koffi). The runtimes are fetched from the npm registry
// (test/setup/runtimes.mjs; .ci/run does it before the tests).
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fingerprint, RawValue, SharedMemory, share, Value } from '../../src/index.js';
import { RUNNER, RUNNER_VIA, runtimesNote, skipRuntimes } from '../setup/runtimes.js';
import { commandLine, type Host, jsPeer, runJson, sleepsOnFutex, uniqueName, until, waitvSleepers } from './peers.js';
import { Particle, Shared } from './schema.js';

const made: string[] = [];
afterEach(() => {
  for (const name of made.splice(0)) {
    try {
      new SharedMemory(name).unlink();
    } catch {
      // unlinked by the test
    }
  }
});

const VIA: Record<'node26' | 'bun' | 'deno', string> = { node26: 'node:ffi', bun: 'bun:ffi', deno: 'Deno.dlopen' };

/**
 * Nodes without node:ffi, for the error that names both ways: Node 20, 22 and 24, fetched, or the
 * process running the suite where it is one of them (no second copy of that Node is fetched).
 */
const WITHOUT_FFI: Host[] = (['node20', 'node22', 'node24'] as const).map((h) =>
  RUNNER.runtime === 'node' && RUNNER.version.startsWith(`${h.slice(4)}.`) ? 'node' : h,
);

describe.skipIf(skipRuntimes).each(Object.entries(VIA) as ['node26' | 'bun' | 'deno', string][])(`${runtimesNote}%s`, (host, via) => {
  it(`maps memory through ${via}, with the same schemas`, async () => {
    expect(await jsPeer(host, { op: 'support' }, 120_000)).toMatchObject({ available: true, via });
    expect(await jsPeer(host, { op: 'fingerprint' })).toEqual({ shared: fingerprint(Shared), particle: fingerprint(Particle) });
  }, 180_000);

  it(`increments one counter under one mutex with this process (${RUNNER.runtime}, ${RUNNER_VIA}): exact, and its RLock too`, async () => {
    const shm = new SharedMemory({ name: uniqueName(`rt-${host}`), create: true, size: 64 });
    made.push(shm.name);
    const s = Shared.view(shm.buf);
    const times = 10_000;
    const peers = [jsPeer(host, { op: 'count', name: shm.name, times }), jsPeer(host, { op: 'rcount', name: shm.name, times })];
    await until(() => s.started >= 1, `the ${host} peer to start`);
    for (let k = 0; k < times; k++) {
      s.lock.withLock(() => (s.n = s.n + 1));
      s.rlock.withLock(() => (s.rn = s.rn + 1));
    }
    await Promise.all(peers);
    expect([s.n, s.rn]).toEqual([2 * times, 2 * times]);
    shm.close();
  });

  it('attaches a Value from its JSON handle (mapping the segment by name, identity checked) and update()s it with this process: exact', async () => {
    const shm = new SharedMemory({ name: uniqueName(`rt-value-${host}`), create: true, size: 64 });
    made.push(shm.name);
    const started = RawValue('I', 0, { memory: shm, byteOffset: 0 });
    const v = Value('q', 0n, { memory: shm, byteOffset: 8 }); // an i64 (bigint) after its RLock: lock @8, value @24
    const times = 5_000;
    const peer = jsPeer<{ done: number; lockKind: string }>(host, {
      op: 'vupdate',
      handle: JSON.stringify(share(v)),
      started: JSON.stringify(share(started)),
      times,
    });
    await until(() => started.value >= 1, `the ${host} peer to attach`);
    for (let k = 0; k < times; k++) v.update((n) => n + 1n);
    expect(await peer).toEqual({ done: times, lockKind: 'RLock' });
    expect(v.value).toBe(BigInt(2 * times));
    shm.close();
  });

  it('sleeps on the lock in the kernel and is woken by this process’s release', async () => {
    const shm = new SharedMemory({ name: uniqueName(`rt-wake-${host}`), create: true, size: 64 });
    made.push(shm.name);
    const s = Shared.view(shm.buf);
    s.lock.acquire();
    const peer = jsPeer<{ got: boolean }>(host, { op: 'blocked', name: shm.name });
    await until(() => Atomics.load(new Int32Array(shm.buf), 0) === 2 && sleepsOnFutex(peer.pid, 2), `the ${host} peer to sleep in the kernel`);
    s.lock.release();
    expect((await peer).got).toBe(true);
    shm.close();
  });

  it('acquires asynchronously: its waiter thread sleeps in futex_waitv on the lock word, and this process’s release wakes it; then it ends', async () => {
    const shm = new SharedMemory({ name: uniqueName(`rt-async-${host}`), create: true, size: 64 });
    made.push(shm.name);
    const s = Shared.view(shm.buf);
    s.lock.acquire();
    const peer = jsPeer<{ got: boolean }>(host, { op: 'asyncBlocked', name: shm.name });
    // doorbell + the lock word
    await until(
      () => Atomics.load(new Int32Array(shm.buf), 0) === 2 && waitvSleepers(peer.pid).some((t) => t.count === 2),
      `the ${host} peer's waiter thread to sleep in the kernel`,
    );
    s.lock.release();
    expect((await peer).got).toBe(true);
    shm.close();
  });
});

/**
 * `memorySupport()` as `host` reports it (with `flags`), run from a scratch directory where no
 * node_modules is in reach (so Node cannot fall back to koffi), on a copy of the library bundle.
 */
async function supportOutside(host: Host, flags: string[] = []): Promise<{ available: boolean; reason: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'sct-support-'));
  try {
    cpSync(new URL(process.env.SHAREDCTYPES_TEST_LIBRARY ?? ''), join(dir, 'lib.mjs'));
    const script = join(dir, 'support.mjs');
    writeFileSync(script, "import { memorySupport } from './lib.mjs'; console.log(JSON.stringify(memorySupport()));\n");
    const [command, args] = commandLine(host, script, [], flags);
    return await runJson(command, args, 120_000, dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe.skipIf(skipRuntimes)(`${runtimesNote}where async waits poll`, () => {
  it('Node 26 under the permission model without --allow-worker: memorySupport() says so, and acquireAsync polls (no waiter thread) and gets the lock', async () => {
    const flags = ['--permission', '--allow-fs-read=*', '--allow-ffi'];
    const support = await jsPeer<{ asyncWaits: { mode: string; reason: string } }>('node26', { op: 'support' }, 120_000, flags);
    expect(support.asyncWaits.mode).toBe('poll');
    expect(support.asyncWaits.reason).toContain('--allow-worker');
    const shm = new SharedMemory({ name: uniqueName('rt-async-permission'), create: true, size: 64 });
    made.push(shm.name);
    const s = Shared.view(shm.buf);
    s.lock.acquire();
    const peer = jsPeer<{ got: boolean }>('node26', { op: 'asyncBlocked', name: shm.name }, undefined, flags);
    await until(() => s.flag === 1 && Atomics.load(new Int32Array(shm.buf), 0) === 2, 'the peer to wait for the lock');
    expect(waitvSleepers(peer.pid)).toEqual([]);
    s.lock.release();
    expect((await peer).got).toBe(true);
    shm.close();
  }, 180_000);
});

describe.skipIf(skipRuntimes)(`${runtimesNote}where memory cannot be mapped`, () => {
  it('Node 26 with node:ffi switched off (and no koffi) says to run it with --experimental-ffi', async () => {
    const r = await supportOutside('node26', ['--no-experimental-ffi']);
    expect(r.available).toBe(false);
    expect(r.reason).toContain('run node with --experimental-ffi');
  }, 180_000);

  it('Node 26 under the permission model says to add --allow-ffi', async () => {
    const r = await supportOutside('node26', ['--permission', '--allow-fs-read=*']);
    expect(r.available).toBe(false);
    expect(r.reason).toContain('--allow-ffi');
  }, 180_000);

  it('Deno without the FFI permission says to run it with --allow-ffi', async () => {
    const r = await supportOutside('deno', ['--deny-ffi']);
    expect(r.available).toBe(false);
    expect(r.reason).toContain('--allow-ffi');
  }, 180_000);

  it.each(WITHOUT_FFI)(
    'Node 20–24 without koffi (%s) names both ways: Node ≥ 26.1 or the koffi package',
    async (host) => {
      const r = await supportOutside(host);
      expect(r.available).toBe(false);
      expect(r.reason).toContain('Node.js ≥ 26.1');
      expect(r.reason).toContain('npm install koffi');
    },
    180_000,
  );
});
