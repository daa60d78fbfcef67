// Every public function that takes an object of options refuses the same mistakes with the same
// words: not an object (null, a number), a key it does not know (a misspelt option was dropped
// silently), an option of the wrong kind. Runs in both accessor modes (the vitest projects).
import { describe, expect, it } from 'vitest';
import {
  Barrier,
  BoundedSemaphore,
  Channel,
  Condition,
  copy,
  create,
  describe as describeType,
  errorCode,
  Event,
  f64,
  layoutOf,
  Lock,
  Pipe,
  Queue,
  RawArray,
  RawValue,
  RLock,
  RwLock,
  Semaphore,
  SharedArray,
  SharedMemory,
  struct,
  toC,
  toCtypes,
  u8,
  u32,
  Value,
  view,
} from '../../src/index.js';

const T = struct({ x: f64, id: u32, small: u8 }, { name: 'T' });
const sab = new SharedArrayBuffer(256);
const made = T.create();

/** Each function that takes options, called with `o` as them, and the options it knows. */
const TAKERS: ReadonlyArray<readonly [string, (o: unknown) => unknown, readonly string[]]> = [
  ['view(struct T)', (o) => view(T, sab, 0, o as never), ['checked']],
  ['view(struct T)', (o) => T.view(sab, 8, o as never), ['checked']],
  ['create(struct T)', (o) => create(T, undefined, o as never), ['checked']],
  ['create(struct T)', (o) => T.create(undefined, o as never), ['checked']],
  ['RawValue', (o) => RawValue(T, undefined, o as never), ['memory', 'byteOffset']],
  ['RawArray', (o) => RawArray(T, 2, o as never), ['memory', 'byteOffset']],
  ['copy', (o) => copy(made, o as never), ['memory', 'byteOffset']],
  ['Value', (o) => Value(T, undefined, o as never), ['lock', 'memory', 'byteOffset']],
  ['Array', (o) => SharedArray(T, 2, o as never), ['lock', 'memory', 'byteOffset']],
  ['describe', (o) => describeType(T, o as never), ['maxLines']],
  ['layoutOf', (o) => layoutOf(T, o as never), ['maxEntries']],
  ['toC()', (o) => toC(T, o as never), ['name']],
  ['toCtypes()', (o) => toCtypes(T, o as never), ['name']],
  ['Lock', (o) => new Lock(o as never), ['buffer', 'byteOffset']],
  ['RLock', (o) => new RLock(o as never), ['buffer', 'byteOffset']],
  ['Semaphore', (o) => new Semaphore(1, o as never), ['buffer', 'byteOffset']],
  ['BoundedSemaphore', (o) => new BoundedSemaphore(1, o as never), ['buffer', 'byteOffset']],
  ['Event', (o) => new Event(o as never), ['buffer', 'byteOffset']],
  ['Condition', (o) => new Condition(undefined, o as never), ['buffer', 'byteOffset']],
  ['RwLock', (o) => new RwLock(o as never), ['buffer', 'byteOffset']],
  ['Barrier', (o) => new Barrier(2, o as never), ['action', 'timeout', 'place']],
  ['Queue', (o) => new Queue(T, 2, o as never), ['memory', 'byteOffset', 'checked']],
  ['Channel', (o) => new Channel(T, 2, o as never), ['memory', 'byteOffset', 'mode', 'checked']],
  ['Pipe', (o) => Pipe(T, o as never), ['duplex', 'capacity', 'checked', 'memory', 'byteOffset']],
  ['Pipe.byteLength', (o) => Pipe.byteLength(T, o as never), ['duplex', 'capacity', 'checked', 'memory', 'byteOffset']],
];

/** The TypeError `f` throws, with its code. */
function thrown(f: () => unknown): TypeError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(TypeError);
    expect(errorCode(e)).toBe('invalid_argument');
    return e as TypeError;
  }
  throw new Error('expected a TypeError');
}

