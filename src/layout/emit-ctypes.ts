/**
 * `toCtypes(T)`: Python ctypes classes for the same layout, with comments where ctypes cannot say
 * what C says.
 *
 * @module
 */
import { resolveSchema } from '../types/builtins.js';
import { PRIMITIVES } from '../types/primitives.js';
import type { SchemaLike } from '../types/schema.js';
import { layout } from './compute.js';
import { declarationsOf } from './declarations.js';
import type { Layout } from './types.js';

/** Names a Python class may not have (C allows them as struct tags). */
const PYTHON_KEYWORDS: ReadonlySet<string> = new Set(
  'False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield ctypes'.split(
    ' ',
  ),
);

/**
 * Python source defining ctypes classes for `type`, ending in `assert`s on every size and offset.
 *
 * What ctypes cannot express is marked in comments: zero-width bitfields (`T : 0`) have no ctypes
 * form, unnamed bitfields get a placeholder name, `align` needs Python 3.13 (`_align_`), and before
 * Python 3.14 ctypes places bitfields by MSVC rules, so structs with bitfields need
 * `_layout_ = 'gcc-sysv'` (3.14+) to match gcc.
 *
 * @example
 * ```ts
 * import { toCtypes, struct, u8, f64 } from 'sharedctypes';
 * toCtypes(struct({ tag: u8, x: f64 }, { name: 'Item' }));
 * // import ctypes
 * //
 * // class Item(ctypes.Structure):
 * //     _fields_ = [
 * //         ('tag', ctypes.c_uint8),
 * //         ('x', ctypes.c_double),
 * //     ]
 * // …
 * ```
 */
export function toCtypes(type: SchemaLike, options: { readonly name?: string } = {}): string {
  const schema = resolveSchema(type, 'toCtypes', '');
  const decls = declarationsOf(schema, PYTHON_KEYWORDS);
  const typeExpr = (l: Layout): string => {
    switch (l.kind) {
      case 'primitive':
        return `ctypes.${PRIMITIVES[l.name].ctypes}`;
      case 'char':
        return `(ctypes.c_char * ${l.length})`;
      case 'sync':
        return `(ctypes.c_int32 * ${l.size / 4})`;
      case 'array':
        return `(${typeExpr(l.element)} * ${l.length})`;
      case 'struct':
      case 'union':
        return decls.idOf(l);
    }
  };
  const out = ['import ctypes', ''];
  const asserts: string[] = [];
  for (const { id, layout: l } of decls.list) {
    const base = `ctypes.${l.endian === 'big' ? 'BigEndian' : ''}${l.kind === 'struct' ? 'Structure' : 'Union'}`;
    out.push('', `class ${id}(${base}):`);
    const hasBits = l.schema.fields.some((f) => f.bits !== null);
    if (hasBits && l.schema.options.pack === undefined) out.push("    _layout_ = 'gcc-sysv'  # Python 3.14+; older ctypes places bitfields by MSVC rules");
    if (l.schema.options.pack !== undefined) out.push(`    _pack_ = ${l.schema.options.pack}`);
    const memberAligned = l.schema.fields.some((f) => f.align !== null);
    if (l.schema.options.align !== undefined || memberAligned) out.push(`    _align_ = ${l.align}  # Python 3.13+`);
    out.push('    _fields_ = [');
    let pad = 0;
    const placedByName = new Map(l.fields.map((x) => [x.name, x]));
    let end = 0; // first byte after the members so far (struct)
    let bitsSeen = false;
    for (const f of l.schema.fields) {
      if (f.bits === null) {
        const placed = placedByName.get(f.name as string);
        if (f.align !== null && placed !== undefined && l.kind === 'struct') {
          // ctypes has no member alignment: explicit padding puts the member where C does.
          if (bitsSeen) out.push(`        # NOT EXPRESSIBLE exactly: aligned(${f.align}) after bitfields; the padding below assumes whole bytes`);
          if (placed.offset > end) out.push(`        ('_align_pad_${pad++}', ctypes.c_char * ${placed.offset - end}),  # C: aligned(${f.align})`);
        }
        out.push(`        ('${f.name as string}', ${typeExpr(layout(f.type, l.endian))}),`);
        if (placed !== undefined) end = Math.max(end, placed.offset + placed.layout.size);
      } else if (f.bits === 0) {
        bitsSeen = true;
        out.push(
          `        # NOT EXPRESSIBLE: C zero-width bitfield ${f.type.kind === 'primitive' ? f.type.name : ''} : 0 (ctypes has none; the layout differs from here on)`,
        );
      } else {
        const t = f.type.kind === 'primitive' ? `ctypes.${PRIMITIVES[f.type.name].ctypes}` : 'ctypes.c_int';
        bitsSeen = true;
        const placed = f.name === null ? undefined : placedByName.get(f.name);
        if (placed?.bits) end = Math.max(end, Math.ceil((placed.bits.bitOffset + placed.bits.width) / 8));
        const name = f.name ?? `_unnamed_${pad++}`;
        out.push(`        ('${name}', ${t}, ${f.bits}),${f.name === null ? '  # unnamed in C (it adds no alignment there)' : ''}`);
      }
    }
    out.push('    ]');
    asserts.push(`assert ctypes.sizeof(${id}) == ${l.size}`, `assert ctypes.alignment(${id}) == ${l.align}`);
    for (const f of l.fields) if (f.bits === null) asserts.push(`assert getattr(${id}, '${f.name}').offset == ${f.offset}`);
  }
  const root = layout(schema);
  if (root.kind !== 'struct' && root.kind !== 'union') {
    const name = options.name ?? 'Root';
    out.push('', `${name} = ${typeExpr(root)}`);
    asserts.push(`assert ctypes.sizeof(${name}) == ${root.size}`);
  }
  return [...out, '', ...asserts, ''].join('\n');
}
