/**
 * Integer constant expressions: array sizes, bitfield widths, enum values, `aligned(n)`,
 * `_Static_assert` and `#if`. A precedence-climbing parser that evaluates as it reads, with C's
 * types and conversions ({@link CInt}), short-circuit `&&`, `||` and `?:` (an error in the branch
 * not taken is not raised, as in C), and a bounded nesting depth.
 *
 * @module
 */
import { CSourceError, type SourceLocation } from '../errors.js';
import { type CInt, cint, commonType, isUnsigned, type IntType, parseCharLiteral, parseIntegerLiteral, ppType, widthOf } from './integers.js';
import { excerpt, type Token } from './lexer.js';
import type { CTarget } from './target.js';

/** How deep parentheses and unary operators may nest in one expression. */
export const MAX_EXPRESSION_DEPTH = 256;

/** Tokens to read an expression from. */
export interface TokenCursor {
  /** The token `offset` tokens ahead (0: the next one), or `undefined` at the end. */
  peek(offset?: number): Token | undefined;
  /** Consumes the next token (an error at the end). */
  next(): Token;
  /** Where the next token is (or the end of the input). */
  here(): SourceLocation;
}

/** What the expression language knows beyond numbers: names, and (outside `#if`) types. */
export interface ExpressionHost {
  /** `#if`: 64-bit arithmetic, identifiers that are not macros read as 0, no `sizeof` or casts. */
  readonly preprocessor: boolean;
  /** The target's data model: the width of `long` (literals with suffix `L`) and of `size_t` (`sizeof`), the signedness of `char`. */
  readonly target: Pick<CTarget, 'longBits' | 'sizeBits' | 'charSigned'>;
  /** The value of an identifier (an enum constant; in `#if`, 0); `live` is false in a branch not taken. */
  identifier(token: Token, live: boolean): CInt;
  /** Whether `token` starts a type name (for casts, `sizeof` and `_Alignof`). */
  startsTypeName(token: Token): boolean;
  /** Reads a type name at the cursor and returns its size and alignment. */
  typeFacts(cursor: TokenCursor): { readonly size: number; readonly align: number; readonly integer: IntType | null; readonly bits: number };
  /** Reads `type, member.path[2]` (the arguments of `offsetof`, cursor after the `(`) and returns the offset. */
  offsetof(cursor: TokenCursor): number;
}

/**
 * Reads a conditional expression at the cursor and returns its value; stops before the first
 * token that cannot continue it (`,`, `)`, `]`, `;`, `:`, …).
 */
export function evaluate(cursor: TokenCursor, host: ExpressionHost): CInt {
  return new Evaluator(cursor, host).conditional(true, 0);
}

/** Binary operators by precedence level, loosest first. */
const LEVELS: readonly (readonly string[])[] = [
  ['||'],
  ['&&'],
  ['|'],
  ['^'],
  ['&'],
  ['==', '!='],
  ['<', '>', '<=', '>='],
  ['<<', '>>'],
  ['+', '-'],
  ['*', '/', '%'],
];
const LEVEL_OF = new Map<string, number>(LEVELS.flatMap((ops, level) => ops.map((op) => [op, level] as const)));

const TRUE: CInt = { value: 1n, type: 'int' };
const FALSE: CInt = { value: 0n, type: 'int' };

class Evaluator {
  constructor(
    private readonly cursor: TokenCursor,
    private readonly host: ExpressionHost,
  ) {}

  private fail(message: string, at: SourceLocation = this.cursor.here(), code: 'c_syntax' | 'c_unsupported' = 'c_syntax'): never {
    throw new CSourceError(message, at, code);
  }

  /** `size_t`: the type of `sizeof`, `_Alignof` and `offsetof`. */
  private sizeType(): IntType {
    return this.host.target.sizeBits === 64 ? 'unsigned long' : 'unsigned int';
  }

  private type(t: IntType): IntType {
    return this.host.preprocessor ? ppType(t) : t;
  }

  private expectPunct(text: string, what: string): Token {
    const t = this.cursor.peek();
    if (t === undefined || t.kind !== 'punct' || t.text !== text) {
      this.fail(`expected '${text}' ${what}, found ${t === undefined ? 'the end of the expression' : `'${excerpt(t.text)}'`}`, t ?? this.cursor.here());
    }
    return this.cursor.next();
  }

  conditional(live: boolean, depth: number): CInt {
    const cond = this.binary(0, live, depth);
    const q = this.cursor.peek();
    if (q?.kind !== 'punct' || q.text !== '?') return cond;
    this.cursor.next();
    const yes = cond.value !== 0n;
    const a = this.conditional(live && yes, depth + 1);
    this.expectPunct(':', "in 'a ? b : c'");
    const b = this.conditional(live && !yes, depth + 1);
    const type = commonType(a.type, b.type);
    return cint(yes ? a.value : b.value, type);
  }

  private binary(level: number, live: boolean, depth: number): CInt {
    if (level === LEVELS.length) return this.unary(live, depth);
    let left = this.binary(level + 1, live, depth);
    for (;;) {
      const t = this.cursor.peek();
      if (t?.kind !== 'punct' || LEVEL_OF.get(t.text) !== level) return left;
      this.cursor.next();
      if (t.text === '&&' || t.text === '||') {
        const decided = t.text === '&&' ? left.value === 0n : left.value !== 0n;
        const right = this.binary(level + 1, live && !decided, depth);
        left = (decided ? t.text === '||' : right.value !== 0n) ? TRUE : FALSE;
        continue;
      }
      const right = this.binary(level + 1, live, depth);
      left = this.apply(t, left, right, live);
    }
  }

