/**
 * Access plans: what reading and writing one member takes, worked out once from its layout. The
 * emitter (emit.ts) turns a plan into source text, the interpreter (interpret.ts) into closures;
 * both follow the same plan, so the two modes cannot drift apart.
 *
 * @module
 */
import { internalError, typeError } from '../errors.js';
import type { FieldLayout, Layout } from '../layout/types.js';
import { PRIMITIVES, type PrimitiveName } from '../kinds/primitives.js';
import { typeLabel } from '../kinds/labels.js';
import { SYNC_KINDS } from './runtime.js';

/** DataView method suffixes for number-valued primitives. */
export type NumberMethod = 'Int8' | 'Uint8' | 'Int16' | 'Uint16' | 'Int32' | 'Uint32' | 'Float16' | 'Float32' | 'Float64';

/** DataView method suffixes for 64-bit integers. */
export type BigMethod = 'BigInt64' | 'BigUint64';

const NUMBER_METHOD: Partial<Record<PrimitiveName, NumberMethod>> = {
  i8: 'Int8',
  u8: 'Uint8',
  i16: 'Int16',
  u16: 'Uint16',
  i32: 'Int32',
  u32: 'Uint32',
  f16: 'Float16',
  f32: 'Float32',
  f64: 'Float64',
};

/** Whether this runtime's DataView reads and writes half-precision floats (ES2025; Node 24+, Chromium 135+). */
export const HAS_FLOAT16 = typeof (DataView.prototype as { getFloat16?: unknown }).getFloat16 === 'function';

/** How to read and write one member, at a byte offset relative to its container. */
export type Access =
  /** A number-valued primitive; `min`/`max` for integers (checked mode), `null` for floats. */
  | { readonly op: 'number'; readonly method: NumberMethod; readonly le: boolean; readonly min: number | null; readonly max: number | null }
  | { readonly op: 'bool' }
  | { readonly op: 'bigint'; readonly method: BigMethod; readonly le: boolean; readonly min: bigint; readonly max: bigint }
  | { readonly op: 'char'; readonly length: number }
  /**
   * A bitfield: `span` bytes from the member offset read as one unsigned integer in byte order `le`,
   * shifted right by `shift`, `width` bits kept. `fast` when it all fits in 32-bit integer math.
   */
  | {
      readonly op: 'bits';
      readonly span: number;
      readonly shift: number;
      readonly width: number;
      readonly signed: boolean;
      readonly le: boolean;
      readonly value: 'number' | 'bool' | 'bigint';
      readonly fast: boolean;
    }
  /** A nested struct, union or array: a view of its own (class index into the compiled classes). */
  | { readonly op: 'view'; readonly layout: Layout }
  /**
   * A synchronization primitive: reading gives the object over its words (`code` indexes
   * SYNC_KINDS). A condition over a lock member of its struct has `lockCode` (the lock's kind, an
   * index into SYNC_KINDS) and `lockAt` (the lock's byte offset relative to the condition's);
   * `lockCode` is -1 otherwise.
   */
  | { readonly op: 'sync'; readonly code: number; readonly param: number; readonly lockCode: number; readonly lockAt: number };

/** A member of a record: name, byte offset (relative to the record), access and a label for errors. */
export interface MemberPlan {
  readonly name: string;
  readonly offset: number;
  readonly access: Access;
  /** `struct Particle: field 'x'`, for error messages. */
  readonly label: string;
}

/** The access plan for a value of layout `l` (not a bitfield). */
export function accessOf(l: Layout): Access {
  switch (l.kind) {
    case 'primitive': {
      const name = l.name;
      const le = l.endian === 'little';
      if (name === 'bool') return { op: 'bool' };
      if (name === 'i64') return { op: 'bigint', method: 'BigInt64', le, min: -(2n ** 63n), max: 2n ** 63n - 1n };
      if (name === 'u64') return { op: 'bigint', method: 'BigUint64', le, min: 0n, max: 2n ** 64n - 1n };
      const method = NUMBER_METHOD[name] as NumberMethod;
      const info = PRIMITIVES[name];
      if (name === 'f16' && !HAS_FLOAT16) {
        throw typeError(
          'unsupported_type',
          'f16',
          'needs DataView.prototype.getFloat16, which this JavaScript runtime does not have',
          'use Node 24+ or a current browser, or declare the field u16 and convert the bits yourself',
        );
      }
      if (info.family === 'float') return { op: 'number', method, le, min: null, max: null };
      const bits = info.size * 8;
      return info.signed
        ? { op: 'number', method, le, min: -(2 ** (bits - 1)), max: 2 ** (bits - 1) - 1 }
        : { op: 'number', method, le, min: 0, max: 2 ** bits - 1 };
    }
    case 'char':
      return { op: 'char', length: l.length };
    case 'array':
    case 'struct':
    case 'union':
      return { op: 'view', layout: l };
    case 'sync':
      if (l.schema.lock !== null) {
        throw typeError(
          'invalid_argument',
          typeLabel(l.schema),
          `names a lock member of its struct, so it can only be read as a member of a struct with a mutex() or rmutex() member '${l.schema.lock}'`,
          'declare it in that struct, or use condition() with a lock of its own',
        );
      }
      return { op: 'sync', code: SYNC_KINDS.indexOf(l.sync), param: l.param, lockCode: -1, lockAt: 0 };
  }
}

/** The access of a condition member at `offset` over the lock member `target` it names (checked by `struct()`). */
function conditionOverLock(target: FieldLayout | undefined, offset: number, lock: string): Access {
  if (target === undefined || target.layout.kind !== 'sync') throw internalError(`condition('${lock}') without its lock member`);
  return { op: 'sync', code: SYNC_KINDS.indexOf('condition'), param: 0, lockCode: SYNC_KINDS.indexOf(target.layout.sync), lockAt: target.offset - offset };
}

/** The members of a struct or union layout, with bitfields resolved to byte spans and shifts. */
export function membersOf(l: Layout & { kind: 'struct' | 'union' }): MemberPlan[] {
  const recordName = typeLabel(l.schema);
  let byName: Map<string, FieldLayout> | undefined; // built for the first condition over a lock member
  return l.fields.map((f) => {
    const label = `${recordName}: field '${f.name}'`;
    if (f.layout.kind === 'sync' && f.layout.schema.lock !== null) {
      byName ??= new Map(l.fields.map((x) => [x.name, x]));
      return { name: f.name, offset: f.offset, access: conditionOverLock(byName.get(f.layout.schema.lock), f.offset, f.layout.schema.lock), label };
    }
    if (f.bits === null) return { name: f.name, offset: f.offset, access: accessOf(f.layout), label };
    const { bitOffset, width, signed, type } = f.bits;
    const first = Math.floor(bitOffset / 8);
    const end = Math.ceil((bitOffset + width) / 8);
    const span = end - first;
    const le = l.endian === 'little';
    // Little-endian records number bits from the LSB of each byte, big-endian ones from the MSB.
    const shift = le ? bitOffset - first * 8 : end * 8 - (bitOffset + width);
    const value = type === 'bool' ? 'bool' : type === 'i64' || type === 'u64' ? 'bigint' : 'number';
    // Within 4 bytes, shift + width ≤ 32: plain int32 arithmetic suffices.
    const fast = value !== 'bigint' && span <= 4;
    return { name: f.name, offset: first, access: { op: 'bits', span, shift, width, signed, le, value, fast }, label };
  });
}
