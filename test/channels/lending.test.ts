// A channel object that lends a slot (reserve → commit, front → release) refuses the copying forms
// on the same side until the slot is given back: in SPSC a push would claim the reserved slot again
// (the reserved item lost) and a pop would take the lent item a second time; in MPMC the push's
// claim would overwrite the position that commit() publishes (a slot never published: the channel
// stops) and the pop's the position that release() frees. Each refusal is a SyncError
// 'slot_state', and the channel goes on intact: every item once, in order.
import { describe, expect, it } from 'vitest';
import { attach, Channel, type ChannelMode, errorCode, share, struct, SyncError, u32 } from '../../src/index.js';

const Item = struct({ id: u32 }, { name: 'Item' });
const modes: ChannelMode[] = ['spsc', 'mpmc'];

/** Expects `f` to throw, or to return a promise that rejects, with SyncError 'slot_state'. */
async function refused(f: () => unknown): Promise<void> {
  let error: unknown;
  try {
    const r = f();
    if (r instanceof Promise) await r;
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(SyncError);
  expect(errorCode(error)).toBe('slot_state');
}

/** Pops everything there is (ids). */
function drain(ch: Channel<typeof Item>): number[] {
  const ids: number[] = [];
  for (let p = ch.tryPop(); p !== undefined; p = ch.tryPop()) ids.push(p.id);
  return ids;
}

describe.each(modes)('%s', (mode) => {
  it('refuses every copying push while a slot reserved through the object is not committed', async () => {
    const ch = new Channel(Item, 8, { mode });
    ch.push({ id: 1 });
    const w = ch.reserve();
    if (w === null) throw new Error('no slot');
    w.id = 2;
    await refused(() => ch.tryPush({ id: 90 }));
    await refused(() => ch.push({ id: 91 }));
    await refused(() => ch.tryPushMany([{ id: 92 }]));
    await refused(() => ch.pushMany([{ id: 93 }]));
    await refused(() => ch.pushAsync({ id: 94 }));
    await refused(() => ch.pushManyAsync([{ id: 95 }]));
    ch.commit();
    ch.push({ id: 3 });
    expect(drain(ch)).toEqual([1, 2, 3]);
  });

  it('refuses every copying pop while an item lent through the object is not released', async () => {
    const ch = new Channel(Item, 8, { mode });
    for (let id = 1; id <= 3; id++) ch.push({ id });
    const f = ch.front();
    expect(f?.id).toBe(1);
    await refused(() => ch.tryPop());
    await refused(() => ch.pop(0));
    await refused(() => ch.tryPopMany([undefined] as never));
    await refused(() => ch.popMany([undefined] as never, 0));
    await refused(() => ch.popAsync());
    await refused(() => ch.popManyAsync([undefined] as never));
    await refused(() => {
      for (const _ of ch) break;
    });
    await refused(async () => {
      for await (const _ of ch) break;
    });
    ch.release();
    expect(drain(ch)).toEqual([2, 3]);
  });

  it('a pushAsync that was waiting when the object reserved the freed slot rejects instead of taking it', async () => {
    const ch = new Channel(Item, 1, { mode });
    const consumer = attach(share(ch), Item);
    ch.push({ id: 1 });
    const waiting = ch.pushAsync({ id: 99 }); // the ring is full: waits
    expect(consumer.pop()?.id).toBe(1); // frees the slot, wakes the waiting task (later)
    const w = ch.tryReserve(); // this object takes the slot first
    if (w === null) throw new Error('no slot');
    w.id = 2;
    await refused(() => waiting);
    ch.commit();
    expect(consumer.pop()?.id).toBe(2);
    ch.push({ id: 3 });
    expect(consumer.tryPop()?.id).toBe(3);
    expect(consumer.tryPop()).toBeUndefined();
  });

  it('other objects of the channel go on while one lends (MPMC: any; SPSC: the other side)', () => {
    const ch = new Channel(Item, 8, { mode });
    const other = attach(share(ch), Item);
    const w = ch.reserve();
    if (w === null) throw new Error('no slot');
    w.id = 1;
    if (mode === 'mpmc') other.push({ id: 2 });
    ch.commit();
    expect(other.pop()?.id).toBe(1);
    if (mode === 'mpmc') expect(other.pop()?.id).toBe(2);
  });
});
