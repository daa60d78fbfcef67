/**
 * Schemas as data: `toJSON` writes the canonical JSON descriptor (docs/schema-json.md), `fromJSON`
 * rebuilds an equivalent schema from it, validating everything, so a descriptor from another
 * thread or a file can never produce a wrong layout (or code).
 *
 * @module
 */
import { describeValue, named, SchemaError, type ErrorCode } from '../errors.js';
import { checkLength, MAX_DEPTH, MAX_FIELDS } from '../kinds/limits.js';
import { isPrimitiveName, type PrimitiveName } from '../kinds/primitives.js';
import { layout } from '../layout/compute.js';
import { PRIMITIVE_SCHEMAS, resolveSchema } from './builtins.js';
import { char } from './char.js';
import { makeRecord, visibleCount } from './record.js';
import { ArraySchema, type FieldDef, type RecordOptions, type RecordSchema, type Schema, type SchemaLike, type SyncKind } from './schema.js';
import { condition, SYNC_SCHEMAS } from './sync.js';

/**
 * The format tag of descriptor documents.
 *
 * @example
 * ```ts
 * import { FORMAT, toJSON, u8 } from 'sharedctypes';
 * toJSON(u8).format === FORMAT; // true: 'sharedctypes/1'
 * ```
 */
export const FORMAT = 'sharedctypes/1';

/** A type in a descriptor. */
export type TypeJSON =
  | PrimitiveName
  | { readonly kind: 'char'; readonly length: number }
  | { readonly kind: 'array'; readonly of: TypeJSON; readonly length: number }
  | RecordJSON
  | { readonly kind: 'sync'; readonly type: SyncKind; readonly value?: number; readonly lock?: string }
  | { readonly ref: string };

/** A struct or union in a descriptor. */
export interface RecordJSON {
  readonly kind: 'struct' | 'union';
  readonly name?: string;
  readonly pack?: number;
  readonly align?: number;
  readonly endian?: 'little' | 'big';
  /** Layout rules; absent means `'sysv'`. */
  readonly layout?: 'sysv' | 'aarch64' | 'msvc';
  readonly fields: readonly FieldJSON[];
}

/** A field in a descriptor; `name` absent only for unnamed bitfields and anonymous struct/union members (no `bits`). */
export interface FieldJSON {
  readonly name?: string;
  readonly type: TypeJSON;
  readonly bits?: number;
  /** Explicit alignment of the member (`aligned(type, n)`). */
  readonly align?: number;
}

/** A descriptor document. */
export interface SchemaJSON {
  readonly format: typeof FORMAT;
  readonly types?: { readonly [name: string]: TypeJSON };
  readonly root: TypeJSON;
}

/**
 * The canonical JSON descriptor of a schema. Named structs and unions are hoisted into `types` (in
 * dependency order) and referred to by `{ "ref": name }`.
 *
 * @example
 * ```ts
 * import { toJSON, struct, f32 } from 'sharedctypes';
 * const Vec2 = struct({ x: f32, y: f32 }, { name: 'Vec2' });
 * toJSON(struct({ a: Vec2, b: Vec2 }));
 * // { format: 'sharedctypes/1',
 * //   types: { Vec2: { kind: 'struct', name: 'Vec2', fields: [{ name: 'x', type: 'f32' }, { name: 'y', type: 'f32' }] } },
 * //   root: { kind: 'struct', fields: [{ name: 'a', type: { ref: 'Vec2' } }, { name: 'b', type: { ref: 'Vec2' } }] } }
 * ```
 */
