// C for a schema in many spellings, as a header for one target's compiler would write it (a second C
// writer, independent of toC, for fromC's tests): the same layout written with keyword types or
// <stdint.h> names or the target's own (long, size_t, wchar_t, MSVC's __int64) or typedefs or enums
// (by the target's rules, packed, or with a stated type where the compiler reads C23's
// `enum E : T`), _Float16, nested records defined inline (tagged or not) or before, C11 anonymous
// members (and MSVC's tagged ones), #pragma pack in each of its forms or __attribute__((packed)),
// aligned(n) before or after, __declspec(align(n)) under MSVC, _Alignas, byte order by attribute or
// by #pragma, array sizes through #define, enum constants, sizeof and arithmetic, comments and odd
// whitespace. Every choice is drawn from a seeded generator, so a failing case replays.
import { EnumSchema, layout, type RecordSchema, type Schema, type TargetName, target } from '../../src/index.js';

/** A seeded generator of choices (mulberry32). */
export function chooser(seed: number): { pick<T>(options: readonly T[]): T; chance(p: number): boolean; int(n: number): number } {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    pick: (options) => options[Math.floor(next() * options.length)] as (typeof options)[number],
    chance: (p) => next() < p,
    int: (n) => Math.floor(next() * n),
  };
}

type Chooser = ReturnType<typeof chooser>;

/** Spellings every target reads alike. */
const COMMON: Record<string, readonly string[]> = {
  bool: ['_Bool', 'bool'],
  i8: ['signed char', 'int8_t', 'char signed'],
  u8: ['unsigned char', 'uint8_t', 'char unsigned'],
  i16: ['short', 'short int', 'signed short', 'int16_t', 'int short'],
  u16: ['unsigned short', 'unsigned short int', 'uint16_t', 'short unsigned'],
  i32: ['int', 'signed', 'signed int', 'int32_t', 'int signed'],
  u32: ['unsigned', 'unsigned int', 'uint32_t', 'int unsigned'],
  i64: ['long long', 'int64_t', 'long long int', 'signed long long'],
  u64: ['unsigned long long', 'uint64_t', 'long long unsigned int'],
  f16: ['_Float16'],
  f32: ['float'],
  f64: ['double'],
};

/**
 * What each target's compiler (and C library) adds: its long, size_t, wchar_t, … (For wasm32 and
 * MSVC only what clang's own headers declare: the tests compile the C there without a C library.)
 */
const OF_TARGET: Record<TargetName, Record<string, readonly string[]>> = {
  'x86_64-linux-gnu': {
    i64: ['long', 'long int', 'signed long', 'intptr_t', 'ssize_t', 'ptrdiff_t', 'off_t', 'int_fast32_t'],
    u64: ['unsigned long', 'long unsigned int', 'size_t', 'uintptr_t', 'uint_fast16_t'],
    i32: ['wchar_t', 'pid_t'],
    u32: ['char32_t', 'uid_t'],
    u16: ['char16_t'],
  },
  'aarch64-linux-gnu': {
    i64: ['long', 'long int', 'signed long', 'intptr_t', 'ssize_t', 'ptrdiff_t', 'int_fast16_t'],
    u64: ['unsigned long', 'size_t', 'uintptr_t'],
    u32: ['wchar_t', 'wint_t'],
  },
  wasm32: {
    i32: ['long', 'long int', 'intptr_t', 'ptrdiff_t', 'wchar_t'],
    u32: ['unsigned long', 'size_t', 'uintptr_t'],
  },
  'x86_64-windows-msvc': {
    i32: ['long', 'long int', '__int32', 'signed __int32'],
    u32: ['unsigned long', 'unsigned __int32', 'DWORD'],
    i64: ['__int64', 'signed __int64', 'intptr_t', 'ptrdiff_t'],
    u64: ['unsigned __int64', 'size_t', 'uintptr_t'],
    u16: ['wchar_t', 'unsigned __int16'],
    i16: ['__int16'],
  },
};

/**
 * C declaring `schema` as `root` (a struct or union tag) or `root_t` (a typedef, for any type), as
 * written for the compiler of `target`; every other name starts with `prefix`. Returns the text
 * and the C spelling of the root.
 */
