/**
 * `target(name)`: the C types whose size depends on the target (`long`, `size_t`, pointers, …), its
 * enums, and record constructors with its layout rules. Each type **is** a fixed-size schema
 * (`target('wasm32').size_t === u32`), so schemas written with them are ordinary schemas.
 *
 * @module
 */
import { describeValue, named, schemaError } from '../errors.js';
import { i8, i16, i32, i64, u8, u16, u32, u64 } from './builtins.js';
import { checkTypeName } from '../kinds/names.js';
import type { IntegerName } from '../kinds/primitives.js';
import { struct, union } from './record.js';
import {
  EnumSchema,
  type EnumValues,
  type FieldsSpec,
  type LayoutRules,
  type PrimitiveSchema,
  type RecordOptions,
  type StructSchema,
  type UnionSchema,
} from './schema.js';

/** The C targets sharedctypes knows (each verified against its compiler: see docs/layout.md). */
export type TargetName = 'x86_64-linux-gnu' | 'aarch64-linux-gnu' | 'wasm32' | 'x86_64-windows-msvc';

/** The target-sized C types of one target, as the fixed-size schemas they are there. */
interface TargetTypes {
  readonly layout: LayoutRules;
  readonly long: PrimitiveSchema<'i32' | 'i64'>;
  readonly ulong: PrimitiveSchema<'u32' | 'u64'>;
  readonly size_t: PrimitiveSchema<'u32' | 'u64'>;
  readonly ssize_t: PrimitiveSchema<'i32' | 'i64'>;
  readonly ptrdiff_t: PrimitiveSchema<'i32' | 'i64'>;
  readonly intptr_t: PrimitiveSchema<'i32' | 'i64'>;
  readonly uintptr_t: PrimitiveSchema<'u32' | 'u64'>;
  readonly pointer: PrimitiveSchema<'u32' | 'u64'>;
  readonly plainChar: PrimitiveSchema<'i8' | 'u8'>;
  readonly wchar_t: PrimitiveSchema<'i32' | 'u32' | 'u16'>;
}

const LP64 = { long: i64, ulong: u64, size_t: u64, ssize_t: i64, ptrdiff_t: i64, intptr_t: i64, uintptr_t: u64, pointer: u64 } as const;

/** Every target's C types (measured by its compiler: `test/fixtures/*-layouts.json`, `ctypes`). */
const TARGET_TYPES = {
  'x86_64-linux-gnu': { layout: 'sysv', ...LP64, plainChar: i8, wchar_t: i32 },
  'aarch64-linux-gnu': { layout: 'aarch64', ...LP64, plainChar: u8, wchar_t: u32 },
  wasm32: {
    layout: 'sysv',
    long: i32,
    ulong: u32,
    size_t: u32,
    ssize_t: i32,
    ptrdiff_t: i32,
    intptr_t: i32,
    uintptr_t: u32,
    pointer: u32,
    plainChar: i8,
    wchar_t: i32,
  },
  'x86_64-windows-msvc': { layout: 'msvc', ...LP64, long: i32, ulong: u32, plainChar: i8, wchar_t: u16 },
} as const satisfies Record<TargetName, TargetTypes>;

/**
 * The names of the known targets.
 *
 * @example
 * ```ts
 * import { TARGETS, target, sizeof } from 'sharedctypes';
 * TARGETS.map((t) => sizeof(target(t).long)); // [8, 8, 4, 4]
 * ```
 */
export const TARGETS: readonly TargetName[] = Object.freeze(Object.keys(TARGET_TYPES) as TargetName[]);

/** Options of a target's `enum()`. */
export interface EnumOptions<T extends PrimitiveSchema<IntegerName> = PrimitiveSchema<IntegerName>> {
  /** The enum's tag, used in messages and reports. */
  readonly name?: string;
  /** The underlying type, stated (C23 `enum E : unsigned char`); every value must fit in it. */
  readonly type?: T;
  /** gcc's `__attribute__((packed))` / `-fshort-enums`: the smallest integer that holds every value (not on MSVC). */
  readonly packed?: boolean;
}

