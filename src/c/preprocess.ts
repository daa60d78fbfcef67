/**
 * The C preprocessor of `fromC`: conditional inclusion (`#if`, `#ifdef`, `#elif`, … with
 * `defined` and `__has_attribute`), object-like and function-like macros (`#`, `##`, variadic
 * arguments; Prosser's hide sets, so recursion stops where C says), the target compiler's
 * predefined macros, `#include` through a caller-supplied reader, `#pragma pack` and `#pragma
 * scalar_storage_order` (every output token carries the state in effect where it appeared: the
 * parser reads it at a record's braces), `#error`.
 *
 * Hostile input: every token is read a bounded number of times; macro expansion is capped in
 * total output ({@link MAX_TOKENS}) and nesting ({@link MAX_MACRO_DEPTH}), includes in depth and
 * in total size.
 *
 * @module
 */
import { CSourceError, type ErrorCode, type SourceLocation } from '../errors.js';
import { hasAttribute, hasDeclspec } from './attributes.js';
import { evaluate, type TokenCursor } from './expression.js';
import { cint } from './integers.js';
import { excerpt, MAX_SOURCE, MAX_TOKEN_COUNT, type Token, tokenize } from './lexer.js';
import { builtinHeaders, type CTarget } from './target.js';

/** A token after preprocessing: its `pack`, `order` and `hide` are set. */
export type PPToken = Token;

/** A file read for an `#include`. */
export interface IncludedFile {
  /** The name messages give it. */
  readonly file: string;
  readonly source: string;
}

/** How to find the file of an `#include`. */
export type IncludeReader = (name: string, context: { readonly system: boolean; readonly from: string }) => IncludedFile | undefined;

/** Something `fromC` read but did not (fully) honour, with where it is. */
export interface CNote extends SourceLocation {
  readonly message: string;
}

/** Options of {@link preprocess}. */
export interface PreprocessOptions {
  readonly file: string;
  /** The target: its compiler's predefined macros, attributes and built-in headers. */
  readonly target: CTarget;
  /** `-D` definitions: name → replacement text. */
  readonly defines: Readonly<Record<string, string>>;
  readonly include: IncludeReader | undefined;
  readonly note: (at: SourceLocation, message: string) => void;
  /** Called with each `#include` that was not read (`<sys/socket.h>`, `"other.h"`). */
  readonly unread: (name: string) => void;
}

/** A macro definition. */
export interface Macro {
  readonly name: string;
  /** Parameter names, or `null` for an object-like macro. */
  readonly params: readonly string[] | null;
  /** Each parameter's position. */
  readonly index: ReadonlyMap<string, number>;
  readonly variadic: boolean;
  readonly body: readonly Token[];
  /** Defined by the source (or an included file), not predefined, built in or given as `-D`. */
  readonly user: boolean;
  readonly at: SourceLocation;
}

/** The result of preprocessing. */
export interface Preprocessed {
  readonly tokens: readonly PPToken[];
  /** The macros defined at the end, in order of definition. */
  readonly macros: ReadonlyMap<string, Macro>;
  /** The full expansion of a macro's name written alone (for the integer constants `#define`d). */
  expandName(macro: Macro): readonly PPToken[];
}

/** The most tokens all files may hold together, and preprocessing may produce (after macro expansion). */
export const MAX_TOKENS = MAX_TOKEN_COUNT;
/** The most work macro expansion may do in all: tokens made plus hide-set members copied. */
export const MAX_EXPANSION_WORK = 1 << 22;
/** How deeply macro expansions may nest (a macro expanding to one expanding to one …, and macro arguments). */
export const MAX_MACRO_DEPTH = 200;
/** How deeply `#include`s may nest. */
export const MAX_INCLUDE_DEPTH = 64;
/** How deep the `#pragma pack(push)` stack may grow. */
export const MAX_PACK_STACK = 1024;
/** How deeply `#if`s may nest. */
export const MAX_CONDITIONAL_DEPTH = 1024;

/** `#pragma pack` accepts these (and nothing, for the default). */
const PACK_VALUES = new Set([1, 2, 4, 8, 16]);

interface Frame {
  readonly tokens: readonly PPToken[];
  pos: number;
  /** A file (directives are read) or a macro expansion (they are not). */
  readonly file: string | null;
  /** The depth of the conditional stack when the file was entered. */
  readonly conditionals: number;
}

interface Conditional {
  /** Whether the enclosing group is being read. */
  readonly parentActive: boolean;
  /** Whether the current group is read. */
  active: boolean;
  /** Whether a group of this #if was read already (later #elif/#else are skipped). */
  taken: boolean;
  sawElse: boolean;
  readonly at: SourceLocation;
}