export function spellC(schema: Schema, seed: number, prefix = '', t: TargetName = 'x86_64-linux-gnu'): { text: string; root: string } {
  return new Speller(chooser(seed), prefix, t).run(schema);
}

class Speller {
  private readonly before: string[] = [];
  private k = 0;
  private readonly msvc: boolean;
  private readonly clang: boolean;
  constructor(
    private readonly c: Chooser,
    private readonly prefix: string,
    private readonly t: TargetName,
  ) {
    this.msvc = t === 'x86_64-windows-msvc';
    this.clang = t === 'wasm32' || this.msvc;
  }

  private fresh(what: string): string {
    return `${this.prefix}${what}${this.k++}`;
  }

  private space(): string {
    return this.c.pick([' ', ' ', '  ', '\n  ', ' /* … */ ', '\t']);
  }

  run(schema: Schema): { text: string; root: string } {
    const head = ['#include <stdint.h>', '#include <stdbool.h>', '#include <stddef.h>'];
    if (!this.clang) head.push('#include <uchar.h>', '#include <wchar.h>', '#include <sys/types.h>');
    if (this.msvc) head.push(`typedef unsigned long DWORD;`); // as <windows.h> has it
    head.push('');
    let root: string;
    if (schema.kind === 'struct' || schema.kind === 'union') {
      root = this.declare(schema, schema.options.endian ?? 'little', `${this.prefix}root`);
    } else {
      root = `${this.prefix}root_t`;
      const { spec, dims } = this.member(schema, 'little', 0, false);
      this.before.push(`typedef ${spec} ${root}${dims};`);
    }
    return { text: `${[...head, ...this.before].join('\n')}\n`, root };
  }

  /** How a record is packed: 0 not at all, -1 by __attribute__((packed)), n by #pragma pack(n). */
  private packing(s: RecordSchema): number {
    const pack = s.options.pack;
    if (pack === undefined) return 0;
    // packed is pack 1 only without aligned members (gcc keeps their alignment under packed, pack caps it)
    return pack === 1 && s.fields.every((f) => f.align === null) && this.c.chance(0.5) ? -1 : pack;
  }

  /**
   * Declares a record at file scope (tagged, or as a typedef) and returns how members name it. A
   * record under #pragma pack is always declared so: the pragma must hold at its braces and at no
   * member of another record.
   */
  private declare(s: RecordSchema, order: 'big' | 'little', name: string, packing = this.packing(s)): string {
    const typedef = this.c.chance(0.5);
    const body = this.record(s, order, typedef && this.c.chance(0.5) ? null : name, packing, Math.max(packing, 0));
    const text = typedef ? `typedef ${body} ${name}_t;` : `${body};`;
    if (packing > 0) {
      const [open, close] = this.c.pick([
        [`#pragma pack(push, ${packing})`, '#pragma pack(pop)'],
        [`#pragma pack(${packing})`, '#pragma pack()'],
        [`_Pragma("pack(push, ${packing})")`, '_Pragma("pack(pop)")'],
      ]);
      this.before.push(open, text, close);
    } else this.before.push(text);
    return typedef ? `${name}_t` : `${s.kind} ${name}`;
  }

  /** A length: a number, a #define, an enum constant or arithmetic. */
  private length(n: number): string {
    switch (this.c.int(5)) {
      case 0: {
        const name = this.fresh('LEN');
        this.before.push(`#define ${name} ${n}`);
        return name;
      }
      case 1: {
        const name = this.fresh('COUNT');
        this.before.push(`enum { ${name} = ${n} };`);
        return name;
      }
      case 2:
        return `(${n + 3} - 3)`;
      case 3:
        return `sizeof(char[${n}])`;
      default:
        return String(n);
    }
  }

  /** A spelling of a primitive: a keyword combination, a standard or target name, or a typedef of one; an enum as an enum. */
  private primitive(s: Schema & { kind: 'primitive' }): string {
    if (s instanceof EnumSchema) return this.enumType(s);
    const spelled = this.c.pick([...(COMMON[s.name] ?? []), ...(OF_TARGET[this.t][s.name] ?? [])]);
    if (this.c.chance(0.2)) {
      const t = this.fresh('T');
      this.before.push(`typedef ${spelled} ${t};`);
      return t;
    }
    return spelled;
  }