export function toJSON(type: SchemaLike): SchemaJSON {
  const schema = resolveSchema(type, 'toJSON', ''); // a typecode ('d') is its schema; anything else a SchemaError
  // Named records, and anonymous ones used more than once, are written once into `types` and
  // referred to: the descriptor stays linear in the number of distinct types, never an expansion.
  const uses = new Map<RecordSchema, number>();
  const count = (s: Schema): void => {
    if (s.kind === 'array') {
      count(s.element);
      return;
    }
    if (s.kind !== 'struct' && s.kind !== 'union') return;
    const n = uses.get(s) ?? 0;
    uses.set(s, n + 1);
    if (n === 0) for (const f of s.fields) count(f.type);
  };
  count(schema);
  const types: Record<string, TypeJSON> = {};
  const keys = new Map<RecordSchema, string>();
  const used = new Set<string>();
  let anonymous = 0;
  // Counted as fromJSON counts them (each distinct record once, each anonymous member of it once),
  // so that nothing shared is refused on the other side.
  let hoisted = 0;
  const write = (s: Schema): TypeJSON => {
    switch (s.kind) {
      case 'primitive':
        return s.name;
      case 'char':
        return { kind: 'char', length: s.length };
      case 'sync':
        if (s.lock !== null) return { kind: 'sync', type: s.sync, lock: s.lock }; // condition('lock')
        // A semaphore's value is written even when 0: read without one, it would be the default, 1.
        return SYNC_SCHEMAS[s.sync].takesValue ? { kind: 'sync', type: s.sync, value: s.param } : { kind: 'sync', type: s.sync };
      case 'array':
        return { kind: 'array', of: write(s.element), length: s.length };
      case 'struct':
      case 'union': {
        const known = keys.get(s);
        if (known !== undefined) return { ref: known };
        const { name, pack, align, endian, layout: rules } = s.options;
        const hoist = name !== undefined || (uses.get(s) ?? 0) > 1;
        let key = '';
        if (hoist) {
          // The key is reserved before the fields are written, so that members hoisted meanwhile
          // cannot take it; the entry itself is filled in afterwards, after its dependencies.
          const base = name ?? `anon_${++anonymous}`;
          key = base;
          for (let n = 2; used.has(key); n++) key = `${base}_${n}`;
          used.add(key);
        }
        const fields = s.fields.map((f): FieldJSON => {
          const type = write(f.type);
          if (f.bits === null && f.name === null) {
            // an anonymous struct or union
            hoisted += visibleCount(f.type as RecordSchema);
            if (hoisted > MAX_HOISTED) {
              throw new SchemaError(
                `toJSON: anonymous members bring more than ${MAX_HOISTED} fields into their records in all, more than fromJSON (and so attach()) reads back; declare fewer or smaller anonymous members, or name them`,
                '',
                'too_many_members',
              );
            }
            return { type };
          }
          if (f.bits === null) return f.align === null ? { name: f.name as string, type } : { name: f.name as string, type, align: f.align };
          return f.name === null ? { type, bits: f.bits } : { name: f.name, type, bits: f.bits };
        });
        const record: RecordJSON = {
          kind: s.kind,
          ...(name !== undefined && { name }),
          ...(pack !== undefined && { pack }),
          ...(align !== undefined && { align }),
          ...(endian !== undefined && { endian }),
          ...(rules !== undefined && { layout: rules }),
          fields,
        };
        if (!hoist) return record;
        keys.set(s, key);
        Object.defineProperty(types, key, { value: record, enumerable: true, writable: true, configurable: true });
        return { ref: key };
      }
    }
  };
  const root = write(schema);
  return Object.keys(types).length === 0 ? { format: FORMAT, root } : { format: FORMAT, types, root };
}

/**
 * The most fields anonymous members may bring into their parents, over one document: as many as
 * one record may have. Each hoisted field is compiled into its parent's view class, so a type of
 * many fields used anonymously by many records would otherwise make a small descriptor cost
 * seconds to compile (30,000 fields in 33 parents: about a million accessors).
 */
export const MAX_HOISTED = MAX_FIELDS;

function fail(path: string, problem: string, fix?: string, code: ErrorCode = 'invalid_descriptor'): never {
  throw new SchemaError(`fromJSON: ${path}: ${problem}${fix === undefined ? '' : `; ${fix}`}`, path, code);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !isArray(v);
}

/** `Array.isArray`, false for a revoked proxy (which it throws for): {@link ownData} then refuses it with a code. */
function isArray(v: unknown): v is unknown[] {
  try {
    return Array.isArray(v);
  } catch {
    return false;
  }
}

/**
 * The own properties of a descriptor object (or array), read once each into a plain object without
 * a prototype: what the reader looks at from then on. A descriptor from a file or another thread
 * is plain data (JSON.parse and structured clone make nothing else), so a getter, a proxy whose
 * traps throw, or a hole in an array is refused; and nothing is read through the prototype (a
 * polluted `Object.prototype.kind` must not make `{}` a struct).
 */
function ownData(v: object, path: string): Record<string, unknown> {
  const out = Object.create(null) as Record<string, unknown>;
  try {
    for (const k of Object.keys(v)) {
      const d = Object.getOwnPropertyDescriptor(v, k);
      if (d === undefined || !('value' in d))
        fail(
          path,
          `has a property ${named(k)} that is not plain data (a getter, or one that vanished)`,
          'pass a descriptor as JSON.parse or structured clone makes it',
        );
      out[k] = d.value;
    }
  } catch (e) {
    if (e instanceof SchemaError) throw e;
    fail(path, `cannot be read (${(e as Error).message})`, 'pass a descriptor as JSON.parse or structured clone makes it');
  }
  return out;
}

