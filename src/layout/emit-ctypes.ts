/**
 * `toCtypes(T)`: Python ctypes classes for the same layout, with comments where ctypes cannot say
 * what C says, and asserts on every size, offset and bitfield position.
 *
 * @module
 */
import { PRIMITIVES } from '../kinds/primitives.js';
import type { FieldDef, Schema } from '../types/schema.js';
import { allOnesHex, bitfieldBytes } from './bitfield-bytes.js';
import { layout, requiredAlign, sameUnder } from './compute.js';
import { type Declaration, type Declarations, declarationsOf } from './declarations.js';
import { renamedNote, rootNameOption } from './emitted-names.js';
import { CHECK_BITS_HELPER, PYTHON_NAMES } from './names-python.js';
import type { Layout } from './types.js';

/** `toCtypes()` (src/types) of a schema. */
export function ctypesSourceOf(schema: Schema, options: { readonly name?: string } = {}): string {
  const requested = rootNameOption('toCtypes', options);
  const decls = declarationsOf(schema, PYTHON_NAMES);
  const out = ['import ctypes', ''];
  const asserts: string[] = [];
  const bitChecks: string[] = [];
  for (const d of decls.list) {
    out.push('', ...declare(d, decls));
    asserts.push(...assertsFor(d));
    bitChecks.push(...bitsChecksFor(d));
  }
  const root = layout(schema);
  if (root.kind !== 'struct' && root.kind !== 'union') {
    const wanted = requested ?? 'Root';
    const name = decls.types.claim(wanted);
    const note = name === wanted ? '' : `  # ${renamedNote(wanted, 'Python', PYTHON_NAMES.reservedType(wanted))}`;
    out.push('', `${name} = ${typeExpr(root, decls)}${note}`);
    asserts.push(`assert ctypes.sizeof(${name}) == ${root.size}`);
  }
  if (bitChecks.length > 0) out.push('', ...CHECK_BITS);
  return [...out, '', ...asserts, ...bitChecks, ''].join('\n');
}

/**
 * The helper the bitfield checks call (its name is reserved for classes). The object sits between
 * guard bytes: ctypes 3.11 … 3.13 place some bitfields of packed unions at negative offsets, and a
 * store there must show as a difference, not corrupt memory.
 */
const CHECK_BITS = [
  '',
  `def ${CHECK_BITS_HELPER}(cls, name, value, first, mask):`,
  '    """Stores value (all ones) into field name of a zeroed cls: exactly the bytes C sets must change.',
  '    Then reads the field from those bytes (value) and from every other bit set (0)."""',
  '    size = ctypes.sizeof(cls)',
  '    pad = (size + 23) // 16 * 16',
  '    buf = bytearray(pad + size + pad)',
  '    setattr(cls.from_buffer(buf, pad), name, value)',
  '    want = bytes(pad + first) + bytes.fromhex(mask)',
  '    want += bytes(len(buf) - len(want))',
  "    outside = '' if buf[:pad] + buf[pad + size:] == want[:pad] + want[pad + size:] else ' (and bytes outside the object)'",
  "    assert buf == want, '%s.%s: ctypes sets bytes %s%s, C sets %s' % (cls.__name__, name, buf[pad:pad + size].hex(), outside, want[pad:pad + size].hex())",
  '    ones = bytes(want[pad:pad + size])',
  '    others = bytes(b ^ 0xff for b in ones)',
  '    for image, expected in ((ones, value), (others, 0)):',
  '        got = getattr(cls.from_buffer_copy(image), name)',
  "        assert got == expected, '%s.%s: ctypes reads %r from the bytes %s, C reads %r' % (cls.__name__, name, got, image.hex(), expected)",
];

/** The ctypes type of a member (a `bool` in a big-endian record is `c_uint8`: ctypes has no big-endian `c_bool`). */
function typeExpr(l: Layout, decls: Declarations): string {
  switch (l.kind) {
    case 'primitive':
      return `ctypes.${l.name === 'bool' && l.endian === 'big' ? 'c_uint8' : PRIMITIVES[l.name].ctypes}`;
    case 'char':
      return `(ctypes.c_char * ${l.length})`;
    case 'sync':
      return `(ctypes.c_int32 * ${l.size / 4})`;
    case 'array':
      return `(${typeExpr(l.element, decls)} * ${l.length})`;
    case 'struct':
    case 'union':
      return decls.of(l).id;
  }
}

