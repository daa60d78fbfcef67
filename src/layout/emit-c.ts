/**
 * `toC(T)`: a C declaration with exactly the same layout (gcc/clang, System V), with
 * `_Static_assert`s on every size and offset so a C build checks it.
 *
 * @module
 */
import { resolveSchema } from '../types/builtins.js';
import { PRIMITIVES } from '../types/primitives.js';
import type { SchemaLike } from '../types/schema.js';
import { layout } from './compute.js';
import { declarationsOf } from './declarations.js';
import type { Layout, RecordLayout } from './types.js';

/**
 * C source declaring `type` (structs and unions, with `#pragma pack`, `aligned` and
 * `scalar_storage_order` where needed) and asserting its layout.
 *
 * @example
 * ```ts
 * import { toC, struct, u8, f64 } from 'sharedctypes';
 * toC(struct({ tag: u8, x: f64 }, { name: 'Item' }));
 * // struct Item {
 * //   uint8_t tag;
 * //   double x;
 * // };
 * // _Static_assert(sizeof(struct Item) == 16, "sizeof(struct Item)");
 * // …
 * ```
 */
export function toC(type: SchemaLike, options: { readonly name?: string } = {}): string {
  const schema = resolveSchema(type, 'toC', '');
  const decls = declarationsOf(schema);
  const typeName = (l: Layout): { base: string; dims: string } => {
    let dims = '';
    let inner = l;
    while (inner.kind === 'array') {
      dims += `[${inner.length}]`;
      inner = inner.element;
    }
    switch (inner.kind) {
      case 'primitive':
        return { base: PRIMITIVES[inner.name].c, dims };
      case 'char':
        return { base: 'char', dims: `${dims}[${inner.length}]` };
      case 'sync':
        return { base: 'int32_t', dims: `${dims}[${inner.size / 4}]` };
      case 'struct':
      case 'union':
        return { base: `${inner.kind} ${decls.idOf(inner)}`, dims };
    }
  };
  const out = ['#include <stdbool.h>', '#include <stddef.h>', '#include <stdint.h>', ''];
  const asserts: string[] = [];
  for (const { id, layout: l } of decls.list) {
    const attrs: string[] = [];
    if (l.schema.options.align !== undefined) attrs.push(`aligned(${l.schema.options.align})`);
    if (l.endian === 'big') attrs.push('scalar_storage_order("big-endian")');
    const pack = l.schema.options.pack;
    if (pack !== undefined) out.push(`#pragma pack(push, ${pack})`);
    out.push(`${l.kind}${attrs.length > 0 ? ` __attribute__((${attrs.join(', ')}))` : ''} ${id} {`);
    for (const f of l.schema.fields) {
      if (f.bits !== null) {
        const t = f.type.kind === 'primitive' ? PRIMITIVES[f.type.name].c : 'int';
        out.push(`  ${t}${f.name === null ? '' : ` ${f.name}`} : ${f.bits};`);
      } else {
        const member = layout(f.type, l.endian);
        const { base, dims } = typeName(member);
        out.push(`  ${base} ${f.name as string}${dims}${f.align === null ? '' : ` __attribute__((aligned(${f.align})))`};`);
      }
    }
    out.push('};');
    if (pack !== undefined) out.push('#pragma pack(pop)');
    out.push('');
    asserts.push(...assertsFor(id, l));
  }
  const root = layout(schema);
  if (root.kind !== 'struct' && root.kind !== 'union') {
    const name = options.name ?? 'root_t';
    const { base, dims } = typeName(root);
    out.push(`typedef ${base} ${name}${dims};`, '');
    asserts.push(
      `_Static_assert(sizeof(${name}) == ${root.size}, "sizeof(${name})");`,
      `_Static_assert(_Alignof(${name}) == ${root.align}, "_Alignof(${name})");`,
    );
  }
  return [...out, ...asserts, ''].join('\n');
}

function assertsFor(id: string, l: RecordLayout): string[] {
  const t = `${l.kind} ${id}`;
  const lines = [`_Static_assert(sizeof(${t}) == ${l.size}, "sizeof(${t})");`, `_Static_assert(_Alignof(${t}) == ${l.align}, "_Alignof(${t})");`];
  for (const f of l.fields) {
    if (f.bits === null) lines.push(`_Static_assert(offsetof(${t}, ${f.name}) == ${f.offset}, "offsetof(${t}, ${f.name})");`);
  }
  return lines;
}
