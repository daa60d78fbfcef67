/**
 * The C declaration parser of `fromC`: reads preprocessed tokens and records every struct, union,
 * enum and typedef declared at file scope (function declarations and definitions, and variables,
 * are read and skipped), as the target's compiler reads them. Recursive descent, with every
 * recursion bounded (nested records, nested declarators, expressions) and every skip linear.
 *
 * @module
 */
import type { SourceLocation } from '../errors.js';
import { layout } from '../layout/compute.js';
import { resolvePath } from '../layout/queries.js';
import { isIdentifier } from '../kinds/names.js';
import { type IntegerName, PRIMITIVES } from '../kinds/primitives.js';
import { makeRecord, visibleNames } from '../types/record.js';
import { MAX_ALIGN, MAX_FIELDS } from '../kinds/limits.js';
import type { EnumValues, FieldDef, Pack, PrimitiveSchema, RecordOptions, RecordSchema, Schema } from '../types/schema.js';
import { MAX_DEPTH } from '../kinds/limits.js';
import { target as targetTypes } from '../types/target.js';
import { attributeEffect, attributeName, declspecEffect } from './attributes.js';
import { evaluate, type ExpressionHost, type TokenCursor } from './expression.js';
import { type CInt, cint, type IntType } from './integers.js';
import { excerpt, type Token } from './lexer.js';
import { bitfieldType, type CType, type EnumEntry, fail, located, type RecordEntry, remake, schemaOf, spell, TARGET_MEMBERS, targetKeyOf } from './model.js';
import type { PPToken } from './preprocess.js';
import { type CTarget, type CTypeMapping, canonicalSpelling, enumUnderlying, isKnownTypedef, noSpecifiers, type SpecifierCounts } from './target.js';

/** An attribute as written: `aligned(8)`, `packed`, or a `__declspec(align(8))`. */
interface Attribute {
  readonly name: string;
  readonly args: readonly PPToken[] | null;
  readonly at: PPToken;
  /** Written as `__declspec(…)` (Microsoft C). */
  readonly declspec: boolean;
}

/** What the declaration specifiers of one declaration say. */
interface Specifiers {
  readonly at: PPToken;
  readonly storage: string | null;
  readonly type: CType;
  /** Attributes among the specifiers: they apply to every declarator. */
  readonly attrs: readonly Attribute[];
  /** The largest `_Alignas`, or `null`. */
  readonly alignas: number | null;
  /** A struct, union or enum these specifiers define (with a body). */
  readonly defined: RecordEntry | EnumEntry | null;
}

/** A declarator: the declared name and how it derives its type from the specifiers'. */
interface Declarator {
  readonly name: PPToken | null;
  readonly derive: (base: CType) => CType;
  readonly attrs: readonly Attribute[];
}

/** One member of a struct or union as declared. */
interface Member {
  readonly name: string | null;
  readonly type: CType;
  readonly width: number | null;
  readonly attrs: readonly Attribute[];
  readonly alignas: number | null;
  readonly at: PPToken;
  /** A C11 anonymous struct or union (its members are the record's). */
  readonly anonymous: boolean;
}

/** A named type declared at file scope. */
export interface Declared {
  readonly name: string;
  /** How C names it: `struct wav_header`, `enum color`, `DWORD`. */
  readonly c: string;
  readonly kind: 'struct' | 'union' | 'enum' | 'typedef';
  readonly type: CType;
  readonly at: SourceLocation;
}

/** What the parser found. */
export interface Parsed {
  /** Tags and typedef names, in order of declaration (a tag: where it was defined). */
  readonly declared: readonly Declared[];
  /** Enum constants, in order. */
  readonly enumConstants: ReadonlyMap<string, CInt>;
  /** The expression language over what was declared (for `#define`d constants). */
  readonly host: ExpressionHost;
}

/** Typedef names and enum constants share C's ordinary namespace. */
type Ordinary = { readonly k: 'typedef'; readonly type: CType; readonly at: SourceLocation } | { readonly k: 'constant'; readonly value: CInt };

const STORAGE = new Set(['typedef', 'extern', 'static', 'auto', 'register', '_Thread_local', 'thread_local', '__thread', 'constexpr']);
const FUNCTION_SPECIFIERS = new Set(['inline', '__inline', '__inline__', '_Noreturn', 'noreturn']);
const QUALIFIERS = new Set([
  'const',
  '__const',
  '__const__',
  'volatile',
  '__volatile',
  '__volatile__',
  'restrict',
  '__restrict',
  '__restrict__',
  '__extension__',
  '_Nonnull',
  '_Nullable',
  '_Null_unspecified',
  '__ptr64',
]);
const TYPE_KEYWORDS: Readonly<Record<string, keyof SpecifierCounts>> = {
  void: 'void',
  char: 'char',
  short: 'short',
  int: 'int',
  long: 'long',
  float: 'float',
  double: 'double',
  signed: 'signed',
  __signed: 'signed',
  __signed__: 'signed',
  unsigned: 'unsigned',
  _Bool: '_Bool',
  bool: '_Bool',
  _Complex: '_Complex',
  __complex__: '_Complex',
  __int128: '__int128',
  _Float16: '_Float16',
};
/** Microsoft C: the sized integer keywords, as the specifier keywords they stand for (`__int64` is `long long`). */
const MSVC_INTEGERS: Readonly<Record<string, readonly (keyof SpecifierCounts)[]>> = {
  __int8: ['char'],
  __int16: ['short'],
  __int32: ['int'],
  __int64: ['long', 'long'],
};
/** Microsoft C: calling conventions, which may open a parenthesised declarator (`int (__cdecl *f)(int)`). */
const MSVC_CALLING_CONVENTIONS = new Set(['__cdecl', '__stdcall', '__fastcall', '__vectorcall', '__thiscall', '__clrcall']);
/** Microsoft C: calling conventions and qualifiers that change no layout. */
const MSVC_QUALIFIERS = new Set([...MSVC_CALLING_CONVENTIONS, '__unaligned', '__forceinline', '__w64']);
const ALIGNAS = new Set(['_Alignas', 'alignas']);
const ATTRIBUTE = new Set(['__attribute__', '__attribute', '__declspec']);
const ASM = new Set(['asm', '__asm', '__asm__']);
const STATIC_ASSERT = new Set(['_Static_assert', 'static_assert']);
const TYPEOF = new Set(['typeof', '__typeof', '__typeof__', 'typeof_unqual', '__typeof_unqual__']);

/** Parses preprocessed tokens as the compiler of `target` does; `note` is told what was read but not honoured. */
export function parse(
  tokens: readonly PPToken[],
  file: string,
  unread: readonly string[],
  target: CTarget,
  note: (at: SourceLocation, message: string) => void,
): Parsed {
  return new Parser(tokens, file, unread, target, note).run();
}

class Parser implements TokenCursor {
  private pos = 0;
  private readonly tags = new Map<string, RecordEntry | EnumEntry>();
  private readonly kinds = new Map<RecordEntry | EnumEntry, 'struct' | 'union' | 'enum'>();
  private readonly definedEnums = new Set<EnumEntry>();
  private readonly ordinary = new Map<string, Ordinary>();
  private readonly declared: Declared[] = [];
  private readonly constants = new Map<string, CInt>();
  /** Nesting of record definitions and type names being read. */
  private depth = 0;
  /** Nesting of declarators being read (see enterDeclarator). */
  private declaratorDepth = 0;
  /** `extern "C" {` blocks open. */
  private linkage = 0;
  private end: SourceLocation;
  /** Every pointer: an unsigned integer of the target's address size. */
  private readonly pointer: CType;

