// Several async operations waiting through ONE channel object in one thread (two async consumer
// tasks, a producer task per item, a for-await loop beside a popAsync): the ring remembers one
// claimed position per object from its claim to its commit, so a waiting form must claim and use
// its slot in the same turn. Every item pushed (a push that said true) is popped exactly once, and
// the channel stays usable, in both modes, for numeric elements and for structs (MPMC converts a
// struct before it claims a slot).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Channel, type ChannelMode, struct, u32 } from '../../src/index.js';
import { macrotask } from '../support/until.js';

const Item = struct({ v: u32 }, { name: 'Item' });
const MODES: ChannelMode[] = ['spsc', 'mpmc'];

/** A promise with a flag that says whether it has settled. */
function tracked<T>(p: Promise<T>): { p: Promise<T>; settled: () => boolean } {
  let done = false;
  const q = p.finally(() => {
    done = true;
  });
  return { p: q, settled: () => done };
}

type Op = { op: 'popAsync' } | { op: 'pushAsync' } | { op: 'tryPush' } | { op: 'tryPop' } | { op: 'turn' };
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.constant({ op: 'popAsync' as const }),
  fc.constant({ op: 'pushAsync' as const }),
  fc.constant({ op: 'tryPush' as const }),
  fc.constant({ op: 'tryPop' as const }),
  fc.constant({ op: 'turn' as const }),
);

describe.each(MODES)('%s: async forms waiting through one object', (mode) => {
  it.each([
    ['u32', u32, (v: number) => v, (x: unknown) => x as number],
    ['struct', Item, (v: number) => ({ v }), (x: unknown) => (x as { v: number }).v],
  ] as const)('%s items: each pushed item popped once, whatever waits, and the channel still usable', async (_, T, wrap, unwrap) => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 4 }), fc.array(op, { minLength: 1, maxLength: 30 }), async (capacity, ops) => {
        const ch = new Channel(T as typeof u32, capacity, { mode });
        let next = 1;
        const pushed: number[] = []; // values whose push said true
        const popped: number[] = [];
        const pops: ReturnType<typeof tracked<unknown>>[] = [];
        const pushes: ReturnType<typeof tracked<boolean>>[] = [];
        for (const o of ops) {
          if (o.op === 'popAsync') pops.push(tracked(ch.popAsync(10_000) as Promise<unknown>));
          else if (o.op === 'pushAsync') {
            const v = next++;
            const noted = ch.pushAsync(wrap(v) as never, 10_000).then((ok) => {
              if (ok) pushed.push(v);
              return ok;
            });
            pushes.push(tracked(noted));
          } else if (o.op === 'tryPush') {
            const v = next++;
            if (ch.tryPush(wrap(v) as never)) pushed.push(v);
          } else if (o.op === 'tryPop') {
            const x = ch.tryPop();
            if (x !== undefined) popped.push(unwrap(x));
          } else await macrotask();
        }
        // Settle: drain while pushes wait for room, then feed the pops that wait for items.
        while (pushes.some((t) => !t.settled())) {
          const x = ch.tryPop();
          if (x !== undefined) popped.push(unwrap(x));
          else await macrotask();
        }
        while (pops.some((t) => !t.settled())) {
          const v = next++;
          if (ch.tryPush(wrap(v) as never)) pushed.push(v);
          else await macrotask();
        }
        for (const t of pops) {
          const x = await t.p;
          if (x !== undefined) popped.push(unwrap(x));
        }
        for (let x = ch.tryPop(); x !== undefined; x = ch.tryPop()) popped.push(unwrap(x));
        expect([...popped].sort((a, b) => a - b)).toEqual([...pushed].sort((a, b) => a - b));
        expect(ch.size()).toBe(0);
        // Still sound: every slot goes round once more.
        for (let k = 0; k < capacity + 1; k++) {
          expect(ch.push(wrap(1000 + k) as never, 1000)).toBe(true);
          expect(unwrap(ch.pop(1000))).toBe(1000 + k);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('two for-await loops and a popAsync on one object share the items, each once, and end at close()', async () => {
    const ch = new Channel(u32, 2, { mode });
    const seen: number[] = [];
    const loop = async () => {
      for await (const v of ch) seen.push(v);
    };
    const loops = [loop(), loop()];
    const single = ch.popAsync(10_000);
    for (let v = 1; v <= 200; v++) expect(await ch.pushAsync(v, 10_000)).toBe(true);
    ch.close();
    await Promise.all(loops);
    const s = await single;
    if (s !== undefined) seen.push(s);
    expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, k) => k + 1));
  });

  it('a reserveAsync and a pushAsync waiting through one object: the push is refused (slot_state) or lands, the reserved slot commits, nothing is lost', async () => {
    const ch = new Channel(Item, 1, { mode });
    ch.push({ v: 1 });
    const reserving = ch.reserveAsync(10_000);
    const pushing = ch.pushAsync({ v: 2 }, 10_000).then(
      (ok) => ({ ok }),
      (e: Error) => ({ error: e.name }),
    );
    expect(ch.pop(1000)?.v).toBe(1);
    const slot = await reserving;
    if (slot === null) throw new Error('reserveAsync timed out');
    slot.v = 7;
    ch.commit();
    expect(ch.pop(1000)?.v).toBe(7);
    const p = await pushing;
    if ('ok' in p && p.ok) expect(ch.pop(1000)?.v).toBe(2);
    else expect(p).toEqual({ error: 'SyncError' });
    expect(ch.size()).toBe(0);
    expect(ch.push({ v: 3 }, 1000)).toBe(true);
    expect(ch.pop(1000)?.v).toBe(3);
  });
});
