/**
 * TypeScript source for the types of a C header: schema code written with the DSL, one
 * `export const` per named type (dependencies first) and its `Infer<>` type, a comment per type
 * with its size and alignment and one per member with its offset. The C types whose size depends
 * on the target are written as the members of `target(name)` they are (`C.long`, `C.size_t`,
 * `C.pointer`), enums as `C.enum({ … })`, anonymous members as `anonymous(…)`, and records carry
 * their layout rules (`layout: 'msvc'`). What `sharedctypes from-c` prints.
 *
 * @module
 */
import { internalError } from '../errors.js';
import { layout } from '../layout/compute.js';
import { PRIMITIVES } from '../kinds/primitives.js';
import { EnumSchema, type RecordSchema, type Schema } from '../types/schema.js';
import { target } from '../types/target.js';
import type { CDeclaration, CHeader } from './from-c.js';
import { DECLARATION_TARGETS, TARGET_MEMBERS } from './model.js';

/** Options of {@link headerToTypeScript}. */
export interface TypeScriptOptions {
  /** The module the DSL is imported from. @defaultValue `'sharedctypes'` */
  readonly module?: string;
  /** The header's name, for the first line. */
  readonly source?: string;
}

/** Names a module cannot bind (JS reserved words, strict-mode restrictions) or a type alias cannot take. */
const RESERVED = new Set(
  [
    'break case catch class const continue debugger default delete do else enum export extends false finally for function if import in',
    'instanceof new null return super switch this throw true try typeof var void while with yield let static implements interface package',
    'private protected public await arguments eval undefined NaN Infinity',
    // type names a type alias may not take
    'any unknown never object string number boolean symbol bigint',
  ]
    .join(' ')
    .split(' '),
);

/** The DSL functions and schemas generated code may import. */
const DSL = ['struct', 'union', 'array', 'char', 'bits', 'unnamed', 'aligned', 'anonymous', 'target', ...Object.keys(PRIMITIVES), 'Infer'] as const;
type DslName = (typeof DSL)[number];

/** Renders {@link CHeader} as a TypeScript module. */
export function headerToTypeScript(header: CHeader, options: TypeScriptOptions = {}): string {
  return new Emitter(header, options).run();
}

/** Where a named record or enum is defined: a declaration of the header, or a local constant for an untagged record used in several places. */
type Owner = { readonly k: 'declaration'; readonly d: CDeclaration } | { readonly k: 'hoisted'; readonly name: string };

/** A record, or an enum: the schemas that are defined once and referred to by name. */
type Named = RecordSchema | EnumSchema;

function isNamed(s: Schema): s is Named {
  return s.kind === 'struct' || s.kind === 'union' || s instanceof EnumSchema;
}

class Emitter {
  private readonly used = new Set<string>();
  /** Export name of each declaration. */
  private readonly exportOf = new Map<CDeclaration, string>();
  /** The name each record or enum is referred to by, and what defines it. */
  private readonly owners = new Map<Named, Owner>();
  private readonly names = new Map<Named, string>();
  /** The local name of `target('…')` once used. */
  private targetLocal: string | undefined;
  private readonly imports = new Map<DslName, string>();
  private readonly emitted = new Set<object>();
  private readonly out: string[] = [];

  constructor(
    private readonly header: CHeader,
    private readonly options: TypeScriptOptions,
  ) {}

  /** Next numeric suffix to try per name (so that claiming stays linear however names collide). */
  private readonly suffixes = new Map<string, number>();

  /** `wanted` if free, else `wanted_`, else `wanted_2`, `wanted_3`, …. */
  private claim(wanted: string): string {
    let base = /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(wanted) ? wanted : wanted.replace(/[^A-Za-z0-9_$]/g, '_');
    if (/^[0-9]/.test(base)) base = `_${base}`;
    const free = (n: string): boolean => !RESERVED.has(n) && !this.used.has(n);
    let name = free(base) ? base : `${base}_`;
    if (!free(name)) {
      let k = this.suffixes.get(base) ?? 2;
      while (!free(`${base}_${k}`)) k++;
      this.suffixes.set(base, k + 1);
      name = `${base}_${k}`;
    }
    this.used.add(name);
    return name;
  }

  /** The local name of a DSL import (aliased when the header has a type of that name: `u8 as u8_`). */
  private dsl(name: DslName): string {
    let local = this.imports.get(name);
    if (local === undefined) {
      local = this.claim(name);
      this.imports.set(name, local);
    }
    return local;
  }

  /** The local constant holding `target('<the header's target>')`, declared at the top once used. */
  private target(): string {
    if (this.targetLocal === undefined) this.targetLocal = this.claim('C');
    return this.targetLocal;
  }