  constructor(
    private tokens: readonly PPToken[],
    file: string,
    private readonly unread: readonly string[],
    private readonly target: CTarget,
    private readonly note: (at: SourceLocation, message: string) => void,
  ) {
    const last = tokens[tokens.length - 1];
    this.end = last === undefined ? { file, line: 1, column: 1 } : { file: last.file, line: last.line, column: last.column + last.text.length };
    this.pointer = { k: 'pointer', schema: targetTypes(target.name).pointer };
    this.host = this.expressionHost();
  }

  run(): Parsed {
    while (this.pos < this.tokens.length) this.external();
    if (this.linkage > 0) fail('missing \'}\' of an extern "C" { block', this.end);
    return { declared: this.declared, enumConstants: this.constants, host: this.host };
  }

  // ---- the cursor ------------------------------------------------------------------------------

  peek(offset = 0): PPToken | undefined {
    return this.tokens[this.pos + offset];
  }

  next(): PPToken {
    const t = this.tokens[this.pos];
    if (t === undefined) fail('unexpected end of the source', this.end);
    this.pos++;
    return t;
  }

  here(): SourceLocation {
    return this.tokens[this.pos] ?? this.end;
  }

  /** Whether the token `offset` ahead is the punctuator or keyword `text`. */
  private is(text: string, offset = 0): boolean {
    const t = this.tokens[this.pos + offset];
    return t !== undefined && (t.kind === 'punct' || t.kind === 'ident') && t.text === text;
  }

  private expect(text: string, context: string): PPToken {
    if (!this.is(text)) {
      const t = this.peek();
      fail(`expected '${text}' ${context}, found ${t === undefined ? 'the end of the source' : `'${excerpt(t.text)}'`}`, t ?? this.end);
    }
    return this.next();
  }

  private enter(at: SourceLocation, what: string): void {
    if (++this.depth > MAX_DEPTH) fail(`${what} nest deeper than ${MAX_DEPTH} levels`, at, 'too_deep');
  }

  /**
   * A declarator's own nesting (`(*(*x))`, parameters), counted apart from the types': a struct's
   * members' declarators are not a level of the struct, so that 64 nested structs are accepted as
   * the DSL accepts them; each count is bounded, so recursion stays bounded too.
   */
  private enterDeclarator(at: SourceLocation): void {
    if (++this.declaratorDepth > MAX_DEPTH) fail(`declarators nest deeper than ${MAX_DEPTH} levels`, at, 'too_deep');
  }

  // ---- file scope --------------------------------------------------------------------------------

  private external(): void {
    const t = this.peek() as PPToken;
    if (this.is(';')) {
      this.next();
      return;
    }
    if (this.is('}') && this.linkage > 0) {
      this.next();
      this.linkage--;
      return;
    }
    if (t.kind === 'ident' && STATIC_ASSERT.has(t.text)) {
      this.staticAssert();
      return;
    }
    if (t.kind === 'ident' && ASM.has(t.text)) {
      this.next();
      this.skipBalanced('(');
      this.expect(';', 'after asm(…)');
      return;
    }
    if (t.kind === 'ident' && t.text === 'extern' && this.peek(1)?.kind === 'string') {
      this.next();
      this.next();
      if (this.is('{')) {
        this.next();
        this.linkage++;
      }
      return;
    }
    const spec = this.specifiers('file');
    if (this.is(';')) {
      this.next();
      return;
    }
    let first = true;
    for (;;) {
      const d = this.declarator('named');
      const attrs = [...spec.attrs, ...d.attrs, ...this.attributes()];
      const type = d.derive(spec.type);
      const name = d.name as PPToken;
      if (spec.storage === 'typedef') this.typedef(name, type, attrs, spec.alignas);
      else if (type.k === 'function' && first && this.is('{')) {
        this.skipBalanced('{'); // a function definition
        return;
      } else if (this.is('=')) {
        this.next();
        this.skipInitializer();
      }
      first = false;
      if (this.is(',')) {
        this.next();
        continue;
      }
      this.expect(';', `after the declaration of '${excerpt(name.text)}'`);
      return;
    }
  }

  /** Skips a balanced `(…)`, `{…}` or `[…]` starting at the cursor (which must be at `open`). */
  private skipBalanced(open: '(' | '{' | '['): void {
    const close = open === '(' ? ')' : open === '{' ? '}' : ']';
    const start = this.expect(open, 'here');
    let level = 1;
    while (level > 0) {
      const t = this.peek();
      if (t === undefined) fail(`'${open}' is never closed`, start);
      this.pos++;
      if (t.kind !== 'punct') continue;
      if (t.text === '(' || t.text === '{' || t.text === '[') level++;
      else if (t.text === ')' || t.text === '}' || t.text === ']') {
        level--;
        if (level === 0 && t.text !== close) fail(`'${open}' is closed by '${t.text}'`, t);
      }
    }
  }

  /** Skips an initializer, up to the `,` or `;` that ends it. */
  private skipInitializer(): void {
    let level = 0;
    for (;;) {
      const t = this.peek();
      if (t === undefined) fail('unterminated initializer', this.end);
      if (t.kind === 'punct') {
        if (level === 0 && (t.text === ',' || t.text === ';')) return;
        if (t.text === '(' || t.text === '{' || t.text === '[') level++;
        else if (t.text === ')' || t.text === '}' || t.text === ']') {
          if (level === 0) fail(`unexpected '${t.text}' in an initializer`, t);
          level--;
        }
      }
      this.pos++;
    }
  }

  private staticAssert(): void {
    const kw = this.next();
    this.expect('(', `after ${kw.text}`);
    const at = this.here();
    const v = evaluate(this, this.host);
    let message = '';
    if (this.is(',')) {
      this.next();
      const m = this.next();
      if (m.kind !== 'string') fail(`${kw.text} takes a string literal as its message`, m);
      message = m.text;
    }
    this.expect(')', `to close ${kw.text}(…)`);
    this.expect(';', `after ${kw.text}(…)`);
    if (v.value === 0n) fail(`static assertion failed${message === '' ? '' : `: ${excerpt(message, 200)}`}`, at);
  }

  private typedef(name: PPToken, declared: CType, attrs: readonly Attribute[], alignas: number | null): void {
    let type = declared;
    if (alignas !== null) fail(`_Alignas on the typedef ${name.text}: C allows it on objects and members only`, name);
    for (const a of attrs) {
      const effect = this.effect(a);
      if (effect === 'aligned') {
        const n = this.alignValue(a);
        const natural = type.k === 'function' || type.k === 'void' ? 1 : this.alignOf(type, name);
        if (n === natural) continue;
        if (n < natural || (type.k !== 'scalar' && type.k !== 'pointer' && type.k !== 'enum' && type.k !== 'char' && type.k !== 'aligned'))
          fail(
            `typedef ${name.text} has aligned(${n}) and its type (${spell(type)}) has alignment ${natural}: ${n < natural ? 'a typedef that lowers alignment' : 'an over-aligned typedef of an aggregate (gcc does not round its size)'} has no schema; put aligned(…) on the struct or the member`,
            a.at,
            'c_unsupported',
          );
        type = { k: 'aligned', of: type.k === 'aligned' ? type.of : type, align: n, name: name.text }; // never nested: n exceeds the old alignment
      } else if (effect === 'packed') {
        // gcc ignores packed on a typedef name (with a warning): it belongs on the struct
      } else if (effect === 'order') fail(`scalar_storage_order on the typedef ${name.text}: put it on the struct`, a.at, 'c_unsupported');
    }
    const existing = this.ordinary.get(name.text);
    if (existing !== undefined) {
      if (existing.k === 'typedef' && sameType(existing.type, type)) return;
      fail(`'${name.text}' is already declared (${existing.k === 'typedef' ? `as a typedef of ${spell(existing.type)}` : 'as an enum constant'})`, name);
    }
    this.ordinary.set(name.text, { k: 'typedef', type, at: name });
    if (type.k === 'record' && type.rec.tag === null && type.rec.name === null && isTypeName(name.text)) {
      type.rec.name = name.text;
      const s = type.rec.schema;
      if (s !== null) type.rec.schema = remake(s, { ...s.options, name: name.text });
    }
    if (type.k === 'enum' && type.en.tag === null && type.en.name === null && type.en.schema !== type.en.underlying && isTypeName(name.text)) {
      type.en.name = name.text;
      type.en.schema = this.enumSchema(type.en);
    }
    this.declared.push({ name: name.text, c: name.text, kind: 'typedef', type, at: name });
  }

