// End to end in a real browser: the built library (dist/, unbundled ES modules) on a
// cross-origin-isolated page with two module workers sharing one SharedArrayBuffer, once where eval
// is allowed (compiled accessors) and once under a Content-Security-Policy without 'unsafe-eval'
// (the auto probe must fall back to interpreted accessors and give the same results).
//
// Needs a Chromium binary (Debian: apt-get install chromium; or set CHROMIUM_PATH) and a built
// dist/ (npm test builds it; test/setup/dist.ts rebuilds it when src/ is newer). A missing Chromium
// fails the test, unless SHAREDCTYPES_SKIP_BROWSER=1 asks to skip it (the run then lists it as
// skipped).
import { accessSync, constants, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type ConsoleMessage } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requirement, wasm } from '../setup/requirements.js';
import { buildWasm } from '../wasm/build.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DIST = join(ROOT, 'dist');
const PAGES = fileURLToPath(new URL('./pages', import.meta.url));
const WASM = fileURLToPath(new URL('../wasm', import.meta.url));
/** Where the wasm32 build of test/wasm/particles.c goes (built in beforeAll where clang and wasm-ld are). */
const BUILD = mkdtempSync(join(tmpdir(), 'sharedctypes-browser-wasm-'));
const needWasm = wasm();

/** The first executable Chromium: $CHROMIUM_PATH, else chromium / chromium-browser / google-chrome on PATH. */
function findChromium(): string | undefined {
  const candidates = process.env.CHROMIUM_PATH ? [process.env.CHROMIUM_PATH] : [];
  for (const dir of (process.env.PATH ?? '').split(delimiter).filter(Boolean)) {
    for (const name of ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable']) candidates.push(join(dir, name));
  }
  return candidates.find((file) => {
    try {
      accessSync(file, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

const executablePath = findChromium();
const needChromium = requirement(
  'Chromium',
  executablePath !== undefined,
  'SHAREDCTYPES_SKIP_BROWSER',
  'install it (Debian: apt-get install chromium) or set CHROMIUM_PATH to its executable',
);

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
};

/** What a page reports in window.__result (see pages/main.js). */
interface PageResult {
  data: Record<string, unknown> & {
    mismatches: number;
    checksum: string;
    title: string;
    full: string;
    workerTitles: string[];
    fingerprint: string;
    workerFingerprints: string[];
    bigEndianMagicOk: boolean;
  };
  env: {
    mode: string;
    crossOriginIsolated: boolean;
    codegen: { main: boolean; workers: boolean[] };
    warnings: { main: string[]; workers: string[][] };
    violations: { main: string[]; workers: string[][] };
    textDecoderOnSharedArrayBuffer: string;
    userAgent: string;
  };
}

/**
 * Serves /open/... and /csp/... (the same files; /csp/ responses also carry a CSP without
 * 'unsafe-eval'): <prefix>/dist/* from dist/, <prefix>/pages/* from test/browser/pages/,
 * <prefix>/wasm/* from test/wasm/ and <prefix>/build/* from the wasm32 build. Every
 * response is cross-origin isolated (COOP + COEP), so pages and workers get SharedArrayBuffer.
 */
function startServer(): Promise<Server> {
  const server = createServer((req, res) => {
    void (async () => {
      const path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
      const match = /^\/(open|csp)\/(dist|pages|wasm|build)\/(.+)$/.exec(path);
      const base = { dist: DIST, pages: PAGES, wasm: WASM, build: BUILD }[match?.[2] ?? 'pages'] ?? PAGES;
      const file = match ? resolve(base, match[3] as string) : undefined;
      const headers: Record<string, string> = {
        'Cross-Origin-Opener-Policy': 'same-origin',
        'Cross-Origin-Embedder-Policy': 'require-corp',
        'Cache-Control': 'no-store',
      };
      if (match?.[1] === 'csp') headers['Content-Security-Policy'] = "script-src 'self'; worker-src 'self'";
      if (file === undefined || !file.startsWith(base + sep) || !(await stat(file).catch(() => undefined))?.isFile()) {
        res.writeHead(404, { ...headers, 'Content-Type': 'text/plain' }).end('not found');
        return;
      }
      const body = await readFile(file);
      res.writeHead(200, { ...headers, 'Content-Type': MIME[extname(file)] ?? 'application/octet-stream' }).end(body);
    })().catch((e: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end(String(e));
    });
  });
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => ok(server));
  });
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: timed out after ${ms} ms`)), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

describe.skipIf(needChromium.skip)(`${needChromium.note}browser (Chromium): dist/ in a cross-origin-isolated page with module workers`, () => {
  let server: Server | undefined;
  let context: BrowserContext | undefined;
  let origin = '';
  let profile: string | undefined;
  const results = new Map<string, PageResult>();

  beforeAll(async () => {
    needChromium.check();
    if (executablePath === undefined) throw new Error('unreachable: check() throws when Chromium is missing');
    if (!existsSync(join(DIST, 'sharedctypes.js'))) throw new Error('dist/sharedctypes.js is missing: run `npm run build` first (npm test does)');
    server = await startServer();
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    profile = mkdtempSync(join(tmpdir(), 'sharedctypes-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath,
      headless: true,
      timeout: 30_000,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });

  afterAll(async () => {
    await withTimeout(context?.close() ?? Promise.resolve(), 15_000, 'closing Chromium').catch(() => undefined);
    if (server) {
      server.closeAllConnections();
      await withTimeout(new Promise<void>((ok) => server?.close(() => ok())), 5_000, 'closing the server').catch(() => undefined);
    }
    if (profile) rmSync(profile, { recursive: true, force: true });
    rmSync(BUILD, { recursive: true, force: true });
  });

  /** Opens a page, waits for its result, and keeps the console output for the failure message. */
  async function run(key: string, path: string): Promise<PageResult> {
    if (!context) throw new Error('no browser');
    const page = await context.newPage();
    const logs: string[] = [];
    const onConsole = (m: ConsoleMessage) => logs.push(`${m.type()}: ${m.text()}`);
    page.on('console', onConsole);
    page.on('pageerror', (e) => logs.push(`pageerror: ${e.message}`));
    try {
      const response = await page.goto(origin + path, { timeout: 15_000 });
      expect(response?.status()).toBe(200);
      // Runs in the page (typed without the DOM lib: globalThis is the page's window there).
      await page.waitForFunction(() => '__result' in globalThis || '__error' in globalThis, undefined, { timeout: 30_000 });
      const outcome = await page.evaluate(() => {
        const w = globalThis as unknown as { __result?: unknown; __error?: string };
        return { result: w.__result, error: w.__error };
      });
      if (outcome.error !== undefined) throw new Error(`${path} failed: ${outcome.error}\nconsole:\n${logs.join('\n')}`);
      const result = outcome.result as PageResult;
      results.set(key, result);
      return result;
    } catch (e) {
      throw new Error(`${path}: ${e instanceof Error ? e.message : String(e)}\nconsole:\n${logs.join('\n')}`, { cause: e });
    } finally {
      await page.close().catch(() => undefined);
    }
  }

  function checkData(r: PageResult): void {
    expect(r.env.crossOriginIsolated).toBe(true);
    expect(r.data.mismatches, JSON.stringify(r.data['firstMismatches'])).toBe(0);
    expect(r.data.workerFingerprints).toEqual([r.data.fingerprint, r.data.fingerprint]);
    expect(r.data.title).toBe('héllo wörld');
    expect(r.data.full).toBe('€€€€€!');
    expect(r.data.workerTitles).toEqual(['héllo wörld', 'héllo wörld']);
    expect(r.data.bigEndianMagicOk).toBe(true);
    // Named shared memory: the clear error, not a crash (a page has no FFI, whatever its OS).
    const memory = r.data['memory'] as { support: Record<string, unknown>; error: Record<string, unknown> };
    const noFfi = 'needs Node.js (≥ 26.1, or ≥ 20 with the koffi package), Bun or Deno on Linux; this runtime (browser) has no foreign function interface';
    expect(memory.support).toMatchObject({ available: false, runtime: 'browser' });
    expect(memory.support['reason']).toContain(noFfi);
    expect(memory.error).toMatchObject({ name: 'SharedMemoryError', code: 'unsupported_runtime' });
    expect(memory.error['message']).toContain(noFfi);
    // Locks: workers block, the main thread may not and uses acquireAsync(); nothing is lost.
    const locks = r.data['locks'] as Record<string, unknown>;
    expect(locks['canBlock']).toBe(false);
    expect(locks['count']).toBe(locks['expected']);
    expect(locks['mainIncrements']).toBe(2000);
    expect(locks['blockingWait']).toBe('TypeError: Event.wait(): this thread may not block (a browser main thread); use Event.waitAsync() and await it');
    expect(locks['locked']).toBe(false);
    // Async forms on the page's main thread: awaits inside critical sections, a bounded buffer with
    // two conditions over one lock member, barrier rounds; nothing lost, nothing blocks.
    const asyncForms = r.data['asyncForms'] as Record<string, unknown>;
    expect(asyncForms['count']).toBe(asyncForms['expected']);
    expect(asyncForms['everyItemOnce']).toBe(true);
    expect(asyncForms['rounds']).toBe(true);
    expect(asyncForms['locked']).toBe(false);
    // An RwLock member: blocking workers and async tasks of the page (awaiting inside); writes
    // counted, no torn read, readers of the page inside together.
    const rwlock = r.data['rwlock'] as Record<string, unknown>;
    expect(rwlock['a']).toBe(rwlock['expected']);
    expect(rwlock['b']).toBe(rwlock['expected']);
    expect(rwlock['torn']).toBe(0);
    expect(rwlock['readersTogether']).toBe(true);
    expect(rwlock['locked']).toBe(false);
    // Channels: Web Workers push (blocking, in place and by copy), the page drains with for await;
    // the page feeds a worker with pushManyAsync; a blocking pop on the page is refused.
    const channels = r.data['channels'] as Record<string, unknown>;
    expect(channels).toEqual({
      everyItemOnce: true,
      inOrder: true,
      intact: true,
      done: true,
      pushed: 1000,
      sum: channels['expectedSum'],
      expectedSum: 1000 * 0.25 + (999 * 1000) / 2,
      blockingPop: 'cannot_block',
    });
  }

  it('compiles accessors where eval is allowed, and workers fill a shared array of structs', async () => {
    const r = await run('open', '/open/pages/index.html');
    checkData(r);
    expect(r.env.codegen).toEqual({ main: true, workers: [true, true] });
    expect(r.env.warnings).toEqual({ main: [], workers: [[], []] });
    expect(r.env.violations).toEqual({ main: [], workers: [[], []] });
  });

  it("falls back to interpreted accessors under script-src 'self' (auto probe), with identical results", async () => {
    const r = await run('csp', '/csp/pages/index.html');
    checkData(r);
    expect(r.env.codegen).toEqual({ main: false, workers: [false, false] });
    // The probe warns once per realm (the page and each worker; a worker's CSP comes from its own
    // response headers) and is the only blocked eval there.
    for (const warnings of [r.env.warnings.main, ...r.env.warnings.workers]) {
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/^sharedctypes: code generation is blocked/);
    }
    for (const violations of [r.env.violations.main, ...r.env.violations.workers]) {
      expect(violations).toHaveLength(1);
      expect(violations[0]).toMatch(/^script-src.*: eval$/);
    }
    const open = results.get('open');
    if (open) expect(r.data).toEqual(open.data);
  });

  it("configure({ codegen: 'off' }) on the CSP page: no probe, no violation, no warning, identical results", async () => {
    const r = await run('csp-off', '/csp/pages/index.html?mode=off');
    checkData(r);
    expect(r.env.codegen).toEqual({ main: false, workers: [false, false] });
    expect(r.env.warnings).toEqual({ main: [], workers: [[], []] });
    expect(r.env.violations).toEqual({ main: [], workers: [[], []] });
    const open = results.get('open');
    if (open) expect(r.data).toEqual(open.data);
  });

  it("configure({ codegen: 'off' }) where eval is allowed gives the same bytes", async () => {
    const r = await run('open-off', '/open/pages/index.html?mode=off');
    checkData(r);
    expect(r.env.codegen).toEqual({ main: false, workers: [false, false] });
    const open = results.get('open');
    if (open) expect(r.data).toEqual(open.data);
  });

  // WebAssembly (test/wasm/scenario.mjs): C compiled for wasm32 and views share linear memory, also
  // a shared one handed to a module worker; f16 through this browser's DataView. Pages that may
  // compile WebAssembly only (a CSP needs 'wasm-unsafe-eval'), in both accessor modes.
  for (const mode of ['auto', 'off']) {
    it.skipIf(needWasm.skip)(
      `${needWasm.note}WebAssembly: C and views share linear memory, also a shared one handed to a worker (${mode === 'auto' ? 'compiled' : 'interpreted'} accessors)`,
      async () => {
        needWasm.check();
        if (!existsSync(join(BUILD, 'particles.wasm'))) buildWasm(BUILD);
        const r = (await run(`wasm-${mode}`, `/open/pages/wasm.html?mode=${mode}`)) as unknown as Record<string, Record<string, unknown>>;
        expect(r['plain']).toEqual({ read: [], cBytesDiffer: 0, count: 64 });
        expect(r['shared']).toEqual({
          isShared: true,
          mainRead: [],
          worker: { ok: true, read: [], cBytesDiffer: 0, sameBuffer: true, codegen: mode === 'auto' },
          afterWorker: { cBytesDiffer: 0, read: [] },
        });
        expect(r['f16']).toEqual({ bytes: '3c00c0007bff', read: { h: 1, v: [-2, 65504] } });
        expect(r['codegen']).toBe(mode === 'auto');
      },
    );
  }
});
