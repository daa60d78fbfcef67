// The processes demo (docs/processes.md): a node:cluster HTTP server counting requests per route
// in a named segment, and the Python script that prints the counters. Runs the real thing: the
// server (dist/, as a user runs it) on a loopback port, real HTTP requests, then the Python
// script; and checks that the script's ctypes class is what toCtypes() prints for the schema.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { python3 } from '../setup/requirements.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SEGMENT = `sct-demo-test-${process.pid}`;
const py = python3();

function get(port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve(body));
    })
      .on('error', reject)
      .end();
  });
}

let server: ChildProcess | undefined;
afterAll(() => {
  server?.kill('SIGTERM');
});

describe.skipIf(py.skip)(`${py.note}processes demo`, () => {
  it('live_counters.py carries the ctypes class toCtypes(Counters) prints', () => {
    const printed = spawnSync(process.execPath, ['examples/counters-schema.mjs'], { cwd: ROOT, encoding: 'utf8' }).stdout;
    const cls = printed.slice(printed.indexOf('class Counters'));
    expect(cls.length).toBeGreaterThan(100);
    expect(readFileSync(`${ROOT}/examples/live_counters.py`, 'utf8')).toContain(cls.trim());
  });

  it('cluster workers count requests in one struct; Python reads the counters live', async () => {
    py.check();
    server = spawn(process.execPath, ['examples/cluster-counters.mjs', '0', '2'], {
      cwd: ROOT,
      env: { ...process.env, COUNTERS_SEGMENT: SEGMENT },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const port = await new Promise<number>((resolve, reject) => {
      let out = '';
      server?.stdout?.on('data', (d) => {
        out += d;
        const m = /127\.0\.0\.1:(\d+)/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      server?.on('exit', (code) => reject(new Error(`server exited with ${code}: ${out}`)));
    });
    const paths = [...Array(30).fill('/'), ...Array(20).fill('/hello'), ...Array(10).fill('/api/items'), '/x', '/y'];
    const bodies = await Promise.all(paths.map((p) => get(port, p)));
    const pids = new Set(bodies.map((b) => b.split(' by ')[1]?.trim()));
    const out = spawnSync('python3', ['examples/live_counters.py', '--once'], {
      cwd: ROOT,
      env: { ...process.env, COUNTERS_SEGMENT: SEGMENT },
      encoding: 'utf8',
    });
    expect(out.stderr).toBe('');
    const s = JSON.parse(out.stdout) as { requests: number; hits: Record<string, number>; last: { worker: number; path: string } };
    expect(s.requests).toBe(paths.length);
    expect(s.hits).toEqual({ '/': 30, '/hello': 20, '/api/items': 10, other: 2 });
    expect(pids.has(String(s.last.worker))).toBe(true);
    server.kill('SIGTERM');
    await new Promise((r) => server?.once('exit', r));
    server = undefined;
    // the primary unlinked the segment on SIGTERM
    const gone = spawnSync('python3', ['-c', `import os; print(os.path.exists('/dev/shm/${SEGMENT}'))`], { encoding: 'utf8' }).stdout.trim();
    expect(gone).toBe('False');
  });
});