describe('options of every public function', () => {
  it.each(TAKERS)('%s: options that are not an object are refused by name', (what, call, known) => {
    for (const [o, shown] of [
      [null, 'null'],
      [5, 'number 5'],
      ['checked', 'string "checked"'],
      [true, 'boolean true'],
    ] as const) {
      const e = thrown(() => call(o));
      expect(e.message).toBe(`${what}: options must be an object (got ${shown}); the options are ${known.join(', ')}`);
    }
  });

  it.each(TAKERS)('%s: an unknown or misspelt key is refused, naming it and the options there are', (what, call, known) => {
    for (const key of ['chekced', 'lok', 'maxline', 'size']) {
      if (known.includes(key)) continue;
      const e = thrown(() => call({ [key]: true }));
      expect(e.message).toBe(`${what}: has no option '${key}'; the options are ${known.join(', ')}`);
    }
    // A key of any length is cut in the message; an object of many keys is refused at the first unknown one.
    const long = 'k'.repeat(5000);
    expect(thrown(() => call({ [long]: 1 })).message).toContain(`'${'k'.repeat(120)}…' (5000 characters)`);
    const many = Object.fromEntries(Array.from({ length: 100_000 }, (_, k) => [`key${k}`, k]));
    expect(thrown(() => call(many)).message).toContain("has no option 'key0'");
  });

  it('an option of the wrong kind is refused by name', () => {
    const cases: ReadonlyArray<readonly [() => unknown, string]> = [
      [() => view(T, sab, 0, { checked: 1 } as never), 'view(struct T): checked must be true or false (got number 1)'],
      [() => T.view(sab, 0, { checked: 'yes' } as never), 'view(struct T): checked must be true or false (got string "yes")'],
      [() => create(T, undefined, { checked: null } as never), 'create(struct T): checked must be true or false (got null)'],
      [() => T.create(undefined, { checked: {} } as never), 'create(struct T): checked must be true or false (got an object)'],
      [() => describeType(T, { maxLines: Number.NaN }), 'describe: maxLines must be a whole number ≥ 0 or Infinity (got number NaN)'],
      [() => describeType(T, { maxLines: -1 }), 'describe: maxLines must be a whole number ≥ 0 or Infinity (got number -1)'],
      [() => layoutOf(T, { maxEntries: '10' as never }), 'layoutOf: maxEntries must be a whole number ≥ 0 or Infinity (got string "10")'],
      [() => layoutOf(T, { maxEntries: 2.5 }), 'layoutOf: maxEntries must be a whole number ≥ 0 or Infinity (got number 2.5)'],
      [() => new Barrier(2, { action: 'run' as never }), 'Barrier: action must be a function (got string "run")'],
      [() => new Barrier(2, { timeout: '5' as never }), 'timeout: must be a number of milliseconds (got "5")'],
      [() => Pipe(T, { checked: 1 as never }), 'Pipe: checked must be true or false (got number 1)'],
      [() => Pipe(T, { duplex: 'false' as never }), 'Pipe: duplex must be true or false (got string "false")'],
      [() => new SharedMemory({ create: 'yes' as never, size: 8 }), 'SharedMemory: create must be true or false (got string "yes")'],
      [() => new SharedMemory({ name: 10n as never }), 'SharedMemory: name bigint 10 is not a segment name'],
    ];
    for (const [call, message] of cases) expect(thrown(call).message.startsWith(message), thrown(call).message).toBe(true);
  });

  it('options left out, empty or as documented work as before', () => {
    for (const o of [undefined, {}, { checked: undefined }, { checked: false }]) {
      const v = view(T, sab, 16, o as never);
      v.small = 300; // unchecked: wraps
      expect(v.small).toBe(44);
      expect(T.create(undefined, o as never).small).toBe(0);
    }
    const checked = T.view(sab, 16, { checked: true });
    expect(() => {
      checked.small = 300;
    }).toThrow(RangeError);
    expect(() => {
      create(T, undefined, { checked: true }).small = 300;
    }).toThrow(RangeError);
    expect(Value('i', 1, { lock: false }).value).toBe(1);
    expect(RawValue(T, { id: 7 }, { memory: sab, byteOffset: 64 }).id).toBe(7);
    expect(new Lock({ buffer: sab, byteOffset: 128 }).acquire(false)).toBe(true);
    expect(new Barrier(1, { timeout: 5, action: () => {} }).wait()).toBe(0);
    expect(describeType(T, { maxLines: Infinity })).toContain('struct T');
    expect(layoutOf(T, { maxEntries: 3 })).toHaveLength(3);
    expect(() => layoutOf(T, { maxEntries: 2 })).toThrow(RangeError);
    expect(toC(u32, { name: 'thing_t' })).toContain('thing_t');
  });

  it('a view with options is never served by the fast path of views without: bad options are refused after many good views', () => {
    let s = 0;
    for (let k = 0; k < 10_000; k++) {
      s += view(T, sab, (k % 8) * 16, undefined).id;
      s += T.view(sab, (k % 8) * 16).id;
    }
    expect(Number.isFinite(s)).toBe(true);
    expect(thrown(() => view(T, sab, 16, { chekced: true } as never)).message).toContain("has no option 'chekced'");
    expect(thrown(() => T.view(sab, 16, null as never)).message).toContain('options must be an object (got null)');
    expect(() => {
      T.view(sab, 16, { checked: true }).small = 300;
    }).toThrow(RangeError);
  });
});
