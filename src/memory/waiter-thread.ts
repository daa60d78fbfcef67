/**
 * The async waiter's thread: one per thread that waits asynchronously on words of `SharedMemory`
 * segments (async-wait.ts starts it). It sleeps in the kernel on behalf of all those waits at once
 * with `futex_waitv` (Linux ≥ 5.16), which waits on up to 128 words: word 0 of the vector is the
 * doorbell its owner rings when it hands over a wait or cancels one, the others are the waits.
 * It completes a wait by writing its outcome into the wait's slot and notifying the owner, which
 * waits for that with `Atomics.waitAsync` (no message loop, nothing that keeps a process alive).
 *
 * The thread runs {@link waiterThread}'s source (`waiterSource()`): one self-contained function
 * that binds `syscall` through the runtime's FFI itself (a worker cannot import this package: a
 * bundled application has no module file to give it), with the control block's layout, the
 * binding to use and the system call numbers in its `workerData`.
 *
 * ## The control block (Int32 words of a SharedArrayBuffer, {@link WORDS})
 *
 * | word | what |
 * |---|---|
 * | `door` | the doorbell: the owner adds 1 after changing a slot (and wakes it with a futex wake and `Atomics.notify`) |
 * | `state` | the waiter's: `IDLE` (in `Atomics.wait` on the doorbell: nothing to wait for), `KERNEL` (in `futex_waitv`), `BUSY` |
 * | `gate` | whether the waiter may call into the FFI: `OPEN`, `INSIDE` (it is in a call, or binding the FFI), `CLOSING` (the owner's thread is ending and waits for it to come out), `CLOSED` (it never calls again) |
 * | `done` | completions: the waiter adds 1 and notifies after completing slots |
 * | `failure` | why the waiter cannot wait (an errno of `futex_waitv`, e.g. 38 ENOSYS before Linux 5.16, or -1: no FFI): the owner polls from then on |
 * | `address` (64-bit) | the doorbell's address in this process, published by the waiter when it is ready (until then, its owner also polls) |
 * | slots | 127 of {@link SLOT}: state, expected value, outcome, and the word's address (64-bit) |
 *
 * A slot is `FREE` (the owner's), `PENDING` (the owner handed it over: the waiter waits on it),
 * `DONE` (the waiter wrote its outcome: the owner takes it back), `CANCELLING` (the owner gave up
 * on it, timed out or seen changed, and waits for the waiter's verdict: `DONE` with `OK` if the
 * waiter took a wake-up for it, `UNWOKEN` if not) or `CANCELLED` (the owner took it back without
 * a verdict, its wait already ended: the waiter frees it). Transitions out of `PENDING` and
 * `CANCELLING` are compare-and-swaps, so a completion and a cancellation never both win.
 *
 * ## Wakes are never lost
 *
 * A futex wake that reaches the waiter was meant for some waiter of that word, possibly one in
 * another process, and its waker counted it: `FUTEX_WAKE` returned it in the number it woke. If
 * the waiter drops it, that one may sleep for ever (a lock released while its waiters sleep); a
 * waker may also have taken the woken off a count of sleepers on the strength of that number (a
 * channel's: channels/waiting.ts), and then a wait that ends otherwise than `'ok'`, whose owner
 * takes itself off the count too, leaves the count one short: the next sleeper is not woken. So,
 * as with a futex wait whose time runs out (the kernel takes it off the queue under the same lock
 * as a wake: a wait is never both woken and timed out): **a wait the waiter took a wake-up for
 * ends `'ok'`**, even one its owner gave up on meanwhile. That is why the owner cancels with
 * `CANCELLING` and waits for the verdict (async-wait.ts); only a wait its owner took back
 * without one (`CANCELLED`: its segment is being closed, or the waiter had not started and never
 * saw it) passes a wake-up on (`FUTEX_WAKE` 1 on its word).
 *
 * `futex_waitv` reports one woken word, the highest index, though several may have been woken at
 * once: a wait below it **may** have been woken, and nothing tells. Such a wait is marked so, and
 * taken as woken (`OK`) if it ends at all: its value changed (found on the next call: `EAGAIN`,
 * then each word is probed alone with an expired timeout), or its owner gave up on it (a verdict
 * of `OK`; a `CANCELLED` one passes a wake-up on). At worst that is a spurious wake-up, which every
 * futex waiter allows (a channel's count then holds one sleeper too many for a while: a wake for
 * nobody, never a sleeper left asleep). A marked wait whose value is back to what it waited for
 * sleeps again, as a woken futex waiter would find it and sleep again. The doorbell is word 0, so
 * a return for the doorbell alone proves no wait was woken.
 *
 * ## No FFI call once the owner's thread ends
 *
 * When the owner's thread ends, Node terminates the waiter's thread. A koffi call made or returning
 * after that point aborts the whole process (`FATAL ERROR: Error::ThrowAsJavaScriptException
 * napi_throw`): koffi's binding calls (`require('koffi')`, `load`, `func`) make Node-API calls
 * that fail in an isolate being terminated, koffi throws, node-addon-api cannot throw there and
 * aborts. So every FFI call of the waiter, its start-up binding included, is made inside the
 * `gate`: the waiter enters with a compare-and-swap `OPEN → INSIDE` and leaves with `INSIDE →
 * OPEN`. The owner's thread, on its `'exit'` (before Node terminates the waiter), closes the gate:
 * `OPEN → CLOSED` (the waiter is outside and can never enter again), or `INSIDE → CLOSING`, rings
 * the doorbell (out of `futex_waitv`) and waits until the waiter, failing to leave, stores
 * `CLOSED`. Either way, once the owner's `'exit'` listener returns, the waiter is outside the FFI
 * for good. A thread that ends without `'exit'` (a terminated worker) cannot close the gate:
 * async-wait.ts gives such threads no waiter thread where the FFI is koffi (they poll).
 *
 * Through node:ffi (Node 26), a process whose waiter thread had made a few hundred waits crashed
 * now and then as it ended (SIGSEGV or SIGTRAP in a `node-V8Worker` thread while the waiter's
 * isolate was torn down: about 1 exit in 13 with a wait pending; none with
 * `--no-concurrent-recompilation`). It stops when the node:ffi functions are called through one
 * shared call site, which the engine does not compile into direct calls to them: 0 crashes in 60
 * such exits, and 96 of 96 in the suite's test under load. A direct call to a node:ffi function in
 * code optimised in the background is what the crash needed; the waiter makes none.
 *
 * @module
 */