  // ---- specifiers --------------------------------------------------------------------------------

  /** Whether `t` starts a type name (for casts, `sizeof`, `_Alignof`). */
  private startsTypeName(t: Token): boolean {
    if (t.kind !== 'ident') return false;
    const s = t.text;
    return (
      Object.hasOwn(TYPE_KEYWORDS, s) ||
      (this.target.msvc && (Object.hasOwn(MSVC_INTEGERS, s) || MSVC_QUALIFIERS.has(s))) ||
      s === 'struct' ||
      s === 'union' ||
      s === 'enum' ||
      QUALIFIERS.has(s) ||
      s === '_Atomic' ||
      ATTRIBUTE.has(s) ||
      TYPEOF.has(s) ||
      this.typedefType(s) !== undefined
    );
  }

  /** The type a typedef name stands for: the source's own, then the standard ones. */
  private typedefType(name: string): CType | undefined {
    const o = this.ordinary.get(name);
    if (o !== undefined) return o.k === 'typedef' ? o.type : undefined;
    if (!isKnownTypedef(name)) return undefined;
    const m = this.target.types[name];
    return m === null ? undefined : this.fromMapping(m, name);
  }

  /** The C type of a known type name. */
  private fromMapping(m: CTypeMapping, spelled: string): CType {
    switch (m.kind) {
      case 'scalar':
        return spelled === 'pointer' ? this.pointer : { k: 'scalar', schema: m.schema, spelled, target: m.target };
      case 'char':
        return { k: 'char', bitfield: m.bitfield };
      case 'refused':
        return { k: 'refused', spelled, why: m.why };
    }
  }

  private specifiers(context: 'file' | 'member' | 'type'): Specifiers {
    const at = this.peek() as PPToken;
    const counts = noSpecifiers();
    let keywords = 0;
    let named: CType | null = null;
    let storage: string | null = null;
    let atomic = false;
    let alignas: number | null = null;
    let defined: RecordEntry | EnumEntry | null = null;
    const attrs: Attribute[] = [];
    for (;;) {
      const t = this.peek();
      if (t === undefined || (t.kind !== 'ident' && !(t.kind === 'punct' && t.text === '[' && this.is('[', 1)))) break;
      const s = t.text;
      if (t.kind === 'punct' || ATTRIBUTE.has(s)) {
        attrs.push(...this.attributes());
        continue;
      }
      if (STORAGE.has(s)) {
        if (context !== 'file') fail(`storage class '${s}' ${context === 'member' ? 'on a struct member' : 'in a type name'}`, t);
        if (storage !== null) fail(`two storage classes ('${storage}' and '${s}')`, t);
        storage = s;
        this.next();
        continue;
      }
      if (s === '__ptr32') fail('__ptr32 (a 32-bit pointer in 64-bit MSVC code) has no schema', t, 'c_unsupported');
      if (QUALIFIERS.has(s) || FUNCTION_SPECIFIERS.has(s) || (this.target.msvc && MSVC_QUALIFIERS.has(s))) {
        this.next();
        continue;
      }
      if (s === '_Atomic') {
        this.next();
        if (this.is('(')) {
          if (named !== null || keywords > 0) fail('_Atomic(type) together with another type', t);
          this.next();
          named = this.typeName();
          this.expect(')', 'to close _Atomic(…)');
        }
        atomic = true;
        continue;
      }
      if (ALIGNAS.has(s)) {
        this.next();
        this.expect('(', `after ${s}`);
        const startsType = this.startsTypeName(this.peek() ?? t);
        const n = startsType ? this.alignOf(this.typeName(), t) : Number(this.constant(`${s}(…)`));
        this.expect(')', `to close ${s}(…)`);
        if (n !== 0 && (n < 1 || (n & (n - 1)) !== 0)) fail(`${s}(${n}): the alignment is not a power of two`, t);
        if (n > MAX_ALIGN) fail(`${s}(${n}): alignments above ${MAX_ALIGN} have no schema`, t, 'c_unsupported');
        if (n > 0) alignas = Math.max(alignas ?? 1, n);
        continue;
      }
      if (TYPEOF.has(s)) fail(`${s}(…) is not supported: write the type`, t, 'c_unsupported');
      if (Object.hasOwn(TYPE_KEYWORDS, s) || (this.target.msvc && Object.hasOwn(MSVC_INTEGERS, s))) {
        if (named !== null) fail(`'${s}' after the type ${spell(named)}`, t);
        const words = Object.hasOwn(MSVC_INTEGERS, s) ? (MSVC_INTEGERS[s] as readonly (keyof SpecifierCounts)[]) : [TYPE_KEYWORDS[s] as keyof SpecifierCounts];
        for (const k of words) counts[k]++;
        keywords++;
        this.next();
        continue;
      }
      if (s === 'struct' || s === 'union' || s === 'enum') {
        if (named !== null || keywords > 0) fail(`'${s}' after another type in one declaration`, t);
        // MSVC: a __declspec before the keyword of a definition belongs to the type defined
        const lead = attrs.filter((a) => a.declspec);
        const r = s === 'enum' ? this.enumSpecifier(lead) : this.recordSpecifier(s, lead);
        if (r.defined !== null) for (const a of lead) attrs.splice(attrs.indexOf(a), 1);
        attrs.push(...r.declaration);
        named = r.type;
        defined = r.defined;
        continue;
      }
      // an identifier: a typedef name when no type was given yet, else the declarator's name
      if (named !== null || keywords > 0) break;
      const typedef = this.typedefType(s);
      if (typedef === undefined) {
        const after = this.peek(1);
        const looksLikeType = after !== undefined && (after.kind === 'ident' || after.text === '*') && !ATTRIBUTE.has(after.text) && !ASM.has(after.text);
        if (looksLikeType) fail(`unknown type name '${excerpt(s)}'${this.unreadHint()}`, t);
        break;
      }
      named = typedef;
      this.next();
    }
    let type: CType;
    if (named !== null) type = named;
    else if (keywords === 0) {
      const t = this.peek();
      return fail(`expected a type, found ${t === undefined ? 'the end of the source' : `'${excerpt(t.text)}'`}`, t ?? this.end);
    } else {
      const canonical = canonicalSpelling(counts);
      if (canonical === undefined) fail(`invalid combination of type specifiers`, at);
      if (canonical === 'void') type = { k: 'void' };
      else {
        const m = this.target.types[canonical];
        if (m === null) fail(`${canonical} does not exist on ${this.target.compiler}`, at);
        type = this.fromMapping(m, canonical);
      }
    }
    if (atomic && (type.k === 'record' || type.k === 'array'))
      fail(`_Atomic ${spell(type)}: an atomic struct may be larger than the struct, which no schema says`, at, 'c_unsupported');
    return { at, storage, type, attrs, alignas, defined };
  }