/** The element type of an array (of arrays), or the type itself. */
function elementOf(l: Layout): Layout {
  return l.kind === 'array' ? elementOf(l.element) : l;
}

/** Whether a member's type is a `bool` (or an array of them) written as `c_uint8` (big-endian). */
function bigEndianBool(l: Layout): boolean {
  const e = elementOf(l);
  return e.kind === 'primitive' && e.name === 'bool' && e.endian === 'big';
}

function declare(d: Declaration, decls: Declarations): string[] {
  const l = d.layout;
  const base = `ctypes.${l.endian === 'big' ? 'BigEndian' : ''}${l.kind === 'struct' ? 'Structure' : 'Union'}`;
  const out = [`class ${d.id}(${base}):${d.renamed ? `  # ${renamedNote(l.schema.options.name ?? '', 'Python')}` : ''}`];
  const hasBits = l.schema.fields.some((f) => f.bits !== null);
  if (l.rules === 'msvc') {
    // layout: 'msvc' is what ctypes calls 'ms'; 3.11 … 3.13 have no _layout_ and place bitfields MSVC-like anyway.
    out.push(`    _layout_ = 'ms'  # Python 3.14+; older ctypes ignores it and follows MSVC's rules too${hasBits ? ' (bitfields: see the checks below)' : ''}`);
    if (l.schema.options.pack !== undefined) out.push(`    _pack_ = ${l.schema.options.pack}`);
  } else if (hasBits && l.schema.options.pack === undefined) out.push("    _layout_ = 'gcc-sysv'  # Python 3.14+; older ctypes places bitfields by MSVC rules");
  if (l.rules === 'aarch64' && !sameUnder(l, 'sysv'))
    out.push("    # NOT EXPRESSIBLE: aarch64's rules (unnamed and zero-width bitfields raise the alignment); ctypes follows x86-64 gcc");
  if (l.rules !== 'msvc' && l.schema.options.pack !== undefined) {
    // 3.14 implements _pack_ for MSVC's layout only, and warns unless it is asked for by name.
    out.push(`    _layout_ = 'ms'  # Python 3.14+: ctypes packs by MSVC rules only${hasBits ? ' (bitfields: see the checks below)' : ''}`);
    out.push(`    _pack_ = ${l.schema.options.pack}`);
  }
  // Under MSVC's rules an alignment a member's type asks for holds through _pack_, which ctypes
  // would cap: such members get explicit padding (as aligned() members do), the class its _align_.
  const pack = l.schema.options.pack;
  const beyondPack = (f: FieldDef): boolean =>
    l.rules === 'msvc' && pack !== undefined && f.bits === null && requiredAlign(layout(f.type, l.endian)) > Math.min(layout(f.type, l.endian).align, pack);
  const memberAligned = l.schema.fields.some((f) => f.align !== null || beyondPack(f));
  if (l.schema.options.align !== undefined || memberAligned) out.push(`    _align_ = ${l.align}  # Python 3.13+`);
  out.push('    _fields_ = [');
  const placedByName = new Map(l.fields.map((x) => [x.name, x]));
  let end = 0; // first byte after the members so far (struct)
  let bitsSeen = false;
  const anonymous: string[] = [];
  for (const f of l.schema.fields) {
    const notes: string[] = [];
    if (f.name !== null && d.member(f.name) !== f.name) notes.push(renamedNote(f.name, 'ctypes'));
    if (f.bits === null && f.name === null) {
      // An anonymous struct or union: a field of its class, listed in _anonymous_ (its fields are the parent's).
      const member = layout(f.type, l.endian);
      const name = d.fresh('_anonymous_');
      anonymous.push(`'${name}'`);
      out.push(`        ('${name}', ${typeExpr(member, decls)}),  # anonymous in C`);
      if (member.kind === 'struct' || member.kind === 'union')
        for (const x of member.fields) {
          const placed = placedByName.get(x.name); // its fields are the parent's: placed there
          if (placed !== undefined) end = Math.max(end, placed.offset + placed.layout.size);
        }
      continue;
    }
    if (f.bits === null) {
      const placed = placedByName.get(f.name as string);
      if ((f.align !== null || beyondPack(f)) && placed !== undefined && l.kind === 'struct') {
        // ctypes has no member alignment: explicit padding puts the member where C does.
        const why = f.align !== null ? `aligned(${f.align})` : `its type requires alignment ${requiredAlign(layout(f.type, l.endian))} through pack (MSVC)`;
        if (bitsSeen) out.push(`        # NOT EXPRESSIBLE exactly: ${why} after bitfields; the padding below assumes whole bytes`);
        if (placed.offset > end) out.push(`        ('${d.fresh('_align_pad_')}', ctypes.c_char * ${placed.offset - end}),  # C: ${why}`);
      }
      const member = layout(f.type, l.endian);
      if (bigEndianBool(member)) notes.push('C: bool (ctypes has no big-endian c_bool)');
      const inner = elementOf(member);
      if (inner.kind === 'primitive' && inner.name === 'f16') notes.push("C: _Float16 (ctypes has no half float: struct.unpack('e', …) reads the bits)");
      if (l.endian === 'big' && elementOf(member).kind === 'union') notes.push('Python 3.13+: older ctypes refuses a union in a big-endian record');
      out.push(`        ('${d.member(f.name as string)}', ${typeExpr(member, decls)}),${comment(notes)}`);
      if (placed !== undefined) end = Math.max(end, placed.offset + placed.layout.size);
    } else if (f.bits === 0) {
      bitsSeen = true;
      out.push(
        `        # NOT EXPRESSIBLE: C zero-width bitfield ${f.type.kind === 'primitive' ? f.type.name : ''} : 0 (ctypes has none; the layout differs from here on)`,
      );
    } else {
      const member = layout(f.type, l.endian);
      // ctypes' c_bool ignores a bitfield's position (3.11 … 3.13 read and write its whole byte): a
      // bool bitfield is a 1-byte unsigned one, which ctypes places the same way.
      const isBool = member.kind === 'primitive' && member.name === 'bool';
      const t = isBool ? 'ctypes.c_uint8' : typeExpr(member, decls);
      if (isBool) notes.push("C: bool (ctypes' c_bool bitfields read and write the whole byte)");
      bitsSeen = true;
      const placed = f.name === null ? undefined : placedByName.get(f.name);
      if (placed?.bits) end = Math.max(end, Math.ceil((placed.bits.bitOffset + placed.bits.width) / 8));
      if (f.name === null) notes.push('unnamed in C (it adds no alignment there)');
      const name = f.name === null ? d.fresh('_unnamed_') : d.member(f.name);
      out.push(`        ('${name}', ${t}, ${f.bits}),${comment(notes)}`);
    }
  }
  out.push('    ]');
  if (anonymous.length > 0) out.splice(out.indexOf('    _fields_ = ['), 0, `    _anonymous_ = (${anonymous.join(', ')},)`);
  return out;
}

function comment(notes: readonly string[]): string {
  return notes.length === 0 ? '' : `  # ${notes.join('; ')}`;
}

function assertsFor(d: Declaration): string[] {
  const { id, layout: l } = d;
  const lines = [`assert ctypes.sizeof(${id}) == ${l.size}`, `assert ctypes.alignment(${id}) == ${l.align}`];
  for (const f of l.fields) if (f.bits === null) lines.push(`assert getattr(${id}, '${d.member(f.name)}').offset == ${f.offset}`);
  return lines;
}

/** One `check_bits(...)` call per named bitfield. */
function bitsChecksFor(d: Declaration): string[] {
  const l = d.layout;
  const lines: string[] = [];
  for (const f of l.fields) {
    const bits = f.bits;
    if (bits === null) continue;
    const { first, mask } = bitfieldBytes(bits, l.endian);
    const ones = bits.type === 'bool' ? '1' : bits.signed ? '-1' : `0x${allOnesHex(bits.width)}`;
    const hex = mask.map((b) => b.toString(16).padStart(2, '0')).join('');
    lines.push(`${CHECK_BITS_HELPER}(${d.id}, '${d.member(f.name)}', ${ones}, ${first}, '${hex}')`);
  }
  return lines;
}
