/**
 * The `sharedctypes` command: `sharedctypes from-c header.h > schemas.ts` writes TypeScript schema
 * code for the types of a C header (see `docs/from-c.md`). Node only: `bin.ts` runs it; the library
 * never imports it.
 *
 * @module
 */
import { closeSync, existsSync, fstatSync, openSync, readSync, statSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { headerToTypeScript } from '../c/emit-ts.js';
import { fromC, type IncludeReader } from '../c/from-c.js';
import { MAX_SOURCE } from '../c/lexer.js';
import { CSourceError, errorCode } from '../errors.js';
import { TARGETS, type TargetName } from '../types/target.js';

const USAGE = `Usage: sharedctypes from-c [options] <header.h | ->

Writes TypeScript schema code for the structs, unions, enums and typedefs of a C header, as
the target's compiler lays them out, one export per named type, to standard output.

Options:
  --target <name>  read the header as the compiler of <name> does (its macros, type sizes and
                   layout rules): ${TARGETS.join(', ')}
                   (default: x86_64-linux-gnu)
  -I <dir>         search <dir> for #include files (after the including file's directory for "…")
  -D <name>[=<v>]  define a macro, as a compiler's -D does (default value 1)
  -o <file>        write to <file> instead of standard output
  --module <name>  import the DSL from <name> (default: sharedctypes)
  -h, --help       show this help
`;

interface Arguments {
  readonly input: string;
  readonly target: TargetName | undefined;
  readonly includes: readonly string[];
  readonly defines: Readonly<Record<string, string>>;
  readonly output: string | undefined;
  readonly module: string;
}

/** The exit status: 0 done, 1 the header has an error, 2 the command line is wrong. */
type Status = 0 | 1 | 2;

function parseArguments(argv: readonly string[]): Arguments | string {
  const includes: string[] = [];
  const defines: Record<string, string> = {};
  let output: string | undefined;
  let module = 'sharedctypes';
  let input: string | undefined;
  let target: TargetName | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    const value = (flag: string): string | undefined => {
      if (a.length > flag.length) return a.slice(flag.length);
      i++;
      return argv[i];
    };
    if (a === '-I' || (a.startsWith('-I') && a.length > 2)) {
      const dir = value('-I');
      if (dir === undefined) return '-I needs a directory';
      includes.push(dir);
    } else if (a === '-D' || (a.startsWith('-D') && a.length > 2)) {
      const d = value('-D');
      if (d === undefined) return '-D needs a macro name';
      const eq = d.indexOf('=');
      defines[eq < 0 ? d : d.slice(0, eq)] = eq < 0 ? '1' : d.slice(eq + 1);
    } else if (a === '-o') {
      output = argv[++i];
      if (output === undefined) return '-o needs a file name';
    } else if (a === '--target') {
      const t = argv[++i];
      if (t === undefined) return '--target needs a target name';
      if (!(TARGETS as readonly string[]).includes(t)) return `unknown target ${t} (the targets are ${TARGETS.join(', ')})`;
      target = t as TargetName;
    } else if (a === '--module') {
      const m = argv[++i];
      if (m === undefined) return '--module needs a module name';
      module = m;
    } else if (a === '-' || !a.startsWith('-')) {
      if (input !== undefined) return `one header at a time (got ${input} and ${a})`;
      input = a;
    } else return `unknown option ${a}`;
  }
  if (input === undefined) return 'no header given';
  return { input, target, includes, defines, output, module };
}

/** A header or `#include` that exists but cannot be read as one (a directory, a device, too large). */
class UnreadableSource extends Error {}

/**
 * Bytes read from one file at most: more than fromC reads in all (`MAX_SOURCE` characters, each at
 * most 4 bytes of UTF-8). A device such as /dev/zero never ends: it is read up to this and refused.
 */
const MAX_FILE_BYTES = 4 * MAX_SOURCE;

/** The text of the header or include at `path`: a regular file (or a device, read up to {@link MAX_FILE_BYTES}). */
function readSource(path: string): string {
  const fd = openSync(path, 'r');
  try {
    return readBounded(fd, path);
  } finally {
    closeSync(fd);
  }
}