  /** A type name (specifiers and an abstract declarator), as in casts, `sizeof` and `_Alignof`. */
  private typeName(): CType {
    this.enter(this.here(), 'type names');
    const spec = this.specifiers('type');
    const d = this.declarator('abstract');
    this.depth--;
    return d.derive(spec.type);
  }

  private unreadHint(): string {
    return this.unread.length === 0
      ? ''
      : ` (it may be declared in ${this.unread.slice(0, 3).join(', ')}${this.unread.length > 3 ? ', …' : ''}, which fromC did not read)`;
  }

  // ---- struct and union --------------------------------------------------------------------------

  /**
   * `struct …` or `union …` at the cursor; `lead`: `__declspec`s written before the keyword (MSVC
   * gives them to the type it defines). `declaration`: attributes after the tag of a reference
   * (`struct a __attribute__((aligned(16))) m;`), which apply to what is declared.
   */
  private recordSpecifier(
    kind: 'struct' | 'union',
    lead: readonly Attribute[],
  ): { type: CType; defined: RecordEntry | null; declaration: readonly Attribute[] } {
    const kw = this.next();
    const before = [...lead, ...this.attributes()];
    let tag: PPToken | null = null;
    if (this.peek()?.kind === 'ident' && !ATTRIBUTE.has((this.peek() as PPToken).text)) tag = this.next();
    const afterTag = this.attributes();
    if (!this.is('{')) {
      if (tag === null) fail(`expected a tag or '{' after '${kind}'`, this.peek() ?? kw);
      this.ignoredOnReference(before, `${kind} ${tag.text}`);
      return { type: { k: 'record', rec: this.recordTag(kind, tag, false) }, defined: null, declaration: afterTag };
    }
    before.push(...afterTag);
    const open = this.next();
    const rec: RecordEntry =
      tag === null ? { kind, tag: null, name: null, at: kw, defined: true, schema: null, little: null, order: 'little' } : this.recordTag(kind, tag, true);
    rec.at = tag ?? kw;
    this.enter(open, 'structs and unions');
    const members = this.members(rec);
    const close = this.expect('}', `to close ${kind} ${tag?.text ?? ''}`);
    this.depth--;
    const attrs = [...before, ...this.attributes()];
    // gcc: the record's own attribute, else the #pragma in effect; never the order of an enclosing
    // record (not even for a record defined inside a big-endian one)
    rec.order = this.orderOf(attrs) ?? kw.order ?? 'little';
    rec.schema = this.buildRecord(rec, members, attrs, kw, open, close);
    if (rec.tag !== null) this.declared.push({ name: rec.tag, c: `${kind} ${rec.tag}`, kind, type: { k: 'record', rec }, at: rec.at });
    return { type: { k: 'record', rec }, defined: rec, declaration: [] };
  }

  /** Attributes between the keyword and the tag of a reference to a type (`struct __attribute__((aligned(8))) a m;`): gcc and clang ignore them; a note says so. */
  private ignoredOnReference(attrs: readonly Attribute[], type: string): void {
    for (const a of attrs)
      if (this.effect(a) !== 'ignored')
        this.note(
          a.at,
          `attribute '${a.declspec ? `__declspec(${a.name})` : attributeName(a.name)}' before the tag of ${type}, which is not defined here, is ignored (as gcc and clang do)`,
        );
  }

  private recordTag(kind: 'struct' | 'union', tag: PPToken, defining: boolean): RecordEntry {
    const existing = this.tags.get(tag.text);
    if (existing !== undefined) {
      const was = this.kinds.get(existing);
      if (was !== kind) fail(`'${tag.text}' is already declared as ${was === 'enum' ? 'an' : 'a'} ${was}`, tag);
      const rec = existing as RecordEntry;
      if (defining) {
        if (rec.defined) fail(`redefinition of ${kind} ${tag.text} (first defined at line ${rec.at.line})`, tag);
        rec.defined = true;
      }
      return rec;
    }
    const rec: RecordEntry = {
      kind,
      tag: tag.text,
      name: isTypeName(tag.text) ? tag.text : null,
      at: tag,
      defined: defining,
      schema: null,
      little: null,
      order: 'little',
    };
    this.tags.set(tag.text, rec);
    this.kinds.set(rec, kind);
    return rec;
  }

  private members(rec: RecordEntry): Member[] {
    const members: Member[] = [];
    while (!this.is('}')) {
      if (this.peek() === undefined) fail(`${rec.kind} ${rec.tag ?? ''} is never closed with '}'`, rec.at);
      if (this.is(';')) {
        this.next();
        continue;
      }
      const t = this.peek() as PPToken;
      if (t.kind === 'ident' && STATIC_ASSERT.has(t.text)) {
        this.staticAssert();
        continue;
      }
      const spec = this.specifiers('member');
      if (this.is(';')) {
        this.next();
        // No declarator: an untagged struct or union is an anonymous member (C11), and so is a tagged
        // one defined here under MSVC (a Microsoft extension; elsewhere it declares the tag only).
        // Anything else declares a tag or nothing.
        const type = spec.type;
        if (type.k === 'record' && (type.rec.tag === null || (this.target.msvc && spec.defined === type.rec))) {
          const what = `the anonymous ${type.rec.kind} member of ${rec.kind} ${rec.tag ?? '(anonymous)'}`;
          if (spec.alignas !== null)
            fail(`_Alignas on ${what}: align the ${type.rec.kind} itself (${type.rec.kind} __attribute__((aligned(n))) { … })`, spec.at, 'c_unsupported');
          for (const a of spec.attrs)
            if (this.effect(a) !== 'ignored')
              fail(
                `attribute '${attributeName(a.name)}' on ${what}: put it on the ${type.rec.kind} itself (${type.rec.kind} __attribute__((…)) { … })`,
                a.at,
                'c_unsupported',
              );
          members.push({ name: null, type, width: null, attrs: [], alignas: null, at: spec.at, anonymous: true });
          if (members.length > MAX_FIELDS) fail(`${rec.kind} ${rec.tag ?? '(anonymous)'} has more than ${MAX_FIELDS} members`, spec.at, 'too_many_members');
        }
        continue;
      }
      for (;;) {
        const at = this.peek() as PPToken;
        const d = this.is(':') ? { name: null, derive: (b: CType) => b, attrs: [] } : this.declarator('named');
        let width: number | null = null;
        if (this.is(':')) {
          this.next();
          const w = this.constant('a bitfield width');
          if (w < 0n) fail(`bitfield ${d.name?.text ?? '(unnamed)'} has a negative width (${w})`, at);
          width = w > 1024n ? 1025 : Number(w);
        }
        const attrs = [...spec.attrs, ...d.attrs, ...this.attributes()];
        members.push({ name: d.name?.text ?? null, type: d.derive(spec.type), width, attrs, alignas: spec.alignas, at: d.name ?? at, anonymous: false });
        if (members.length > MAX_FIELDS) fail(`${rec.kind} ${rec.tag ?? '(anonymous)'} has more than ${MAX_FIELDS} members`, at, 'too_many_members');
        if (this.is(',')) {
          this.next();
          continue;
        }
        this.expect(';', `after member '${excerpt(d.name?.text ?? '(unnamed bitfield)')}'`);
        break;
      }
    }
    return members;
  }