  private apply(op: Token, a: CInt, b: CInt, live: boolean): CInt {
    const text = op.text;
    if (text === '<<' || text === '>>') {
      const type = a.type;
      const count = b.value;
      if (count < 0n || count >= BigInt(widthOf(type))) {
        if (!live) return cint(0n, type);
        this.fail(`shift count ${count} is out of range for ${type} (${widthOf(type)} bits)`, op);
      }
      return cint(text === '<<' ? a.value << count : a.value >> count, type);
    }
    const type = commonType(a.type, b.type);
    const x = cint(a.value, type).value;
    const y = cint(b.value, type).value;
    switch (text) {
      case '+':
        return cint(x + y, type);
      case '-':
        return cint(x - y, type);
      case '*':
        return cint(x * y, type);
      case '/':
      case '%':
        if (y === 0n) {
          if (!live) return cint(0n, type);
          this.fail('division by zero in a constant expression', op);
        }
        return cint(text === '/' ? x / y : x % y, type); // bigint division truncates toward zero, as C's
      case '&':
        return cint(x & y, type);
      case '|':
        return cint(x | y, type);
      case '^':
        return cint(x ^ y, type);
      case '==':
        return x === y ? TRUE : FALSE;
      case '!=':
        return x !== y ? TRUE : FALSE;
      case '<':
        return x < y ? TRUE : FALSE;
      case '>':
        return x > y ? TRUE : FALSE;
      case '<=':
        return x <= y ? TRUE : FALSE;
      default:
        return x >= y ? TRUE : FALSE;
    }
  }

  private unary(live: boolean, depth: number): CInt {
    if (depth > MAX_EXPRESSION_DEPTH) {
      throw new CSourceError(`expression nests deeper than ${MAX_EXPRESSION_DEPTH} levels`, this.cursor.here(), 'too_deep');
    }
    const t = this.cursor.peek();
    if (t === undefined) this.fail('expected an expression, found the end of it');
    if (t.kind === 'punct') {
      switch (t.text) {
        case '+':
        case '-':
        case '~': {
          this.cursor.next();
          const v = this.unary(live, depth + 1); // every type here is at least int: promoted already
          if (t.text === '+') return v;
          return cint(t.text === '-' ? -v.value : ~v.value, v.type);
        }
        case '!':
          this.cursor.next();
          return this.unary(live, depth + 1).value === 0n ? TRUE : FALSE;
        case '(': {
          const after = this.cursor.peek(1);
          if (!this.host.preprocessor && after !== undefined && this.host.startsTypeName(after)) {
            this.cursor.next();
            const facts = this.host.typeFacts(this.cursor);
            this.expectPunct(')', 'after the type of a cast');
            const v = this.unary(live, depth + 1);
            if (facts.integer === null) this.fail('a cast to a type that is not an integer type, in a constant expression', t, 'c_unsupported');
            // to the cast's type, then (for a narrow type) back up to int, as C promotes it
            const narrow = facts.bits < 32;
            const wrapped = narrow ? (isUnsigned(facts.integer) ? BigInt.asUintN(facts.bits, v.value) : BigInt.asIntN(facts.bits, v.value)) : v.value;
            return cint(wrapped, narrow ? 'int' : this.type(facts.integer));
          }
          this.cursor.next();
          const v = this.conditional(live, depth + 1);
          this.expectPunct(')', 'to close the parenthesis');
          return v;
        }
        default:
          this.fail(`expected an expression, found '${excerpt(t.text)}'`, t);
      }
    }
    if (t.kind === 'number') {
      this.cursor.next();
      const v = parseIntegerLiteral(t.text, this.host.target.longBits);
      if (v === 'float') this.fail(`floating constant '${excerpt(t.text)}' in an integer constant expression`, t);
      if (v === 'malformed') this.fail(`'${excerpt(t.text)}' is not a valid integer constant`, t);
      if (v === 'too_large') this.fail(`integer constant '${excerpt(t.text)}' is too large for any integer type`, t);
      return cint(v.value, this.type(v.type));
    }
    if (t.kind === 'char') {
      this.cursor.next();
      const v = parseCharLiteral(t.text, this.host.target.charSigned);
      if (v === undefined) this.fail(`character constant ${excerpt(t.text)} is not a single plain character`, t, 'c_unsupported');
      return cint(v.value, this.type(v.type));
    }
    if (t.kind === 'ident') {
      if (!this.host.preprocessor) {
        switch (t.text) {
          case 'sizeof':
          case '_Alignof':
          case 'alignof':
          case '__alignof__':
          case '__alignof': {
            this.cursor.next();
            const open = this.cursor.peek();
            const typed = open?.kind === 'punct' && open.text === '(' && this.host.startsTypeName(this.cursor.peek(1) ?? open);
            if (!typed) this.fail(`${t.text} of an expression is not supported: write ${t.text}(type)`, t, 'c_unsupported');
            this.cursor.next();
            const facts = this.host.typeFacts(this.cursor);
            this.expectPunct(')', `after the type in ${t.text}(…)`);
            return cint(BigInt(t.text === 'sizeof' ? facts.size : facts.align), this.sizeType());
          }
          case 'offsetof':
          case '__builtin_offsetof': {
            this.cursor.next();
            this.expectPunct('(', `after ${t.text}`);
            const offset = this.host.offsetof(this.cursor);
            this.expectPunct(')', `to close ${t.text}(…)`);
            return cint(BigInt(offset), this.sizeType());
          }
        }
      }
      this.cursor.next();
      return this.host.identifier(t, live);
    }
    if (t.kind === 'string') this.fail(`a string literal in an integer constant expression`, t);
    return this.fail(`unexpected '${excerpt(t.text)}' in an expression`, t);
  }
}
