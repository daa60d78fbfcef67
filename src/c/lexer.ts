/**
 * The C lexer of `fromC`: source text to preprocessing tokens, in one pass over the characters
 * (no regular expressions, so no input can make it backtrack), with line splices, both kinds of
 * comment, string and character literals, pp-numbers and punctuators.
 *
 * @module
 */
import { CSourceError, type SourceLocation } from '../errors.js';

/** The kinds of token. `other` is a character that starts no C token (`@`, `` ` ``, a lone quote). */
export type TokenKind = 'ident' | 'number' | 'char' | 'string' | 'punct' | 'other';

/** A preprocessing token and where it is. */
export interface Token extends SourceLocation {
  readonly kind: TokenKind;
  readonly text: string;
  /** The first token of its line (a `#` there starts a directive). */
  readonly bol: boolean;
  /** Whitespace or a comment comes before it. */
  readonly space: boolean;
  /** `#pragma pack` value in effect where the token was read (0: none). Set by the preprocessor. */
  readonly pack: number;
  /** `#pragma scalar_storage_order` in effect (`null`: the default, little-endian). Set by the preprocessor. */
  readonly order: 'big' | 'little' | null;
  /** Macros that may not expand in this token (it came out of their expansion). Set by the preprocessor. */
  readonly hide: ReadonlySet<string> | null;
}

/** The most characters of a source (and of all the files it includes, together). */
export const MAX_SOURCE = 1 << 23;
/** The most tokens of a source (and of all the files it includes, together). */
export const MAX_TOKEN_COUNT = 1 << 21;

/** Punctuators of three, then two characters (longest match first); single characters are looked up in {@link SINGLE}. */
const THREE = new Set(['...', '<<=', '>>=']);
const TWO = new Set(['->', '++', '--', '<<', '>>', '<=', '>=', '==', '!=', '&&', '||', '*=', '/=', '%=', '+=', '-=', '&=', '^=', '|=', '##', '::']);
const SINGLE = new Set('[](){}.&*+-~!/%<>^|?:;=,#'.split(''));

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isIdentStart = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const isIdentPart = (c: number): boolean => isIdentStart(c) || isDigit(c);

/** Shortens text quoted in a message. */
export function excerpt(text: string, max = 40): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}

/**
 * Splits `source` into tokens. Comments become whitespace; a backslash at the end of a line joins
 * it with the next (so a `#define` may continue); newlines are not tokens, but the first token of
 * each line is marked `bol`. An unterminated comment is an error; an unterminated quote is an
 * `other` token (an error only if it is in code that is not skipped, as in gcc).
 */
