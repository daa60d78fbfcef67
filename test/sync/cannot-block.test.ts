// A thread that may not block (a browser's main thread), simulated in a Node process whose
// Atomics.wait throws as a page's does: every blocking call that would wait refuses with
// `cannot_block`, names itself and its async form, and leaves the shared state as it found it (a
// barrier not counting the refused party, a condition's lock still held, an RwLock that readers
// still enter). Calls that need not wait (a free lock, an item already there, timeout 0) work.
// The browser test (test/browser) checks the same on a real page.
import { describe, expect, it } from 'vitest';
import { runModule } from '../support/script.js';

const library = new URL('../workers/library.mjs', import.meta.url).href;

const script = `
Atomics.wait = () => { throw new TypeError('Atomics.wait cannot be called in this context'); };
const { sc } = await import(${JSON.stringify(library)});
const out = {};
function attempt(name, f) {
  try { out[name] = { returned: f() }; } catch (e) { out[name] = { code: e.code, message: e.message }; }
}
out.canBlock = sc.canBlock();
const lock = new sc.Lock();
attempt('freeLock', () => lock.acquire());
attempt('heldLock', () => lock.acquire());
attempt('heldLockNoWait', () => lock.acquire(true, 0));
lock.release();
attempt('event', () => new sc.Event().wait());
attempt('eventTimeout0', () => new sc.Event().wait(0));
const sem = new sc.Semaphore(0);
attempt('semaphore', () => sem.acquire());
const cond = new sc.Condition();
cond.acquire();
attempt('condition', () => cond.wait(1000));
out.conditionLockHeld = (() => { try { cond.release(); return true; } catch { return false; } })(); // released by wait(), this would throw
const barrier = new sc.Barrier(2);
attempt('barrier', () => barrier.wait());
out.barrierWaiting = barrier.nWaiting;
out.barrierBroken = barrier.broken;
const one = new sc.Barrier(1);
attempt('barrierLast', () => one.wait());
const rw = new sc.RwLock();
rw.read.acquire();
attempt('rwWrite', () => rw.write.acquire(1000));
attempt('rwReadAgain', () => rw.read.acquire(0));
rw.read.release();
rw.read.release();
rw.write.acquire();
attempt('rwRead', () => rw.read.acquire());
rw.write.release();
const q = new sc.Queue(sc.u32, 1);
attempt('queueGet', () => q.get());
attempt('queueGet0', () => { try { return q.get(true, 0); } catch (e) { return e.constructor.name; } });
q.put(7);
attempt('queueGetItem', () => q.get());
q.put(8);
attempt('queuePutFull', () => q.put(9));
const ch = new sc.Channel(sc.u32, 2);
attempt('channelPop', () => ch.pop());
attempt('channelIterate', () => { for (const x of ch) return x; });
const [a] = sc.Pipe(sc.u32);
attempt('pipeRecv', () => a.recv());
const jq = new sc.JoinableQueue(sc.u32, 2);
jq.put(1);
attempt('join', () => jq.join());
const word = sc.struct({ w: sc.i32 }).create();
attempt('atomicWait', () => sc.atomic(word, 'w').wait(0));
// Calls that need not wait still work: a free RwLock through acquireForRepair (no fast path).
const free = new sc.RwLock();
attempt('rwReadRepairFree', () => { const r = free.read.acquireForRepair(); free.read.release(); return r; });
attempt('rwWriteRepairFree', () => { const r = free.write.acquireForRepair(); free.write.release(); return r; });
// A bad timeout takes nothing (the try form must not run first).
const q2 = new sc.Queue(sc.u32, 2);
q2.put(5);
attempt('queueGetBadTimeout', () => q2.get(true, Number.NaN));
out.queueKept = q2.qsize();
attempt('queuePutBadTimeout', () => q2.put(6, true, 'soon'));
out.queueAfterPut = q2.qsize();
// Condition.wait(0): not notified, and returns holding its lock.
const c0 = new sc.Condition();
c0.acquire();
attempt('conditionWait0', () => c0.wait(0));
out.condition0Held = (() => { try { c0.release(); return true; } catch { return false; } })();
const [pa] = sc.Pipe(sc.u32);
attempt('pipePoll0', () => pa.poll());
attempt('pipePollWait', () => pa.poll(1000));
console.log(JSON.stringify(out));
`;

describe('a thread that may not block', () => {
  it('refuses every call that would wait, naming it and its async form, and leaves the state intact', async () => {
    const out = JSON.parse(await runModule(script)) as Record<string, { code?: string; message?: string; returned?: unknown }> & Record<string, unknown>;
    expect(out['canBlock']).toBe(false);
    expect(out['freeLock']).toEqual({ returned: true });
    expect(out['heldLockNoWait']).toEqual({ returned: false });
    expect(out['eventTimeout0']).toEqual({ returned: false });
    expect(out['barrierLast']).toEqual({ returned: 0 });
    expect(out['rwReadAgain']).toEqual({ returned: true });
    expect(out['queueGet0']).toEqual({ returned: 'QueueEmpty' });
    expect(out['queueGetItem']).toEqual({ returned: 7 });
    expect(out['rwReadRepairFree']).toEqual({ returned: true });
    expect(out['rwWriteRepairFree']).toEqual({ returned: true });
    expect(out['queueGetBadTimeout']?.code).toBe('invalid_argument');
    expect(out['queueKept']).toBe(1);
    expect(out['queuePutBadTimeout']?.code).toBe('invalid_argument');
    expect(out['queueAfterPut']).toBe(1);
    expect(out['conditionWait0']).toEqual({ returned: false });
    expect(out['condition0Held']).toBe(true);
    expect(out['pipePoll0']).toEqual({ returned: false });
    const refused: Record<string, [string, string]> = {
      heldLock: ['Lock.acquire()', 'Lock.acquireAsync()'],
      event: ['Event.wait()', 'Event.waitAsync()'],
      semaphore: ['Semaphore.acquire()', 'Semaphore.acquireAsync()'],
      condition: ['Condition.wait()', 'Condition.waitAsync()'],
      barrier: ['Barrier.wait()', 'Barrier.waitAsync()'],
      rwWrite: ['RwLock.write.acquire()', 'RwLock.write.acquireAsync()'],
      rwRead: ['RwLock.read.acquire()', 'RwLock.read.acquireAsync()'],
      queueGet: ['Queue.get()', 'Queue.getAsync()'],
      queuePutFull: ['Queue.put()', 'Queue.putAsync()'],
      channelPop: ['Channel<u32>.pop()', 'Channel<u32>.popAsync()'],
      channelIterate: ['Channel<u32>.iterator()', 'for await'],
      pipeRecv: ['Connection.recv()', 'Connection.recvAsync()'],
      join: ['JoinableQueue.join()', 'JoinableQueue.joinAsync()'],
      atomicWait: ['AtomicField.wait()', 'in a worker'],
      pipePollWait: ['Connection.poll()', 'Connection.pollAsync()'],
    };
    for (const [name, [call, instead]] of Object.entries(refused)) {
      const r = out[name] as { code?: string; message?: string };
      expect(r.code, name).toBe('cannot_block');
      expect(r.message, name).toContain(call);
      expect(r.message, name).toContain(instead);
    }
    // The refused calls left nothing behind.
    expect(out['conditionLockHeld']).toBe(true);
    expect(out['barrierWaiting']).toBe(0);
    expect(out['barrierBroken']).toBe(false);
  });
});
