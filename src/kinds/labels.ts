/**
 * How types are named in messages: `typeLabel` (`u8`, `char[16]`, `f32[3]`, `struct Particle`);
 * values are described by `describeValue` (src/errors.ts).
 *
 * @module
 */
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
