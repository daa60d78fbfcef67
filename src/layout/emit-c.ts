/**
 * `toC(T)`: a C declaration with exactly the same layout (gcc/clang, System V), with
 * `_Static_assert`s on every size and offset so a C build checks it, and a run-time check of every
 * bitfield's bits (C has no constant expression for those).
 *
 * @module
 */
import { PRIMITIVES } from '../kinds/primitives.js';
import type { LayoutRules, Schema } from '../types/schema.js';
import { allOnesHex, bitfieldBytes } from './bitfield-bytes.js';
import { layout, sameUnder } from './compute.js';
import { type Declaration, type Declarations, declarationsOf } from './declarations.js';
import { NameScope, renamedNote, rootNameOption } from './emitted-names.js';
import { C_NAMES } from './names-c.js';
import type { Layout, RecordLayout } from './types.js';

/** `toC()` (src/types) of a schema. */
export function cSourceOf(schema: Schema, options: { readonly name?: string } = {}): string {
  const requested = rootNameOption('toC', options);
  const decls = declarationsOf(schema, C_NAMES, true);
  const out = ['#include <stdbool.h>', '#include <stddef.h>', '#include <stdint.h>', ''];
  if (decls.list.some((d) => d.layout.endian === 'big')) out.push(...BIG_ENDIAN_GUARD, '');
  if (decls.list.some((d) => d.layout.rules === 'msvc')) out.push(...MSVC_ALIGN, '');
  if (usesF16(decls)) out.push(...F16_GUARD, '');
  const asserts: string[] = [];
  for (const d of decls.list) {
    out.push(...declare(d, decls), '');
    asserts.push(...assertsFor(d));
  }
  // Typedef and function names share C's ordinary namespace (tags have their own).
  const ordinary = new NameScope(C_NAMES.reservedType, C_NAMES.respell);
  const root = layout(schema);
  if (root.kind !== 'struct' && root.kind !== 'union') {
    const wanted = requested ?? 'root_t';
    const name = ordinary.claim(wanted);
    const { base, dims } = typeName(root, decls);
    out.push(`typedef ${base} ${name}${dims};${name === wanted ? '' : `  /* ${renamedNote(wanted, 'C')} */`}`, '');
    asserts.push(
      `_Static_assert(sizeof(${name}) == ${root.size}, "sizeof(${name})");`,
      `_Static_assert(_Alignof(${name}) == ${root.align}, "_Alignof(${name})");`,
    );
  }
  const checks = decls.list.flatMap((d) => bitsCheck(d, ordinary));
  if (checks.length > 0) checks.unshift('', ...BITS_CHECK_NOTE);
  return [...out, ...asserts, ...checks, ''].join('\n');
}

/** Before big-endian records: without `scalar_storage_order` (clang ignores it) they would silently be little-endian. */
const BIG_ENDIAN_GUARD = [
  '/* The big-endian records below need scalar_storage_order (gcc 6+); a compiler without it',
  '   (clang warns and ignores it) would lay them out little-endian with every assert holding. */',
  '#if defined(__has_attribute)',
  '#if !__has_attribute(scalar_storage_order)',
  '#error "scalar_storage_order is not supported: big-endian records would be little-endian"',
  '#endif',
  '#endif',
];

/** Records with layout: 'msvc' spell alignment so that MSVC and gcc/clang both read it. */
const MSVC_ALIGN = [
  "/* Records with layout: 'msvc' are laid out by Microsoft's rules (MSVC, clang-cl, clang",
  '   --target=*-windows-msvc); a record whose layout needs them says so below with an #error guard. */',
  '#if defined(_MSC_VER)',
  '#define SCT_ALIGN(n) __declspec(align(n))',
  '#else',
  '#define SCT_ALIGN(n) __attribute__((aligned(n)))',
  '#endif',
];

/** Before records holding `_Float16`: gcc 12+ (x86-64, aarch64) and clang 15+ have it, and define __FLT16_MAX__ then. */
const F16_GUARD = ['#if !defined(__FLT16_MAX__)', '#error "_Float16 is not supported by this compiler or target"', '#endif'];

