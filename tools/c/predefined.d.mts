/** The compiler of each target: the command, and its arguments before the ones that dump macros. */
export const COMPILERS: Readonly<Record<string, readonly [string, readonly string[]]>>;
/** The macros kept. */
export const KEEP: readonly RegExp[];
/** Macros that name the compiler's version: compared only by name. */
export const VERSION_MACROS: ReadonlySet<string>;
/** `#define` lines of a compiler's predefined macros, name → the line. */
export function compilerMacros(command: string, args: readonly string[]): Map<string, string>;
/** The kept macros of a compiler, sorted by name: [name, line]. */
export function keptMacros(command: string, args: readonly string[]): [string, string][];
