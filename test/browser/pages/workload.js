// The workload every browser test page runs, on the main thread and in two module workers. Plain
// JavaScript loaded unbundled from /dist, exactly as a user's page would load it.
import { array, bits, char, condition, f32, f64, mutex, rwlock, struct, u16, u32, u64, u8 } from '../dist/sharedctypes.js';

export const COUNT = 1000;

/** What the channel scenario sends: id, the producing worker, a value derived from the id. */
export const Msg = struct({ id: u32, gen: u8, value: f64 }, { name: 'Msg' });
/** Items each worker pushes into the channel of the channel scenario. */
export const CHANNEL_ITEMS = 3000;
export const WORKERS = 2;
/** 11 characters, 13 UTF-8 bytes: two of them are two bytes long. */
export const TITLE = 'héllo wörld';
/** Exactly 16 UTF-8 bytes (5 × 3 + 1): fills its char(16) with no NUL terminator. */
export const FULL = '€€€€€!';

/** A big-endian record, as on the wire. */
export const Wire = struct({ magic: u32, seq: u16, ratio: f64, stamp: u64 }, { endian: 'big', name: 'Wire' });

export const Item = struct(
  {
    x: f64,
    y: f32,
    id: u32,
    small: u8,
    kind: bits(u8, 3),
    hot: bits(u8, 1),
    level: bits(u16, 9),
    big: u64,
    label: char(16),
    wire: Wire,
  },
  { name: 'Item' },
);

export const World = struct({ title: char(16), full: char(16), count: u32, header: Wire, items: array(Item, COUNT) }, { name: 'World' });

/** What element `i` holds once written: the same object `toObject()` must give back. */
export function expected(i) {
  return {
    x: i * 1.5 + 0.25,
    y: Math.fround(i / 3),
    id: Math.imul(i + 1, 2654435761) >>> 0,
    small: (i * 7) & 0xff,
    kind: i % 8,
    hot: i & 1,
    level: (i * 37) % 512,
    big: 0x8000_0000_0000_0000n | (BigInt(i) << 40n) | 0xbeefn,
    label: `ß-${i}-ø`,
    wire: { magic: (0xcafe0000 + i) >>> 0, seq: i, ratio: i / 7, stamp: BigInt(i) * 1_000_000_007n },
  };
}

/** JSON with bigints as strings. */
export function toJSONText(value) {
  return JSON.stringify(value, (_, v) => (typeof v === 'bigint' ? `${v}n` : v));
}

/** FNV-1a (32 bit) of all bytes of a buffer. */
export function checksum(buffer) {
  const bytes = new Uint8Array(buffer);
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

/** Wraps console.warn and listens for CSP violations, so a page or worker can report both. */
export function watch(scope) {
  const log = { warnings: [], violations: [] };
  const warn = console.warn.bind(console);
  console.warn = (...args) => {
    log.warnings.push(args.map(String).join(' '));
    warn(...args);
  };
  scope.addEventListener('securitypolicyviolation', (e) => log.violations.push(`${e.effectiveDirective}: ${e.blockedURI}`));
  return log;
}

/** A counter guarded by a lock that lives in the same struct (the lock travels with the data). */
export const Counter = struct({ guard: mutex(), n: u32 }, { name: 'Counter' });

/** Python's bounded buffer in a struct: one lock, two conditions over it (condition('lock')). */
export const BoundedBuffer = struct(
  {
    lock: mutex(),
    notEmpty: condition('lock'),
    notFull: condition('lock'),
    head: u32,
    tail: u32,
    count: u32,
    items: array(u32, 4),
  },
  { name: 'BoundedBuffer' },
);

/** A pair guarded by a readers–writer lock in the same struct: writers keep a === b; readers count torn pairs. */
export const Pair = struct({ rw: rwlock(), a: u32, b: u32, torn: u32 }, { name: 'Pair' });

/** A macrotask later (other tasks of the page run meanwhile). */
export const macrotask = () => new Promise((resolve) => setTimeout(resolve, 0));
