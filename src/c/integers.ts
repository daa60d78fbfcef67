/**
 * C integer constants as the compiler computes them: literals typed as the C standard says, the
 * usual arithmetic conversions, and results wrapped to their type's width. In `#if`, every value is
 * `intmax_t`/`uintmax_t` (64 bits).
 *
 * Types are tracked by width and signedness, which is all C's conversions of constants depend on:
 * `int` and `unsigned int` are 32 bits, `long` and `unsigned long` here mean the 64-bit types (C's
 * `long` on LP64 targets, `long long` everywhere). On a target whose C `long` has 32 bits (MSVC,
 * wasm32), a constant of C type `long` is computed as an `int` of the same signedness.
 *
 * @module
 */

/** The integer types a constant expression can have after promotion: 32-bit `int`, 64-bit `long` (see above). */
export type IntType = 'int' | 'unsigned int' | 'long' | 'unsigned long';

/** An integer constant: its value (already wrapped to its type) and its type. */
export interface CInt {
  readonly value: bigint;
  readonly type: IntType;
}

const WIDTH: Record<IntType, 32 | 64> = { int: 32, 'unsigned int': 32, long: 64, 'unsigned long': 64 };

/** Whether values of `type` are unsigned. */
export function isUnsigned(type: IntType): boolean {
  return type === 'unsigned int' || type === 'unsigned long';
}

/** The width of `type` in bits. */
export function widthOf(type: IntType): 32 | 64 {
  return WIDTH[type];
}

/** `value` converted to `type` (wrapped modulo 2^width, as C converts). */
export function cint(value: bigint, type: IntType): CInt {
  const w = WIDTH[type];
  return { value: isUnsigned(type) ? BigInt.asUintN(w, value) : BigInt.asIntN(w, value), type };
}

/** The type both operands of a binary arithmetic operator are converted to (C11 6.3.1.8). */
export function commonType(a: IntType, b: IntType): IntType {
  if (a === b) return a;
  const ua = isUnsigned(a);
  const ub = isUnsigned(b);
  const wa = WIDTH[a];
  const wb = WIDTH[b];
  if (ua === ub) return wa >= wb ? a : b;
  const [u, s] = ua ? [a, b] : [b, a];
  if (WIDTH[u] >= WIDTH[s]) return u;
  return s; // long can represent every unsigned int
}

/** The value fits `type` without wrapping. */
export function fits(value: bigint, type: IntType): boolean {
  return cint(value, type).value === value;
}

/** The type an integer constant has in `#if`: every value is 64-bit there. */
export function ppType(type: IntType): IntType {
  return isUnsigned(type) ? 'unsigned long' : 'long';
}

/** What a numeric literal is, if it is not a well-formed integer constant. */
export type LiteralProblem = 'float' | 'malformed' | 'too_large';

/**
 * The value and type of an integer literal (`42`, `0x2Au`, `017`, `0b101`, `10ULL`, `1'000` is not
 * C17), or what is wrong with it. `longBits`: the width of the target's C `long` (the type of a
 * literal with suffix `L`).
 */
export function parseIntegerLiteral(text: string, longBits: 32 | 64): CInt | LiteralProblem {
  // 64 binary digits, a prefix and a suffix: anything longer is too large (and not worth converting)
  if (text.length > 80) return text.includes('.') ? 'float' : 'too_large';
  let i = 0;
  let base = 10;
  const lower = text.toLowerCase();
  if (lower.startsWith('0x')) {
    base = 16;
    i = 2;
  } else if (lower.startsWith('0b')) {
    base = 2;
    i = 2;
  } else if (lower.startsWith('0') && lower.length > 1) {
    base = 8;
    i = 1;
  }
  let digits = '';
  for (; i < lower.length; i++) {
    const c = lower[i] as string;
    const d = c >= '0' && c <= '9' ? c.charCodeAt(0) - 48 : c >= 'a' && c <= 'f' ? c.charCodeAt(0) - 87 : -1;
    if (d < 0 || d >= base) break;
    digits += c;
  }
  const suffix = lower.slice(i);
  // a decimal point or an exponent makes a floating constant (in hex, e is a digit and p the exponent)
  if ((base === 10 || base === 8) && (lower.includes('.') || lower.includes('e'))) return 'float';
  if (base === 16 && (lower.includes('.') || lower.includes('p'))) return 'float';
  if (digits === '' && base !== 8) return 'malformed';
  const prefix = base === 16 ? '0x' : base === 2 ? '0b' : base === 8 ? '0o' : '';
  const value = BigInt(`${prefix}${digits === '' ? '0' : digits}`);
  const unsignedSuffix = suffix.includes('u');
  const longs = suffix.replace('u', '');
  if (!['', 'l', 'll'].includes(longs) || suffix.length > 3 || (suffix.match(/u/g)?.length ?? 0) > 1) {
    if (suffix === 'f' || suffix === 'lf') return 'float';
    return 'malformed';
  }
  // C11 6.4.4.1: the first type of the list that holds the value (a 32-bit C long is an int here).
  const decimal = base === 10;
  const narrowLong = longs === 'l' && longBits === 32;
  const candidates: IntType[] = unsignedSuffix
    ? longs === '' || narrowLong
      ? ['unsigned int', 'unsigned long']
      : ['unsigned long']
    : longs === '' || narrowLong
      ? decimal
        ? ['int', 'long']
        : ['int', 'unsigned int', 'long', 'unsigned long']
      : decimal
        ? ['long']
        : ['long', 'unsigned long'];
  for (const t of candidates) if (fits(value, t)) return { value, type: t };
  // gcc gives a decimal constant too large for long the type unsigned long, with a warning
  if (fits(value, 'unsigned long')) return { value, type: 'unsigned long' };
  return 'too_large';
}

const SIMPLE_ESCAPES: Record<string, number> = { n: 10, t: 9, r: 13, '0': 0, a: 7, b: 8, f: 12, v: 11, '\\': 92, "'": 39, '"': 34, '?': 63, e: 27 };

/**
 * The value of a character constant (`'a'`, `'\n'`, `'\x41'`, `'\101'`), typed `int` as in C;
 * `undefined` if it holds more than one character or is not plain. `charSigned`: whether plain
 * `char` is signed on the target (`'\xff'` is then -1, else 255).
 */
export function parseCharLiteral(text: string, charSigned: boolean): CInt | undefined {
  if (!text.startsWith("'") || !text.endsWith("'") || text.length < 3) return undefined;
  const body = text.slice(1, -1);
  let code: number;
  if (body[0] !== '\\') {
    if (body.length !== 1) return undefined;
    code = body.charCodeAt(0);
    if (code > 127) return undefined; // a UTF-8 sequence in the source: more than one byte
  } else {
    const e = body.slice(1);
    if (e.length === 1 && Object.hasOwn(SIMPLE_ESCAPES, e)) code = SIMPLE_ESCAPES[e] as number;
    else if (/^x[0-9a-fA-F]{1,2}$/.test(e)) code = Number.parseInt(e.slice(1), 16);
    else if (/^[0-7]{1,3}$/.test(e)) code = Number.parseInt(e, 8);
    else return undefined;
    if (code > 255) return undefined;
  }
  return { value: BigInt(charSigned && code > 127 ? code - 256 : code), type: 'int' };
}