/** Int32 word indices of the control block, and its slots. */
export const WORDS = {
  door: 0,
  state: 1,
  gate: 2,
  done: 3,
  failure: 4,
  /** The doorbell's address: a 64-bit word at Int32 index 6 (BigInt64 index 3). */
  address: 6,
  /** The first slot's first word. */
  slots: 8,
  /** Slots: `futex_waitv` waits on at most 128 words, one of them the doorbell. */
  slotCount: 127,
} as const;

/** A slot: 8 Int32 words. */
export const SLOT = {
  /** FREE, PENDING, DONE, CANCELLING or CANCELLED. */
  state: 0,
  /** The value the wait expects (the word's Int32 value). */
  expected: 1,
  /** OK, NOT_EQUAL or FAULT, once DONE (a CANCELLING wait: OK or UNWOKEN). */
  outcome: 2,
  /** The word's address: a 64-bit word at Int32 offset 4 of the slot. */
  address: 4,
  words: 8,
} as const;

/** Slot states. */
export const FREE = 0;
export const PENDING = 1;
export const DONE = 2;
export const CANCELLED = 3;
export const CANCELLING = 4;

/** Outcomes. */
export const OK = 1;
export const NOT_EQUAL = 2;
/** The word's address is not mapped any more (`EFAULT`): the owner looks at the word itself. */
export const FAULT = 3;
/** The verdict on a wait its owner gave up on (`CANCELLING`): the waiter took no wake-up for it. */
export const UNWOKEN = 4;