function fail(message: string, at: SourceLocation, code: ErrorCode = 'c_syntax'): never {
  throw new CSourceError(message, at, code);
}

/** Preprocesses a translation unit. */
export function preprocess(source: string, options: PreprocessOptions): Preprocessed {
  return new Preprocessor(options).run(source);
}

class Preprocessor {
  private readonly macros = new Map<string, Macro>();
  private readonly frames: Frame[] = [];
  private readonly conditionals: Conditional[] = [];
  private readonly out: PPToken[] = [];
  private readonly once = new Set<string>();
  private readonly packStack: { pack: number; label: string | null }[] = [];
  private pack = 0;
  private order: 'big' | 'little' | null = null;
  private sourceChars = 0;
  private expanded = 0;
  /** Tokens lexed in all files so far. */
  private lexed = 0;
  private readonly headers: Readonly<Record<string, string>>;

  constructor(private readonly options: PreprocessOptions) {
    this.headers = builtinHeaders(options.target);
  }

  run(source: string): Preprocessed {
    this.defineAll(this.options.target.predefined, '<built-in>', false);
    for (const [name, value] of Object.entries(this.options.defines)) this.defineAll(`#define ${name} ${value}\n`, '<command line>', false);
    this.enterFile(source, this.options.file, { file: this.options.file, line: 1, column: 1 });
    this.loop();
    return {
      tokens: this.out,
      macros: this.macros,
      expandName: (m) => this.expandList([{ kind: 'ident', text: m.name, ...m.at, bol: false, space: false, pack: 0, order: null, hide: null }], 0),
    };
  }

  // ---- input -----------------------------------------------------------------------------------

  private enterFile(source: string, file: string, at: SourceLocation): void {
    this.sourceChars += source.length;
    if (this.sourceChars > MAX_SOURCE) fail(`the source and the files it includes hold more than ${MAX_SOURCE} characters`, at, 'too_large');
    if (this.frames.filter((f) => f.file !== null).length >= MAX_INCLUDE_DEPTH) fail(`#include nests deeper than ${MAX_INCLUDE_DEPTH} files`, at, 'too_deep');
    const tokens = tokenize(source, file, MAX_TOKENS - this.lexed);
    this.lexed += tokens.length;
    this.frames.push({ tokens, pos: 0, file, conditionals: this.conditionals.length });
  }

  /** Reads built-in `#define` lines (predefined macros, a built-in header, `-D`). */
  private defineAll(text: string, file: string, user: boolean): void {
    const tokens = tokenize(text, file);
    let i = 0;
    while (i < tokens.length) {
      let j = i + 1;
      while (j < tokens.length && !(tokens[j] as Token).bol) j++;
      const line = tokens.slice(i, j);
      if (line[0]?.text === '#' && line[1]?.text === 'define') this.define(line.slice(2), line[0], user);
      i = j;
    }
  }

  /** The next token of the current frames, popping finished macro expansions (not files). */
  private peekToken(): PPToken | undefined {
    for (let k = this.frames.length - 1; k >= 0; k--) {
      const f = this.frames[k] as Frame;
      if (f.pos < f.tokens.length) return f.tokens[f.pos];
      if (f.file !== null) return undefined;
    }
    return undefined;
  }

  private nextToken(): PPToken | undefined {
    for (;;) {
      const f = this.frames[this.frames.length - 1];
      if (f === undefined) return undefined;
      if (f.pos < f.tokens.length) return f.tokens[f.pos++];
      if (f.file !== null) return undefined;
      this.frames.pop();
    }
  }

  private get active(): boolean {
    const top = this.conditionals[this.conditionals.length - 1];
    return top === undefined || top.active;
  }

  private loop(): void {
    for (;;) {
      const top = this.frames[this.frames.length - 1];
      if (top === undefined) return;
      if (top.pos >= top.tokens.length) {
        this.frames.pop();
        if (top.file !== null) this.leaveFile(top);
        continue;
      }
      const t = top.tokens[top.pos] as PPToken;
      if (top.file !== null && t.bol && t.kind === 'punct' && t.text === '#') {
        this.directive(top);
        continue;
      }
      top.pos++;
      if (!this.active) continue;
      if (t.kind === 'ident' && this.expand(t)) continue;
      if (t.kind === 'ident' && t.text === '_Pragma') {
        this.pragmaOperator(t);
        continue;
      }
      this.emit(t);
    }
  }