  /** The storage order some attributes give (`scalar_storage_order`), or `null`. */
  private orderOf(attrs: readonly Attribute[]): 'big' | 'little' | null {
    let order: 'big' | 'little' | null = null;
    for (const a of attrs) {
      if (this.effect(a) !== 'order') continue;
      const arg = a.args?.[0];
      const v = arg?.kind === 'string' ? arg.text.slice(1, -1) : '';
      if (a.args?.length !== 1 || (v !== 'big-endian' && v !== 'little-endian'))
        fail('scalar_storage_order takes "big-endian" or "little-endian"', arg ?? a.at);
      if (!this.target.storageOrder) {
        // clang ignores the attribute (with a warning): its records are little-endian whatever it says
        if (v === 'big-endian')
          fail(
            `scalar_storage_order("big-endian"): ${this.target.compiler} ignores it, and would lay the record out little-endian; read the header with a gcc target (x86_64-linux-gnu, aarch64-linux-gnu)`,
            a.at,
            'c_unsupported',
          );
        continue;
      }
      order = v === 'big-endian' ? 'big' : 'little';
    }
    return order;
  }

  private buildRecord(rec: RecordEntry, members: readonly Member[], attrs: readonly Attribute[], kw: PPToken, open: PPToken, close: PPToken) {
    const label = `${rec.kind} ${rec.tag ?? '(anonymous)'}`;
    let packed = false;
    let align: number | null = null;
    for (const a of attrs) {
      const effect = this.effect(a);
      if (effect === 'packed') packed = true;
      else if (effect === 'aligned') align = Math.max(align ?? 1, this.alignValue(a));
    }
    // The #pragma pack of a record: gcc applies the value in effect at its closing brace, clang the
    // one at its opening brace. Where they differ, compilers disagree, and where a member is
    // declared under another value (which neither applies to it), the header means something no
    // compiler does: both are refused.
    const pragma = close.pack;
    const named = (p: number): string => (p === 0 ? 'none' : `pack(${p})`);
    if (open.pack !== close.pack)
      fail(
        `#pragma pack changes inside ${label} (${named(open.pack)} at its '{', ${named(close.pack)} at its '}'): gcc applies the value at the '}', clang the one at the '{'; put the #pragma before the ${rec.kind}`,
        close,
        'c_unsupported',
      );
    for (const m of members) {
      if (!m.anonymous && m.at.pack !== pragma)
        fail(
          `member '${m.name ?? '(unnamed)'}' of ${label} is declared under #pragma ${named(m.at.pack)}, the ${rec.kind} under ${named(pragma)}: compilers apply one pack per ${rec.kind}; put the #pragma before the ${rec.kind}`,
          m.at,
          'c_unsupported',
        );
    }
    const big = rec.order === 'big';
    // gcc and clang place bitfields the same with or without a member's packed under #pragma pack
    // (checked for pack 1, 2 and 4); MSVC's rules do not.
    const bitfieldsPacked = packed || (pragma !== 0 && this.target.rules !== 'msvc');
    const fields: FieldDef[] = members.map((m) => this.field(m, label, big, packed, bitfieldsPacked));
    if (packed) {
      const over = members.find((_, i) => (fields[i]?.align ?? 1) > 1);
      if (over !== undefined)
        fail(
          `member '${over.name}' of ${label} is aligned inside a packed ${rec.kind}: gcc keeps its alignment there, while a schema's pack caps it; use #pragma pack(1) (which caps it) or drop one of the attributes`,
          over.at,
          'c_unsupported',
        );
    }
    const pack = packed ? 1 : pragma;
    // gcc and clang (not MSVC's rules): under #pragma pack(n), a packed record's named bitfields
    // (on aarch64 its unnamed ones too) still raise its alignment to min(n, their type's), though
    // every member is placed packed. A schema says that as pack 1 and the record's align.
    if (packed && pragma !== 0 && this.target.rules !== 'msvc') {
      const raises = (f: FieldDef): boolean => f.bits !== null && f.bits > 0 && (f.name !== null || this.target.rules === 'aarch64');
      const raised = fields.reduce((most, f) => (raises(f) ? Math.max(most, Math.min(pragma, layout(f.type).align)) : most), 1);
      if (raised > 1) align = Math.max(align ?? 1, raised);
    }
    const options: { -readonly [K in keyof RecordOptions]: RecordOptions[K] } = {};
    if (rec.name !== null) options.name = rec.name;
    if (pack !== 0) options.pack = pack as Pack;
    if (align !== null) options.align = align;
    if (big) options.endian = 'big';
    else if (rec.order === 'little' && this.orderOf(attrs) === 'little') options.endian = 'little';
    if (this.target.rules !== 'sysv') options.layout = this.target.rules;
    const schema = located(
      () => makeRecord(rec.kind, fields, options),
      kw,
      // the last member of that name: a name declared twice is the second one's fault (a name of
      // an anonymous member's: that member)
      (path) =>
        members.findLast(
          (m, i) =>
            m.name === path ||
            path === `#${i} (unnamed)` ||
            (m.anonymous &&
              (fields[i]?.type.kind === 'struct' || fields[i]?.type.kind === 'union') &&
              visibleNames(fields[i]?.type as RecordSchema).includes(path)),
        )?.at,
    );
    TARGET_MEMBERS.set(
      schema,
      members.map((m) => (m.width !== null ? (m.type.k === 'char' ? 'plainChar' : targetKeyOf(m.type)) : targetKeyOf(m.type))),
    );
    return schema;
  }

  private field(m: Member, label: string, big: boolean, recordPacked: boolean, bitfieldsPacked: boolean): FieldDef {
    const what = `member '${m.name ?? '(unnamed)'}' of ${label}`;
    let align = m.alignas;
    let packed = false;
    for (const a of m.attrs) {
      const effect = this.effect(a);
      if (effect === 'aligned') align = Math.max(align ?? 1, this.alignValue(a));
      else if (effect === 'packed') packed = true;
      else if (effect === 'order') fail(`scalar_storage_order on ${what}: put it on the struct`, a.at, 'c_unsupported');
    }
    let type = m.type;
    if (type.k === 'aligned') {
      align = Math.max(align ?? 1, type.align);
      type = type.of;
    }
    if (m.anonymous) {
      const order = type.k === 'record' ? type.rec.order : 'little';
      if ((order === 'big') !== big)
        fail(
          `the anonymous ${type.k === 'record' ? type.rec.kind : 'record'} member of ${label} is ${order}-endian inside a ${big ? 'big' : 'little'}-endian ${label.split(' ')[0]} (gcc does not pass scalar_storage_order on to it): an anonymous member has its parent's byte order in a schema; give it the same scalar_storage_order`,
          m.at,
          'c_unsupported',
        );
      return { name: null, type: schemaOf(type, false, m.at, `the anonymous member of ${label}`), bits: null, align: null };
    }
    if (m.width !== null) {
      const base = bitfieldType(type);
      if (base === undefined) fail(`${what} is a bitfield of type ${spell(type)}: bitfields take integer types, _Bool and enums`, m.at);
      if (align !== null) fail(`${what} is an aligned bitfield: bitfields follow their storage unit; align an ordinary member instead`, m.at, 'c_unsupported');
      // A packed bitfield starts at the next bit whatever its storage unit (it may straddle one):
      // a schema packs a whole record, never one bitfield.
      if (packed && !bitfieldsPacked)
        fail(
          `${what} is a packed bitfield inside a ${label.split(' ')[0]} that is not packed: a schema packs a whole record; put __attribute__((packed)) on the ${label.split(' ')[0]} (or a #pragma pack before it) instead`,
          m.at,
          'c_unsupported',
        );
      return { name: m.name, type: base, bits: m.width, align: null };
    }
    if (m.name === null) fail(`${what} has no name`, m.at);
    const schema = schemaOf(type, big, m.at, what);
    if (packed && !recordPacked && layout(schema).align > 1 && (align ?? 1) <= 1)
      fail(
        `${what} is packed inside a ${label.split(' ')[0]} that is not: a schema packs a whole struct; use #pragma pack(1) or __attribute__((packed)) on the ${label.split(' ')[0]}`,
        m.at,
        'c_unsupported',
      );
    return { name: m.name, type: schema, bits: null, align: align !== null && align > 1 ? align : null };
  }