/** The underlying integer of an enum with these values and options: up to 32 bits for number values, 64 bits when they are bigints. */
export type EnumInteger<V extends EnumValues, T> =
  T extends PrimitiveSchema<infer N extends IntegerName> ? N : V[keyof V] extends number ? 'i8' | 'u8' | 'i16' | 'u16' | 'i32' | 'u32' : 'i64' | 'u64';

/** A C target: its target-sized types (see the table in docs/layout.md), enums, and records laid out by its rules. */
export type Target<N extends TargetName = TargetName> = (typeof TARGET_TYPES)[N] & {
  /** The target's name. */
  readonly name: N;
  /** `struct()` with this target's layout rules (unless the options say otherwise). */
  struct<const F extends FieldsSpec>(fields: F, options?: RecordOptions): StructSchema<F>;
  /** `union()` with this target's layout rules (unless the options say otherwise). */
  union<const F extends FieldsSpec>(fields: F, options?: RecordOptions): UnionSchema<F>;
  /**
   * A C `enum` with these constants, as the integer this target's compiler picks: on sysv targets
   * `u32` when no value is negative, `i32` otherwise, the smallest that fits with `packed`; on MSVC
   * always `i32`. Values written as bigints make a 64-bit enum (`u64`, or `i64` with a negative
   * one), as gcc and clang do for values beyond 32 bits. `options.type` states the type.
   */
  enum<const V extends EnumValues, T extends PrimitiveSchema<IntegerName> | undefined = undefined>(
    values: V,
    options?: EnumOptions & { readonly type?: T },
  ): EnumSchema<EnumInteger<V, T> & IntegerName, V>;
};

const made = new Map<TargetName, Target>();

/**
 * The C target `name`: its target-sized types (`long`, `ulong`, `size_t`, `ssize_t`, `ptrdiff_t`,
 * `intptr_t`, `uintptr_t`, `pointer`, `plainChar`, `wchar_t`), its enums, and `struct()`/`union()`
 * with its layout rules (`'msvc'` for `x86_64-windows-msvc`, `'sysv'` for the others).
 *
 * @example
 * ```ts
 * import { target, sizeof, i32 } from 'sharedctypes';
 * const win = target('x86_64-windows-msvc');
 * win.long === i32;                                  // true: long is 4 bytes on Windows
 * const Header = win.struct({ size: win.long, data: win.pointer, flags: win.enum({ A: 1, B: 2 }) });
 * sizeof(Header);                                    // 24: size @0, data @8, flags @16
 * target('wasm32').size_t;                           // u32
 * ```
 */
export function target<N extends TargetName>(name: N): Target<N> {
  if (typeof name !== 'string' || !Object.hasOwn(TARGET_TYPES, name)) {
    throw schemaError('invalid_option', 'target', '', `has no target ${describeValue(name)}`, `the targets are ${TARGETS.join(', ')}`);
  }
  let t = made.get(name);
  if (t === undefined) {
    const types = TARGET_TYPES[name];
    const rules = types.layout;
    t = Object.freeze({
      ...types,
      name,
      struct: (fields: FieldsSpec, options: RecordOptions = {}) => struct(fields, { layout: rules, ...options }),
      union: (fields: FieldsSpec, options: RecordOptions = {}) => union(fields, { layout: rules, ...options }),
      enum: (values: EnumValues, options: EnumOptions = {}) => makeEnum(values, options, rules),
    }) as unknown as Target;
    made.set(name, t);
  }
  return t as Target<N>;
}

/** Integer types in the order a packed enum tries them, with their ranges. */
const BY_SIZE: readonly [PrimitiveSchema<IntegerName>, bigint, bigint][] = [
  [u8, 0n, 0xffn],
  [i8, -0x80n, 0x7fn],
  [u16, 0n, 0xffffn],
  [i16, -0x8000n, 0x7fffn],
  [u32, 0n, 0xffff_ffffn],
  [i32, -0x8000_0000n, 0x7fff_ffffn],
  [u64, 0n, 0xffff_ffff_ffff_ffffn],
  [i64, -0x8000_0000_0000_0000n, 0x7fff_ffff_ffff_ffffn],
];
const RANGE = new Map(BY_SIZE.map(([s, lo, hi]) => [s.name, [lo, hi] as const]));

