/**
 * Schema descriptors: what a user writes. Plain immutable data with no layout arithmetic; the layout
 * is derived from them (src/layout) and cached outside them.
 *
 * @module
 */
import { SchemaError } from '../errors.js';
import { SCHEMA_BRAND } from '../kinds/brand.js';
import { MAX_DEPTH } from '../kinds/limits.js';
import type { IntegerName, PrimitiveName } from '../kinds/primitives.js';
import { createOfSchema, giveRecord, viewGetter } from '../views/attach.js';
import type { InitOf, ViewOf, ViewOptions } from './infer.js';

/** Byte order of a struct or union's scalar fields. */
export type Endian = 'little' | 'big';

/**
 * The rules a record is laid out by: `'sysv'` (gcc and clang on x86-64 Linux, macOS and wasm32),
 * `'aarch64'` (gcc and clang on aarch64 Linux: the sysv rules, except that unnamed and zero-width
 * bitfields raise the record's alignment) or `'msvc'` (Microsoft's: clang
 * `--target=x86_64-pc-windows-msvc`, MSVC).
 */
export type LayoutRules = 'sysv' | 'aarch64' | 'msvc';

/** Values allowed for `pack`, as with `#pragma pack(N)`. */
export type Pack = 1 | 2 | 4 | 8 | 16;

/** Options of {@link struct} and {@link union}. */
export interface RecordOptions {
  /** The type's name, used in error messages, reports and emitted C/ctypes code. */
  readonly name?: string;
  /** Caps every member's alignment at `pack` bytes, like `#pragma pack(pack)`. */
  readonly pack?: Pack;
  /** Raises the type's alignment to at least `align` bytes, like `__attribute__((aligned(align)))`. */
  readonly align?: number;
  /**
   * Byte order of the scalar fields. When absent the struct takes the order of the struct that
   * contains it; at the top level that is little-endian.
   */
  readonly endian?: Endian;
  /**
   * The layout rules: `'sysv'` (gcc/clang on x86-64 Linux, wasm32), `'aarch64'` (gcc/clang on
   * aarch64 Linux: unnamed and zero-width bitfields raise the alignment) or `'msvc'` (Microsoft's:
   * a bitfield run continues only while the declared type has the same size, `:0` and unions as
   * MSVC, `pack` never caps an explicit alignment). Not inherited: each record states its own.
   * @defaultValue 'sysv'
   */
  readonly layout?: LayoutRules;
}

/** The nesting height of a schema: 0 for primitives, strings and sync members, 1 + the deepest member otherwise. */
export function heightOf(schema: Schema): number {
  return readHeight(schema);
}

/**
 * Records the height of a new composite schema from its members', refusing one deeper than
 * {@link MAX_DEPTH}. `label` is called only to say which type is too deep.
 */
function setHeight(schema: SchemaBase, deepestMember: number, label: () => string): void {
  if (deepestMember + 1 > MAX_DEPTH) {
    throw new SchemaError(
      `${label()} nests deeper than ${MAX_DEPTH} levels; flatten the type (arrays, structs and unions count one level each)`,
      '',
      'too_deep',
    );
  }
  writeHeight(schema, deepestMember + 1);
}

/** The kinds of schema. */
export type SchemaKind = 'primitive' | 'char' | 'array' | 'struct' | 'union' | 'sync';

/**
 * `T.view(buffer, byteOffset?, options?)`: a live view of this type over `buffer` at `byteOffset`;
 * reads and writes go to the buffer. Throws `RangeError` when the region does not lie inside the
 * buffer or is misaligned.
 */
export interface ViewMethod {
  // biome-ignore lint/style/useShorthandFunctionType: a named interface is compared by name, which keeps inference over schemas shallow
  <S>(this: S, buffer: ArrayBufferLike | ArrayBufferView, byteOffset?: number, options?: ViewOptions): ViewOf<S>;
}

/**
 * `T.create(init?, options?)`: allocates a zeroed `SharedArrayBuffer` exactly the size of this type
 * and returns a view of it, optionally written from a plain value.
 */
