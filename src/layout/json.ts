/**
 * Schemas as data: `toJSON` writes the canonical JSON descriptor (docs/schema-json.md), `fromJSON`
 * rebuilds an equivalent schema from it, validating everything, so a descriptor from another
 * thread or a file can never produce a wrong layout (or code).
 *
 * @module
 */
import { SchemaError } from '../errors.js';
import { describeValue } from '../types/builtins.js';
import { PRIMITIVE_SCHEMAS } from '../types/builtins.js';
import { isPrimitiveName, type PrimitiveName } from '../types/primitives.js';
import { makeRecord } from '../types/record.js';
import { char } from '../types/char.js';
import { ArraySchema, type FieldDef, type RecordOptions, type RecordSchema, type Schema, type SyncKind } from '../types/schema.js';
import { barrier, boundedSemaphore, condition, event, mutex, rmutex, semaphore } from '../types/sync.js';
import { checkLength } from '../types/char.js';

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
  readonly fields: readonly FieldJSON[];
}

/** A field in a descriptor; `name` absent only for unnamed bitfields. */
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
export function toJSON(schema: Schema): SchemaJSON {
  const types: Record<string, TypeJSON> = {};
  const keys = new Map<RecordSchema, string>();
  const used = new Set<string>();
  const write = (s: Schema): TypeJSON => {
    switch (s.kind) {
      case 'primitive':
        return s.name;
      case 'char':
        return { kind: 'char', length: s.length };
      case 'sync':
        if (s.lock !== null) return { kind: 'sync', type: s.sync, lock: s.lock }; // condition('lock')
        return s.param === 0 ? { kind: 'sync', type: s.sync } : { kind: 'sync', type: s.sync, value: s.param };
      case 'array':
        return { kind: 'array', of: write(s.element), length: s.length };
      case 'struct':
      case 'union': {
        const known = keys.get(s);
        if (known !== undefined) return { ref: known };
        const fields = s.fields.map((f): FieldJSON => {
          const type = write(f.type);
          if (f.bits === null) return f.align === null ? { name: f.name as string, type } : { name: f.name as string, type, align: f.align };
          return f.name === null ? { type, bits: f.bits } : { name: f.name, type, bits: f.bits };
        });
        const { name, pack, align, endian } = s.options;
        const record: RecordJSON = {
          kind: s.kind,
          ...(name !== undefined && { name }),
          ...(pack !== undefined && { pack }),
          ...(align !== undefined && { align }),
          ...(endian !== undefined && { endian }),
          fields,
        };
        if (name === undefined) return record;
        let key = name;
        for (let n = 2; used.has(key); n++) key = `${name}_${n}`;
        used.add(key);
        keys.set(s, key);
        Object.defineProperty(types, key, { value: record, enumerable: true, writable: true, configurable: true });
        return { ref: key };
      }
    }
  };
  const root = write(schema);
  return Object.keys(types).length === 0 ? { format: FORMAT, root } : { format: FORMAT, types, root };
}

const MAX_DEPTH = 64;

const SYNC_FACTORIES: Record<SyncKind, (value: number | undefined) => Schema> = {
  mutex: () => mutex(),
  rmutex: () => rmutex(),
  semaphore: (v) => semaphore(v),
  boundedSemaphore: (v) => boundedSemaphore(v),
  event: () => event(),
  condition: () => condition(),
  barrier: (v) => barrier(v as number),
};