  private leaveFile(frame: Frame): void {
    if (this.conditionals.length > frame.conditionals) {
      const open = this.conditionals[this.conditionals.length - 1] as Conditional;
      fail('#if without #endif', open.at);
    }
  }

  private emit(t: PPToken): void {
    if (this.out.length >= MAX_TOKENS) fail(`preprocessing produces more than ${MAX_TOKENS} tokens`, t, 'too_large');
    if (t.kind === 'other') {
      const what = t.text.startsWith("'") || t.text.startsWith('"') || /^[LuU8]+['"]/.test(t.text) ? 'an unterminated literal' : `stray '${excerpt(t.text)}'`;
      fail(`${what} in the program`, t);
    }
    // most tokens are output as they were read (no copy)
    this.out.push(t.pack === this.pack && t.order === this.order && t.hide === null ? t : { ...t, pack: this.pack, order: this.order, hide: null });
  }

  // ---- directives --------------------------------------------------------------------------------

  /** The tokens of the directive line starting at the frame's position (the `#`), consumed. */
  private takeLine(frame: Frame): PPToken[] {
    const start = frame.pos;
    let end = start + 1;
    while (end < frame.tokens.length && !(frame.tokens[end] as PPToken).bol) end++;
    frame.pos = end;
    return frame.tokens.slice(start, end) as PPToken[];
  }

  private directive(frame: Frame): void {
    const line = this.takeLine(frame);
    const hash = line[0] as PPToken;
    const name = line[1];
    if (name === undefined) return; // the null directive
    const args = line.slice(2);
    const active = this.active;
    switch (name.text) {
      case 'if':
      case 'ifdef':
      case 'ifndef': {
        if (this.conditionals.length >= MAX_CONDITIONAL_DEPTH) fail(`#if nests deeper than ${MAX_CONDITIONAL_DEPTH} levels`, name, 'too_deep');
        const value = active && (name.text === 'if' ? this.condition(args, name) : this.definedTest(name, args) === (name.text === 'ifdef'));
        this.conditionals.push({ parentActive: active, active: value, taken: value, sawElse: false, at: name });
        return;
      }
      case 'elif':
      case 'elifdef':
      case 'elifndef': {
        const c = this.conditionals[this.conditionals.length - 1];
        if (c === undefined || this.conditionals.length <= frame.conditionals) fail(`#${name.text} without #if`, name);
        if (c.sawElse) fail(`#${name.text} after #else`, name);
        if (!c.parentActive || c.taken) {
          c.active = false;
          return;
        }
        const value = name.text === 'elif' ? this.condition(args, name) : this.definedTest(name, args) === (name.text === 'elifdef');
        c.active = value;
        c.taken = value;
        return;
      }
      case 'else': {
        const c = this.conditionals[this.conditionals.length - 1];
        if (c === undefined || this.conditionals.length <= frame.conditionals) fail('#else without #if', name);
        if (c.sawElse) fail('#else after #else', name);
        c.sawElse = true;
        c.active = c.parentActive && !c.taken;
        c.taken = true;
        return;
      }
      case 'endif':
        if (this.conditionals.length <= frame.conditionals) fail('#endif without #if', name);
        this.conditionals.pop();
        return;
    }
    if (!active) return;
    switch (name.text) {
      case 'define':
        this.define(args, name, true);
        return;
      case 'undef': {
        const id = args[0];
        if (id?.kind !== 'ident') fail('#undef needs a macro name', id ?? name);
        this.macros.delete(id.text);
        return;
      }
      case 'include':
      case 'include_next':
        this.include(args, hash);
        return;
      case 'pragma':
        this.pragma(args, hash);
        return;
      case 'error':
        fail(`#error ${excerpt(lineText(args), 200)}`, hash);
        break;
      case 'warning':
        this.options.note(hash, `#warning ${excerpt(lineText(args), 200)}`);
        return;
      case 'line':
      case 'ident':
      case 'sccs':
      case 'assert':
      case 'unassert':
        return;
      default:
        if (name.kind === 'number') return; // `# 12 "file.h"`: a line marker from a preprocessor's output
        fail(`unknown preprocessing directive #${excerpt(name.text)}`, name);
    }
  }

  private definedTest(directive: Token, args: readonly Token[]): boolean {
    const id = args[0];
    if (id?.kind !== 'ident') fail(`#${directive.text} needs a macro name`, id ?? directive);
    return this.macros.has(id.text);
  }

  private define(args: readonly Token[], at: Token, user: boolean): void {
    const name = args[0];
    if (name?.kind !== 'ident') fail('#define needs a macro name', name ?? at);
    if (name.text === 'defined') fail("'defined' cannot be a macro name", name);
    let params: string[] | null = null;
    let variadic = false;
    let i = 1;
    const open = args[1];
    const seen = new Set<string>();
    if (open !== undefined && open.text === '(' && !open.space) {
      params = [];
      i = 2;
      for (;;) {
        const p = args[i];
        if (p === undefined) fail(`unterminated parameter list of macro ${name.text}`, open);
        if (p.text === ')' && params.length === 0 && !variadic) {
          i++;
          break;
        }
        if (p.text === '...') {
          variadic = true;
          params.push('__VA_ARGS__');
          i++;
        } else if (p.kind === 'ident') {
          if (seen.has(p.text)) fail(`duplicate parameter '${excerpt(p.text)}' of macro ${excerpt(name.text)}`, p);
          params.push(p.text);
          seen.add(p.text);
          i++;
          if (args[i]?.text === '...') {
            variadic = true; // GNU named variadic parameter: name...
            i++;
          }
        } else fail(`unexpected '${excerpt(p.text)}' in the parameters of macro ${name.text}`, p);
        const sep = args[i];
        if (sep?.text === ')') {
          i++;
          break;
        }
        if (sep?.text !== ',' || variadic) fail(`expected ',' or ')' in the parameters of macro ${name.text}`, sep ?? p);
        i++;
      }
    }
    const body = args.slice(i).map((t, k) => (k === 0 ? { ...t, space: false } : t));
    if (body[0]?.text === '##' || (body.length > 0 && body[body.length - 1]?.text === '##')) fail(`'##' cannot be at either end of macro ${name.text}`, name);
    this.macros.delete(name.text); // a redefinition moves to the end of the order
    const index = new Map((params ?? []).map((p, k) => [p, k]));
    this.macros.set(name.text, { name: name.text, params, index, variadic, body, user, at: name });
  }

  private include(args: readonly PPToken[], at: Token): void {
    let tokens: readonly PPToken[] = args;
    if (tokens[0]?.kind === 'ident') tokens = this.expandList(tokens, 0); // #include MACRO
    const first = tokens[0];
    let name: string;
    let system: boolean;
    if (first?.kind === 'string' && first.text.startsWith('"')) {
      name = first.text.slice(1, -1);
      system = false;
    } else if (first?.text === '<') {
      const close = tokens.findIndex((t) => t.text === '>');
      if (close < 0) fail("#include <…> without '>'", first);
      name = tokens
        .slice(1, close)
        .map((t, k) => (k > 0 && t.space ? ` ${t.text}` : t.text))
        .join('');
      system = true;
    } else fail('#include needs "file" or <file>', first ?? at);
    const builtin = Object.hasOwn(this.headers, name) ? this.headers[name] : undefined;
    if (system && builtin !== undefined) {
      this.defineAll(builtin, `<${name}>`, false);
      return;
    }
    const found = this.options.include?.(name, { system, from: at.file });
    if (found === undefined) {
      if (builtin !== undefined) this.defineAll(builtin, `<${name}>`, false);
      else {
        const spelled = system ? `<${name}>` : `"${name}"`;
        this.options.unread(spelled);
        this.options.note(
          at,
          `#include ${spelled} was not read (${this.options.include === undefined ? 'no include reader given' : 'not found'}): the types and macros it declares are unknown`,
        );
      }
      return;
    }
    if (found === null || typeof found !== 'object' || typeof found.file !== 'string' || typeof found.source !== 'string')
      fail(`the include reader returned ${found === null ? 'null' : typeof found} for ${name}, not { file, source } or undefined`, at, 'invalid_argument');
    if (this.once.has(found.file)) return;
    this.enterFile(found.source, found.file, at);
  }

  // ---- #pragma ---------------------------------------------------------------------------------

  private pragma(args: readonly PPToken[], at: Token): void {
    const head = args[0];
    if (head === undefined) return;
    if (head.text === 'once') {
      this.once.add(head.file);
      return;
    }
    if (head.text === 'pack') {
      this.pragmaPack(args.slice(1), head);
      return;
    }
    if (head.text === 'scalar_storage_order') {
      const v = args
        .slice(1)
        .map((t) => t.text)
        .join('');
      if (v === 'big-endian' && !this.options.target.storageOrder)
        fail(
          `#pragma scalar_storage_order big-endian: ${this.options.target.compiler} ignores it, and would lay the records below out little-endian; read the header with a gcc target (x86_64-linux-gnu, aarch64-linux-gnu)`,
          head,
          'c_unsupported',
        );
      if (v === 'big-endian') this.order = 'big';
      else if (v === 'little-endian') this.order = 'little';
      else if (v === 'default') this.order = null;
      else fail(`#pragma scalar_storage_order takes big-endian, little-endian or default, not '${excerpt(v)}'`, head);
      return;
    }
    if (head.text === 'GCC' || head.text === 'clang' || head.text === 'STDC' || head.text === 'redefine_extname' || head.text === 'weak') return;
    if (this.options.target.msvc && MSVC_PRAGMAS.has(head.text)) return;
    this.options.note(at, `#pragma ${excerpt(lineText(args), 80)} is ignored`);
  }

  /** `#pragma pack(n)`, `pack()`, `pack(push[, label][, n])`, `pack(pop[, label | n])`, as gcc reads them. */
  private pragmaPack(args: readonly PPToken[], at: Token): void {
    const inner = args[0]?.text === '(' && args[args.length - 1]?.text === ')' ? args.slice(1, -1) : null;
    if (inner === null) fail('#pragma pack needs parentheses: #pragma pack(push, 1), #pragma pack(pop), #pragma pack(4), #pragma pack()', at);
    const parts: PPToken[][] = [[]];
    for (const t of inner) {
      if (t.text === ',') parts.push([]);
      else (parts[parts.length - 1] as PPToken[]).push(t);
    }
    const value = (p: readonly PPToken[]): number => {
      const n = this.expandList(p, 0);
      const v = Number(evaluate(listCursor(n, at), this.ppHost()).value);
      if (!PACK_VALUES.has(v)) fail(`#pragma pack(${v}): the value is 1, 2, 4, 8 or 16`, p[0] ?? at);
      return v;
    };
    const word = parts[0]?.length === 1 ? (parts[0][0] as PPToken).text : '';
    if (parts.length === 1 && parts[0]?.length === 0) {
      this.pack = 0;
      return;
    }
    if (word === 'push') {
      let label: string | null = null;
      let next = this.pack;
      for (const p of parts.slice(1)) {
        if (p.length === 1 && p[0]?.kind === 'ident' && !this.macros.has(p[0].text)) label = p[0].text;
        else next = value(p);
      }
      if (this.packStack.length >= MAX_PACK_STACK) fail(`#pragma pack(push) nests deeper than ${MAX_PACK_STACK} levels`, at, 'too_deep');
      this.packStack.push({ pack: this.pack, label });
      this.pack = next;
      return;
    }
    if (word === 'pop') {
      const arg = parts[1];
      if (arg !== undefined && arg.length === 1 && arg[0]?.kind === 'ident' && !this.macros.has(arg[0].text)) {
        const label = arg[0].text;
        const k = this.packStack.map((e) => e.label).lastIndexOf(label);
        if (k < 0) {
          this.options.note(at, `#pragma pack(pop, ${label}): no push with that label; ignored`);
          return;
        }
        this.pack = (this.packStack[k] as { pack: number }).pack;
        this.packStack.length = k;
        return;
      }
      const popped = this.packStack.pop();
      if (popped === undefined) this.options.note(at, '#pragma pack(pop) without a push; ignored');
      else this.pack = popped.pack;
      if (arg !== undefined) this.pack = value(arg);
      return;
    }
    if (word === 'show') return;
    if (parts.length !== 1) fail(`#pragma pack(${excerpt(lineText(inner))}) is not a form gcc reads`, at);
    this.pack = value(parts[0] as PPToken[]);
  }

  /** `_Pragma("…")`: the string, unquoted, as a #pragma line. */
  private pragmaOperator(t: PPToken): void {
    const open = this.nextToken();
    const str = this.nextToken();
    const close = this.nextToken();
    if (open?.text !== '(' || str?.kind !== 'string' || close?.text !== ')') fail('_Pragma needs one string literal in parentheses: _Pragma("pack(1)")', t);
    const text = str.text
      .replace(/^[LuU8]*"/, '')
      .slice(0, -1)
      .replace(/\\(["\\])/g, '$1');
    this.pragma(
      tokenize(text, t.file).map((x) => ({ ...x, line: t.line, column: t.column })),
      t,
    );
  }

  // ---- #if -------------------------------------------------------------------------------------

  private ppHost() {
    return {
      preprocessor: true,
      target: this.options.target,
      identifier: (token: Token, live: boolean) => {
        if (live && token.text !== 'true' && token.text !== 'false')
          this.options.note(token, `'${excerpt(token.text)}' in #if is not a macro: read as 0, as C does`);
        return cint(token.text === 'true' ? 1n : 0n, 'long');
      },
      startsTypeName: () => false,
      typeFacts: (): never => fail('no types in #if', { file: '', line: 0, column: 0 }),
      offsetof: (): never => fail('no offsetof in #if', { file: '', line: 0, column: 0 }),
    };
  }

  private condition(args: readonly PPToken[], at: Token): boolean {
    if (args.length === 0) fail(`#${at.text} needs an expression`, at);
    const replaced = this.replaceDefined(args);
    const expanded = this.expandList(replaced, 0);
    const cursor = listCursor(expanded, at);
    const v = evaluate(cursor, this.ppHost());
    const rest = cursor.peek();
    if (rest !== undefined) fail(`unexpected '${excerpt(rest.text)}' after the expression of #${at.text}`, rest);
    return v.value !== 0n;
  }

  /** Replaces `defined X`, `defined(X)` and the `__has_…(…)` tests by `1` or `0`, before macro expansion. */
  private replaceDefined(args: readonly PPToken[]): PPToken[] {
    const out: PPToken[] = [];
    for (let i = 0; i < args.length; i++) {
      const t = args[i] as PPToken;
      if (t.kind !== 'ident') {
        out.push(t);
        continue;
      }
      const number = (v: boolean): PPToken => ({ ...t, kind: 'number', text: v ? '1' : '0' });
      if (t.text === 'defined') {
        const paren = args[i + 1]?.text === '(';
        const id = args[i + (paren ? 2 : 1)];
        if (id?.kind !== 'ident') fail("'defined' needs a macro name", id ?? t);
        if (paren && args[i + 3]?.text !== ')') fail("missing ')' after 'defined(name'", id);
        out.push(number(this.macros.has(id.text) || HAS_TESTS.has(id.text)));
        i += paren ? 3 : 1;
        continue;
      }
      if (HAS_TESTS.has(t.text)) {
        if (args[i + 1]?.text !== '(') fail(`${t.text} needs parentheses: ${t.text}(name)`, t);
        let close = i + 2;
        while (close < args.length && (args[close] as Token).text !== ')') close++;
        if (close >= args.length) fail(`missing ')' after ${t.text}(`, t);
        const inner = args.slice(i + 2, close);
        const what = inner.map((x) => x.text).join('');
        let value = false;
        if (t.text === '__has_attribute' || t.text === '__has_cpp_attribute' || t.text === '__has_c_attribute') value = hasAttribute(what, this.options.target);
        else if (t.text === '__has_declspec_attribute') value = hasDeclspec(what, this.options.target);
        else if (t.text === '__has_include' || t.text === '__has_include_next') {
          const name = what.replace(/^[<"]|[>"]$/g, '');
          value = Object.hasOwn(this.headers, name) || this.options.include?.(name, { system: what.startsWith('<'), from: t.file }) !== undefined;
        }
        out.push(number(value));
        i = close;
        continue;
      }
      out.push(t);
    }
    return out;
  }

  // ---- macro expansion -------------------------------------------------------------------------

  /**
   * Counts `n` steps of macro expansion work (tokens made, hide-set members copied, characters of
   * the text that `#` and `##` make) against {@link MAX_EXPANSION_WORK}.
   */
  private budget(n: number, at: SourceLocation): void {
    this.expanded += n;
    if (this.expanded > MAX_EXPANSION_WORK) fail(`macro expansion takes more than ${MAX_EXPANSION_WORK} steps`, at, 'too_large');
  }

  /**
   * If `t` names a macro that may expand here, replaces it (and its arguments) in the input by
   * its expansion and returns true.
   */
  private expand(t: PPToken): boolean {
    const m = this.macros.get(t.text);
    if (m === undefined || t.hide?.has(t.text)) return false;
    const result = this.expansionOf(
      m,
      t,
      () => this.peekToken(),
      () => this.nextToken(),
      0,
    );
    if (result === null) return false;
    this.frames.push({ tokens: result, pos: 0, file: null, conditionals: this.conditionals.length });
    return true;
  }

  /**
   * The expansion of macro `m` named by `t` (its arguments read through `peek`/`next`), or `null`
   * for a function-like macro not followed by `(` (then it is an ordinary identifier).
   */
  private expansionOf(m: Macro, t: PPToken, peek: () => PPToken | undefined, next: () => PPToken | undefined, depth: number): PPToken[] | null {
    if (depth > MAX_MACRO_DEPTH) fail(`macro expansion nests deeper than ${MAX_MACRO_DEPTH} levels (in ${excerpt(m.name)})`, t, 'too_deep');
    let args: PPToken[][] = [];
    let hide: ReadonlySet<string>;
    if (m.params === null) hide = this.withName(t.hide, m.name, t);
    else {
      if (peek()?.text !== '(') return null;
      next();
      args = [[]];
      let level = 0;
      let close: PPToken | undefined;
      for (;;) {
        const a = next();
        if (a === undefined) fail(`unterminated arguments of macro ${m.name}`, t);
        if (a.text === '(') level++;
        else if (a.text === ')') {
          if (level === 0) {
            close = a;
            break;
          }
          level--;
        } else if (a.text === ',' && level === 0 && !(m.variadic && args.length === m.params.length)) {
          args.push([]);
          continue;
        }
        (args[args.length - 1] as PPToken[]).push(a);
        this.budget(1, t);
      }
      if (m.params.length === 0 && args.length === 1 && args[0]?.length === 0) args.length = 0;
      if (m.variadic && args.length === m.params.length - 1) args.push([]);
      if (args.length !== m.params.length)
        fail(`macro ${m.name} takes ${m.params.length} argument${m.params.length === 1 ? '' : 's'}, ${args.length} given`, t);
      // The hide set of the expansion (Prosser): (the name's ∩ the closing parenthesis's) ∪ {name}
      const closeHide = close.hide;
      const both = t.hide !== null && closeHide !== null ? new Set([...t.hide].filter((x) => closeHide.has(x))) : null;
      hide = this.withName(both, m.name, t);
    }
    const expandedArgs = new Map<number, PPToken[]>();
    const expandedArg = (k: number): PPToken[] => {
      let e = expandedArgs.get(k);
      if (e === undefined) {
        e = this.expandList(args[k] as PPToken[], depth + 1);
        expandedArgs.set(k, e);
      }
      return e;
    };
    const body = m.body;
    const isPaste = (k: number): boolean => body[k]?.kind === 'punct' && body[k]?.text === '##';
    // Tokens of the expansion sit where the macro was used (errors point there).
    const here = (x: Token, space: boolean): PPToken => ({
      ...x,
      file: t.file,
      line: t.line,
      column: t.column,
      space,
      bol: false,
      pack: 0,
      order: null,
      hide: null,
    });
    const placemarker = (): PPToken => ({ ...here(t, false), kind: 'other', text: '' });
    const out: PPToken[] = [];
    let pasting = false;
    for (let i = 0; i < body.length; i++) {
      const b = body[i] as Token;
      if (isPaste(i)) {
        pasting = true;
        continue;
      }
      const space = i === 0 ? t.space : b.space;
      let items: PPToken[];
      const param = b.kind === 'ident' ? (m.index.get(b.text) ?? -1) : -1;
      if (m.params !== null && b.text === '#' && b.kind === 'punct') {
        const k = m.index.get(body[i + 1]?.text ?? '') ?? -1;
        if (k < 0) fail(`'#' in macro ${excerpt(m.name)} is not followed by a parameter`, t);
        const text = stringize(args[k] as PPToken[]);
        this.budget(text.length, t); // the text is new (quotes escaped again at every level): it counts
        items = [{ ...here(b, space), kind: 'string', text }];
        i++;
      } else if (param >= 0) {
        const operand = isPaste(i - 1) || isPaste(i + 1);
        const arg = operand ? (args[param] as PPToken[]) : expandedArg(param);
        items = arg.map((x, j) => ({ ...x, space: j === 0 ? space : x.space, bol: false, file: t.file, line: t.line, column: t.column }));
        if (items.length === 0 && operand) items = [placemarker()];
      } else if (b.text === '__VA_OPT__') fail(`__VA_OPT__ (in macro ${m.name}) is not supported`, t, 'c_unsupported');
      else items = [here(b, space)];
      this.budget(items.length, t);
      if (pasting && out.length > 0 && items.length > 0) {
        const pasted = paste(out.pop() as PPToken, items[0] as PPToken, m.name, t);
        this.budget(pasted.text.length, t); // new text: it counts
        out.push(pasted);
        for (let j = 1; j < items.length; j++) out.push(items[j] as PPToken);
      } else for (const x of items) out.push(x);
      pasting = false;
    }
    const result: PPToken[] = [];
    for (const x of out) {
      if (x.kind === 'other' && x.text === '') continue;
      this.budget(x.hide === null ? 1 : x.hide.size + hide.size, t);
      result.push({ ...x, hide: union(x.hide, hide) });
    }
    return result;
  }

  /** `hide ∪ {name}`, refusing nesting deeper than {@link MAX_MACRO_DEPTH}. */
  private withName(hide: ReadonlySet<string> | null, name: string, at: SourceLocation): ReadonlySet<string> {
    if (hide !== null && hide.size >= MAX_MACRO_DEPTH)
      fail(`macro expansion nests deeper than ${MAX_MACRO_DEPTH} levels (in ${excerpt(name)})`, at, 'too_deep');
    this.budget(hide === null ? 1 : hide.size + 1, at);
    const s = new Set(hide ?? []);
    s.add(name);
    return s;
  }

  /** Fully macro-expands a list of tokens (a macro argument, an `#if` line), without reading past it. */
  private expandList(tokens: readonly PPToken[], depth: number): PPToken[] {
    const stack: { tokens: readonly PPToken[]; pos: number }[] = [{ tokens, pos: 0 }];
    const peek = (): PPToken | undefined => {
      for (let k = stack.length - 1; k >= 0; k--) {
        const f = stack[k] as { tokens: readonly PPToken[]; pos: number };
        if (f.pos < f.tokens.length) return f.tokens[f.pos];
      }
      return undefined;
    };
    const next = (): PPToken | undefined => {
      for (;;) {
        const f = stack[stack.length - 1];
        if (f === undefined) return undefined;
        if (f.pos < f.tokens.length) return f.tokens[f.pos++];
        stack.pop();
      }
    };
    const out: PPToken[] = [];
    for (;;) {
      const t = next();
      if (t === undefined) return out;
      const m = t.kind === 'ident' ? this.macros.get(t.text) : undefined;
      if (m !== undefined && !t.hide?.has(t.text)) {
        const e = this.expansionOf(m, t, peek, next, depth + 1);
        if (e !== null) {
          stack.push({ tokens: e, pos: 0 });
          continue;
        }
      }
      out.push(t);
    }
  }
}

/** Microsoft pragmas that do not change any layout (on the msvc target they are skipped without a note). */
const MSVC_PRAGMAS: ReadonlySet<string> = new Set([
  'warning',
  'comment',
  'region',
  'endregion',
  'message',
  'intrinsic',
  'function',
  'optimize',
  'detect_mismatch',
  'deprecated',
  'code_seg',
  'data_seg',
  'bss_seg',
  'const_seg',
  'section',
]);

/** Tests answered in `#if` (and `defined` of them is true). */
const HAS_TESTS = new Set([
  '__has_attribute',
  '__has_c_attribute',
  '__has_cpp_attribute',
  '__has_declspec_attribute',
  '__has_include',
  '__has_include_next',
  '__has_builtin',
  '__has_feature',
  '__has_extension',
]);

/** `a ∪ b` (the caller counted the work). */
function union(a: ReadonlySet<string> | null, b: ReadonlySet<string>): ReadonlySet<string> {
  if (a === null || a.size === 0 || a === b) return b;
  const s = new Set(b);
  for (const x of a) s.add(x);
  return s;
}

function paste(left: PPToken, right: PPToken, macro: string, at: SourceLocation): PPToken {
  if (left.kind === 'other' && left.text === '') return right;
  if (right.kind === 'other' && right.text === '') return left;
  const text = left.text + right.text;
  const tokens = tokenize(text, at.file);
  if (tokens.length !== 1) fail(`pasting '${excerpt(left.text)}' and '${excerpt(right.text)}' (in macro ${macro}) does not give one token`, at);
  return { ...left, kind: (tokens[0] as Token).kind, text };
}

function stringize(tokens: readonly Token[]): string {
  let s = '';
  tokens.forEach((t, k) => {
    if (k > 0 && t.space) s += ' ';
    s += t.kind === 'string' || t.kind === 'char' ? t.text.replace(/[\\"]/g, (c) => `\\${c}`) : t.text;
  });
  return `"${s}"`;
}

function lineText(tokens: readonly Token[]): string {
  return tokens.map((t, k) => (k > 0 && t.space ? ` ${t.text}` : t.text)).join('');
}

/** A cursor over a list of tokens (for expressions in directives). */
export function listCursor(tokens: readonly Token[], end: SourceLocation): TokenCursor {
  let i = 0;
  const last = tokens[tokens.length - 1];
  const after: SourceLocation = last === undefined ? end : { file: last.file, line: last.line, column: last.column + last.text.length };
  return {
    peek: (offset = 0) => tokens[i + offset],
    next: () => {
      const t = tokens[i];
      if (t === undefined) fail('unexpected end of the expression', after);
      i++;
      return t;
    },
    here: () => tokens[i] ?? after,
  };
}
