// SharedMemory in one process (and its threads): Python's semantics and names, views and locks
// over a segment, errors, close/unlink. Runs on the runtime that runs the suite: Node through koffi
// (a dev dependency) on Node 20–24 and through node:ffi on Node ≥ 26.1, Bun through bun:ffi, Deno
// through Deno.dlopen (CI runs the suite on each: tools/runtimes/test-on.mjs); runtimes.test.ts
// has peers on the other runtimes share a segment with this one.
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { describe, expect, it, onTestFinished } from 'vitest';
import { array, atomic, f64, Lock, memorySupport, SharedMemory, SharedMemoryError, struct, u32, u64 } from '../../src/index.js';
import { python3 } from '../setup/requirements.js';
import { RUNNER, RUNNER_VIA } from '../setup/runtimes.js';
import { Shared } from './schema.js';
import { uniqueName, until } from './peers.js';
import { segmentsOfEachTest } from './segments.js';
import { codeOf } from '../support/errors.js';

const segments = segmentsOfEachTest();
const create = segments.create;

/** The binding this runtime maps memory through (koffi on Node 20–24, node:ffi from 26.1, bun:ffi, Deno.dlopen). */
const VIA = RUNNER_VIA;
/** The largest segment each binding maps as one ArrayBuffer (koffi aborts the process past 4 GiB on Node 20). */
const MAX_BUFFER = { koffi: 2 ** 32, 'node:ffi': 2 ** 35, 'bun:ffi': 2 ** 35, 'Deno.dlopen': 2 ** 35 }[VIA];

