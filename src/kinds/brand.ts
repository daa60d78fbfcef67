/**
 * What makes an object a schema: the mark every schema class carries on its prototype (set where
 * the classes are defined, src/types/schema.ts), so that every layer can tell a schema from a
 * look-alike (`{ kind: 'struct' }`, a parsed JSON object) without importing the classes.
 *
 * @module
 */
import { describeValue, schemaError } from '../errors.js';
import type { Schema } from '../types/schema.js';
import { quoted } from '../errors.js';
import { isTypecode, TYPECODE_TYPES } from './typecodes.js';

/** The mark on the prototype of every schema class; not exported by the package. */
export const SCHEMA_BRAND: unique symbol = Symbol('sharedctypes.schema');

/**
 * Whether `value` is a schema made by this library.
 *
 * @example
 * ```ts
 * import { isSchema, struct, u8 } from 'sharedctypes';
 * isSchema(struct({ a: u8 })); // true
 * isSchema({ kind: 'struct' }); // false
 * ```
 */
export function isSchema(value: unknown): value is Schema {
  // The mark is on the schemas' prototype, and so is on the prototype itself: a schema also has a
  // kind (the prototype passed for one, and crashed deeper down with the engine's TypeError).
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { readonly [SCHEMA_BRAND]?: unknown })[SCHEMA_BRAND] === true &&
    typeof (value as { readonly kind?: unknown }).kind === 'string'
  );
}

/**
 * Checks that `value` is a schema or a typecode: anything else (an unknown typecode, any other
 * value) is a `SchemaError` naming `typeLabel` and `path` (e.g. `struct Particle`, `id`).
 */
export function checkSchemaLike(value: unknown, typeLabel: string, path: string): void {
  if (isSchema(value) || isTypecode(value)) return;
  if (typeof value === 'string') {
    throw schemaError(
      'invalid_type',
      typeLabel,
      path,
      `has unknown typecode ${quoted(value)}`,
      `use one of ${Object.keys(TYPECODE_TYPES)
        .map((c) => `'${c}'`)
        .join(' ')} or a schema such as i32`,
    );
  }
  // A schema-making function passed uncalled (`mutex` for `mutex()`, `char` for `char(16)`).
  const fix = typeof value === 'function' && value.name !== '' ? `call it: ${value.name}(…)` : 'use a schema such as u32, struct({...}) or a typecode';
  throw schemaError('invalid_type', typeLabel, path, `is not a type (got ${describeValue(value)})`, fix);
}