/** Gate states (`gate`): see the module's notes. */
export const OPEN = 0;
export const INSIDE = 1;
export const CLOSING = 2;
export const CLOSED = 3;

/** Waiter states. */
export const IDLE = 1;
export const KERNEL = 2;
export const BUSY = 3;

/** Bytes of the control block. */
export const CONTROL_BYTES = (WORDS.slots + WORDS.slotCount * SLOT.words) * 4;

/** What the waiter's thread is given (`workerData`). */
export interface WaiterData {
  /** The control block. */
  readonly control: SharedArrayBuffer;
  /** The binding to use: `'node:ffi'`, `'koffi'`, `'bun:ffi'` or `'Deno.dlopen'`. */
  readonly via: string;
  /** Where koffi is required from (through koffi). */
  readonly koffiFrom: string | undefined;
  /** `SYS_futex_waitv` and `SYS_futex` on this CPU. */
  readonly sysWaitv: number;
  readonly sysFutex: number;
  /**
   * Longest sleep in the kernel, in ms (`Infinity`: none): how long ending the owner's thread may
   * wait for the waiter where nothing can wake it first (a terminated worker).
   */
  readonly maxSleepMs: number;
  readonly words: typeof WORDS;
  readonly slot: typeof SLOT;
}

/**
 * The waiter's loop. Runs in its own thread from its source text: it must not refer to anything
 * outside itself (no imports, no module constants: they come in `workerData`), and the code that
 * starts it prepends a no-op `__name` (bundlers that keep names wrap inner functions in one).
 */
