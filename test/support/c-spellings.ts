// C for a schema in many spellings (a second C writer, independent of toC, for fromC's tests): the
// same layout written with keyword types or <stdint.h> names or typedefs or enums, nested records
// defined inline (tagged or not) or before, #pragma pack in each of its forms or
// __attribute__((packed)), aligned(n) before or after, _Alignas, byte order by attribute or by
// #pragma, array sizes through #define, enum constants, sizeof and arithmetic, comments and odd
// whitespace. Every choice is drawn from a seeded generator, so a failing case replays.
import { layout, type Schema } from '../../src/index.js';

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

const SPELLINGS: Record<string, readonly string[]> = {
  bool: ['_Bool', 'bool'],
  i8: ['signed char', 'int8_t', 'char signed'],
  u8: ['unsigned char', 'uint8_t', 'char unsigned'],
  i16: ['short', 'short int', 'signed short', 'int16_t', 'int short'],
  u16: ['unsigned short', 'unsigned short int', 'uint16_t', 'short unsigned'],
  i32: ['int', 'signed', 'signed int', 'int32_t', 'int signed'],
  u32: ['unsigned', 'unsigned int', 'uint32_t', 'int unsigned'],
  i64: ['long', 'long long', 'long int', 'int64_t', 'long long int', 'signed long', 'intptr_t', 'ssize_t'],
  u64: ['unsigned long', 'unsigned long long', 'uint64_t', 'long unsigned int', 'size_t', 'uintptr_t'],
  f32: ['float'],
  f64: ['double'],
};

/**
 * C declaring `schema` as `root` (a struct or union tag) or `root_t` (a typedef, for any type);
 * every other name starts with `prefix`. Returns the text and the C spelling of the root.
 */
export function spellC(schema: Schema, seed: number, prefix = ''): { text: string; root: string } {
  return new Speller(chooser(seed), prefix).run(schema);
}

class Speller {
  private readonly before: string[] = [];
  private k = 0;
  constructor(
    private readonly c: Chooser,
    private readonly prefix: string,
  ) {}

  private fresh(what: string): string {
    return `${this.prefix}${what}${this.k++}`;
  }

  private space(): string {
    return this.c.pick([' ', ' ', '  ', '\n  ', ' /* … */ ', '\t']);
  }