  // ---- enum --------------------------------------------------------------------------------------

  /** `enum …` at the cursor; `lead`: `__declspec`s written before the keyword; `declaration` as for {@link recordSpecifier}. */
  private enumSpecifier(lead: readonly Attribute[]): { type: CType; defined: EnumEntry | null; declaration: readonly Attribute[] } {
    const kw = this.next();
    const attrs = [...lead, ...this.attributes()];
    let tag: PPToken | null = null;
    if (this.peek()?.kind === 'ident' && !ATTRIBUTE.has((this.peek() as PPToken).text)) tag = this.next();
    const afterTag = this.attributes();
    let fixed: PrimitiveSchema<IntegerName> | null = null;
    // `enum E : uint8_t {` (C23) fixes the type; in `enum E : 3;` the colon starts a bitfield width
    const after = this.peek(1);
    if (this.is(':') && after !== undefined && this.startsTypeName(after)) {
      this.next();
      const t = this.typeName();
      const base = bitfieldType(t);
      if (base === undefined || base.name === 'bool' || t.k === 'enum') fail(`enum ${tag?.text ?? ''}: the underlying type must be an integer type`, kw);
      fixed = base as PrimitiveSchema<IntegerName>;
    }
    const entry = this.enumTag(tag, kw, this.is('{'));
    if (!this.is('{')) {
      if (tag === null) fail("expected a tag or '{' after 'enum'", this.peek() ?? kw);
      if (fixed !== null) entry.underlying = fixed; // complete: its constants may come later
      this.ignoredOnReference(attrs, `enum ${tag.text}`);
      return { type: { k: 'enum', en: entry }, defined: null, declaration: afterTag };
    }
    attrs.push(...afterTag);
    this.next();
    const msvc = this.target.msvc && fixed === null;
    const constants: [string, bigint][] = [];
    let next = 0n;
    let min: bigint | null = null;
    let max: bigint | null = null;
    while (!this.is('}')) {
      const name = this.next();
      if (name.kind !== 'ident') fail(`expected an enumerator name, found '${excerpt(name.text)}'`, name);
      this.attributes();
      if (this.is('=')) {
        this.next();
        next = this.constant(`the value of ${name.text}`);
      }
      if (this.ordinary.has(name.text)) fail(`'${name.text}' is already declared`, name);
      let value: CInt;
      if (msvc) {
        // MSVC: every enum is an int, and its constants are ints (0xFFFFFFFF is -1)
        if (next < -(2n ** 31n) || next >= 2n ** 32n)
          fail(
            `${name.text} = ${next} does not fit in int, the type of every enum under MSVC; state a wider type (enum ${tag?.text ?? 'E'} : long long { … })`,
            name,
            'c_unsupported',
          );
        value = cint(next, 'int');
        next = value.value;
      } else value = cint(next, fitsInt(next) ? 'int' : next < 0n ? 'long' : 'unsigned long'); // gcc gives constants beyond int a larger type
      this.ordinary.set(name.text, { k: 'constant', value });
      this.constants.set(name.text, value);
      constants.push([name.text, next]);
      min = min === null || next < min ? next : min;
      max = max === null || next > max ? next : max;
      next++;
      if (!this.is(',')) break;
      this.next();
    }
    this.expect('}', `to close enum ${tag?.text ?? ''}`);
    attrs.push(...this.attributes());
    let packed = false;
    for (const a of attrs) {
      const effect = this.effect(a);
      if (effect === 'aligned') fail('aligned(…) on an enum is not supported', a.at, 'c_unsupported');
      if (effect !== 'packed') continue;
      if (this.target.msvc) this.note(a.at, `packed on enum ${tag?.text ?? '(anonymous)'} is ignored: under MSVC every enum is an int`);
      else packed = true;
    }
    const u = fixed ?? enumUnderlying(this.target, min ?? 0n, max ?? 0n, packed);
    if (u === undefined) fail(`enum ${tag?.text ?? ''}: its values do not fit a 64-bit integer`, kw);
    entry.underlying = u;
    entry.constants = constants;
    entry.schema = this.enumSchema(entry);
    if (tag !== null) this.declared.push({ name: tag.text, c: `enum ${tag.text}`, kind: 'enum', type: { k: 'enum', en: entry }, at: tag });
    return { type: { k: 'enum', en: entry }, defined: entry, declaration: [] };
  }

  /**
   * The schema of a defined enum: the target's `enum()` of its constants, as the integer the
   * compiler chose; the integer alone when a constant cannot be a schema's (a name starting with
   * `__`), with a note.
   */
  private enumSchema(en: EnumEntry): PrimitiveSchema<IntegerName> {
    const u = en.underlying as PrimitiveSchema<IntegerName>;
    const label = `enum ${en.tag ?? en.name ?? '(anonymous)'}`;
    const reserved = en.constants.find(([n]) => !isTypeName(n));
    if (reserved !== undefined) {
      this.note(
        en.at,
        `${label} is its integer type (${u.name}) without its constants: '${reserved[0]}' cannot name a schema's constant (names starting with __ are reserved)`,
      );
      return u;
    }
    const wide = u.name === 'i64' || u.name === 'u64';
    const values: Record<string, number | bigint> = {};
    for (const [n, v] of en.constants) values[n] = wide ? v : Number(v);
    return located(() => targetTypes(this.target.name).enum(values as EnumValues, en.name === null ? { type: u } : { name: en.name, type: u }), en.at);
  }

  private enumTag(tag: PPToken | null, kw: PPToken, defining: boolean): EnumEntry {
    if (tag === null) return { tag: null, at: kw, underlying: null, schema: null, name: null, constants: [] };
    const existing = this.tags.get(tag.text);
    if (existing !== undefined) {
      const was = this.kinds.get(existing);
      if (was !== 'enum') fail(`'${tag.text}' is already declared as a ${was}`, tag);
      const en = existing as EnumEntry;
      if (defining) {
        if (this.definedEnums.has(en)) fail(`redefinition of enum ${tag.text}`, tag);
        this.definedEnums.add(en);
      }
      return en;
    }
    const en: EnumEntry = { tag: tag.text, at: tag, underlying: null, schema: null, name: isTypeName(tag.text) ? tag.text : null, constants: [] };
    if (defining) this.definedEnums.add(en);
    this.tags.set(tag.text, en);
    this.kinds.set(en, 'enum');
    return en;
  }

  // ---- declarators -------------------------------------------------------------------------------

