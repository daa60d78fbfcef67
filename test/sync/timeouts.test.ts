// A timeout argument is checked where it is given, whether or not the call has to wait: a string
// or NaN that failed only under contention would pass every test of an uncontended program. Each
// blocking and async form of every primitive, uncontended (it would return at once): a TypeError
// 'invalid_argument' naming the timeout (an async form rejects with it, never throws).
import { describe, expect, it } from 'vitest';
import {
  Barrier,
  BoundedSemaphore,
  Channel,
  Condition,
  errorCode,
  Event,
  f64,
  JoinableQueue,
  Lock,
  Pipe,
  Queue,
  RLock,
  RwLock,
  Semaphore,
  u32,
  Value,
} from '../../src/index.js';

const BAD: unknown[] = ['10', Number.NaN, null, 10n, {}];

/** Each form with the timeout it is given; every one would return at once with a valid timeout. */
const forms: Record<string, (t: never) => unknown> = {
  'Lock.acquire': (t) => new Lock().acquire(true, t),
  'Lock.acquireForRepair': (t) => new Lock().acquireForRepair(true, t),
  'Lock.acquireAsync': (t) => new Lock().acquireAsync(t),
  'Lock.acquireForRepairAsync': (t) => new Lock().acquireForRepairAsync(t),
  'RLock.acquire': (t) => new RLock().acquire(true, t),
  'RLock.acquireForRepair': (t) => new RLock().acquireForRepair(true, t),
  'RLock.acquireAsync': (t) => new RLock().acquireAsync(t),
  'RwLock.read.acquire': (t) => new RwLock().read.acquire(true, t),
  'RwLock.read.acquireForRepair': (t) => new RwLock().read.acquireForRepair(true, t),
  'RwLock.read.acquireAsync': (t) => new RwLock().read.acquireAsync(t),
  'RwLock.write.acquire': (t) => new RwLock().write.acquire(true, t),
  'RwLock.write.acquireForRepair': (t) => new RwLock().write.acquireForRepair(true, t),
  'RwLock.write.acquireAsync': (t) => new RwLock().write.acquireAsync(t),
  'Semaphore.acquire': (t) => new Semaphore(1).acquire(true, t),
  'Semaphore.acquireAsync': (t) => new Semaphore(1).acquireAsync(t),
  'BoundedSemaphore.acquire': (t) => new BoundedSemaphore(1).acquire(true, t),
  'Condition.acquire': (t) => new Condition().acquire(true, t),
  'Event.wait (set)': (t) => {
    const e = new Event();
    e.set();
    return e.wait(t);
  },
  'Event.waitAsync (set)': (t) => {
    const e = new Event();
    e.set();
    return e.waitAsync(t);
  },
  'Barrier.wait': (t) => new Barrier(1).wait(t),
  'Value lock': (t) => Value(f64, 0).get_lock().acquire(true, t),
  'Channel.push': (t) => new Channel(f64, 2).push(1, t),
  'Channel.pop': (t) => {
    const c = new Channel(f64, 2);
    c.push(1);
    return c.pop(t);
  },
  'Channel.pushAsync': (t) => new Channel(f64, 2).pushAsync(1, t),
  'Channel.popAsync': (t) => {
    const c = new Channel(f64, 2);
    c.push(1);
    return c.popAsync(t);
  },
  'Channel.reserve': (t) => new Channel(f64, 2).reserve(t),
  'Channel.front': (t) => {
    const c = new Channel(f64, 2);
    c.push(1);
    return c.front(t);
  },
  'Channel.pushMany': (t) => new Channel(f64, 2).pushMany([1], t),
  'Channel.popMany': (t) => {
    const c = new Channel(f64, 2);
    c.push(1);
    return c.popMany(new Float64Array(1), t);
  },
  'Queue.put': (t) => new Queue(u32, 2).put(1, true, t),
  'Queue.get': (t) => {
    const q = new Queue(u32, 2);
    q.put(1);
    return q.get(true, t);
  },
  'JoinableQueue.join': (t) => new JoinableQueue(u32, 2).join(t),
  'Connection.send': (t) => Pipe(f64)[0].send(1, t),
  'Connection.recv': (t) => {
    const [a, b] = Pipe(f64);
    a.send(1);
    return b.recv(t);
  },
};

describe('timeouts are checked whether or not the call waits', () => {
  it.each(Object.keys(forms))('%s', async (name) => {
    const form = forms[name] as (t: never) => unknown;
    // Python's names take None (null) for "no timeout", as Python does.
    const python = name.startsWith('Queue.');
    for (const t of python ? BAD.filter((x) => x !== null) : BAD) {
      let error: unknown;
      try {
        const r = form(t as never);
        if (r instanceof Promise) await r.catch((e: unknown) => (error = e));
      } catch (e) {
        if (name.endsWith('Async') || name.endsWith('Async (set)')) throw new Error(`${name} threw instead of rejecting`);
        error = e;
      }
      expect(error, `${name}(${String(t)})`).toBeInstanceOf(TypeError);
      expect(errorCode(error)).toBe('invalid_argument');
      expect(String((error as Error).message)).toMatch(/timeout/);
    }
    // And a valid timeout works (the forms return at once).
    await form(5 as never);
    if (python) await form(null as never);
  });
});

describe('a negative timeout other than -1 is a time already up, never a wait for ever', () => {
  // Each form would have to wait: a "time left" computed as deadline - now that went below zero.
  const held = new Lock();
  held.acquire();
  const full = new Channel(u32, 1);
  full.push(1);
  const waiting: Record<string, (t: number) => unknown> = {
    'Lock.acquire': (t) => held.acquire(true, t),
    'Lock.acquireAsync': (t) => held.acquireAsync(t),
    'Event.wait': (t) => new Event().wait(t),
    'Event.waitAsync': (t) => new Event().waitAsync(t),
    'Semaphore.acquire': (t) => new Semaphore(0).acquire(true, t),
    'Condition.wait': (t) => {
      const c = new Condition();
      return c.withLock(() => c.wait(t));
    },
    'Channel.pop': (t) => new Channel(u32, 1).pop(t) ?? false,
    'Channel.push': (t) => full.push(2, t),
    'Channel.pushAsync': (t) => full.pushAsync(2, t),
  };
  it.each(Object.keys(waiting))('%s', async (name) => {
    for (const t of [-5, -0.001, -Infinity]) expect(await (waiting[name] as (t: number) => unknown)(t), `${name}(${t})`).toBe(false);
  });
});
