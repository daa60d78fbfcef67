// Processes whose waiter thread (src/memory/async-wait.ts) is busy in the FFI when they end: the
// waiter must be out of the FFI for good before Node terminates its thread. Through koffi (Node
// 20–24), a waiter thread terminated while it binds koffi aborted the whole process (FATAL ERROR:
// Error::ThrowAsJavaScriptException napi_throw), and the process-peer of a channel test died so.
// Real processes on every runtime, coordinated by handshakes: what the waiter thread says on a
// BroadcastChannel, or what /proc says it sleeps on.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { RUNNER, RUNNER_VIA, runtimesNote, skipRuntimes } from '../setup/runtimes.js';
import { commandLine, type Host, jsPeer, ROOT, runJson, until, waitvSleepers } from './peers.js';
import { Shared } from './schema.js';
import { segmentsOfEachTest } from './segments.js';

const segments = segmentsOfEachTest();
const EXIT_PEER = fileURLToPath(new URL('./exit-peer.mjs', import.meta.url));
const HOT_EXIT_PEER = fileURLToPath(new URL('./hot-exit-peer.mjs', import.meta.url));

/** The Nodes that map memory through koffi (20, 22, 24): fetched, or the one running the suite. */
const THROUGH_KOFFI: Host[] = (['node20', 'node22', 'node24'] as const)
  .map((h): Host => (RUNNER.runtime === 'node' && RUNNER.version.startsWith(`${h.slice(4)}.`) ? 'node' : h))
  .filter((h) => (h === 'node' ? RUNNER_VIA === 'koffi' : !skipRuntimes));

/**
 * A working directory whose node_modules/koffi is the stand-in (koffi-stand-in.cjs): the waiter
 * thread of a process started there says when it binds koffi, and then binds for a while.
 */
const standIn = (() => {
  const dir = mkdtempSync(join(tmpdir(), 'sharedctypes-koffi-'));
  mkdirSync(join(dir, 'node_modules/koffi'), { recursive: true });
  writeFileSync(join(dir, 'node_modules/koffi/package.json'), JSON.stringify({ name: 'koffi', main: 'index.cjs' }));
  writeFileSync(
    join(dir, 'node_modules/koffi/index.cjs'),
    `module.exports = require(${JSON.stringify(fileURLToPath(new URL('./koffi-stand-in.cjs', import.meta.url)))});\n`,
  );
  return dir;
})();
afterAll(() => rmSync(standIn, { recursive: true, force: true }));
const realKoffi = createRequire(join(ROOT, 'package.json')).resolve('koffi');

let channels = 0;

describe.each(THROUGH_KOFFI)('through koffi (%s): a process ends while its waiter thread binds koffi', (host) => {
  it.each([
    ['process.exit() with the wait pending', 'exit'],
    ['its loop runs dry once its wait is over', 'natural'],
  ])('%s: it ends cleanly, 4 processes out of 4', async (_, how) => {
    const runs = Array.from({ length: 4 }, () => {
      const channel = `sharedctypes-binding-${process.pid}-${++channels}`;
      const [command, args] = commandLine(host, EXIT_PEER, [JSON.stringify({ how, channel })]);
      return runJson(command, args, 60_000, standIn, {
        SHAREDCTYPES_TEST_REAL_KOFFI: realKoffi,
        SHAREDCTYPES_TEST_BINDING_CHANNEL: channel,
        SHAREDCTYPES_TEST_BIND_MS: '300',
      });
    });
    // A waiter thread terminated in its binding calls aborts its process: exit code 134, not 0.
    const results = await Promise.all(runs);
    expect(results).toEqual(Array(4).fill(how === 'exit' ? { ended: 'exit' } : { ended: 'natural', set: true }));
  });
});

/** The runtimes whose FFI is not koffi: Node 26 (node:ffi), Bun, Deno; and the one running the suite where it is one of them. */
const OTHER_FFI: Host[] = [...(RUNNER_VIA === 'koffi' ? [] : (['node'] as Host[])), ...(skipRuntimes ? [] : (['node26', 'bun', 'deno'] as Host[]))];

describe.each(OTHER_FFI)(`${runtimesNote}%s: a process ends while its waiter thread sleeps in futex_waitv`, (host) => {
  it('process.exit() with two async waits asleep in the kernel: it ends cleanly', async () => {
    const shm = segments.create(`aw-exit-${host}`, 64);
    const s = Shared.view(shm.buf);
    const words = new Int32Array(shm.buf);
    s.lock.acquire(); // held by this process, never released while the peer waits
    const peer = jsPeer<{ set: boolean; acquired: boolean }>(host, { op: 'asyncExit', name: shm.name });
    await until(
      () => Atomics.load(words, 0) === 2 && waitvSleepers(peer.pid).some((t) => t.count === 3),
      'the peer to wait for the lock and the event in the kernel',
    );
    s.ready.set(); // the peer prints its result and calls process.exit() with the lock's wait asleep
    expect(await peer).toEqual({ set: true, acquired: false });
    s.lock.release();
    shm.close();
  });
  // Through node:ffi, a process whose waiter thread had made hundreds of waits crashed as it ended,
  // about 1 in 13 (SIGSEGV or SIGTRAP while the waiter's isolate was torn down; waiter-thread.ts):
  // 24 clean ends out of 24 had odds of about 1 in 7 (and failed 2 runs out of 2 under load).
  it('after hundreds of waits (the waiter compiled meanwhile), process.exit() with a wait asleep: 24 processes out of 24 end cleanly', async () => {
    const results: unknown[] = [];
    for (let batch = 0; batch < 6; batch++) {
      const runs = Array.from({ length: 4 }, (_, k) => {
        const [command, args] = commandLine(host, HOT_EXIT_PEER, [JSON.stringify({ n: 100 + 37 * (batch * 4 + k) })]);
        return runJson(command, args);
      });
      results.push(...(await Promise.all(runs)));
    }
    expect(results).toEqual(Array.from({ length: 24 }, (_, k) => ({ set: 100 + 37 * k })));
  });
});