  run(schema: Schema): { text: string; root: string } {
    const head = ['#include <stdint.h>', '#include <stdbool.h>', '#include <stddef.h>', ''];
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
  private packing(s: Schema & { kind: 'struct' | 'union' }): number {
    const pack = s.options.pack;
    if (pack === undefined) return 0;
    // packed is pack 1 only without aligned members (gcc keeps their alignment under packed, pack caps it)
    return pack === 1 && s.fields.every((f) => f.align === null) && this.c.chance(0.5) ? -1 : pack;
  }

  /**
   * Declares a record at file scope (tagged, or as a typedef) and returns how members name it. A
   * record under #pragma pack is always declared so: the pragma must hold at each of its members
   * and at no member of another record.
   */
  private declare(s: Schema & { kind: 'struct' | 'union' }, order: 'big' | 'little', name: string, packing = this.packing(s)): string {
    const typedef = this.c.chance(0.5);
    const body = this.record(s, order, typedef && this.c.chance(0.5) ? null : name, packing);
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

  /** A spelling of a primitive: a keyword combination, a stdint name, or a typedef of one. */
  private primitive(name: string): string {
    const spelled = this.c.pick(SPELLINGS[name] as readonly string[]);
    if (this.c.chance(0.2)) {
      const t = this.fresh('T');
      this.before.push(`typedef ${spelled} ${t};`);
      return t;
    }
    return spelled;
  }

  /** The declared type of a bitfield: as a primitive, or an enum of that underlying type. */
  private bitfieldType(name: string): string {
    if (name === 'u32' && this.c.chance(0.2)) {
      const e = this.fresh('E');
      this.before.push(`enum ${e} { ${e}_A, ${e}_B = 7 };`);
      return `enum ${e}`;
    }
    if (name === 'i32' && this.c.chance(0.2)) {
      const e = this.fresh('E');
      this.before.push(`enum ${e} { ${e}_NEG = -1, ${e}_POS = 100 };`);
      return `enum ${e}`;
    }
    if ((name === 'u8' || name === 'i8') && this.c.chance(0.2)) {
      const e = this.fresh('E');
      this.before.push(`enum __attribute__((packed)) ${e} { ${e}_A = ${name === 'u8' ? '200' : '-100'} };`);
      return `enum ${e}`;
    }
    return this.primitive(name);
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
        return { spec: this.primitive(inner.name), dims };
      case 'char':
        return { spec: 'char', dims: `${dims}[${this.length(inner.length)}]` };
      case 'struct':
      case 'union': {
        // its byte order here: its own, else this record's (schemas inherit, C does not: say it)
        const own = inner.options.endian ?? order;
        const packing = this.packing(inner);
        if (inlineOk && pack <= 0 && packing <= 0 && this.c.chance(0.5))
          return { spec: this.record(inner, own, this.c.chance(0.5) ? this.fresh('tag') : null, packing), dims };
        return { spec: this.declare(inner, own, this.fresh('rec'), packing), dims };
      }
      case 'sync':
        throw new Error('no synchronization members in C');
    }
  }

  /** `struct [attrs] [tag] { members } [attrs]` with the layout of `s` in byte order `order`, packed as `packing` says (#pragma lines are the caller's). */
  private record(s: Schema & { kind: 'struct' | 'union' }, order: 'big' | 'little', tag: string | null, packing: number): string {
    const o = s.options;
    const lead: string[] = [];
    const trail: string[] = [];
    const put = (attr: string): void => {
      (this.c.chance(0.5) ? lead : trail).push(attr);
    };
    if (order === 'big') put(this.c.pick(['scalar_storage_order("big-endian")', '__scalar_storage_order__("big-endian")']));
    else if (o.endian === 'little' && this.c.chance(0.3)) put('scalar_storage_order("little-endian")');
    if (o.align !== undefined) put(this.c.pick([`aligned(${o.align})`, `__aligned__(${o.align})`]));
    if (packing === -1) put(this.c.pick(['packed', '__packed__']));
    const members: string[] = [];
    for (const f of s.fields) {
      let line: string;
      if (f.bits !== null) {
        const t = this.bitfieldType(f.type.kind === 'primitive' ? f.type.name : 'u32');
        line = `${t}${f.name === null ? '' : ` ${f.name}`} : ${this.c.chance(0.2) ? `(${f.bits} + 0)` : f.bits};`;
      } else {
        const { spec, dims } = this.member(f.type, order, packing, true);
        const name = f.name as string;
        if (f.align === null) line = `${spec} ${name}${dims};`;
        else {
          const natural = layout(f.type).align;
          const ways = [`${spec} ${name}${dims} __attribute__((aligned(${f.align})));`, `${spec} __attribute__((aligned(${f.align}))) ${name}${dims};`];
          // _Alignas may not lower alignment (C11 6.7.5): only where it raises or keeps it
          if (f.align >= natural) ways.push(`_Alignas(${f.align}) ${spec} ${name}${dims};`);
          line = this.c.pick(ways);
        }
      }
      members.push(`${this.space()}${line}${this.c.chance(0.1) ? ' // a comment' : ''}${this.c.chance(0.05) ? ';' : ''}`);
    }
    const attrs = (list: string[]): string => (list.length === 0 ? '' : ` __attribute__((${list.join(', ')}))`);
    return `${s.kind}${attrs(lead)}${tag === null ? '' : ` ${tag}`} {\n${members.join('\n')}\n}${attrs(trail)}`;
  }
}