function makeEnum(values: EnumValues, options: EnumOptions, rules: LayoutRules): EnumSchema {
  const label = `enum ${typeof options?.name === 'string' ? options.name : '(anonymous)'}`;
  if (options === null || typeof options !== 'object')
    throw schemaError('invalid_option', label, '', `has options ${describeValue(options)}`, 'pass { name, type, packed }');
  for (const key of Object.keys(options))
    if (key !== 'name' && key !== 'type' && key !== 'packed')
      throw schemaError('invalid_option', label, '', `has unknown option ${named(key)}`, 'the options are name, type and packed');
  if (options.name !== undefined) checkTypeName(options.name, 'enum');
  if (values === null || typeof values !== 'object' || Array.isArray(values))
    throw schemaError('invalid_type', label, '', `needs an object of constants (got ${describeValue(values)})`, 'write enum({ A: 0, B: 1 })');
  const names = Object.keys(values);
  if (names.length === 0) throw schemaError('invalid_type', label, '', 'has no constants', 'a C enum needs at least one');
  let min = 0n;
  let max = 0n;
  let big = false;
  for (const n of names) {
    checkTypeName(n, `${label} constant`);
    const v: unknown = values[n];
    if (typeof v === 'bigint') big = true;
    else if (typeof v !== 'number' || !Number.isSafeInteger(v))
      throw schemaError('invalid_type', label, n, `has value ${describeValue(v)}`, 'enum constants are whole numbers (or bigints)');
    else if (v < -(2 ** 31) || v > 2 ** 32 - 1)
      throw schemaError('invalid_type', label, n, `has value ${v}, beyond 32 bits`, `write it as a bigint (${v}n) for a 64-bit enum`);
    const b = BigInt(v as number | bigint);
    if (b < min) min = b;
    if (b > max) max = b;
  }
  const fits = (s: PrimitiveSchema<IntegerName>): boolean => {
    const [lo, hi] = RANGE.get(s.name) as readonly [bigint, bigint];
    return min >= lo && max <= hi;
  };
  let type: PrimitiveSchema<IntegerName> | undefined = options.type;
  if (type !== undefined) {
    if (!RANGE.has((type as { name?: IntegerName }).name as IntegerName))
      throw schemaError('invalid_type', label, '', `has type ${describeValue(type)}`, 'the type of an enum is an integer schema (u8 … i64)');
  } else if (rules === 'msvc') {
    if (options.packed) throw schemaError('invalid_option', label, '', 'is packed on MSVC', 'MSVC enums are int: state the type ({ type: u8 }) instead');
    type = i32;
  } else if (big)
    type = min < 0n ? i64 : u64; // gcc/clang: 64-bit beyond 32 bits
  else if (options.packed) type = BY_SIZE.find(([s]) => fits(s))?.[0];
  else type = min < 0n ? i32 : u32; // gcc/clang: unsigned int when no value is negative
  if (type === undefined || !fits(type)) {
    throw schemaError(
      'invalid_type',
      label,
      '',
      `has values from ${min} to ${max}, which ${type === undefined ? 'no integer type holds' : `do not fit in ${type.name}`}`,
      rules === 'msvc' ? 'MSVC enums are int' : 'use values that fit',
    );
  }
  if (big !== (type.name === 'i64' || type.name === 'u64'))
    throw schemaError(
      'invalid_type',
      label,
      '',
      big ? `has bigint values but is ${type.name}` : `needs ${type.name}, whose values read as bigints`,
      big ? 'write the values as numbers' : 'write the values as bigints',
    );
  return new EnumSchema(type.name, values, options.name);
}