/** The elements of a descriptor's array, read once each (see {@link ownData}); a hole is refused. */
function ownElements(v: unknown[], path: string): unknown[] {
  const data = ownData(v, path);
  const length = v.length;
  const out: unknown[] = [];
  for (let i = 0; i < length; i++) {
    if (!Object.hasOwn(data, String(i))) fail(`${path}[${i}]`, 'is a hole in the array', 'list every field');
    out.push(data[String(i)]);
  }
  return out;
}

function onlyKeys(v: Record<string, unknown>, allowed: readonly string[], path: string): void {
  for (const k of Object.keys(v)) if (!allowed.includes(k)) fail(path, `has unknown key ${named(k)}`, `allowed keys: ${allowed.join(', ')}`);
}

/**
 * Rebuilds a schema from its descriptor (an object or JSON text). Every part is validated with the
 * same rules as the DSL; a bad descriptor is a `SchemaError` naming the path inside the document.
 *
 * @example
 * ```ts
 * import { fromJSON, toJSON, fingerprint, struct, u32 } from 'sharedctypes';
 * const A = struct({ id: u32 });
 * const B = fromJSON(JSON.stringify(toJSON(A)));
 * fingerprint(A) === fingerprint(B); // true
 * ```
 */
export function fromJSON(doc: SchemaJSON | string | unknown): Schema {
  let value: unknown = doc;
  if (typeof doc === 'string') {
    try {
      value = JSON.parse(doc);
    } catch (e) {
      fail('(document)', `is not valid JSON (${(e as Error).message})`);
    }
  }
  if (!isObject(value)) fail('(document)', `is ${describeValue(value)}`, `expected { format: '${FORMAT}', root }`);
  const top = ownData(value, '(document)');
  onlyKeys(top, ['format', 'types', 'root'], '(document)');
  if (top['format'] !== FORMAT) fail('format', `is ${describeValue(top['format'])}`, `expected '${FORMAT}'`);
  const reader = new Reader();
  const rawTypes = top['types'];
  const declared: [string, Schema][] = [];
  if (rawTypes !== undefined) {
    if (!isObject(rawTypes)) fail('types', `is ${describeValue(rawTypes)}`, 'expected an object of named types');
    for (const [key, t] of Object.entries(ownData(rawTypes, 'types'))) {
      const s = reader.read(t, `types.${key}`, 0);
      reader.named.set(key, s);
      declared.push([`types.${key}`, s]);
    }
  }
  const root = reader.read(top['root'], 'root', 0);
  // The layout rules (size, locks under pack or in big-endian records…) are checked here, not on
  // first use: a descriptor from elsewhere is accepted or refused as a whole. Linear: named types
  // are laid out once.
  for (const [path, s] of [...declared, ['root', root] as [string, Schema]]) {
    try {
      layout(s);
    } catch (e) {
      if (e instanceof SchemaError) fail(path, e.message, undefined, e.code);
      throw e;
    }
  }
  return root;
}

/**
 * Reads the types of one descriptor. A descriptor object received from another thread may share
 * sub-objects (structured clone keeps them): each object is read once, so the work stays linear in
 * the number of distinct objects, and an object that contains itself is refused.
 */
class Reader {
  readonly named = new Map<string, Schema>();
  /** Fields that anonymous members bring into their parents so far (a shared anonymous type counts each time). */
  #hoisted = 0;
  readonly #done = new WeakMap<object, Schema>();
  readonly #reading = new WeakSet<object>();

