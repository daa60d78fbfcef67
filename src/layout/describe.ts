/**
 * `describe(T)`: a readable layout report in the manner of `pahole`: every member with offset and
 * size, bitfields with their bit position, and the holes and tail padding between them.
 *
 * @module
 */
import { resolveSchema } from '../types/builtins.js';
import { type SchemaLike, typeLabel } from '../types/schema.js';
import { layout } from './compute.js';
import type { Layout, RecordLayout } from './types.js';

function declOf(l: Layout, name: string): string {
  let dims = '';
  let inner = l;
  while (inner.kind === 'array') {
    dims += `[${inner.length}]`;
    inner = inner.element;
  }
  if (inner.kind === 'char') return `char ${name}${dims}[${inner.length}]`;
  if (inner.kind === 'sync') return `${typeLabel(inner.schema)} ${name}${dims}`;
  const base = inner.kind === 'primitive' ? inner.name : typeLabel(inner.schema);
  return `${base} ${name}${dims}`;
}

function comment(offset: string, size: number | string): string {
  return `/* ${offset.padStart(7)} ${String(size).padStart(6)} */`;
}

function padding(bytes: number, what: string, indent: string): string {
  return `${indent}${' '.repeat(17)}/* ${what}: ${bytes} byte${bytes === 1 ? '' : 's'} */`;
}

function innerRecord(l: Layout): RecordLayout | undefined {
  let inner = l;
  while (inner.kind === 'array') inner = inner.element;
  return inner.kind === 'struct' || inner.kind === 'union' ? inner : undefined;
}

function record(l: RecordLayout, base: number, indent: string, out: string[]): void {
  const tags = [`size ${l.size}`, `align ${l.align}`];
  if (l.schema.options.pack !== undefined) tags.push(`pack ${l.schema.options.pack}`);
  if (l.endian === 'big') tags.push('big-endian');
  out.push(`${indent}${typeLabel(l.schema)} {  /* ${tags.join(', ')} */`);
  const inner = `${indent}  `;
  const explicit = new Map(l.schema.fields.map((f) => [f.name, f.align]));
  let end = 0; // first byte after the members so far (structs)
  for (const f of l.fields) {
    const align = explicit.get(f.name);
    const note = align === null || align === undefined ? '' : `  /* aligned(${align}) */`;
    const at = base + f.offset;
    if (l.kind === 'struct' && f.bits === null && f.offset > end) out.push(padding(f.offset - end, 'hole', inner));
    if (f.bits !== null) {
      const bit = f.bits.bitOffset - f.offset * 8;
      out.push(`${inner}${comment(`${at}:${bit}`, f.layout.size)}  ${f.bits.type} ${f.name} : ${f.bits.width};`);
      end = Math.max(end, Math.ceil((f.bits.bitOffset + f.bits.width) / 8));
      continue;
    }
    const nested = innerRecord(f.layout);
    if (nested !== undefined && f.layout.kind !== 'array') {
      out.push(`${inner}${comment(String(at), f.layout.size)}  ${f.name}:${note}`);
      record(nested, at, `${inner}  `, out);
    } else {
      out.push(`${inner}${comment(String(at), f.layout.size)}  ${declOf(f.layout, f.name)};${note}`);
      if (nested !== undefined) {
        out.push(`${inner}${' '.repeat(17)}/* each element: */`);
        record(nested, at, `${inner}  `, out);
      }
    }
    end = Math.max(end, f.offset + f.layout.size);
  }
  if (l.size > end) out.push(padding(l.size - end, l.kind === 'struct' ? 'tail padding' : 'padding', inner));
  out.push(`${indent}};`);
}

/**
 * A readable layout report: offsets (with `byte:bit` for bitfields), sizes, holes and padding.
 *
 * @example
 * ```ts
 * import { describe, struct, u8, f64, bits, u16 } from 'sharedctypes';
 * console.log(describe(struct({ tag: u8, x: f64, kind: bits(u16, 4) }, { name: 'Item' })));
 * // struct Item {  /* size 24, align 8 *\/
 * //   /*       0      1 *\/  u8 tag;
 * //                    /* hole: 7 bytes *\/
 * //   /*       8      8 *\/  f64 x;
 * //   /*    16:0      2 *\/  u16 kind : 4;
 * //                    /* tail padding: 6 bytes *\/
 * // };
 * ```
 */
export function describe(type: SchemaLike): string {
  return describeLayout(layout(resolveSchema(type, 'describe', '')));
}

/** {@link describe} for a computed layout (which may sit in a byte order inherited from a container). */
export function describeLayout(l: Layout): string {
  const out: string[] = [];
  if (l.kind === 'struct' || l.kind === 'union') record(l, 0, '', out);
  else {
    out.push(`${declOf(l, 'value')};  /* size ${l.size}, align ${l.align} */`);
    const nested = innerRecord(l);
    if (nested !== undefined) {
      out.push('/* each element: */');
      record(nested, 0, '', out);
    }
  }
  return out.join('\n');
}
