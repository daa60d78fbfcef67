// The async forms keep an async function's and an async generator's contract although they answer
// at once when they can (src/channels/async-items.ts, Channel.pushAsync/popAsync): errors are
// rejections, never synchronous throws; an item that is there is taken (a slot that is free is
// filled) before the call returns; the iterator answers its calls in order, return() and throw()
// end it, an error ends it, and items left stay in the channel.
import { describe, expect, it } from 'vitest';
import { Channel, ChannelClosedError, type ChannelMode, errorCode, Pipe, struct, SyncError, u32 } from '../../src/index.js';
import { W } from '../../src/channels/format.js';

const Item = struct({ id: u32 }, { name: 'Item' });
const modes: ChannelMode[] = ['spsc', 'mpmc'];

/** Calls `f`, which must not throw synchronously, and returns the promise it gave. */
function noThrow<T>(f: () => Promise<T>): Promise<T> {
  let p: Promise<T> | undefined;
  expect(() => {
    p = f();
  }).not.toThrow();
  return p as Promise<T>;
}

describe.each(modes)('%s', (mode) => {
  describe('popAsync and pushAsync', () => {
    it('take an item (fill a slot) before they return when they can', async () => {
      const ch = new Channel(u32, 2, { mode });
      ch.push(7);
      const popped = ch.popAsync();
      expect(ch.size()).toBe(0);
      const pushed = ch.pushAsync(8);
      expect(ch.size()).toBe(1);
      expect(await popped).toBe(7);
      expect(await pushed).toBe(true);
      expect(ch.pop()).toBe(8);
    });

    it('reject, never throw, on a bad timeout, even when an item is there (and take nothing)', async () => {
      const ch = new Channel(u32, 2, { mode });
      ch.push(1);
      for (const t of ['5', Number.NaN, null, 10n]) {
        const p = noThrow(() => ch.popAsync(t as never));
        await expect(p).rejects.toThrow(TypeError);
        const q = noThrow(() => ch.pushAsync(2, t as never));
        await expect(q).rejects.toThrow(TypeError);
      }
      expect(ch.size()).toBe(1);
      expect(ch.pop()).toBe(1);
    });

    it('reject a value that cannot be stored, and a closed channel, without pushing anything', async () => {
      const ch = new Channel(Item, 2, { mode });
      const bad = noThrow(() => ch.pushAsync({ id: 'seven' } as never));
      await expect(bad).rejects.toThrow(TypeError);
      const unknown = noThrow(() => ch.pushAsync({ nope: 1 } as never));
      await expect(unknown).rejects.toThrow(/nope/);
      expect(ch.size()).toBe(0);
      ch.close();
      await expect(noThrow(() => ch.pushAsync({ id: 1 }))).rejects.toThrow(ChannelClosedError);
      expect(await ch.popAsync()).toBeUndefined();
    });

    it('reserveAsync and frontAsync lend at once when they can, and reject (never throw) what they refuse', async () => {
      const ch = new Channel(Item, 2, { mode });
      await expect(noThrow(() => ch.reserveAsync('1' as never))).rejects.toThrow(TypeError);
      const reserved = ch.reserveAsync();
      await expect(noThrow(() => ch.reserveAsync())).rejects.toThrow(SyncError); // one slot at a time per object
      const w = await reserved;
      if (w === null) throw new Error('no slot');
      w.id = 42;
      ch.commit();
      await expect(noThrow(() => ch.frontAsync(Number.NaN))).rejects.toThrow(TypeError);
      const front = ch.frontAsync();
      expect(() => ch.tryPop()).toThrow(SyncError); // lent already: copying pops wait for release()
      await expect(noThrow(() => ch.frontAsync())).rejects.toThrow(SyncError);
      expect((await front)?.id).toBe(42);
      ch.release();
      ch.close();
      await expect(noThrow(() => ch.reserveAsync())).rejects.toThrow(ChannelClosedError);
      expect(await ch.frontAsync()).toBeNull();
    });

    it('reject, never throw, when the shared words are corrupt', async () => {
      const ch = new Channel(u32, 5, { mode });
      ch.push(1);
      new Int32Array(ch.buffer)[W.head] = 6; // a position of no slot (capacity 5)
      const p = noThrow(() => ch.popAsync());
      await expect(p).rejects.toThrow(SyncError);
      await p.catch((e: unknown) => expect(errorCode(e)).toBe('corrupt'));
    });
  });

  describe('for await', () => {
    it('answers next() calls made while one waits in the order they were made', async () => {
      const ch = new Channel(u32, 4, { mode });
      const it = ch[Symbol.asyncIterator]();
      const calls = [it.next(), it.next(), it.next(), it.next()];
      ch.push(1);
      ch.push(2);
      ch.push(3);
      ch.close();
      expect(await Promise.all(calls)).toEqual([
        { value: 1, done: false },
        { value: 2, done: false },
        { value: 3, done: false },
        { value: undefined, done: true },
      ]);
      expect(await it.next()).toEqual({ value: undefined, done: true });
    });

    it('answers at once, in order, when items are there', async () => {
      const ch = new Channel(u32, 8, { mode });
      for (let k = 0; k < 5; k++) ch.push(k);
      const it = ch[Symbol.asyncIterator]();
      const calls = [it.next(), it.next(), it.next()];
      expect(ch.size()).toBe(2); // taken by the calls, before any await
      expect((await Promise.all(calls)).map((r) => r.value)).toEqual([0, 1, 2]);
      expect(it[Symbol.asyncIterator]()).toBe(it);
    });

    it('return() ends it after the calls before it, and leaves the rest in the channel', async () => {
      const ch = new Channel(u32, 4, { mode });
      const it = ch[Symbol.asyncIterator]();
      const first = it.next(); // waits
      const ended = it.return(undefined);
      const after = it.next();
      ch.push(5);
      ch.push(6);
      expect(await first).toEqual({ value: 5, done: false });
      expect(await ended).toEqual({ value: undefined, done: true });
      expect(await after).toEqual({ value: undefined, done: true });
      expect(ch.pop()).toBe(6);
    });

    it('break leaves the remaining items, and a new loop goes on from them', async () => {
      const ch = new Channel(u32, 4, { mode });
      for (let k = 0; k < 4; k++) ch.push(k);
      ch.close();
      const seen: number[] = [];
      for await (const x of ch) {
        seen.push(x);
        if (x === 1) break;
      }
      for await (const x of ch) seen.push(x);
      expect(seen).toEqual([0, 1, 2, 3]);
    });

    it('throw(e) ends it with e; an error from the channel ends it too', async () => {
      const ch = new Channel(u32, 5, { mode });
      ch.push(1);
      const it = ch[Symbol.asyncIterator]();
      const e = new Error('stop');
      await expect(it.throw(e)).rejects.toBe(e);
      expect(await it.next()).toEqual({ value: undefined, done: true });
      expect(ch.pop()).toBe(1);

      const broken = ch[Symbol.asyncIterator]();
      new Int32Array(ch.buffer)[W.head] = 6;
      await expect(broken.next()).rejects.toThrow(SyncError);
      expect(await broken.next()).toEqual({ value: undefined, done: true });
    });
  });
});

describe('Connection', () => {
  it('sendAsync and pollAsync on the wrong end reject, never throw', async () => {
    const [receiver, sender] = Pipe(u32, { duplex: false });
    await expect(noThrow(() => receiver.sendAsync(1))).rejects.toThrow(/only receives/);
    await expect(noThrow(() => sender.pollAsync())).rejects.toThrow(/only sends/);
    await expect(noThrow(() => sender.sendAsync('x' as never))).rejects.toThrow(TypeError);
    expect(await sender.sendAsync(1)).toBe(true);
    expect(await receiver.recvAsync()).toBe(1);
  });
});