  read(t: unknown, path: string, depth: number): Schema {
    if (depth > MAX_DEPTH) fail(path, `nests deeper than ${MAX_DEPTH} levels`, undefined, 'too_deep');
    if (typeof t === 'string') {
      if (isPrimitiveName(t)) return PRIMITIVE_SCHEMAS[t];
      fail(path, `has unknown type ${JSON.stringify(t)}`, 'use a primitive name (i32, f64, …) or an object');
    }
    if (!isObject(t)) fail(path, `is ${describeValue(t)}`, 'expected a type');
    const done = this.#done.get(t);
    if (done !== undefined) return done;
    if (this.#reading.has(t)) fail(path, 'contains itself', 'a type cannot contain itself; descriptors are trees or refer to named types');
    this.#reading.add(t);
    try {
      const s = this.#readObject(ownData(t, path), path, depth);
      this.#done.set(t, s);
      return s;
    } finally {
      this.#reading.delete(t);
    }
  }

  #readObject(t: Record<string, unknown>, path: string, depth: number): Schema {
    if ('ref' in t) {
      onlyKeys(t, ['ref'], path);
      const target = typeof t['ref'] === 'string' ? this.named.get(t['ref']) : undefined;
      if (target === undefined) {
        fail(
          path,
          `refers to ${describeValue(t['ref'])}, which is not declared before it`,
          'declare named types in "types" before their use (a type cannot contain itself)',
        );
      }
      return target;
    }
    const kind = t['kind'];
    const wrap = <T>(f: () => T): T => {
      try {
        return f();
      } catch (e) {
        if (e instanceof SchemaError && !e.message.startsWith('fromJSON')) fail(path, e.message, undefined, e.code);
        throw e;
      }
    };
    switch (kind) {
      case 'char':
        onlyKeys(t, ['kind', 'length'], path);
        return wrap(() => char(t['length'] as number));
      case 'sync': {
        onlyKeys(t, ['kind', 'type', 'value', 'lock'], path);
        const kind = typeof t['type'] === 'string' && Object.hasOwn(SYNC_SCHEMAS, t['type']) ? SYNC_SCHEMAS[t['type'] as SyncKind] : undefined;
        if (kind === undefined) fail(`${path}.type`, `is ${describeValue(t['type'])}`, `expected one of ${Object.keys(SYNC_SCHEMAS).join(', ')}`);
        const lock = t['lock'];
        if (lock !== undefined) {
          // A condition over a lock member of its struct; the struct checks that the member is a lock.
          if (t['type'] !== 'condition') fail(`${path}.lock`, `is given for a ${t['type']}`, 'only a condition names a lock member');
          if (typeof lock !== 'string') fail(`${path}.lock`, `is ${describeValue(lock)}`, 'expected the name of a mutex or rmutex member');
          if (t['value'] !== undefined) fail(`${path}.value`, `is given for a condition`, 'a condition has no value');
          return wrap(() => condition(lock));
        }
        if (t['value'] !== undefined && !kind.takesValue) fail(`${path}.value`, `is given for a ${t['type']}`, 'only semaphores and barriers take a value');
        return wrap(() => kind.make(t['value'] as number | undefined));
      }
      case 'array': {
        onlyKeys(t, ['kind', 'of', 'length'], path);
        const element = this.read(t['of'], `${path}.of`, depth + 1);
        const length = t['length'];
        wrap(() => checkLength(length, 'array'));
        return wrap(() => new ArraySchema<Schema, number>(element, length as number));
      }
      case 'struct':
      case 'union': {
        onlyKeys(t, ['kind', 'name', 'pack', 'align', 'endian', 'layout', 'fields'], path);
        const rawFields = t['fields'];
        if (!isArray(rawFields)) fail(`${path}.fields`, `is ${describeValue(rawFields)}`, 'expected an array of fields');
        if (rawFields.length > MAX_FIELDS)
          fail(`${path}.fields`, `has ${rawFields.length} members, more than ${MAX_FIELDS}`, 'split it into nested structs', 'too_many_members');
        const fields = ownElements(rawFields, `${path}.fields`).map((raw: unknown, i): FieldDef => {
          const fp = `${path}.fields[${i}]`;
          if (!isObject(raw)) fail(fp, `is ${describeValue(raw)}`, 'expected { name, type, bits?, align? }');
          const f = ownData(raw, fp);
          onlyKeys(f, ['name', 'type', 'bits', 'align'], fp);
          const name = f['name'];
          if (name !== undefined && typeof name !== 'string') fail(`${fp}.name`, `is ${describeValue(name)}`, 'expected a string');
          const bits = f['bits'];
          if (bits !== undefined && typeof bits !== 'number') fail(`${fp}.bits`, `is ${describeValue(bits)}`, 'expected a number');
          const align = f['align'];
          if (align !== undefined && typeof align !== 'number') fail(`${fp}.align`, `is ${describeValue(align)}`, 'expected a number');
          const type = this.read(f['type'], `${fp}.type`, depth + 1);
          if (name === undefined && bits === undefined && (type.kind === 'struct' || type.kind === 'union')) {
            // An anonymous member copies its fields into the parent: one type used anonymously by
            // many records would multiply them, so the copies are bounded per document.
            this.#hoisted += visibleCount(type);
            if (this.#hoisted > MAX_HOISTED)
              fail(
                fp,
                `anonymous members bring more than ${MAX_HOISTED} fields into their records in all`,
                'declare fewer or smaller anonymous members',
                'too_many_members',
              );
          }
          return { name: name ?? null, type, bits: bits ?? null, align: align ?? null };
        });
        const options: Record<string, unknown> = {};
        for (const k of ['name', 'pack', 'align', 'endian', 'layout'] as const) if (t[k] !== undefined) options[k] = t[k];
        return wrap(() => makeRecord(kind, fields, options as RecordOptions));
      }
      default:
        return fail(path, `has kind ${describeValue(kind)}`, "expected 'char', 'array', 'struct', 'union', 'sync' or a { ref }");
    }
  }
}