export interface CreateMethod {
  // biome-ignore lint/style/useShorthandFunctionType: see ViewMethod
  <S>(this: S, init?: InitOf<S>, options?: ViewOptions): ViewOf<S>;
}

// The accessors of SchemaBase's private height, set by its static block.
let readHeight: (s: object) => number;
let writeHeight: (s: SchemaBase, h: number) => void;

/**
 * Methods every schema object has. They are typed through the named interfaces above (compared by
 * name, not structure), which keeps type inference over schemas shallow. `create` is the function
 * below itself; `view` a getter that gives the view function of the schema's structure (made once
 * per structure, src/views/attach.ts `viewGetter`), so that a loop's `T.view(…)` is a call to one
 * known function with feedback of its own, which the engine inlines into the loop. Every schema
 * carries the mark that `isSchema` checks.
 */
abstract class SchemaBase {
  abstract readonly kind: SchemaKind;
  declare readonly view: ViewMethod;
  declare readonly create: CreateMethod;
  /** Nesting height (see {@link heightOf}): a private field, cheaper to set than a side table entry. */
  #height = 0;
  constructor() {
    // The record of the last two sources `T.view()` and `view(T, …)` made views of this schema over
    // (src/views/attach.ts): own, not enumerable, read-only, set before the schema freezes itself.
    giveRecord(this);
  }
  static {
    readHeight = (s) => (#height in s ? s.#height : 0);
    writeHeight = (s, h) => {
      s.#height = h;
    };
    giveRecord(SchemaBase.prototype); // (its `view` is a function that refuses the prototype by name)
    Object.defineProperties(SchemaBase.prototype, {
      view: { get: viewGetter },
      create: { value: createMethod },
      [SCHEMA_BRAND]: { value: true },
    });
  }
}

function createMethod(this: Schema, init?: unknown, options?: ViewOptions): unknown {
  return createOfSchema(this, init, options);
}

/** A primitive type: `bool`, `i8` … `u64`, `f16`, `f32`, `f64`. */
export class PrimitiveSchema<N extends PrimitiveName = PrimitiveName> extends SchemaBase {
  readonly kind = 'primitive' as const;
  readonly name: N;
  constructor(name: N) {
    super();
    this.name = name;
    if (new.target === PrimitiveSchema) Object.freeze(this); // subclasses freeze themselves
  }
}

/** The constants of a C enum: names to values (numbers, or bigints for a 64-bit enum). */
export type EnumValues = { readonly [name: string]: number | bigint };

/**
 * A C `enum`: an integer primitive of the size its compiler picks (`target(…).enum()`), which lays
 * out, reads and serialises as that integer; `values` holds its constants.
 *
 * @example
 * ```ts
 * import { target, struct, EnumSchema } from 'sharedctypes';
 * const Color = target('x86_64-linux-gnu').enum({ RED: 0, GREEN: 1 }, { name: 'Color' });
 * Color instanceof EnumSchema; // true
 * Color.name;                  // 'u32': unsigned int, as gcc picks it
 * struct({ c: Color }).create({ c: Color.values.GREEN }).c; // 1
 * ```
 */
export class EnumSchema<N extends IntegerName = IntegerName, V extends EnumValues = EnumValues> extends PrimitiveSchema<N> {
  /** The enum's constants. */
  readonly values: Readonly<V>;
  /** The enum's name (its C tag), if it was given one. */
  readonly enumName: string | undefined;
  constructor(name: N, values: V, enumName: string | undefined) {
    super(name);
    this.values = Object.freeze({ ...values });
    this.enumName = enumName;
    Object.freeze(this);
  }
}

/** A fixed-size byte string, C `char[N]`. */
export class CharSchema<N extends number = number> extends SchemaBase {
  readonly kind = 'char' as const;
  readonly length: N;
  constructor(length: N) {
    super();
    this.length = length;
    Object.freeze(this);
  }
}

/** A fixed-length array, C `T[N]`. */
export class ArraySchema<E extends Schema = Schema, N extends number = number> extends SchemaBase {
  readonly kind = 'array' as const;
  readonly element: E;
  readonly length: N;
  constructor(element: E, length: N) {
    super();
    this.element = element;
    this.length = length;
    setHeight(this, readHeight(element), () => 'array');
    Object.freeze(this);
  }
}

/** The synchronization primitives that can be struct members. */
export type SyncKind = 'mutex' | 'rmutex' | 'semaphore' | 'boundedSemaphore' | 'event' | 'condition' | 'barrier' | 'rwlock';

/** A synchronization primitive as a struct member (see `mutex()` and its siblings). */
export class SyncSchema<K extends SyncKind = SyncKind, L extends string | null = string | null> extends SchemaBase {
  readonly kind = 'sync' as const;
  readonly sync: K;
  /** The semaphore's initial value or the barrier's parties (0 for the others). */
  readonly param: number;
  /**
   * For a condition: the name of the `mutex()`/`rmutex()` member of the same struct it uses as its
   * lock (`condition('lock')`), or `null` when it has a lock of its own. `null` for the others.
   */
  readonly lock: L;
  constructor(sync: K, param: number, lock: L = null as L) {
    super();
    this.sync = sync;
    this.param = param;
    this.lock = lock;
    Object.freeze(this);
  }
}

/** A bitfield member, made by {@link bits} (named) or {@link unnamed} (padding, `: 0`). */
export interface BitfieldSpec<T extends IntegerName | 'bool' = IntegerName | 'bool', Named extends boolean = boolean> {
  readonly kind: 'bits';
  readonly type: PrimitiveSchema<T>;
  readonly width: number;
  readonly named: Named;
}

/** A member with an explicit alignment, made by `aligned(type, n)`: C `T name __attribute__((aligned(n)))`. */
export interface AlignedSpec<T = unknown> {
  readonly kind: 'aligned';
  readonly type: T;
  readonly align: number;
}

/**
 * A C11 anonymous struct or union member, made by `anonymous(record)`: its fields are fields of the
 * record that holds it.
 */
export interface AnonymousSpec<R extends RecordSchema = RecordSchema> {
  readonly kind: 'anonymous';
  readonly type: R;
}

/**
 * What a field of a struct or union may be declared as: a schema, a typecode, a bitfield, an
 * aligned member or an anonymous struct/union. (Typed by the `kind` tag only, which keeps inference of nested
 * `array(…)`/`struct(…)` calls cheap; the values are validated when the record is built.)
 */
export type FieldSpec = { readonly kind: SchemaKind | 'bits' | 'aligned' | 'anonymous' } | Typecode;

/** The fields argument of {@link struct} and {@link union}, in declaration order. */
export type FieldsSpec = { readonly [name: string]: FieldSpec };

/** A field after normalisation: typecodes resolved, bitfields split out. */
export interface FieldDef {
  /** `null` for an unnamed bitfield, and for an anonymous struct or union (whose fields are the record's). */
  readonly name: string | null;
  readonly type: Schema;
  /** Bit width for a bitfield, `null` for an ordinary field. */
  readonly bits: number | null;
  /** Explicit alignment of the member (`aligned(type, n)`), `null` for its natural alignment. */
  readonly align: number | null;
}

/** The options that are set, copied one by one (see the note on `fields` below). */
function copyOptions(options: RecordOptions): RecordOptions {
  const copy: { -readonly [K in keyof RecordOptions]: RecordOptions[K] } = {};
  if (options.name !== undefined) copy.name = options.name;
  if (options.pack !== undefined) copy.pack = options.pack;
  if (options.align !== undefined) copy.align = options.align;
  if (options.endian !== undefined) copy.endian = options.endian;
  if (options.layout !== undefined) copy.layout = options.layout;
  return copy;
}

/** The fields of records, frozen by {@link freezeFields}: a record made with them takes them as they are. */
const FROZEN_FIELDS = new WeakSet<readonly FieldDef[]>();

/** A frozen copy of `fields` (each one frozen too), known to {@link FROZEN_FIELDS}. */
function freezeFields(fields: readonly FieldDef[]): readonly FieldDef[] {
  const frozen = Object.freeze(fields.map((f) => Object.freeze({ name: f.name, type: f.type, bits: f.bits, align: f.align })));
  FROZEN_FIELDS.add(frozen);
  return frozen;
}

/** A C struct or union. */
export class RecordSchema<K extends 'struct' | 'union' = 'struct' | 'union', F extends FieldsSpec = FieldsSpec> extends SchemaBase {
  readonly kind: K;
  /** Normalised fields in declaration order. */
  readonly fields: readonly FieldDef[];
  readonly options: RecordOptions;
  /** The fields as written, for type inference only. */
  declare readonly spec: F;
  /** See the constructor's `written`. */
  // biome-ignore lint/correctness/noUnusedPrivateClassMembers: held, never read: it keeps the written objects alive
  readonly #written: readonly object[] | undefined;
  /**
   * @param written The objects the fields and options were written as (`struct({…}, {…})`), kept
   * for as long as the schema lives. The first schema of each structure lives as long as its
   * canonical layout, so the engine keeps the object shape of a schema literal in the user's code
   * alive too: a job handler that declares its schema again per job then keeps its optimised code
   * across garbage collections, which otherwise drop the literal's shape and the code built on it.
   */
  constructor(kind: K, fields: readonly FieldDef[], options: RecordOptions, written?: readonly object[]) {
    super();
    this.kind = kind;
    // Fields copied one by one: `Object.freeze({ ...f })` cost six times as much in V8 (the spread's
    // object shape does not take the fast path to its frozen form), and schemas are built per job.
    // Another record's fields (a schema declared again, src/types/record.ts) are taken as they are.
    this.fields = FROZEN_FIELDS.has(fields) ? fields : freezeFields(fields);
    this.options = Object.freeze(copyOptions(options));
    this.#written = written;
    let deepest = 0;
    for (const f of fields) deepest = Math.max(deepest, readHeight(f.type));
    setHeight(this, deepest, () => `${kind} ${options.name ?? '(anonymous)'}`);
    Object.freeze(this);
  }
}

/** A C struct. */
export type StructSchema<F extends FieldsSpec = FieldsSpec> = RecordSchema<'struct', F>;
/** A C union. */
export type UnionSchema<F extends FieldsSpec = FieldsSpec> = RecordSchema<'union', F>;

/** Any schema. */
export type Schema = PrimitiveSchema | CharSchema | ArraySchema | RecordSchema | SyncSchema;

/**
 * Python typecodes (as in `array`, `struct` and `multiprocessing.Value`) with their Linux x86-64
 * sizes: `'l'`/`'L'` are 64-bit there.
 */
export type Typecode = 'b' | 'B' | 'h' | 'H' | 'i' | 'I' | 'l' | 'L' | 'q' | 'Q' | 'f' | 'd' | 'c' | '?';

/** The schema each typecode stands for. */
export interface TypecodeSchemas {
  b: PrimitiveSchema<'i8'>;
  B: PrimitiveSchema<'u8'>;
  h: PrimitiveSchema<'i16'>;
  H: PrimitiveSchema<'u16'>;
  i: PrimitiveSchema<'i32'>;
  I: PrimitiveSchema<'u32'>;
  l: PrimitiveSchema<'i64'>;
  L: PrimitiveSchema<'u64'>;
  q: PrimitiveSchema<'i64'>;
  Q: PrimitiveSchema<'u64'>;
  f: PrimitiveSchema<'f32'>;
  d: PrimitiveSchema<'f64'>;
  c: CharSchema<1>;
  '?': PrimitiveSchema<'bool'>;
}

/** A schema, or a typecode standing for one. */
export type SchemaLike = Schema | Typecode;

/** The schema a {@link SchemaLike} stands for. */
export type ResolveSchema<S> = S extends Typecode ? TypecodeSchemas[S] : S;
