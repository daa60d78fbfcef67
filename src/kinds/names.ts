/**
 * Field and type names: C identifiers, never a view's own member names.
 *
 * @module
 */
import { describeValue, quoted, SchemaError, schemaError } from '../errors.js';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Names a struct field may not have, because views use them (or JS gives them meaning). */
export const RESERVED_FIELD_NAMES: ReadonlySet<string> = new Set([
  'toObject',
  'set',
  'toJSON',
  'then',
  'constructor',
  'toString',
  'toLocaleString',
  'valueOf',
  'hasOwnProperty',
  'isPrototypeOf',
  'propertyIsEnumerable',
]);

/** Whether `name` is a C identifier (and so also safe as a JS property name and in generated code). */
export function isIdentifier(name: unknown): name is string {
  return typeof name === 'string' && name.length <= 255 && IDENTIFIER.test(name);
}

/** Checks a field name; throws a `SchemaError` naming the type and the field. */
export function checkFieldName(name: string, typeLabel: string): void {
  if (name === '') throw new SchemaError(`${typeLabel}: field '' has an empty name; give every field a C identifier as name`, '', 'invalid_name');
  if (!isIdentifier(name)) {
    throw schemaError(
      'invalid_name',
      typeLabel,
      name,
      'is not a C identifier',
      'use letters, digits and _ only, not starting with a digit (at most 255 characters)',
    );
  }
  if (RESERVED_FIELD_NAMES.has(name) || name.startsWith('__')) {
    throw schemaError('invalid_name', typeLabel, name, 'has a reserved name (views use it, or JS gives it a meaning)', 'rename the field');
  }
}

/** Checks a struct/union type name. */
export function checkTypeName(name: unknown, kind: string): void {
  if (!isIdentifier(name)) {
    throw schemaError(
      'invalid_name',
      `${kind}`,
      '',
      `has name ${typeof name === 'string' ? quoted(name) : describeValue(name)}, which is not a C identifier`,
      'use letters, digits and _ only, not starting with a digit',
    );
  }
  if (name.startsWith('__'))
    throw schemaError('invalid_name', `${kind}`, '', `has name ${quoted(name)}; names starting with __ are reserved`, 'rename the type');
}