function usesF16(decls: Declarations): boolean {
  return decls.list.some((d) =>
    d.layout.fields.some((f) => {
      let l = f.layout;
      while (l.kind === 'array') l = l.element;
      return l.kind === 'primitive' && l.name === 'f16';
    }),
  );
}

/** Which compilers lay records out by which rules (checked in this order). */
const RULES_OF_COMPILER: readonly (readonly [LayoutRules, string, string])[] = [
  ['msvc', 'defined(_MSC_VER)', 'MSVC and clang for Windows lay it out by the msvc rules'],
  ['aarch64', 'defined(__aarch64__)', 'gcc and clang for aarch64 lay it out by the aarch64 rules'],
  ['sysv', '', 'this compiler lays it out by the sysv rules (gcc, clang)'],
];

/**
 * An #error for each kind of compiler that would lay the record out otherwise than its rules say
 * (only where its placement differs: most records are the same under every rules).
 */
function rulesGuard(d: Declaration): string[] {
  const l = d.layout;
  const branches: string[] = [];
  let any = false;
  for (const [rules, test, what] of RULES_OF_COMPILER) {
    const same = sameUnder(l, rules);
    any ||= !same;
    const body = same ? '' : `\n#error "${l.kind} ${d.id} has layout: '${l.rules}', but ${what}"`;
    branches.push(`${test === '' ? '#else' : `${branches.length === 0 ? '#if' : '#elif'} ${test}`}${body}`);
  }
  if (!any) return [];
  return [...branches.join('\n').split('\n'), '#endif'];
}

const BITS_CHECK_NOTE = [
  '/* Bit positions are not constant expressions in C: each <tag>_bits_ok() below stores all ones',
  '   into each bitfield of a zeroed object and returns 1 if exactly the bytes sharedctypes expects',
  '   change. Call it once at startup, e.g. assert(Flags_bits_ok()). */',
];

/** The C type of a member: base type and array dimensions. */
function typeName(l: Layout, decls: Declarations): { base: string; dims: string } {
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
      return { base: `${inner.kind} ${decls.of(inner).id}`, dims };
  }
}

function declare(d: Declaration, decls: Declarations): string[] {
  const l = d.layout;
  const lines: string[] = rulesGuard(d);
  const attrs: string[] = [];
  const msvc = l.rules === 'msvc';
  if (l.schema.options.align !== undefined && !msvc) attrs.push(`aligned(${l.schema.options.align})`);
  if (l.endian === 'big') attrs.push('scalar_storage_order("big-endian")');
  const pack = l.schema.options.pack;
  if (pack !== undefined) lines.push(`#pragma pack(push, ${pack})`);
  const note = d.renamed ? `  /* ${renamedNote(l.schema.options.name ?? '', 'C')} */` : '';
  const declspec = l.schema.options.align !== undefined && msvc ? ` SCT_ALIGN(${l.schema.options.align})` : '';
  lines.push(`${l.kind}${declspec}${attrs.length > 0 ? ` __attribute__((${attrs.join(', ')}))` : ''} ${d.id} {${note}`);
  members(l, d, decls, '  ', lines, pack);
  lines.push('};');
  if (pack !== undefined) lines.push('#pragma pack(pop)');
  return lines;
}

/**
 * The member lines of a record; an anonymous struct or union member is written inline (C11), with
 * its own pack and align. `pragma` is the `#pragma pack` in effect there: compilers read it at the
 * braces of every record, an anonymous one's too, so an anonymous member without `pack` inside a
 * packed record is written under `#pragma pack()`.
 */
