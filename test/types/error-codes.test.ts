// Every error the library throws carries a stable code (ERROR_CODES) that programs can branch on:
// one representative failure per code, from every layer, in both accessor modes; nothing in src/
// throws a bare built-in error; docs/errors.md lists exactly the codes there are.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HAS_FLOAT16 } from '../support/gcc-case.js';
import {
  aligned,
  array,
  attach,
  Barrier,
  bits,
  char,
  condition,
  create,
  ERROR_CODES,
  type ErrorCode,
  errorCode,
  f16,
  f32,
  f64,
  fromC,
  fromJSON,
  Lock,
  mutex,
  offsetof,
  RLock,
  Semaphore,
  share,
  struct,
  ThreadRegistry,
  u8,
  u16,
  u32,
  view,
  atomic,
  Channel,
  Queue,
} from '../../src/index.js';
import { codeOf, codeOfAsync } from '../support/errors.js';

let deep: ReturnType<typeof array> = array(u8, 1);
for (let k = 1; k < 64; k++) deep = array(deep, 1);

const failures: [ErrorCode, () => unknown][] = [
  ['invalid_name', () => struct({ '2d': u8 })],
  ['invalid_name', () => struct({ toObject: u8 })],
  ['invalid_type', () => struct({ a: 'z' as never })],
  ['invalid_bitfield', () => struct({ a: bits(u8, 9) })],
  ['invalid_bitfield', () => struct({ a: bits(f32 as never, 3) })],
  ['invalid_length', () => char(0)],
  ['invalid_length', () => array(u8, -1)],
  ['invalid_option', () => struct({ a: u8 }, { pack: 3 as never })],
  ['invalid_option', () => struct({ a: aligned(u8, 3) })],
  ['misplaced_sync', () => struct({ c: u8, m: mutex() }, { pack: 1 }).create()],
  ['misplaced_sync', () => struct({ cv: condition('lock') })],
  ['too_deep', () => array(deep, 1)],
  [
    'too_many_members',
    () => fromJSON({ format: 'sharedctypes/1', root: { kind: 'struct', fields: Array.from({ length: 65536 }, (_, i) => ({ name: `f${i}`, type: 'u8' })) } }),
  ],
  ['too_large', () => array(array(f64, 2 ** 31 - 1), 2 ** 20).create()],
  ['invalid_descriptor', () => fromJSON('{ not json')],
  ['invalid_descriptor', () => fromJSON({ format: 'sharedctypes/1', root: { ref: 'Nope' } })],
  ['invalid_bitfield', () => fromJSON({ format: 'sharedctypes/1', root: { kind: 'struct', fields: [{ name: 'a', type: 'u8', bits: 9 }] } })],
  ['invalid_path', () => offsetof(struct({ a: u8 }), 'b')],
  ['c_syntax', () => fromC('struct S { int a; ')],
  ['c_syntax', () => fromC('struct S { unknown_t a; };')],
  ['c_unsupported', () => fromC('struct S { int n; char data[]; };')],
  ['invalid_bitfield', () => fromC('struct S { char c : 9; };')],
  ['out_of_bounds', () => array(u8, 4).create().get(4)],
  ['out_of_bounds', () => view(struct({ a: u32 }), new SharedArrayBuffer(2))],
  ['out_of_bounds', () => array(u8, 2).create().set([1, 2, 3])],
  ['misaligned', () => view(struct({ a: u32 }), new SharedArrayBuffer(8), 2)],
  ['too_long', () => create(char(2), 'abc')],
  [
    'out_of_range',
    () => {
      create(u8, undefined, { checked: true }).value = 256;
    },
  ],
  ['out_of_range', () => new Semaphore(0).release(2 ** 31)],
  ['out_of_range', () => new Barrier(0)],
  ['out_of_memory', () => create(array(array(u8, 2 ** 30), 2 ** 17))], // 2^47 bytes: no engine allocates that
  ['invalid_value', () => (create(struct({ a: u16 })).a = '1' as never)],
  ['unknown_field', () => create(struct({ a: u16 })).set({ b: 1 } as never)],
  ['invalid_argument', () => share({} as never)],
  ['invalid_argument', () => attach({} as never)],
  ['invalid_argument', () => atomic(create(struct({ x: f32 })), 'x' as never)],
  ['not_shared', () => share(view(u8, new ArrayBuffer(1)))],
  ['not_held', () => new Lock().release()],
  ['not_held', () => new RLock().release()],
  ['layout_mismatch', () => attach(share(create(struct({ a: u32 }))), struct({ a: u16 }))],
  ['layout_mismatch', () => attach(share(new Channel(u32, 2)), u16)],
  [
    'closed',
    () => {
      const ch = new Channel(u32, 2);
      ch.close();
      ch.push(1);
    },
  ],
  ['empty', () => new Queue(u32, 2).get_nowait()],
  [
    'full',
    () => {
      const q = new Queue(u32, 1);
      q.put(1);
      q.put_nowait(2);
    },
  ],
  ['slot_state', () => new Channel(u32, 2).commit()],
  [
    'corrupt',
    () => {
      const ch = new Channel(u32, 5);
      new Int32Array(ch.buffer)[32] = 7; // the tail word (channels/format.ts): a position of slot 7 of 5
      return ch.tryPush(1);
    },
  ],
  // f16 views need DataView.prototype.getFloat16 (Node 24+): where the runtime has it, nothing throws
  ...(HAS_FLOAT16 ? [] : [['unsupported_type', () => create(struct({ h: f16 }))] satisfies [ErrorCode, () => unknown]]),
];

