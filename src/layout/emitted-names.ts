/**
 * Names in emitted code. Schemas accept any C identifier as a field or type name, so that a name
 * means the same to JS everywhere; another language may reserve some of them (`int`, `NULL`,
 * `_Bool` in C; `class`, `ctypes`, `_fields_` in Python). The emitters then respell such a name by
 * one rule, the same for fields and types and in both languages: a trailing `_`, repeated until the
 * name is free in its scope (a name that starts with `_` and a capital letter, which C reserves as
 * a whole class, also loses that `_`: `_Bool` → `Bool_`). Names that are not reserved never
 * change, and the emitted line says `renamed: 'int' is reserved in C`.
 *
 * @module
 */
import { describeValue, typeError } from '../errors.js';
import { checkOptions } from '../options.js';
import { isIdentifier } from '../kinds/names.js';

/** Which names a language reserves, and how it respells them. */
export interface NameRules {
  /** The language, as comments name it: `C`, `Python`, `ctypes`. */
  readonly language: string;
  /** Whether `name` cannot be a type (C tag or typedef, Python class) or other top-level name. */
  reservedType(name: string): boolean;
  /** Whether `name` cannot be a member (C struct member, ctypes field). */
  reservedField(name: string): boolean;
  /** Which language reserves a field name, for the comment (`C`, `ctypes`). */
  readonly fieldLanguage: string;
  /**
   * The first candidate for a reserved `name`, ending in `_` (`int` → `int_`); `_` is appended until it
   * is free, and a record declared twice gets `int_be`, `int_2`, ….
   */
  respell(name: string): string;
}

/**
 * The identifiers of one namespace of the emitted code (C tags, C members of one struct, a Python
 * module's globals, …): each name is handed out once, and never a reserved one. With C's rules,
 * after `take('int_')`, `claim('int')` gives `int__`.
 */
export class NameScope {
  readonly #used = new Set<string>();
  readonly #reserved: (name: string) => boolean;
  readonly #respell: (name: string) => string;

  constructor(reserved: (name: string) => boolean, respell: (name: string) => string) {
    this.#reserved = reserved;
    this.#respell = respell;
  }

  /** Whether `name` may still be handed out. */
  isFree(name: string): boolean {
    return !this.#reserved(name) && !this.#used.has(name);
  }

  /** Hands out `name` as it is (the caller checked {@link isFree}). */
  take(name: string): string {
    this.#used.add(name);
    return name;
  }

  /** `name` if it is free; otherwise its respelling (if reserved) with `_` appended until free. */
  claim(name: string): string {
    let id = this.#reserved(name) ? this.#respell(name) : name;
    while (!this.isFree(id)) id += '_';
    return this.take(id);
  }

  /** A new name `${base}0`, `${base}1`, … (for placeholders such as `_unnamed_0`). */
  fresh(base: string): string {
    for (let n = 0; ; n++) if (this.isFree(`${base}${n}`)) return this.take(`${base}${n}`);
  }
}

/** The comment an emitter writes next to a renamed name: reserved by `language`, or else taken by another name of the scope. */
export function renamedNote(original: string, language: string, reserved = true): string {
  return reserved ? `renamed: '${original}' is reserved in ${language}` : `renamed: '${original}' is taken by a type of the same name`;
}

/**
 * Checks the options of `toC`/`toCtypes` and returns `options.name`: a name given to the emitted
 * code must be a C identifier (not starting with `__`), like the schema's own names, so that it
 * cannot break or inject code. A reserved one is respelled later, like any other name.
 */
export function rootNameOption(api: string, options: unknown): string | undefined {
  checkOptions(`${api}()`, options, ['name']);
  const name: unknown = (options as { name?: unknown }).name;
  if (name === undefined) return undefined;
  if (!isIdentifier(name) || name.startsWith('__')) {
    throw typeError(
      'invalid_argument',
      `${api}()`,
      `options.name is ${describeValue(name)}, which is not a C identifier`,
      'use letters, digits and _ only, not starting with a digit or __ (at most 255 characters)',
    );
  }
  return name;
}