  /**
   * An enum declared with the constants of `e`, its type as the compiler picks it (by the rules,
   * packed) or stated (C23, which clang reads and gcc 12 does not: there, the integer instead).
   */
  private enumType(e: EnumSchema): string {
    const t = target(this.t);
    const picks = (options: { packed?: boolean }): boolean => {
      try {
        return t.enum(e.values, options).name === e.name;
      } catch {
        return false;
      }
    };
    let how: 'plain' | 'packed' | 'fixed' | 'integer';
    if (picks({})) how = 'plain';
    else if (!this.msvc && picks({ packed: true })) how = 'packed';
    else if (this.clang) how = 'fixed';
    else how = 'integer';
    if (how === 'integer') return this.c.pick(COMMON[e.name] as readonly string[]);
    const tag = this.fresh('E');
    const constants = Object.entries(e.values).map(([n, v]) => `${tag}_${n} = ${typeof v === 'bigint' ? `${v}ULL` : v < 0 ? `(${v})` : v}`);
    const fixed = how === 'fixed' ? ` : ${this.c.pick(COMMON[e.name] as readonly string[])}` : '';
    const packed = how === 'packed' ? this.c.pick([' __attribute__((packed))', ' __attribute__((__packed__))']) : '';
    if (this.c.chance(0.5)) {
      this.before.push(`enum${packed} ${tag}${fixed} { ${constants.join(', ')} };`);
      return `enum ${tag}`;
    }
    this.before.push(`typedef enum${packed}${fixed === '' ? '' : ` ${tag}`}${fixed} { ${constants.join(', ')} } ${tag}_t;`);
    return `${tag}_t`;
  }

  /** The declared type of a bitfield: as a primitive, an enum of that underlying type, or plain char for the target's char. */
  private bitfieldType(s: Schema): string {
    if (s.kind !== 'primitive') throw new Error(`a bitfield of ${s.kind}`);
    if (s instanceof EnumSchema) return this.enumType(s);
    const name = s.name;
    if (name === target(this.t).plainChar.name && this.c.chance(0.3)) return 'char';
    if (name === 'u32' && !this.msvc && this.c.chance(0.2)) {
      const e = this.fresh('E');
      this.before.push(`enum ${e} { ${e}_A, ${e}_B = 7 };`);
      return `enum ${e}`;
    }
    if (name === 'i32' && this.c.chance(0.2)) {
      const e = this.fresh('E');
      this.before.push(`enum ${e} { ${e}_NEG = -1, ${e}_POS = 100 };`);
      return `enum ${e}`;
    }
    if ((name === 'u8' || name === 'i8') && !this.msvc && this.c.chance(0.2)) {
      const e = this.fresh('E');
      this.before.push(`enum __attribute__((packed)) ${e} { ${e}_A = ${name === 'u8' ? '200' : '-100'} };`);
      return `enum ${e}`;
    }
    return this.primitive(s);
  }

  /** The specifier and the dimensions of a member of type `s` sitting in a record of byte order `order`. */
  private member(s: Schema, order: 'big' | 'little', pack: number, inlineOk: boolean): { spec: string; dims: string } {
    let dims = '';
    let inner: Schema = s;
    while (inner.kind === 'array') {
      dims += `[${this.length(inner.length)}]`;
      inner = inner.element;
    }
    switch (inner.kind) {
      case 'primitive':
        return { spec: this.primitive(inner), dims };
      case 'char':
        return { spec: 'char', dims: `${dims}[${this.length(inner.length)}]` };
      case 'struct':
      case 'union': {
        // its byte order here: its own, else this record's (schemas inherit, C does not: say it)
        const own = inner.options.endian ?? order;
        const packing = this.packing(inner);
        if (inlineOk && pack <= 0 && packing <= 0 && this.c.chance(0.5))
          return { spec: this.record(inner, own, this.c.chance(0.5) ? this.fresh('tag') : null, packing, 0), dims };
        return { spec: this.declare(inner, own, this.fresh('rec'), packing), dims };
      }
      case 'sync':
        throw new Error('no synchronization members in C');
    }
  }