describe('SharedMemory', () => {
  it(`is available here (${RUNNER.runtime} ${RUNNER.version} through ${VIA})`, () => {
    expect(memorySupport()).toMatchObject({ available: true, runtime: RUNNER.runtime, version: RUNNER.version, via: VIA });
  });

  it('creates /dev/shm/<name> of the size asked, attaches by name, name and size as in Python', () => {
    const shm = create('basic', 100);
    expect(existsSync(`/dev/shm/${shm.name}`)).toBe(true);
    expect(shm.size).toBe(100);
    expect(shm.buf.byteLength).toBe(100);
    new Uint8Array(shm.buf).set([1, 2, 3], 97);
    const other = new SharedMemory(shm.name);
    expect(other.size).toBe(100);
    expect([...new Uint8Array(other.buf, 97)]).toEqual([1, 2, 3]);
    new Uint8Array(other.buf)[0] = 42;
    expect(new Uint8Array(shm.buf)[0]).toBe(42); // the same memory, not a copy
    expect(String(shm)).toBe(`SharedMemory('${shm.name}', size=100)`);
    other.close();
    shm.close();
    shm.unlink();
    expect(existsSync(`/dev/shm/${shm.name}`)).toBe(false);
  });

  it('makes up a name like Python (psm_ and 8 hex digits) when creating without one', () => {
    const shm = new SharedMemory({ create: true, size: 8 });
    segments.track(shm.name);
    expect(shm.name).toMatch(/^psm_[0-9a-f]{8}$/);
    shm.close();
  });

  it('refuses bad input with typed errors: names, sizes, missing and existing segments', () => {
    expect(codeOf(() => new SharedMemory({ name: 'a/b' }))).toBe('invalid_argument');
    expect(codeOf(() => new SharedMemory({ name: '/lead' }))).toBe('invalid_argument');
    expect(codeOf(() => new SharedMemory({ name: '' }))).toBe('invalid_argument');
    for (const name of ['.', '..']) {
      // /dev/shm itself and /dev: creating said segment_exists, attaching an os_error
      expect(codeOf(() => new SharedMemory({ name }))).toBe('invalid_argument');
      expect(codeOf(() => new SharedMemory({ name, create: true, size: 8 }))).toBe('invalid_argument');
    }
    expect(codeOf(() => new SharedMemory({ name: '...' }))).toBe('segment_not_found'); // a name like any other
    expect(codeOf(() => new SharedMemory({ name: 'x'.repeat(251) }))).toBe('invalid_argument');
    expect(codeOf(() => new SharedMemory({}))).toBe('invalid_argument'); // attach needs a name
    expect(codeOf(() => new SharedMemory({ name: 'n', create: true, size: 0 }))).toBe('out_of_range');
    expect(codeOf(() => new SharedMemory({ name: 'n', create: true, size: 1.5 }))).toBe('out_of_range');
    expect(codeOf(() => new SharedMemory({ name: 'n', create: true, size: MAX_BUFFER + 1 }))).toBe('out_of_range'); // the binding's limit
    expect(codeOf(() => new SharedMemory({ name: 'n', create: 'yes' as never, size: 8 }))).toBe('invalid_argument');
    expect(codeOf(() => new SharedMemory(null as never))).toBe('invalid_argument');
    const missing = uniqueName('missing');
    expect(codeOf(() => new SharedMemory(missing))).toBe('segment_not_found');
    const shm = create('exists', 8);
    let e: unknown;
    try {
      new SharedMemory({ name: shm.name, create: true, size: 8 });
    } catch (x) {
      e = x;
    }
    expect(e).toBeInstanceOf(SharedMemoryError);
    expect((e as SharedMemoryError).code).toBe('segment_exists');
    expect((e as SharedMemoryError).errno).toBe(17);
    expect((e as Error).message).toContain(shm.name);
    shm.close();
  });

  it('a segment larger than this binding maps (attached, made by someone else) is an os_error, not a crash', () => {
    const name = uniqueName('huge');
    onTestFinished(() => rmSync(`/dev/shm/${name}`, { force: true })); // too large to map, so too large for unlink() here
    // a sparse file in /dev/shm one page past the binding's limit: no memory is used until written
    const r = spawnSync('python3', [
      '-c',
      `import os; fd = os.open('/dev/shm/${name}', os.O_CREAT | os.O_RDWR, 0o600); os.ftruncate(fd, ${MAX_BUFFER + 4096}); os.close(fd)`,
    ]);
    expect(r.status).toBe(0);
    let e: unknown;
    try {
      new SharedMemory(name);
    } catch (x) {
      e = x;
    }
    expect((e as SharedMemoryError).code).toBe('os_error');
    expect((e as Error).message).toContain(`${VIA} can map`);
  });

  it('close() unmaps (buf then throws segment_closed) and keeps the segment; unlink() removes the name', () => {
    const shm = create('close', 16);
    const other = new SharedMemory(shm.name);
    new Uint32Array(shm.buf)[0] = 7;
    shm.close();
    shm.close(); // idempotent
    expect(shm.closed).toBe(true);
    expect(codeOf(() => shm.buf)).toBe('segment_closed');
    expect(new Uint32Array(other.buf)[0]).toBe(7);
    other.unlink();
    expect(codeOf(() => new SharedMemory(shm.name))).toBe('segment_not_found');
    expect(codeOf(() => other.unlink())).toBe('segment_not_found');
    expect(new Uint32Array(other.buf)[0]).toBe(7); // still mapped here until closed
    other.close();
  });

  it('`using` closes it at the end of the block', () => {
    const name = uniqueName('using');
    segments.track(name);
    let kept: SharedMemory;
    {
      using shm = new SharedMemory({ name, create: true, size: 8 });
      kept = shm;
      expect(kept.closed).toBe(false);
    }
    expect(kept.closed).toBe(true);
  });

  it('carries views, arrays, atomics and lock members as a SharedArrayBuffer does', () => {
    const shm = create('views', 4096);
    const s = Shared.view(shm.buf);
    s.lock.withLock(() => (s.n += 3));
    expect(s.lock.locked()).toBe(false);
    expect(s.rlock.withLock(() => s.rlock.withLock(() => 5))).toBe(5);
    expect(atomic(s, 'rn').add(2)).toBe(0);
    expect(new Uint32Array(shm.buf)[5]).toBe(2);
    const xs = array(f64, 100).view(shm.buf, 64);
    xs.set(99, 1.25);
    expect(new Float64Array(shm.buf, 64)[99]).toBe(1.25);
    expect(() => array(f64, 600).view(shm.buf, 64)).toThrow(/needs 4800 bytes/);
    const lock = new Lock({ buffer: shm.buf, byteOffset: 2048 });
    expect(lock.acquire()).toBe(true);
    expect(lock.acquire(true, 20)).toBe(false); // times out through the futex backend
    lock.release();
    shm.close();
  });

  it('refuses locks over a plain ArrayBuffer still (not shared, not a segment)', () => {
    expect(codeOf(() => Shared.view(new ArrayBuffer(64)).lock)).toBe('not_shared');
    expect(codeOf(() => new Lock({ buffer: new ArrayBuffer(4) }))).toBe('not_shared');
  });

  it('a 32-bit atomic member waits (timeouts, not-equal) and notifies through the futex; a 64-bit one is refused clearly', () => {
    const shm = create('atomic-wait', 64);
    const W = struct({ word: u32, big: u64 });
    const w = W.view(shm.buf);
    const word = atomic(w, 'word');
    expect(word.wait(1, 10)).toBe('not-equal');
    const t = performance.now();
    expect(word.wait(0, 20)).toBe('timed-out');
    expect(performance.now() - t).toBeGreaterThanOrEqual(15);
    expect(word.notify()).toBe(0);
    expect(codeOf(() => atomic(w, 'big').wait(0n, 1))).toBe('invalid_argument');
    expect(codeOf(() => atomic(w, 'big').notify())).toBe('invalid_argument');
    shm.close();
  });

  it.skipIf(python3().skip)(`${python3().note}Python's SharedMemory(name=…) opens the same bytes, both ways`, () => {
    python3().check();
    const shm = create('python', 64);
    new Uint32Array(shm.buf)[0] = 0xdeadbeef;
    const r = spawnSync(
      'python3',
      [
        '-c',
        `import sys; sys.path.insert(0, 'python'); import sharedctypes as s
m = s.attach('${shm.name}'); print(int.from_bytes(m.buf[0:4], 'little'), m.size); m.buf[4:8] = (12345).to_bytes(4, 'little'); m.close()`,
      ],
      { encoding: 'utf8' },
    );
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe(`${0xdeadbeef} 64`);
    expect(new Uint32Array(shm.buf)[1]).toBe(12345);
    expect(existsSync(`/dev/shm/${shm.name}`)).toBe(true); // Python's resource tracker did not unlink it
    shm.close();
  });

  it('a worker thread maps the same segment by name; both take the same lock (exact count)', async () => {
    const shm = create('thread', 64);
    const s = Shared.view(shm.buf);
    const times = 20_000;
    const worker = new Worker(new URL('./thread.mjs', import.meta.url), { workerData: { name: shm.name, times } });
    const done = new Promise<void>((resolve, reject) => {
      worker.once('error', reject);
      worker.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`worker exited with ${code}`))));
    });
    await until(() => s.started === 1, 'the worker to map the segment');
    for (let k = 0; k < times; k++) s.lock.withLock(() => (s.n = s.n + 1));
    await done;
    expect(s.n).toBe(2 * times);
    shm.close();
  });
});
