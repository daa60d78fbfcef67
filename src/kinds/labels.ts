/**
 * How types and values are named in messages: `typeLabel` (`u8`, `char[16]`, `f32[3]`,
 * `struct Particle`) and a short description of any value.
 *
 * @module
 */
import { quoted } from '../errors.js';
import type { Schema } from '../types/schema.js';

/**
 * Human-readable name of a type, as used in messages: `u8`, `char[16]`, `f32[3]`, `struct Particle`.
 *
 * @example
 * ```ts
 * import { array, f32, typeLabel } from 'sharedctypes';
 * typeLabel(array(f32, [4, 4])); // 'f32[4][4]'
 * ```
 */
export function typeLabel(schema: Schema): string {
  switch (schema.kind) {
    case 'primitive':
      return schema.name;
    case 'char':
      return `char[${schema.length}]`;
    case 'array': {
      let dims = '';
      let inner: Schema = schema;
      while (inner.kind === 'array') {
        dims += `[${inner.length}]`;
        inner = inner.element;
      }
      return `${typeLabel(inner)}${dims}`;
    }
    case 'struct':
    case 'union':
      return `${schema.kind} ${schema.options.name ?? '(anonymous)'}`;
    case 'sync':
      if (schema.lock !== null) return `${schema.sync}('${schema.lock}')`;
      return schema.param === 0 ? `${schema.sync}()` : `${schema.sync}(${schema.param})`;
  }
}

/**
 * A short description of an arbitrary value for error messages: never the source of a function,
 * and at most `QUOTED_MAX` characters (src/errors.ts) of a string (a value from a file or another thread
 * can be of any size).
 */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'function') return `the function ${value.name === '' ? '(anonymous)' : value.name}`;
  if (typeof value === 'string') return `string ${quoted(value)}`;
  return `${typeof value} ${String(value)}`;
}

/** What a message shows for a value that should have been a number: the number, or what it is instead (`string "8"`). */
export function shownNumber(value: unknown): string {
  return typeof value === 'number' ? String(value) : describeValue(value);
}