  /** An alignment as an attribute of a record: GNU's, or (MSVC) a __declspec. */
  private alignAttribute(n: number): { attr: string | null; declspec: string | null } {
    if (this.msvc && this.c.chance(0.6)) return { attr: null, declspec: `__declspec(align(${n}))` };
    return { attr: this.c.pick([`aligned(${n})`, `__aligned__(${n})`]), declspec: null };
  }

  /**
   * `struct [attrs] [tag] { members } [attrs]` with the layout of `s` in byte order `order`, packed
   * as `packing` says (#pragma lines around a record at file scope are the caller's); `pragma`: the
   * #pragma pack in effect at its members (0: none).
   */
  private record(s: RecordSchema, order: 'big' | 'little', tag: string | null, packing: number, pragma: number): string {
    const o = s.options;
    const lead: string[] = [];
    const trail: string[] = [];
    let declspec = '';
    const put = (attr: string): void => {
      (this.c.chance(0.5) ? lead : trail).push(attr);
    };
    if (order === 'big') put(this.c.pick(['scalar_storage_order("big-endian")', '__scalar_storage_order__("big-endian")']));
    else if (o.endian === 'little' && !this.clang && this.c.chance(0.3)) put('scalar_storage_order("little-endian")');
    if (o.align !== undefined) {
      const a = this.alignAttribute(o.align);
      if (a.attr !== null) put(a.attr);
      if (a.declspec !== null) declspec = ` ${a.declspec}`;
    }
    if (packing === -1) put(this.c.pick(['packed', '__packed__']));
    const members: string[] = [];
    for (const f of s.fields) {
      let line: string;
      if (f.bits !== null) {
        const t = this.bitfieldType(f.type);
        line = `${t}${f.name === null ? '' : ` ${f.name}`} : ${this.c.chance(0.2) ? `(${f.bits} + 0)` : f.bits};`;
      } else if (f.name === null) {
        line = this.anonymous(f.type as RecordSchema, order, pragma);
      } else {
        const { spec, dims } = this.member(f.type, order, pragma > 0 ? pragma : packing, true);
        const name = f.name;
        if (f.align === null) line = `${spec} ${name}${dims};`;
        else {
          const natural = layout(f.type).align;
          const ways = [`${spec} ${name}${dims} __attribute__((aligned(${f.align})));`];
          // after the closing brace of a record defined here, an attribute belongs to the record's type
          if (!spec.includes('{')) ways.push(`${spec} __attribute__((aligned(${f.align}))) ${name}${dims};`);
          // _Alignas may not lower alignment (C11 6.7.5): only where it raises or keeps it
          if (f.align >= natural) ways.push(`_Alignas(${f.align}) ${spec} ${name}${dims};`);
          // (MSVC gives a __declspec before a record defined here to the record's type)
          if (this.msvc && !spec.includes('{')) ways.push(`__declspec(align(${f.align})) ${spec} ${name}${dims};`);
          line = this.c.pick(ways);
        }
      }
      members.push(`${this.space()}${line}${this.c.chance(0.1) ? ' // a comment' : ''}${this.c.chance(0.05) ? ';' : ''}`);
    }
    const attrs = (list: string[]): string => (list.length === 0 ? '' : ` __attribute__((${list.join(', ')}))`);
    return `${s.kind}${declspec}${attrs(lead)}${tag === null ? '' : ` ${tag}`} {\n${members.join('\n')}\n}${attrs(trail)}`;
  }

  /**
   * A C11 anonymous member (under MSVC, sometimes a tagged one: a Microsoft extension), its own
   * pack stated around it where it differs from the one in effect (compilers read #pragma pack at
   * every record's braces), its byte order stated (gcc does not pass it on).
   */
  private anonymous(s: RecordSchema, order: 'big' | 'little', pragma: number): string {
    const packing = this.packing(s);
    const own = Math.max(packing, 0);
    const tag = this.msvc && this.c.chance(0.3) ? this.fresh('anon') : null;
    const body = `${this.record(s, order, tag, packing, own)};`;
    if (own === pragma || (packing === -1 && pragma === 0)) return body;
    if (own > 0) return `\n#pragma pack(push, ${own})\n${body}\n#pragma pack(pop)\n`;
    return `\n#pragma pack(push)\n#pragma pack()\n${body}\n#pragma pack(pop)\n`;
  }
}
