// End to end with WebAssembly: particles.c, whose declarations are toC() of the schema, compiled by
// clang for wasm32. C writes structs into its linear memory and JS reads them through views over
// WebAssembly.Memory; JS writes and C checks. Then with a shared memory (-matomics -mbulk-memory)
// handed to a worker thread with share(): the worker reads C's values, writes its own, and its own
// instance of the module checks them. The same scenario runs in Chromium (test/browser).
// Needs clang and wasm-ld (SHAREDCTYPES_SKIP_WASM=1 skips).
import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { beforeAll, describe, expect, it } from 'vitest';
import * as sc from '../../src/index.js';
import { wasm } from '../setup/requirements.js';
import { RUNNER } from '../setup/runtimes.js';
import { buildWasm, WA, type WasmBuild, type WasmMemory } from './build.js';
// @ts-expect-error: a plain .mjs module shared with the browser page, without types
import { differences, particleSchema, particlesOf, roundTrip } from './scenario.mjs';

const need = wasm();

interface WorkerResult {
  read: string[];
  cBytesDiffer: number;
  sameBuffer: boolean;
  shared: boolean;
}

describe.skipIf(need.skip)(`${need.note}WebAssembly (wasm32): C and views share linear memory`, () => {
  let build: WasmBuild;
  beforeAll(() => {
    need.check();
    build = buildWasm();
  });

  it('C writes, JS reads; JS writes, C checks (the module’s own memory)', async () => {
    const { instance } = await WA.instantiate(readFileSync(build.plain), {});
    const memory = instance.exports['memory'] as WasmMemory;
    const r = roundTrip(sc, instance, memory.buffer) as { read: string[]; cBytesDiffer: number; count: number };
    expect(r.read).toEqual([]);
    expect(r.cBytesDiffer).toBe(0);
    expect(r.count).toBe(64);
  });

  it('the same declarations for x86-64 do not fit: 8-byte size_t, pointer and long', async () => {
    const { instance } = await WA.instantiate(readFileSync(build.plain), {});
    const ex = instance.exports as Record<string, () => number>;
    const x64 = particleSchema(sc, 'x86_64-linux-gnu') as sc.Schema;
    expect([sc.sizeof(particleSchema(sc) as sc.Schema), sc.sizeof(x64)]).toEqual([ex['size']?.(), 104]);
    // particlesOf() refuses it (C's sizeof differs); a view that trusts it reads other bytes.
    ex['fill']?.();
    const view = sc.array(x64, 8).view((instance.exports['memory'] as WasmMemory).buffer, ex['particles']?.());
    expect(differences(view, 0).length).toBeGreaterThan(0);
  });

  it('shared memory handed to a worker thread: C (main) fills, the worker reads and writes, C checks on both threads', async () => {
    const module = await WA.compile(readFileSync(build.shared));
    const memory = new WA.Memory({ initial: build.pages, maximum: build.pages, shared: true });
    const instance = await WA.instantiate(module, { env: { memory } });
    expect(memory.buffer).toBeInstanceOf(SharedArrayBuffer);
    (instance.exports['fill'] as () => void)();
    const particles = particlesOf(sc, memory.buffer, instance.exports);
    expect(differences(particles, 0)).toEqual([]);
    const handle = sc.share(particles);
    const worker = new Worker(new URL('./node-worker.mjs', import.meta.url), { workerData: { module, memory, handle } });
    const result = await new Promise<WorkerResult>((ok, fail) => {
      worker.once('message', ok);
      worker.once('error', fail);
      worker.once('exit', (code) => fail(new Error(`worker exited with ${code} before answering`)));
    });
    await worker.terminate();
    const { sameBuffer, ...seen } = result;
    expect(seen).toEqual({ read: [], cBytesDiffer: 0, shared: true });
    // One SharedArrayBuffer object for the memory and the handle in the worker on V8 (Node, Deno);
    // JavaScriptCore (Bun) gives two objects over the same memory: cBytesDiffer 0 above is the
    // worker's C reading what the worker wrote through the handle's buffer.
    if (RUNNER.runtime !== 'bun') expect(sameBuffer).toBe(true);
    // The worker's writes, seen here by this thread's instance and views.
    expect((instance.exports['check'] as () => number)()).toBe(0);
    expect(differences(particles, 1000)).toEqual([]);
  });
});