  /**
   * A declarator: pointers, then a name or a parenthesised declarator, then array and function
   * suffixes. `abstract`: no name (type names); `named`: a name is required.
   */
  private declarator(mode: 'named' | 'abstract'): Declarator {
    const start = this.here();
    this.enterDeclarator(start);
    const attrs: Attribute[] = [];
    let pointers = 0;
    this.skipCallingConventions();
    while (this.is('*') || this.is('^')) {
      if (this.is('^')) fail('block pointers (^) are not C', this.here(), 'c_unsupported');
      this.next();
      pointers++;
      for (;;) {
        const t = this.peek();
        if (t?.kind === 'ident' && t.text === '__ptr32') fail('__ptr32 (a 32-bit pointer in 64-bit MSVC code) has no schema', t, 'c_unsupported');
        if (t?.kind === 'ident' && (QUALIFIERS.has(t.text) || t.text === '_Atomic' || (this.target.msvc && MSVC_QUALIFIERS.has(t.text)))) this.next();
        else if (t !== undefined && (ATTRIBUTE.has(t.text) || (t.text === '[' && this.is('[', 1)))) attrs.push(...this.attributes());
        else break;
      }
    }
    let name: PPToken | null = null;
    let inner: ((b: CType) => CType) | null = null;
    const t = this.peek();
    if (this.is('(') && this.groupingParen()) {
      this.next();
      const d = this.declarator(mode);
      this.expect(')', 'to close the parenthesised declarator');
      name = d.name;
      inner = d.derive;
      attrs.push(...d.attrs);
    } else if (t?.kind === 'ident' && mode === 'named' && !ATTRIBUTE.has(t.text)) {
      name = this.next();
    } else if (mode === 'named') {
      fail(`expected a name, found ${t === undefined ? 'the end of the source' : `'${excerpt(t.text)}'`}`, t ?? this.end);
    }
    attrs.push(...this.attributes());
    const suffixes: ({ k: 'array'; length: number | null } | { k: 'function' })[] = [];
    for (;;) {
      if (this.is('[') && !this.is('[', 1)) {
        this.next();
        while (this.peek()?.kind === 'ident' && (QUALIFIERS.has((this.peek() as PPToken).text) || this.is('static'))) this.next();
        if (this.is(']')) {
          this.next();
          suffixes.push({ k: 'array', length: null });
          continue;
        }
        if (this.is('*') && this.is(']', 1)) fail('a variable-length array [*] has no size', this.here(), 'c_unsupported');
        const at = this.here();
        const n = this.constant('an array length');
        if (n < 0n) fail(`array length ${n} is negative`, at);
        this.expect(']', 'to close the array length');
        suffixes.push({ k: 'array', length: Number(n) }); // a safe integer (constant() refuses more): the schema's check names it as written
        if (suffixes.length > MAX_DEPTH) fail(`more than ${MAX_DEPTH} array dimensions`, at, 'too_deep');
        continue;
      }
      if (this.is('(')) {
        this.skipBalanced('(');
        suffixes.push({ k: 'function' });
        continue;
      }
      break;
    }
    // asm labels and attributes after the declarator
    for (;;) {
      const a = this.peek();
      if (a?.kind === 'ident' && ASM.has(a.text)) {
        this.next();
        this.skipBalanced('(');
      } else if (a !== undefined && (ATTRIBUTE.has(a.text) || (a.text === '[' && this.is('[', 1)))) attrs.push(...this.attributes());
      else break;
    }
    this.declaratorDepth--;
    const derive = (base: CType): CType => {
      let type = base;
      if (pointers > 0) type = this.pointer;
      for (let k = suffixes.length - 1; k >= 0; k--) {
        const s = suffixes[k] as { k: 'array'; length: number | null } | { k: 'function' };
        type = s.k === 'function' ? { k: 'function' } : { k: 'array', of: type, length: s.length };
      }
      return inner === null ? type : inner(type);
    };
    return { name, derive, attrs };
  }

  /** MSVC: skips calling conventions before a declarator (`int (__cdecl *f)(int)`, `void __stdcall g(void)`). */
  private skipCallingConventions(): void {
    while (this.target.msvc && this.peek()?.kind === 'ident' && MSVC_QUALIFIERS.has((this.peek() as PPToken).text)) this.next();
  }

  /** At a `(` in a declarator: whether it groups a declarator (`(*p)`) rather than opening parameters. */
  private groupingParen(): boolean {
    const after = this.peek(1);
    if (after === undefined) return false;
    if (after.kind === 'punct') return after.text === '*' || after.text === '(' || after.text === '^' || (after.text === '[' && this.is('[', 2));
    if (after.kind !== 'ident') return false;
    if (ATTRIBUTE.has(after.text) || (this.target.msvc && MSVC_CALLING_CONVENTIONS.has(after.text))) return true;
    return !this.startsTypeName(after);
  }

  // ---- attributes --------------------------------------------------------------------------------

  /** Reads any `__attribute__((…))`, `[[…]]` and (MSVC) `__declspec(…)` at the cursor. */
  private attributes(): Attribute[] {
    const out: Attribute[] = [];
    for (;;) {
      const t = this.peek();
      if (t === undefined) return out;
      if (t.kind === 'ident' && t.text === '__declspec') {
        if (!this.target.msvc)
          fail(
            `__declspec is Microsoft C, which ${this.target.compiler} does not read; read the header with { target: 'x86_64-windows-msvc' }`,
            t,
            'c_unsupported',
          );
        this.next();
        this.expect('(', 'after __declspec');
        while (!this.is(')')) {
          const name = this.next();
          if (name.kind !== 'ident') fail(`expected a __declspec name, found '${excerpt(name.text)}'`, name);
          let args: PPToken[] | null = null;
          if (this.is('(')) {
            const from = this.pos + 1;
            this.skipBalanced('(');
            args = this.tokens.slice(from, this.pos - 1) as PPToken[];
          }
          out.push({ name: name.text, args, at: name, declspec: true });
        }
        this.expect(')', 'to close __declspec(…)');
        continue;
      }
      if (t.kind === 'ident' && ATTRIBUTE.has(t.text)) {
        this.next();
        this.expect('(', `after ${t.text}`);
        this.expect('(', `after ${t.text}(`);
        this.attributeList(out, '))');
        this.expect(')', `to close ${t.text}((…))`);
        this.expect(')', `to close ${t.text}((…))`);
        continue;
      }
      if (t.kind === 'punct' && t.text === '[' && this.is('[', 1)) {
        this.next();
        this.next();
        this.attributeList(out, ']]');
        this.expect(']', 'to close [[…]]');
        this.expect(']', 'to close [[…]]');
        continue;
      }
      return out;
    }
  }

  private attributeList(out: Attribute[], end: '))' | ']]'): void {
    const closer = end === '))' ? ')' : ']';
    while (!this.is(closer)) {
      if (this.is(',')) {
        this.next();
        continue;
      }
      const name = this.next();
      if (name.kind !== 'ident') fail(`expected an attribute name, found '${excerpt(name.text)}'`, name);
      let spelled = name.text;
      if (this.is('::')) {
        this.next();
        spelled = `${spelled}::${this.next().text}`;
      }
      let args: PPToken[] | null = null;
      if (this.is('(')) {
        const from = this.pos + 1;
        this.skipBalanced('(');
        args = this.tokens.slice(from, this.pos - 1) as PPToken[];
      }
      out.push({ name: spelled, args, at: name, declspec: false });
    }
  }