describe('error codes', () => {
  it.each(failures.map(([code, f], i) => [i, code, f] as const))('#%i throws a %s error', (_, code, f) => {
    expect(codeOf(f)).toBe(code);
  });

  it('a lock whose holder died carries owner_dead', () => {
    const registry = new ThreadRegistry(2);
    const lock = new Lock();
    registry.join(1);
    lock.acquire();
    registry.leave(); // its locks now count as held by a dead thread
    registry.join(2);
    try {
      expect(codeOf(() => lock.acquire())).toBe('owner_dead');
    } finally {
      registry.leave();
    }
  });

  it('a broken barrier and a timed-out wait carry theirs', async () => {
    expect(codeOf(() => new Barrier(2).wait(1))).toBe('broken_barrier');
    expect(await codeOfAsync(() => new Barrier(2).waitAsync(1))).toBe('broken_barrier');
  });

  it('errorCode() is undefined for errors that are not the library’s', () => {
    expect(errorCode(new TypeError('x'))).toBeUndefined();
    expect(errorCode(Object.assign(new Error('x'), { code: 'ENOENT' }))).toBeUndefined();
    expect(errorCode('invalid_name')).toBeUndefined();
  });

  it('every code is thrown by some failure above (codes nobody throws would be dead)', () => {
    const seen = new Set<string>([...failures.map(([c]) => c), 'broken_barrier', 'owner_dead']);
    // tested elsewhere or unreachable by design; segments: test/memory (unsupported_runtime needs another runtime);
    // 'unsupported_type' only where the runtime lacks Float16
    const neverInTests = new Set([
      'cannot_block',
      'would_deadlock',
      'internal',
      'unsupported_runtime',
      'segment_exists',
      'segment_closed',
      'os_error',
      'segment_not_found',
      ...(HAS_FLOAT16 ? ['unsupported_type'] : []),
    ]);
    for (const code of Object.keys(ERROR_CODES)) if (!neverInTests.has(code)) expect(seen, code).toContain(code);
  });

  it('nothing in src/ throws a bare built-in error: every throw goes through the catalog', () => {
    const root = join(import.meta.dirname, '../../src');
    const files = (readdirSync(root, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts') && f !== 'errors.ts');
    const bare = files.flatMap((f) =>
      readFileSync(join(root, f), 'utf8')
        .split('\n')
        .map((line, i) => [`${f}:${i + 1}`, line] as const)
        .filter(([, line]) => /new (TypeError|RangeError|Error)\(/.test(line) && !/^\s*(\*|\/\/)/.test(line)),
    );
    expect(bare.map(([where]) => where)).toEqual([]);
  });

  it('docs/errors.md lists exactly the codes there are', () => {
    const doc = readFileSync(join(import.meta.dirname, '../../docs/errors.md'), 'utf8');
    const listed = [...doc.matchAll(/^\| `([a-z_]+)` \|/gm)].map((m) => m[1]);
    expect(listed.sort()).toEqual(Object.keys(ERROR_CODES).sort());
  });
});