export function tokenize(source: string, file: string, limit = Number.POSITIVE_INFINITY): Token[] {
  const tokens: Token[] = [];
  const n = source.length;
  let i = 0;
  let line = 1;
  let lineStart = 0;
  let bol = true;
  let space = false;
  const here = (at: number, atLine: number, atLineStart: number): SourceLocation => ({ file, line: atLine, column: at - atLineStart + 1 });
  const push = (kind: TokenKind, start: number, end: number, startLine: number, startLineStart: number): void => {
    if (tokens.length >= limit)
      throw new CSourceError(
        `the source holds too many tokens (the limit is ${MAX_TOKEN_COUNT} in all files)`,
        here(start, startLine, startLineStart),
        'too_large',
      );
    tokens.push({
      kind,
      text: source.slice(start, end),
      file,
      line: startLine,
      column: start - startLineStart + 1,
      bol,
      space,
      pack: 0,
      order: null,
      hide: null,
    });
    bol = false;
    space = false;
  };
  while (i < n) {
    const c = source.charCodeAt(i);
    // newlines, whitespace, splices
    if (c === 10) {
      i++;
      line++;
      lineStart = i;
      bol = true;
      space = false;
      continue;
    }
    if (c === 32 || c === 9 || c === 13 || c === 11 || c === 12) {
      i++;
      space = true;
      continue;
    }
    if (c === 92 /* \ */) {
      let j = i + 1;
      while (j < n && (source.charCodeAt(j) === 32 || source.charCodeAt(j) === 9 || source.charCodeAt(j) === 13)) j++;
      if (j < n && source.charCodeAt(j) === 10) {
        i = j + 1;
        line++;
        lineStart = i;
        space = true;
        continue;
      }
      if (j >= n) {
        i = n;
        continue;
      }
      push('other', i, i + 1, line, lineStart);
      i++;
      continue;
    }
    // comments
    if (c === 47 /* / */ && i + 1 < n) {
      const d = source.charCodeAt(i + 1);
      if (d === 42 /* * */) {
        const startLine = line;
        const startLineStart = lineStart;
        const start = i;
        i += 2;
        for (;;) {
          if (i >= n) throw new CSourceError('unterminated /* comment', here(start, startLine, startLineStart), 'c_syntax');
          const e = source.charCodeAt(i);
          if (e === 42 && i + 1 < n && source.charCodeAt(i + 1) === 47) {
            i += 2;
            break;
          }
          if (e === 10) {
            line++;
            lineStart = i + 1;
          }
          i++;
        }
        space = true;
        continue;
      }
      if (d === 47) {
        // to the end of the line; a splice continues it
        i += 2;
        while (i < n && source.charCodeAt(i) !== 10) {
          if (source.charCodeAt(i) === 92 && i + 1 < n && source.charCodeAt(i + 1) === 10) {
            i += 2;
            line++;
            lineStart = i;
            continue;
          }
          i++;
        }
        space = true;
        continue;
      }
    }
    const start = i;
    // identifiers (and string/char prefixes L u U u8)
    if (isIdentStart(c)) {
      i++;
      while (i < n && isIdentPart(source.charCodeAt(i))) i++;
      const q = i < n ? source.charCodeAt(i) : 0;
      if ((q === 34 || q === 39) && isLiteralPrefix(source, start, i)) {
        const end = quoted(source, i, q);
        const stop = end < 0 ? lineEnd(source, start) : end;
        push(end < 0 ? 'other' : q === 34 ? 'string' : 'char', start, stop, line, lineStart);
        i = stop;
        continue;
      }
      push('ident', start, i, line, lineStart);
      continue;
    }
    // pp-numbers: digit or .digit, then [0-9A-Za-z_.] and e+ e- p+ p- E+ …
    if (isDigit(c) || (c === 46 && i + 1 < n && isDigit(source.charCodeAt(i + 1)))) {
      i++;
      while (i < n) {
        const e = source.charCodeAt(i);
        if ((e === 43 || e === 45) && /* + - after e E p P */ isExponent(source.charCodeAt(i - 1))) i++;
        else if (isIdentPart(e) || e === 46) i++;
        else break;
      }
      push('number', start, i, line, lineStart);
      continue;
    }
    // strings and characters
    if (c === 34 || c === 39) {
      const end = quoted(source, i, c);
      if (end < 0) {
        const stop = lineEnd(source, i);
        push('other', i, stop, line, lineStart);
        i = stop;
      } else {
        push(c === 34 ? 'string' : 'char', i, end, line, lineStart);
        i = end;
      }
      continue;
    }
    // punctuators
    if (i + 3 <= n && THREE.has(source.slice(i, i + 3))) {
      push('punct', i, i + 3, line, lineStart);
      i += 3;
      continue;
    }
    if (i + 2 <= n && TWO.has(source.slice(i, i + 2))) {
      push('punct', i, i + 2, line, lineStart);
      i += 2;
      continue;
    }
    const ch = source[i] as string;
    // one code point (a character outside the BMP is two code units)
    const width = c >= 0xd800 && c <= 0xdbff && i + 1 < n ? 2 : 1;
    push(SINGLE.has(ch) ? 'punct' : 'other', i, i + width, line, lineStart);
    i += width;
  }
  return tokens;
}

function isExponent(c: number): boolean {
  return c === 101 || c === 69 || c === 112 || c === 80;
}

function isLiteralPrefix(source: string, start: number, end: number): boolean {
  const p = source.slice(start, end);
  return p === 'L' || p === 'u' || p === 'U' || p === 'u8';
}

/** The index after the closing quote of the literal opening at `i`, or -1 when the line ends first. */
function quoted(source: string, i: number, quote: number): number {
  const n = source.length;
  let j = i + 1;
  while (j < n) {
    const e = source.charCodeAt(j);
    if (e === quote) return j + 1;
    if (e === 10) return -1;
    if (e === 92 /* \ */) {
      if (j + 1 < n && source.charCodeAt(j + 1) === 10) return -1; // a splice inside a literal: not read
      j += 2;
      continue;
    }
    j++;
  }
  return -1;
}

function lineEnd(source: string, i: number): number {
  const j = source.indexOf('\n', i);
  return j < 0 ? source.length : j;
}