function members(l: RecordLayout, d: Declaration, decls: Declarations, indent: string, lines: string[], pragma: number | undefined): void {
  const msvc = l.rules === 'msvc';
  for (const f of l.schema.fields) {
    const name = f.name === null ? null : d.member(f.name);
    const renamed = f.name !== null && name !== f.name ? `  /* ${renamedNote(f.name, 'C')} */` : '';
    if (f.bits !== null) {
      const t = f.type.kind === 'primitive' ? PRIMITIVES[f.type.name].c : 'int';
      lines.push(`${indent}${t}${name === null ? '' : ` ${name}`} : ${f.bits};${renamed}`);
      continue;
    }
    const member = layout(f.type, l.endian);
    if (name === null && (member.kind === 'struct' || member.kind === 'union')) {
      const { pack, align } = member.schema.options;
      const reset = pack === undefined && pragma !== undefined;
      if (pack !== undefined) lines.push(`#pragma pack(push, ${pack})`);
      else if (reset) lines.push('#pragma pack(push)', '#pragma pack()');
      const attrs = align === undefined || msvc ? [] : [`aligned(${align})`];
      // gcc does not carry scalar_storage_order into an anonymous member: it is stated on it too.
      if (member.endian === 'big') attrs.push('scalar_storage_order("big-endian")');
      const declspec = align !== undefined && msvc ? ` SCT_ALIGN(${align})` : '';
      const attributes = attrs.length > 0 ? ` __attribute__((${attrs.join(', ')}))` : '';
      lines.push(`${indent}${member.kind}${declspec}${attributes} {  /* anonymous: its members are ${d.layout.kind} ${d.id}'s */`);
      members(member, d, decls, `${indent}  `, lines, pack);
      lines.push(`${indent}};`);
      if (pack !== undefined || reset) lines.push('#pragma pack(pop)');
      continue;
    }
    const { base, dims } = typeName(member, decls);
    if (f.align !== null && msvc) lines.push(`${indent}SCT_ALIGN(${f.align}) ${base} ${name}${dims};${renamed}`);
    else lines.push(`${indent}${base} ${name}${dims}${f.align === null ? '' : ` __attribute__((aligned(${f.align})))`};${renamed}`);
  }
}

function assertsFor(d: Declaration): string[] {
  const l = d.layout;
  const t = `${l.kind} ${d.id}`;
  const lines = [`_Static_assert(sizeof(${t}) == ${l.size}, "sizeof(${t})");`, `_Static_assert(_Alignof(${t}) == ${l.align}, "_Alignof(${t})");`];
  for (const f of l.fields) {
    const m = d.member(f.name);
    if (f.bits === null) lines.push(`_Static_assert(offsetof(${t}, ${m}) == ${f.offset}, "offsetof(${t}, ${m})");`);
  }
  return lines;
}

/** `static inline int <tag>_bits_ok(void)` for a record with named bitfields, or nothing. */
function bitsCheck(d: Declaration, ordinary: NameScope): string[] {
  const l = d.layout;
  const fields = l.fields.filter((f) => f.bits !== null);
  if (fields.length === 0) return [];
  const t = `${l.kind} ${d.id}`;
  const lines = [
    '',
    `static inline int ${ordinary.claim(`${d.id}_bits_ok`)}(void) {`,
    `  ${t} s;`,
    '  unsigned char *b = (unsigned char *)&s;',
    '  size_t k;',
    '  int ok = 1;',
  ];
  for (const f of fields) {
    const bits = f.bits;
    if (bits === null) continue;
    const { first, mask } = bitfieldBytes(bits, l.endian);
    const ones = bits.type === 'bool' ? '1' : bits.signed ? '-1' : `0x${allOnesHex(bits.width)}`;
    const expected = mask.map((byte, i) => `k == ${first + i} ? 0x${byte.toString(16).padStart(2, '0')} : `).join('');
    const last = bits.bitOffset + bits.width - 1;
    const where = `${bits.width === 1 ? `bit ${last}` : `bits ${bits.bitOffset}..${last}`}${l.endian === 'big' ? ', MSB-first' : ''}`;
    lines.push(
      '  for (k = 0; k < sizeof s; k++) b[k] = 0;',
      `  s.${d.member(f.name)} = ${ones};  /* ${where} */`,
      `  for (k = 0; k < sizeof s; k++) ok &= b[k] == (${expected}0);`,
    );
  }
  lines.push('  return ok;', '}');
  return lines;
}
