// Starting peer processes for the cross-process tests and reading their one-line JSON results.
// A peer that does not finish in time is killed and its test fails instead of hanging.
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync, readSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type RuntimeName, runtime } from '../setup/runtimes.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const PEER_JS = fileURLToPath(new URL('./peer.mjs', import.meta.url));
export const PEER_PY = fileURLToPath(new URL('./peer.py', import.meta.url));

/** How to start a JavaScript peer: the vitest process's own Node (koffi before 26.1, node:ffi from 26.1), or another runtime. */
export type Host = 'node' | RuntimeName;

/** The command line that runs `script` with `args` on `host` (with the FFI switched on where it needs a flag). */
export function commandLine(host: Host, script: string, args: string[], extraFlags: string[] = []): [string, string[]] {
  switch (host) {
    case 'node':
      return [process.execPath, [...extraFlags, script, ...args]];
    case 'node20':
    case 'node22':
    case 'node24':
    case 'node26':
      return [runtime(host), ['--no-warnings', ...extraFlags, script, ...args]];
    case 'bun':
      return [runtime('bun'), [...extraFlags, script, ...args]];
    case 'deno':
      return [runtime('deno'), ['run', '--quiet', '--allow-read', '--allow-env', ...(extraFlags.length ? extraFlags : ['--allow-ffi']), script, ...args]];
  }
}

/**
 * A running peer: its result, its process id (to watch it sleep: {@link sleepsOnFutex}), and the
 * process (for `ThreadRegistry.watch`, or to kill it).
 */
export type Running<T> = Promise<T> & { readonly pid: number; readonly child: ChildProcess };

/** Runs a command to its end; resolves to its last stdout line parsed as JSON (rejects with its stderr when it fails). */
export function runJson<T = Record<string, unknown>>(
  command: string,
  args: string[],
  timeoutMs = 60_000,
  cwd = ROOT,
  env: Record<string, string> = {},
): Running<T> {
  const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const result = new Promise<T>((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command} ${args.join(' ')} did not finish within ${timeoutMs} ms\n${err}`));
    }, timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const last = out.trim().split('\n').pop() ?? '';
      if (code !== 0) return reject(new Error(`${command} ${args.join(' ')} exited with ${code ?? signal}\n${out}\n${err}`));
      try {
        resolve(JSON.parse(last) as T);
      } catch {
        reject(new Error(`${command}: no JSON result\n${out}\n${err}`));
      }
    });
  });
  return Object.assign(result, { pid: child.pid ?? -1, child });
}

/** `SYS_futex` here (x86-64 or arm64). */
const SYS_FUTEX = process.arch === 'arm64' ? 98 : 202;

/**
 * Whether the main thread of process `pid` sleeps in FUTEX_WAIT for the value `value`, read from
 * /proc/<pid>/syscall (the system call a blocked thread is in, and its arguments): proof that a
 * peer sleeps in the kernel, so that a test's release must wake it there.
 */
export function sleepsOnFutex(pid: number, value: number): boolean {
  try {
    const [nr, , op, val] = readFileSync(`/proc/${pid}/syscall`, 'utf8').trim().split(' ');
    // The value's low 32 bits: the register may hold it sign-extended (a word with bit 31 set).
    return Number(nr) === SYS_FUTEX && Number(op) === 0 && val !== undefined && Number(BigInt(val) & 0xffffffffn) === value >>> 0;
  } catch {
    return false;
  }
}

/** `SYS_futex_waitv` (one number on every CPU). */
const SYS_FUTEX_WAITV = 449;

/** A thread asleep in futex_waitv: the address of its vector and how many words it waits on. */
export interface WaitvSleeper {
  readonly tid: number;
  readonly vector: bigint;
  readonly count: number;
}

/**
 * The threads of process `pid` asleep in futex_waitv (an async waiter thread, async-wait.ts), read
 * from /proc/<pid>/task/<tid>/syscall: proof that a process's async waits sleep in the kernel.
 */
export function waitvSleepers(pid: number | 'self'): WaitvSleeper[] {
  const found: WaitvSleeper[] = [];
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return found;
  }
  for (const tid of tasks) {
    try {
      const [nr, vector, count] = readFileSync(`/proc/${pid}/task/${tid}/syscall`, 'utf8').trim().split(' ');
      if (Number(nr) === SYS_FUTEX_WAITV && vector !== undefined && count !== undefined)
        found.push({ tid: Number(tid), vector: BigInt(vector), count: Number(count) });
    } catch {
      // the thread ended
    }
  }
  return found;
}

/** A word a futex_waitv sleeper waits on: its address and the value it waits while. */
export interface WaitvWord {
  readonly address: bigint;
  readonly value: number;
}

/**
 * The words each futex_waitv sleeper of this process waits on (each sleeper's vector, read from
 * /proc/self/mem: 24-byte `struct futex_waitv` { u64 val; u64 uaddr; u32 flags; u32 reserved }).
 */
export function ownWaitvWords(): WaitvWord[][] {
  const fd = openSync('/proc/self/mem', 'r');
  try {
    return waitvSleepers('self').map((t) => {
      const bytes = Buffer.alloc(24 * t.count);
      try {
        readSync(fd, bytes, 0, bytes.length, t.vector);
      } catch {
        return [];
      }
      return Array.from({ length: t.count }, (_, k) => ({ address: bytes.readBigUInt64LE(24 * k + 8), value: bytes.readInt32LE(24 * k) }));
    });
  } finally {
    closeSync(fd);
  }
}

/** Runs peer.mjs with `job` on `host` (with `flags` for the runtime, `env` added to this process's). */
export function jsPeer<T = Record<string, unknown>>(
  host: Host,
  job: Record<string, unknown>,
  timeoutMs?: number,
  flags: string[] = [],
  env: Record<string, string> = {},
): Running<T> {
  const [command, args] = commandLine(host, PEER_JS, [JSON.stringify(job)], flags);
  return runJson<T>(command, args, timeoutMs, ROOT, env);
}

/** Runs peer.py with `job` (module: the toCtypes output for the test's schemas), under `python` (default: python3). */
export function pyPeer<T = Record<string, unknown>>(job: Record<string, unknown>, timeoutMs?: number, python = 'python3'): Running<T> {
  return runJson<T>(python, [PEER_PY, JSON.stringify(job)], timeoutMs);
}

let counter = 0;
/** A segment name unique to this process and call. */
export function uniqueName(tag: string): string {
  counter += 1;
  return `sct-test-${tag}-${process.pid}-${counter}`;
}

export { until } from '../support/until.js';
