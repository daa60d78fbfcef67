// A SharedArrayBuffer made with `maxByteLength` grows in place: locks, events, atomic() members and
// channels placed in the bytes it gained must work like those placed before it grew. (An Int32Array
// cached over the whole buffer when it was small does not reach those bytes: Atomics through it
// threw a bare "Invalid atomic access index".)
import { describe, expect, it } from 'vitest';
import { atomic, attach, Channel, Event, f64, Lock, mutex, share, struct, u32, view } from '../../src/index.js';

type Growable = SharedArrayBuffer & { grow(n: number): void };
/** `SharedArrayBuffer` with ES2024's options argument (TypeScript's lib here declares the one-argument form). */
const GrowableSAB = SharedArrayBuffer as unknown as new (
  bytes: number,
  options: { maxByteLength: number },
) => SharedArrayBuffer & { growable?: boolean; grow?: unknown };

/** A growable SharedArrayBuffer of `bytes` (up to 1 MiB), or null where the runtime has none. */
function growable(bytes: number): Growable | null {
  const b = new GrowableSAB(bytes, { maxByteLength: 1 << 20 });
  return b.growable === true && typeof b.grow === 'function' ? (b as Growable) : null;
}

const canGrow = growable(64) !== null;
const Guarded = struct({ lock: mutex(), n: u32 }, { name: 'Guarded' });

describe.skipIf(!canGrow)(
  `objects in the bytes a growable SharedArrayBuffer gained (${canGrow ? 'growable' : 'this runtime has no growable SharedArrayBuffer'})`,
  () => {
    it('locks, struct lock members and events placed before and after each growth', () => {
      const g = growable(64) as Growable;
      const first = new Lock({ buffer: g, byteOffset: 0 }); // the buffer's words are first used here, small
      first.acquire();
      first.release();
      for (const size of [8192, 65536, 1 << 20]) {
        g.grow(size);
        const lock = new Lock({ buffer: g, byteOffset: size - 64 });
        lock.acquire();
        expect(new Int32Array(g, size - 64, 1)[0]).not.toBe(0); // its own word is taken
        expect(first.acquire(false)).toBe(true); // and no other
        first.release();
        lock.release();
        const row = view(Guarded, g, size - 128);
        row.lock.acquire();
        row.n += 1;
        row.lock.release();
        expect(row.n).toBe(1);
        const ev = new Event({ buffer: g, byteOffset: size - 256 });
        ev.set();
        expect(ev.isSet()).toBe(true);
        expect(attach(share(lock)).acquire(false)).toBe(true); // a handle places it at the same word
      }
    });

    it('atomic() on members in bytes gained after an earlier atomic() on the same buffer', () => {
      const g = growable(64) as Growable;
      atomic(view(Guarded, g, 0), 'n').add(1);
      g.grow(4096);
      const far = view(Guarded, g, 4000);
      const n = atomic(far, 'n');
      n.add(5);
      expect(far.n).toBe(5);
      expect(n.wait(6, 0)).toBe('not-equal');
      expect(n.notify()).toBe(0);
    });

    it('a channel placed in bytes gained', () => {
      const g = growable(64) as Growable;
      new Lock({ buffer: g, byteOffset: 0 }).acquire(false);
      g.grow(16384);
      for (const mode of ['spsc', 'mpmc'] as const) {
        const ch = new Channel(f64, 16, { mode, memory: g, byteOffset: mode === 'spsc' ? 4096 : 8192 });
        for (let i = 0; i < 40; i++) {
          ch.push(i / 4);
          expect(ch.pop()).toBe(i / 4);
        }
      }
    });
  },
);
