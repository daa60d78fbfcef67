// Channels between real worker_threads, items through views (run in both accessor modes): one
// producer and one consumer thread, 1,000,000 Particles copied and zero-copy, and every pairing
// of blocking, async, non-blocking, zero-copy and batch ends. Items are checked in full by the
// consumers (scenarios.mjs). The protocol under load (MPMC, close, terminate, waking):
// workers-protocol.test.ts.
import { afterAll, describe, expect, it } from 'vitest';
import { Channel, share } from '../../src/index.js';
import { W } from '../../src/channels/format.js';
import { run, WorkerPool } from '../workers/spawn.js';
import { type Consumed, Particle, scenarios, words } from './worker-channels.js';

describe('SPSC: one producer and one consumer thread', () => {
  it('1,000,000 Particles (48 bytes), capacity 1000: exact order, nothing lost, repeated or torn', async () => {
    const n = 1_000_000;
    const ch = new Channel(Particle, 1000, { mode: 'spsc' });
    const handle = share(ch);
    const [, got] = await Promise.all([
      run('produce', { scenarios, handle, from: 0, count: n, form: 'push', gen: 0, close: true }, 120_000),
      run<Consumed>('consume', { scenarios, handle, form: 'pop' }, 120_000),
    ]);
    expect(got).toEqual({ count: n, torn: 0, disorder: 0, gaps: 0, first: null });
    expect(ch.done).toBe(true);
  });

  it('1,000,000 Particles zero-copy (reserve/commit → front/release), capacity 1024', async () => {
    const n = 1_000_000;
    const ch = new Channel(Particle, 1024, { mode: 'spsc' });
    const handle = share(ch);
    const [, got] = await Promise.all([
      run('produce', { scenarios, handle, from: 0, count: n, form: 'reserve', gen: 0, close: true }, 120_000),
      run<Consumed>('consume', { scenarios, handle, form: 'front' }, 120_000),
    ]);
    expect(got).toEqual({ count: n, torn: 0, disorder: 0, gaps: 0, first: null });
  });

  // Every producer form against every consumer form, at capacities 1, 3 (not a power of two) and 64.
  const producers = ['push', 'try', 'reserve', 'tryReserve', 'batch', 'batchView', 'async', 'asyncReserve'];
  const consumers = ['pop', 'try', 'front', 'batch', 'batchView', 'iter', 'async', 'asyncFront'];
  const pairs = producers.flatMap((p, i) => consumers.map((c, j) => [p, c, [1, 3, 64][(i + j) % 3] as number] as const));
  // 2,000 items: every pairing wraps a capacity-64 ring 31 times; the 1,000,000-item tests above carry the load.
  // Two long-lived workers run every pairing, one channel after another, as a pool's workers would.
  const pool = new WorkerPool(2);
  afterAll(() => pool.close());
  it.each(pairs)('%s → %s (capacity %i): 2,000 items in order', async (pf, cf, capacity) => {
    const n = 2000;
    const ch = new Channel(Particle, capacity, { mode: 'spsc' });
    const handle = share(ch);
    const [, got] = await Promise.all([
      pool.run(0, 'produce', { scenarios, handle, from: 0, count: n, form: pf, gen: 0, close: true }),
      pool.run<Consumed>(1, 'consume', { scenarios, handle, form: cf }),
    ]);
    expect(got).toEqual({ count: n, torn: 0, disorder: 0, gaps: 0, first: null });
    expect([Atomics.load(words(ch), W.consumersWaiting), Atomics.load(words(ch), W.producersWaiting)]).toEqual([0, 0]);
  });
});