  run(): string {
    const decls = this.header.declarations;
    // exports first, so that imports and local names never take a name of the header
    for (const d of decls) this.exportOf.set(d, this.claim(d.name.replace(/ /g, '_')));
    for (const d of decls) {
      if (!isNamed(d.schema)) continue;
      const owner = this.owners.get(d.schema);
      // a record or enum is defined under its tag's name, else under its first typedef's
      if (owner === undefined || (owner.k === 'declaration' && owner.d.kind === 'typedef' && d.kind !== 'typedef')) {
        this.owners.set(d.schema, { k: 'declaration', d });
        this.names.set(d.schema, this.exportOf.get(d) as string);
      }
    }
    this.hoistShared();
    for (const d of decls) this.declaration(d);
    const constants = Object.entries(this.header.constants);
    if (constants.length > 0) {
      this.out.push('', '// ---- integer constants: #define and enum ----');
      for (const [name, value] of constants) {
        const local = this.claim(name);
        this.out.push(`export const ${local} = ${typeof value === 'bigint' ? `${value}n` : String(value)};${local === name ? '' : ` // C: ${name}`}`);
      }
    }
    const head = [
      `// Generated by \`sharedctypes from-c\`${this.options.source === undefined ? '' : ` from ${oneLine(this.options.source)}`}: do not edit, regenerate.`,
    ];
    head.push(`// C types as ${oneLine(this.header.compiler)} lays them out (target ${this.header.target}).`);
    for (const n of this.header.notes) head.push(`// note: ${oneLine(`${n.file}:${n.line}:${n.column}: ${n.message}`)}`);
    const local = this.targetLocal === undefined ? undefined : this.dsl('target');
    const specifiers = [...this.imports]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, local]) => `${name === 'Infer' ? 'type ' : ''}${name === local ? name : `${name} as ${local}`}`);
    if (specifiers.length > 0) head.push(`import { ${specifiers.join(', ')} } from ${quote(this.options.module ?? 'sharedctypes')};`);
    if (local !== undefined)
      head.push('', `/** The C types of ${comment(this.header.compiler)}. */`, `const ${this.targetLocal} = ${local}(${quote(this.header.target)});`);
    return `${[...head, ...this.out].join('\n')}\n`;
  }

  /**
   * Untagged records used in more than one place (`struct { … } a, b;`) become local constants:
   * written out at each use, nested ones would repeat exponentially.
   */
  private hoistShared(): void {
    const uses = new Map<RecordSchema, number>();
    const visit = (s: Schema): void => {
      while (s.kind === 'array') s = s.element;
      if (s.kind !== 'struct' && s.kind !== 'union') return;
      const n = (uses.get(s) ?? 0) + 1;
      uses.set(s, n);
      if (n === 1) for (const f of s.fields) visit(f.type);
    };
    for (const d of this.header.declarations) visit(d.schema);
    let k = 0;
    for (const [s, n] of uses) {
      if (n > 1 && !this.owners.has(s)) {
        const name = this.claim(`${s.options.name ?? 'anonymous'}_${++k}`);
        this.owners.set(s, { k: 'hoisted', name });
        this.names.set(s, name);
      }
    }
  }

  /** Emits the named records and enums a schema uses (not itself), each before its first use. */
  private dependencies(schema: Schema, top: boolean): void {
    while (schema.kind === 'array') schema = schema.element;
    if (!isNamed(schema)) return;
    const owner = this.owners.get(schema);
    if (!top && owner !== undefined) {
      if (owner.k === 'declaration') this.declaration(owner.d);
      else if (schema.kind === 'struct' || schema.kind === 'union') this.hoisted(schema, owner.name);
      return;
    }
    if (schema.kind === 'struct' || schema.kind === 'union') for (const f of schema.fields) this.dependencies(f.type, false);
  }

  private hoisted(schema: RecordSchema, name: string): void {
    if (this.emitted.has(schema)) return;
    this.emitted.add(schema);
    this.dependencies(schema, true);
    const l = layout(schema);
    this.out.push('', `// an untagged ${schema.kind} used in several places: size ${l.size}, align ${l.align}`);
    this.out.push(`const ${name} = ${this.record(schema, 0)};`);
  }

  /** Emits a declaration after every named record it uses. */
  private declaration(d: CDeclaration): void {
    if (this.emitted.has(d)) return;
    this.emitted.add(d);
    const name = this.exportOf.get(d) as string;
    const schema = d.schema;
    const l = layout(schema);
    const owner = isNamed(schema) ? this.owners.get(schema) : undefined;
    let expression: string;
    if (owner?.k === 'declaration' && owner.d !== d) {
      this.declaration(owner.d);
      expression = this.names.get(schema as Named) as string;
    } else {
      this.dependencies(schema, true);
      const key = DECLARATION_TARGETS.get(d);
      expression = this.expression(schema, 0, true, key === undefined ? null : `${this.target()}.${key}`);
    }
    const renamed = name === d.name ? '' : ` (exported as ${name})`;
    this.out.push('', `/** ${comment(`\`${d.c}\` (${d.file}:${d.line})${renamed}: size ${l.size}, align ${l.align}.`)} */`);
    this.out.push(`export const ${name} = ${expression};`);
    this.out.push(`export type ${name} = ${this.dsl('Infer')}<typeof ${name}>;`);
  }

  /**
   * The DSL expression of a schema. `leaf`: how to write its primitive (through arrays), when it is
   * a member of `target(name)` (`C.long`).
   */
  private expression(schema: Schema, indent: number, top: boolean, leaf: string | null = null): string {
    switch (schema.kind) {
      case 'primitive':
        if (schema instanceof EnumSchema) return (top ? undefined : this.names.get(schema)) ?? this.enumExpression(schema);
        return leaf ?? this.dsl(schema.name);
      case 'char':
        return `${this.dsl('char')}(${schema.length})`;
      case 'array': {
        const dims: number[] = [];
        let inner: Schema = schema;
        while (inner.kind === 'array') {
          dims.push(inner.length);
          inner = inner.element;
        }
        return `${this.dsl('array')}(${this.expression(inner, indent, false, leaf)}, ${dims.length === 1 ? dims[0] : `[${dims.join(', ')}]`})`;
      }
      case 'struct':
      case 'union': {
        const named = this.names.get(schema);
        if (!top && named !== undefined) return named;
        return this.record(schema, indent);
      }
      case 'sync':
        throw internalError('a synchronization member in a C header');
    }
  }

  /** `C.enum({ A: 0, … }, { name, type })`: the type is stated where the target's rule would not pick it. */
  private enumExpression(schema: EnumSchema): string {
    const C = this.target();
    const values = Object.entries(schema.values).map(([k, v]) => `${k}: ${typeof v === 'bigint' ? `${v}n` : String(v)}`);
    const options: string[] = [];
    if (schema.enumName !== undefined) options.push(`name: ${quote(schema.enumName)}`);
    let picked: string | undefined;
    try {
      picked = target(this.header.target).enum(schema.values).name;
    } catch {
      picked = undefined; // the rule picks no type (MSVC: values beyond int): stated
    }
    if (picked !== schema.name) options.push(`type: ${this.dsl(schema.name)}`);
    return `${C}.enum({ ${values.join(', ')} }${options.length === 0 ? '' : `, { ${options.join(', ')} }`})`;
  }

  private record(schema: RecordSchema, indent: number): string {
    const pad = '  '.repeat(indent);
    const l = layout(schema);
    if (l.kind !== 'struct' && l.kind !== 'union') throw internalError('a record without a record layout');
    const byName = new Map(l.fields.map((f) => [f.name, f]));
    const names = new Set(schema.fields.flatMap((f) => (f.name === null ? [] : [f.name])));
    const targets = TARGET_MEMBERS.get(schema);
    let gap = 0;
    const lines: string[] = [];
    for (const [i, f] of schema.fields.entries()) {
      let key = f.name;
      if (key === null) {
        while (names.has(`_${gap}`)) gap++;
        key = `_${gap++}`;
      }
      const member = targets?.[i] ?? null;
      const type = this.expression(f.type, indent + 2, false, member === null ? null : `${this.target()}.${member}`);
      let value: string;
      let note: string;
      if (f.bits === null && f.name === null) {
        value = `${this.dsl('anonymous')}(${type})`;
        note = ` // anonymous ${f.type.kind}: its members are this ${schema.kind}'s`;
      } else if (f.bits !== null) {
        value = `${this.dsl(f.name === null ? 'unnamed' : 'bits')}(${type}, ${f.bits})`;
        const b = f.name === null ? undefined : byName.get(f.name)?.bits;
        note =
          b === undefined || b === null
            ? f.bits === 0
              ? ' // closes the unit'
              : ' // padding bits'
            : b.width === 1
              ? ` // bit ${b.bitOffset}`
              : ` // bits ${b.bitOffset}..${b.bitOffset + b.width - 1}`;
      } else {
        value = f.align === null ? type : `${this.dsl('aligned')}(${type}, ${f.align})`;
        note = ` // @${byName.get(f.name as string)?.offset ?? '?'}`;
      }
      lines.push(`${pad}    ${key}: ${value},${note}`);
    }
    const o = schema.options;
    const opts: string[] = [];
    if (o.name !== undefined) opts.push(`name: ${quote(o.name)}`);
    if (o.pack !== undefined) opts.push(`pack: ${o.pack}`);
    if (o.align !== undefined) opts.push(`align: ${o.align}`);
    if (o.endian !== undefined) opts.push(`endian: ${quote(o.endian)}`);
    if (o.layout !== undefined) opts.push(`layout: ${quote(o.layout)}`);
    const options = opts.length === 0 ? '' : `\n${pad}  { ${opts.join(', ')} },`;
    return `${this.dsl(schema.kind)}(\n${pad}  {\n${lines.join('\n')}\n${pad}  },${options}\n${pad})`;
  }
}

/** A single-quoted JS string literal. */
function quote(text: string): string {
  return `'${text.replace(/[\\'\r\n\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}'`;
}

/** Text safe inside a block comment: one line, no comment terminator. */
function comment(text: string): string {
  return oneLine(text).replace(/\*\//g, '*\\/');
}

/** Text safe inside a `//` comment (no line breaks). */
function oneLine(text: string): string {
  return text.replace(/[\r\n\u2028\u2029]/g, ' ');
}
