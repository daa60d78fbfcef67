// A schema from another thread or a file can never inject code: names are validated before any
// code is generated, and generated code refers to members by index, never by name.
import { describe, expect, it } from 'vitest';
import { fromJSON, SchemaError } from '../../src/index.js';

const hostile = ['a"]; globalThis.pwned = 1; //', 'a\u2028b', '__proto__', 'constructor', "x'+(globalThis.pwned=1)+'", 'a b', '1a', ''];

describe('code injection', () => {
  it.each(hostile)('field name %j is refused', (name) => {
    expect(() => fromJSON({ format: 'sharedctypes/1', root: { kind: 'struct', fields: [{ name, type: 'u8' }] } })).toThrow(SchemaError);
  });
  it.each(hostile.filter((n) => n !== 'constructor'))('type name %j is refused', (name) => {
    expect(() => fromJSON({ format: 'sharedctypes/1', root: { kind: 'struct', name, fields: [{ name: 'a', type: 'u8' }] } })).toThrow(SchemaError);
  });
  it('numbers must be numbers: a length or width given as text is refused', () => {
    expect(() => fromJSON({ format: 'sharedctypes/1', root: { kind: 'char', length: '4);globalThis.pwned=1;(' } })).toThrow(SchemaError);
    expect(() => fromJSON({ format: 'sharedctypes/1', root: { kind: 'struct', fields: [{ name: 'a', type: 'u8', bits: '1' }] } })).toThrow(SchemaError);
    expect((globalThis as { pwned?: unknown }).pwned).toBeUndefined();
  });
});