  /** What an attribute does; an unknown one is refused (it might change the layout). */
  private effect(a: Attribute): 'packed' | 'aligned' | 'order' | 'ignored' {
    if (a.declspec) {
      const effect = declspecEffect(a.name);
      if (effect === undefined) fail(`__declspec(${excerpt(a.name)}) is not known to fromC, and it might change the layout`, a.at, 'c_unsupported');
      if (effect === 'refused') fail(`__declspec(${a.name}) changes the layout in a way no schema expresses`, a.at, 'c_unsupported');
      return effect;
    }
    const name = attributeName(a.name);
    const effect = a.name.includes('::') && !a.name.startsWith('gnu::') && !a.name.startsWith('clang::') ? undefined : attributeEffect(name);
    if (effect === undefined) fail(`attribute '${excerpt(a.name)}' is not known to fromC, and it might change the layout`, a.at, 'c_unsupported');
    if (effect === 'refused')
      fail(
        name === 'ms_struct'
          ? "attribute 'ms_struct' asks gcc for its version of Microsoft's layout, which differs from MSVC's in places (unions with bitfields, aligned members under pack); read the header with { target: 'x86_64-windows-msvc' }"
          : `attribute '${name}' changes the layout in a way no schema expresses`,
        a.at,
        'c_unsupported',
      );
    return effect;
  }

  /** The value of `aligned(n)` or `__declspec(align(n))` (`aligned` without an argument: the target's largest alignment). */
  private alignValue(a: Attribute): number {
    if (a.declspec && (a.args === null || a.args.length === 0)) fail('__declspec(align) needs an alignment: __declspec(align(n))', a.at);
    if (a.args === null || a.args.length === 0) return this.target.biggestAlignment;
    // The arguments are parsed as the source itself (the parser's cursor moved onto them for the
    // time): `sizeof(long)` or `_Alignof(double)` there read a type name, as gcc allows.
    const saved = { tokens: this.tokens, pos: this.pos, end: this.end };
    const last = a.args[a.args.length - 1] as PPToken;
    this.tokens = a.args;
    this.pos = 0;
    this.end = { file: last.file, line: last.line, column: last.column + last.text.length };
    let n: bigint;
    try {
      n = evaluate(this, this.host).value;
      const extra = this.tokens[this.pos];
      if (extra !== undefined) fail(`unexpected '${excerpt(extra.text)}' in aligned(…)`, extra);
    } finally {
      this.tokens = saved.tokens;
      this.pos = saved.pos;
      this.end = saved.end;
    }
    if (n < 1n || (n & (n - 1n)) !== 0n) fail(`aligned(${n}): the alignment is not a power of two`, a.at);
    if (n > BigInt(MAX_ALIGN)) fail(`aligned(${n}): alignments above ${MAX_ALIGN} have no schema`, a.at, 'c_unsupported');
    return Number(n);
  }

  // ---- expressions -------------------------------------------------------------------------------

  /** An integer constant expression at the cursor. */
  private constant(what: string): bigint {
    const at = this.here();
    const v = evaluate(this, this.host);
    if (v.value > BigInt(Number.MAX_SAFE_INTEGER) || v.value < -BigInt(Number.MAX_SAFE_INTEGER)) fail(`${what} is too large (${v.value})`, at);
    return v.value;
  }

  private alignOf(t: CType, at: SourceLocation): number {
    if (t.k === 'aligned') return Math.max(t.align, this.alignOf(t.of, at));
    return layout(schemaOf(t, false, at, `type ${spell(t)}`)).align;
  }

  readonly host: ExpressionHost;

  /** The expression language over what was declared (`sizeof`, `offsetof`, enum constants). */
  private expressionHost(): ExpressionHost {
    return {
      preprocessor: false,
      target: this.target,
      identifier: (token: Token, live: boolean): CInt => {
        const o = this.ordinary.get(token.text);
        if (o?.k === 'constant') return o.value;
        if (token.text === 'true' || token.text === 'false') return cint(token.text === 'true' ? 1n : 0n, 'int');
        if (!live) return cint(0n, 'int');
        return fail(
          o?.k === 'typedef'
            ? `'${excerpt(token.text)}' is a type, not a value`
            : `'${excerpt(token.text)}' is not a constant (no #define or enum constant of that name)${this.unreadHint()}`,
          token,
        );
      },
      startsTypeName: (t: Token) => this.startsTypeName(t),
      typeFacts: () => {
        const at = this.here();
        const t = this.typeName();
        const schema = t.k === 'aligned' ? schemaOf(t.of, false, at, `type ${spell(t)}`) : schemaOf(t, false, at, `type ${spell(t)}`);
        const l = layout(schema);
        const integer = t.k === 'scalar' || t.k === 'enum' || t.k === 'char' || t.k === 'pointer' ? integerType(schema) : null;
        return { size: l.size, align: t.k === 'aligned' ? Math.max(t.align, l.align) : l.align, integer, bits: l.size * 8 };
      },
      offsetof: () => {
        const at = this.here();
        const t = this.typeName();
        this.expect(',', 'after the type in offsetof(type, member)');
        let path = '';
        const first = this.next();
        if (first.kind !== 'ident') fail(`expected a member name in offsetof, found '${excerpt(first.text)}'`, first);
        path = first.text;
        for (;;) {
          if (this.is('.')) {
            this.next();
            const m = this.next();
            if (m.kind !== 'ident') fail(`expected a member name in offsetof, found '${excerpt(m.text)}'`, m);
            path += `.${m.text}`;
          } else if (this.is('[')) {
            this.next();
            const i = this.constant('an index in offsetof');
            this.expect(']', 'to close the index');
            path += `[${i}]`;
          } else break;
        }
        const schema = schemaOf(t, false, at, `type ${spell(t)}`);
        const resolved = located(() => resolvePath(layout(schema), path, `offsetof(${spell(t)}, …)`), at);
        if (resolved.field?.bits) fail(`offsetof(${spell(t)}, ${path}): ${path} is a bitfield, which has no offset`, at);
        return resolved.offset;
      },
    };
  }
}

/** The integer type of a cast or `sizeof` operand, for constant expressions. */
function integerType(schema: Schema): IntType | null {
  if (schema.kind !== 'primitive') return schema.kind === 'char' ? 'int' : null;
  const info = PRIMITIVES[schema.name];
  if (info.family !== 'int') return null;
  if (info.size === 8) return info.signed ? 'long' : 'unsigned long';
  return info.signed ? 'int' : 'unsigned int'; // a narrower type wraps by its signedness, then promotes to int
}

/** Whether a tag or typedef name may name a schema (schemas refuse `__` names). */
function isTypeName(name: string): boolean {
  return isIdentifier(name) && !name.startsWith('__');
}

function fitsInt(v: bigint): boolean {
  return v >= -(2n ** 31n) && v < 2n ** 31n;
}

/** C's "compatible types", as far as a repeated typedef needs it. */
function sameType(a: CType, b: CType): boolean {
  if (a.k !== b.k) return false;
  switch (a.k) {
    case 'scalar':
      return a.schema === (b as typeof a).schema;
    case 'record':
      return a.rec === (b as typeof a).rec;
    case 'enum':
      return a.en === (b as typeof a).en;
    case 'array':
      return a.length === (b as typeof a).length && sameType(a.of, (b as typeof a).of);
    case 'aligned':
      return a.align === (b as typeof a).align && sameType(a.of, (b as typeof a).of);
    case 'refused':
      return a.spelled === (b as typeof a).spelled;
    default:
      return true;
  }
}