/** The text read from `fd` (a file, a device or a pipe, called `name` in messages): refused past {@link MAX_FILE_BYTES}. */
export function readBounded(fd: number, name: string): string {
  const stat = fstatSync(fd);
  if (stat.isDirectory()) throw new UnreadableSource(`${name} is a directory`);
  if (stat.isFile() && stat.size > MAX_FILE_BYTES) throw new UnreadableSource(`${name} has ${stat.size} bytes, more than a header may (${MAX_FILE_BYTES})`);
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const chunk = Buffer.allocUnsafe(1 << 16);
    const n = readSync(fd, chunk, 0, chunk.length, null);
    if (n === 0) break;
    total += n;
    if (total > MAX_FILE_BYTES) throw new UnreadableSource(`${name} holds more than ${MAX_FILE_BYTES} bytes, more than a header may`);
    chunks.push(chunk.subarray(0, n));
  }
  return Buffer.concat(chunks, total).toString('utf8');
}

/** Finds `#include` files: "…" next to the including file first, then in each -I directory. */
function includeReader(includes: readonly string[]): IncludeReader {
  const read = (path: string): { file: string; source: string } => {
    try {
      return { file: path, source: readSource(path) };
    } catch (e) {
      if (e instanceof UnreadableSource) throw e;
      throw new UnreadableSource(`cannot read ${path}: ${(e as Error).message}`);
    }
  };
  return (name, { system, from }) => {
    if (isAbsolute(name)) return existsSync(name) ? read(name) : undefined;
    const dirs = [...(system || from.startsWith('<') ? [] : [dirname(from)]), ...includes];
    for (const dir of dirs) {
      const path = join(dir, name);
      if (existsSync(path) && !statSync(path).isDirectory()) return read(path); // as gcc, a directory of that name is passed over
    }
    return undefined;
  };
}

/** Runs `sharedctypes <argv>`; returns the exit status. */
export function main(argv: readonly string[], io: { out(text: string): void; err(text: string): void; stdin(): string }): Status {
  const [command, ...rest] = argv;
  if (command === '-h' || command === '--help' || command === 'help') {
    io.out(USAGE);
    return 0;
  }
  if (command !== 'from-c') {
    io.err(`sharedctypes: ${command === undefined ? 'no command given' : `unknown command ${command}`}\n\n${USAGE}`);
    return 2;
  }
  if (rest.includes('-h') || rest.includes('--help')) {
    io.out(USAGE);
    return 0;
  }
  const args = parseArguments(rest);
  if (typeof args === 'string') {
    io.err(`sharedctypes from-c: ${args}\n\n${USAGE}`);
    return 2;
  }
  const file = args.input === '-' ? '<stdin>' : args.input;
  let source: string;
  try {
    source = args.input === '-' ? io.stdin() : readSource(resolve(args.input));
  } catch (e) {
    io.err(`sharedctypes from-c: ${e instanceof UnreadableSource ? '' : `cannot read ${file}: `}${(e as Error).message}\n`);
    return 1;
  }
  try {
    const header = fromC(source, {
      file,
      defines: args.defines,
      include: includeReader(args.includes),
      ...(args.target === undefined ? {} : { target: args.target }),
    });
    for (const n of header.notes) io.err(`${n.file}:${n.line}:${n.column}: note: ${n.message}\n`);
    const text = headerToTypeScript(header, { module: args.module, source: file });
    if (args.output === undefined) io.out(text);
    else {
      try {
        writeFileSync(args.output, text);
      } catch (e) {
        io.err(`sharedctypes from-c: cannot write ${args.output}: ${(e as Error).message}\n`);
        return 1;
      }
    }
    return 0;
  } catch (e) {
    if (e instanceof UnreadableSource) {
      io.err(`sharedctypes from-c: ${e.message}\n`);
      return 1;
    }
    if (e instanceof CSourceError) {
      io.err(`${e.message.replace(/^([^:]*:\d+:\d+): /, '$1: error: ')} [${e.code}]\n`);
      return 1;
    }
    if (errorCode(e) !== undefined) {
      io.err(`sharedctypes from-c: ${(e as Error).message}\n`);
      return 1;
    }
    throw e;
  }
}