export function waiterThread(): void {
  type Fn = (...args: unknown[]) => unknown;
  interface Process {
    getBuiltinModule(name: string): unknown;
  }
  const proc = (globalThis as unknown as { process: Process }).process;
  const d = (proc.getBuiltinModule('node:worker_threads') as { workerData: WaiterData }).workerData;
  const W = d.words;
  const S = d.slot;
  const I = new Int32Array(d.control);
  const B = new BigInt64Array(d.control);

  /** Into the FFI: false when the owner closed the gate (its thread ends: never call the FFI again). */
  const enter = (): boolean => Atomics.compareExchange(I, W.gate, 0 /* OPEN */, 1 /* INSIDE */) === 0;
  /** Out of the FFI: false when the owner is closing the gate (then closed: no call after this one). */
  const leave = (): boolean => {
    if (Atomics.compareExchange(I, W.gate, 1 /* INSIDE */, 0 /* OPEN */) === 1) return true;
    Atomics.store(I, W.gate, 3 /* CLOSED */);
    Atomics.notify(I, W.gate);
    return false;
  };
  /** Tells the owner that the waiter cannot wait (`why`: an errno, or -1), and ends. */
  const fail = (why: number): void => {
    Atomics.store(I, W.failure, why);
    Atomics.add(I, W.done, 1);
    Atomics.notify(I, W.done);
  };

  // ---- syscall(SYS_futex_waitv, …), syscall(SYS_futex, FUTEX_WAKE), &word, errno: through this runtime's FFI
  let waitv: (vector: BigUint64Array, count: number, timeout: BigInt64Array | null, clock: number) => number;
  let wake: (address: bigint, count: number) => number;
  let addressOf: (words: Int32Array) => bigint;
  let errno: () => number;
  if (!enter()) return; // the owner's thread ended before this one started: no binding at all
  try {
    if (d.via === 'Deno.dlopen') {
      const deno = (globalThis as unknown as { Deno: { dlopen: Fn; UnsafePointerView: new (p: unknown) => { getInt32(o: number): number } } }).Deno;
      const lib = deno.dlopen('libc.so.6', {
        waitv: { name: 'syscall', parameters: ['i64', 'buffer', 'u32', 'u32', 'buffer', 'i32'], result: 'i64' },
        futex: { name: 'syscall', parameters: ['i64', 'u64', 'i32', 'i32', 'buffer'], result: 'i64' },
        memmove: { parameters: ['buffer', 'buffer', 'u64'], result: 'u64' },
        __errno_location: { parameters: [], result: 'pointer' },
      }) as { symbols: Record<string, Fn> };
      const f = lib.symbols;
      waitv = (v, n, t, c) => Number(f.waitv?.(BigInt(d.sysWaitv), v, n, 0, t, c));
      wake = (a, n) => Number(f.futex?.(BigInt(d.sysFutex), a, 1, n, null));
      addressOf = (w) => BigInt(f.memmove?.(w, w, 0n) as bigint);
      errno = () => new deno.UnsafePointerView(f.__errno_location?.()).getInt32(0);
    } else if (d.via === 'bun:ffi') {
      const ffi = proc.getBuiltinModule('bun:ffi') as { dlopen: Fn; read: { i32(p: unknown, o: number): number } };
      const f = (
        ffi.dlopen('libc.so.6', {
          syscall: { args: ['i64', 'ptr', 'u32', 'u32', 'ptr', 'i32'], returns: 'i64' },
          memmove: { args: ['ptr', 'ptr', 'u64'], returns: 'u64' },
          __errno_location: { args: [], returns: 'ptr' },
        }) as { symbols: Record<string, Fn> }
      ).symbols;
      const g = (ffi.dlopen('libc.so.6', { syscall: { args: ['i64', 'u64', 'i32', 'i32', 'ptr'], returns: 'i64' } }) as { symbols: Record<string, Fn> })
        .symbols;
      waitv = (v, n, t, c) => Number(f.syscall?.(d.sysWaitv, v, n, 0, t, c));
      wake = (a, n) => Number(g.syscall?.(d.sysFutex, a, 1, n, null));
      addressOf = (w) => BigInt(f.memmove?.(w, w, 0) as bigint);
      errno = () => ffi.read.i32(f.__errno_location?.(), 0);
    } else if (d.via === 'koffi') {
      const req = (proc.getBuiltinModule('module') as { createRequire(from: string): (id: string) => unknown }).createRequire(d.koffiFrom ?? '');
      const koffi = req('koffi') as { load(path: string): { func(name: string, result: string, params: string[]): Fn }; errno(): number };
      const c = koffi.load('libc.so.6');
      const sv = c.func('syscall', 'int64_t', ['int64_t', 'void *', 'uint32_t', 'uint32_t', 'void *', 'int32_t']);
      const sf = c.func('syscall', 'int64_t', ['int64_t', 'uint64_t', 'int', 'int', 'void *']);
      const mm = c.func('memmove', 'uint64_t', ['void *', 'void *', 'uint64_t']);
      waitv = (v, n, t, cl) => Number(sv(d.sysWaitv, v, n, 0, t, cl));
      wake = (a, n) => Number(sf(d.sysFutex, a, 1, n, null));
      addressOf = (w) => BigInt(mm(w, w, 0) as bigint);
      errno = () => koffi.errno();
    } else {
      const ffi = proc.getBuiltinModule('node:ffi') as { dlopen: Fn; getInt32(p: bigint, o: number): number };
      const f = (
        ffi.dlopen('libc.so.6', {
          syscall: { arguments: ['i64', 'pointer', 'u32', 'u32', 'pointer', 'i32'], return: 'i64' },
          memmove: { arguments: ['pointer', 'pointer', 'u64'], return: 'u64' },
          __errno_location: { arguments: [], return: 'u64' },
        }) as { functions: Record<string, Fn> }
      ).functions;
      const g = (
        ffi.dlopen('libc.so.6', { syscall: { arguments: ['i64', 'u64', 'i32', 'i32', 'pointer'], return: 'i64' } }) as { functions: Record<string, Fn> }
      ).functions;
      // Every call through one call site, so that the engine never compiles a direct call to a
      // node:ffi function into this thread's code (see the module's notes).
      const fns = [f.syscall, g.syscall, f.memmove, f.__errno_location] as Fn[];
      const call = (k: number, ...args: unknown[]): unknown => (fns[k] as Fn)(...args);
      waitv = (v, n, t, c) => Number(call(0, BigInt(d.sysWaitv), v, n, 0, t, c));
      wake = (a, n) => Number(call(1, BigInt(d.sysFutex), a, 1, n, null));
      addressOf = (w) => BigInt(call(2, w, w, 0n) as bigint);
      errno = () => ffi.getInt32(call(3) as bigint, 0);
    }
  } catch {
    fail(-1);
    leave();
    return;
  }

  const EINTR = 4;
  const EAGAIN = 11;
  const EFAULT = 14;
  const ETIMEDOUT = 110;
  const CLOCK_REALTIME = 0;
  const CLOCK_MONOTONIC = 1;
  const FUTEX2_SIZE_U32 = 2n;
  const door = addressOf(I) + BigInt(W.door * 4);
  if (!leave()) return;
  Atomics.store(B, W.address / 2, door); // before any slot is read: async-wait.ts's cancel() relies on the order
  // Ready: the owner stops polling its waits meanwhile.
  Atomics.add(I, W.done, 1);
  Atomics.notify(I, W.done);

  /** The vector: 24-byte `struct futex_waitv` { u64 val; u64 uaddr; u32 flags; u32 reserved } each. */
  const vector = new BigUint64Array(3 * (W.slotCount + 1));
  /** The slot at each position of the vector (position 0: the doorbell). */
  const slotAt = new Int32Array(W.slotCount + 1);
  /** Whether the kernel may have woken the slot's wait (below the position a call reported): see the module's notes. */
  const maybeWoken = new Uint8Array(W.slotCount);
  /** A vector of one word, and an absolute timeout long past: a look at one word's value. */
  const one = new BigUint64Array(3);
  const past = new BigInt64Array(2);
  const until = new BigInt64Array(2);
  let completed = 0;

  const base = (s: number): number => W.slots + s * S.words;
  const addressAt = (s: number): bigint => B[(base(s) + S.address) / 2] ?? 0n;

  /**
   * Completes slot `s` with `outcome` (`OK` whatever it is when the kernel may have woken it): a
   * wait its owner gave up on gets the verdict (`OK`: a wake-up was taken; else `UNWOKEN`); one it
   * took back without a verdict passes a wake-up it took on.
   */
  const complete = (s: number, outcome: number): void => {
    const b = base(s);
    const took = outcome === 1 /* OK */ || maybeWoken[s] === 1;
    maybeWoken[s] = 0;
    Atomics.store(I, b + S.outcome, took ? 1 /* OK */ : outcome);
    let was = Atomics.compareExchange(I, b + S.state, 1 /* PENDING */, 2 /* DONE */);
    if (was === 4 /* CANCELLING */) {
      if (!took) Atomics.store(I, b + S.outcome, 4 /* UNWOKEN */);
      was = Atomics.compareExchange(I, b + S.state, 4 /* CANCELLING */, 2 /* DONE */);
      if (was === 4) was = 1; // a verdict, for the owner to collect
    }
    if (was === 1) completed++;
    else if (was === 3 /* CANCELLED */) {
      if (took) wake(addressAt(s), 1);
      Atomics.store(I, b + S.state, 0 /* FREE */);
    }
  };

  /** Looks at the word of the wait at `position` alone: completes it unless it still holds its value. */
  const probe = (position: number): void => {
    const s = slotAt[position] ?? 0;
    one[0] = vector[3 * position] ?? 0n;
    one[1] = vector[3 * position + 1] ?? 0n;
    one[2] = FUTEX2_SIZE_U32;
    const r = waitv(one, 1, past, CLOCK_MONOTONIC);
    const e = r >= 0 ? 0 : errno();
    if (r >= 0) complete(s, 1 /* OK: woken just then */);
    else if (e === EAGAIN) complete(s, 2 /* NOT_EQUAL */);
    else if (e === EFAULT) complete(s, 3 /* FAULT */);
  };

  for (;;) {
    // The doorbell before the gate: a ring that comes with closing the gate is after it, and makes
    // futex_waitv return at once.
    const bell = Atomics.load(I, W.door);
    if (!enter()) return;
    vector[0] = BigInt(bell >>> 0);
    vector[1] = door;
    vector[2] = FUTEX2_SIZE_U32;
    let n = 1;
    for (let s = 0; s < W.slotCount; s++) {
      const b = base(s);
      const state = Atomics.load(I, b + S.state);
      if (state === 1 /* PENDING */) {
        vector[3 * n] = BigInt(Atomics.load(I, b + S.expected) >>> 0);
        vector[3 * n + 1] = addressAt(s);
        vector[3 * n + 2] = FUTEX2_SIZE_U32;
        slotAt[n] = s;
        n++;
      } else if (state === 4 /* CANCELLING */) {
        complete(s, 4 /* UNWOKEN, unless it may have been woken */);
      } else if (state === 3 /* CANCELLED */) {
        if (maybeWoken[s] === 1) wake(addressAt(s), 1); // it may have been woken with others in an earlier call
        maybeWoken[s] = 0;
        Atomics.store(I, b + S.state, 0 /* FREE */);
      }
    }
    if (completed > 0) {
      // Verdicts: the owner resolves those waits now, not after the next sleep.
      completed = 0;
      Atomics.add(I, W.done, 1);
      Atomics.notify(I, W.done);
    }
    if (n === 1) {
      if (!leave()) return;
      Atomics.store(I, W.state, 1 /* IDLE */);
      Atomics.wait(I, W.door, bell); // outside the FFI: a thread ending here is not at risk
      Atomics.store(I, W.state, 3 /* BUSY */);
      continue;
    }
    let timeout: BigInt64Array | null = null;
    if (d.maxSleepMs !== Number.POSITIVE_INFINITY) {
      const t = Date.now() + d.maxSleepMs;
      until[0] = BigInt(Math.floor(t / 1000));
      until[1] = BigInt((t % 1000) * 1_000_000);
      timeout = until;
    }
    Atomics.store(I, W.state, 2 /* KERNEL */);
    const r = waitv(vector, n, timeout, CLOCK_REALTIME);
    const e = r < 0 ? errno() : 0;
    Atomics.store(I, W.state, 3 /* BUSY */);
    if (r >= 0) {
      // Position r was woken; those below it may have been (see the module's notes).
      for (let p = 1; p < r; p++) maybeWoken[slotAt[p] ?? 0] = 1;
      if (r > 0) complete(slotAt[r] ?? 0, 1 /* OK */);
    } else if (e === EAGAIN || e === EFAULT) {
      // A value differs, or a word is unmapped. The doorbell rang: the next round looks again.
      // Otherwise, which word? Each alone.
      if (Atomics.load(I, W.door) === bell) for (let p = 1; p < n; p++) probe(p);
    } else if (e !== ETIMEDOUT && e !== EINTR) {
      // futex_waitv is missing (ENOSYS: Linux < 5.16) or refused (a seccomp filter): the owner polls.
      fail(e === 0 ? -1 : e);
      leave();
      return;
    }
    if (completed > 0) {
      completed = 0;
      Atomics.add(I, W.done, 1);
      Atomics.notify(I, W.done);
    }
    if (!leave()) return;
  }
}

/** The source the waiter's thread runs (a script: the function, called). */
export function waiterSource(): string {
  return `'use strict';\nvar __name = (f) => f;\n(${waiterThread.toString()})();\n`;
}
