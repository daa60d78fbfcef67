// Builds particles.c for the WebAssembly end-to-end test: writes particles.h from toC() of the
// scenario's schema, then compiles two modules with clang and wasm-ld: one with its own memory, one
// importing a shared memory (-matomics -mbulk-memory --shared-memory), for threads.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as sc from '../../src/index.js';
// @ts-expect-error: a plain .mjs module shared with the browser page, without types
import { particleSchema, SHARED_PAGES } from './scenario.mjs';

export interface WasmBuild {
  readonly dir: string;
  /** particles.wasm: exports its memory. */
  readonly plain: string;
  /** particles-shared.wasm: imports env.memory, a shared memory of `pages` 64 KiB pages. */
  readonly shared: string;
  readonly pages: number;
}

export function buildWasm(dir = mkdtempSync(join(tmpdir(), 'sct-wasm-'))): WasmBuild {
  const source = fileURLToPath(new URL('./particles.c', import.meta.url));
  copyFileSync(source, join(dir, 'particles.c'));
  writeFileSync(join(dir, 'particles.h'), sc.toC(particleSchema(sc) as sc.Schema));
  const common = [
    '--target=wasm32',
    '-std=gnu11',
    '-O2',
    '-nostdlib',
    '-ffreestanding',
    '-Wall',
    '-Wextra',
    '-Werror',
    '-Wl,--no-entry',
    join(dir, 'particles.c'),
  ];
  const plain = join(dir, 'particles.wasm');
  const shared = join(dir, 'particles-shared.wasm');
  execFileSync('clang', [...common, '-o', plain], { stdio: 'pipe' });
  execFileSync(
    'clang',
    [
      ...common,
      '-matomics',
      '-mbulk-memory',
      '-Wl,--shared-memory',
      '-Wl,--import-memory',
      `-Wl,--initial-memory=${SHARED_PAGES * 65536}`,
      `-Wl,--max-memory=${SHARED_PAGES * 65536}`,
      '-o',
      shared,
    ],
    { stdio: 'pipe' },
  );
  return { dir, plain, shared, pages: SHARED_PAGES };
}

/** The WebAssembly API as these tests use it (the project's TypeScript libs declare no DOM). */
export interface WasmMemory {
  readonly buffer: ArrayBufferLike;
}
export interface WasmInstance {
  readonly exports: Record<string, unknown>;
}
interface WasmApi {
  instantiate(bytes: Uint8Array, imports: object): Promise<{ instance: WasmInstance }>;
  instantiate(module: WasmModule, imports: object): Promise<WasmInstance>;
  compile(bytes: Uint8Array): Promise<WasmModule>;
  Memory: new (descriptor: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
}
/** A compiled module (structured-cloneable to a worker). */
export type WasmModule = { readonly __wasmModule?: never };
export const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