function fail(path: string, problem: string, fix?: string): never {
  throw new SchemaError(`fromJSON: ${path}: ${problem}${fix === undefined ? '' : `; ${fix}`}`, path);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function onlyKeys(v: Record<string, unknown>, allowed: readonly string[], path: string): void {
  for (const k of Object.keys(v)) if (!allowed.includes(k)) fail(path, `has unknown key '${k}'`, `allowed keys: ${allowed.join(', ')}`);
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
  onlyKeys(value, ['format', 'types', 'root'], '(document)');
  if (value['format'] !== FORMAT) fail('format', `is ${describeValue(value['format'])}`, `expected '${FORMAT}'`);
  const named = new Map<string, Schema>();
  const rawTypes = value['types'];
  if (rawTypes !== undefined) {
    if (!isObject(rawTypes)) fail('types', `is ${describeValue(rawTypes)}`, 'expected an object of named types');
    for (const [key, t] of Object.entries(rawTypes)) {
      named.set(key, read(t, `types.${key}`, named, 0));
    }
  }
  return read(value['root'], 'root', named, 0);
}

function read(t: unknown, path: string, named: ReadonlyMap<string, Schema>, depth: number): Schema {
  if (depth > MAX_DEPTH) fail(path, `nests deeper than ${MAX_DEPTH} levels`);
  if (typeof t === 'string') {
    if (isPrimitiveName(t)) return PRIMITIVE_SCHEMAS[t];
    fail(path, `has unknown type ${JSON.stringify(t)}`, 'use a primitive name (i32, f64, …) or an object');
  }
  if (!isObject(t)) fail(path, `is ${describeValue(t)}`, 'expected a type');
  if ('ref' in t) {
    onlyKeys(t, ['ref'], path);
    const target = typeof t['ref'] === 'string' ? named.get(t['ref']) : undefined;
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
      if (e instanceof SchemaError && !e.message.startsWith('fromJSON')) fail(path, e.message);
      throw e;
    }
  };
  switch (kind) {
    case 'char':
      onlyKeys(t, ['kind', 'length'], path);
      return wrap(() => char(t['length'] as number));
    case 'sync': {
      onlyKeys(t, ['kind', 'type', 'value', 'lock'], path);
      const make = SYNC_FACTORIES[t['type'] as SyncKind];
      if (typeof t['type'] !== 'string' || !Object.hasOwn(SYNC_FACTORIES, t['type']) || make === undefined) {
        fail(`${path}.type`, `is ${describeValue(t['type'])}`, `expected one of ${Object.keys(SYNC_FACTORIES).join(', ')}`);
      }
      const lock = t['lock'];
      if (lock !== undefined) {
        // A condition over a lock member of its struct; the struct checks that the member is a lock.
        if (t['type'] !== 'condition') fail(`${path}.lock`, `is given for a ${t['type']}`, 'only a condition names a lock member');
        if (typeof lock !== 'string') fail(`${path}.lock`, `is ${describeValue(lock)}`, 'expected the name of a mutex or rmutex member');
        if (t['value'] !== undefined) fail(`${path}.value`, `is given for a condition`, 'a condition has no value');
        return wrap(() => condition(lock));
      }
      return wrap(() => make(t['value'] as number | undefined));
    }
    case 'array': {
      onlyKeys(t, ['kind', 'of', 'length'], path);
      const element = read(t['of'], `${path}.of`, named, depth + 1);
      const length = t['length'];
      wrap(() => checkLength(length, 'array'));
      return new ArraySchema<Schema, number>(element, length as number);
    }
    case 'struct':
    case 'union': {
      onlyKeys(t, ['kind', 'name', 'pack', 'align', 'endian', 'fields'], path);
      const rawFields = t['fields'];
      if (!Array.isArray(rawFields)) fail(`${path}.fields`, `is ${describeValue(rawFields)}`, 'expected an array of fields');
      const fields = rawFields.map((f: unknown, i): FieldDef => {
        const fp = `${path}.fields[${i}]`;
        if (!isObject(f)) fail(fp, `is ${describeValue(f)}`, 'expected { name, type, bits?, align? }');
        onlyKeys(f, ['name', 'type', 'bits', 'align'], fp);
        const name = f['name'];
        if (name !== undefined && typeof name !== 'string') fail(`${fp}.name`, `is ${describeValue(name)}`, 'expected a string');
        const bits = f['bits'];
        if (bits !== undefined && typeof bits !== 'number') fail(`${fp}.bits`, `is ${describeValue(bits)}`, 'expected a number');
        const align = f['align'];
        if (align !== undefined && typeof align !== 'number') fail(`${fp}.align`, `is ${describeValue(align)}`, 'expected a number');
        return { name: name ?? null, type: read(f['type'], `${fp}.type`, named, depth + 1), bits: bits ?? null, align: align ?? null };
      });
      const options: Record<string, unknown> = {};
      for (const k of ['name', 'pack', 'align', 'endian'] as const) if (t[k] !== undefined) options[k] = t[k];
      return wrap(() => makeRecord(kind, fields, options as RecordOptions));
    }
    default:
      return fail(path, `has kind ${describeValue(kind)}`, "expected 'char', 'array', 'struct', 'union', 'sync' or a { ref }");
  }
}
