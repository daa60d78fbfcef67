/**
 * The error catalog. Every error the library throws is built here, so that each message names the
 * type, the field path, the rule that was broken and the fix, and each error carries a stable
 * `code` (one of {@link ERROR_CODES}) that programs can branch on instead of the English.
 *
 * @module
 */

/**
 * Every `code` an error of this library can carry, with what it means. Codes are stable: a
 * message may be reworded, a code keeps its meaning. `SchemaError`, `SyncError`,
 * `BrokenBarrierError` and `LayoutMismatchError` carry one, and so do the `TypeError`s and
 * `RangeError`s the library throws.
 *
 * @example
 * ```ts
 * import { ERROR_CODES, errorCode, struct, u8 } from 'sharedctypes';
 * try {
 *   struct({ '2d': u8 });
 * } catch (e) {
 *   errorCode(e); // 'invalid_name'
 *   ERROR_CODES.invalid_name; // what it means
 * }
 * ```
 */
export const ERROR_CODES = {
  // ---- SchemaError: a schema with no C layout, or not the one meant ----
  invalid_name: 'a field or type name that is not a C identifier, is reserved by the views, or is declared twice',
  invalid_type: 'a type was expected: a schema (u32, struct({…}), …) or a Python typecode',
  invalid_bitfield: 'a bitfield of a type that cannot hold bits, too wide for its type, or named with width 0',
  invalid_length: 'an array or char length outside 1 … 2³¹−1, or an empty list of dimensions',
  invalid_option: 'a record option (pack, align, endian, name), an aligned() value or a sync member count out of range',
  misplaced_sync: 'a lock or other synchronization member where it cannot work (under pack, big-endian, a condition without its lock member)',
  too_deep: 'types nested more than 64 levels deep, counted through named types',
  too_many_members: 'a struct or union with more than 65535 members',
  too_large: 'a type larger than 2⁴⁸ bytes',
  invalid_descriptor: 'a JSON descriptor that is not valid: not JSON, unknown keys, a missing or forward ref, a descriptor containing itself',
  invalid_path: "a field path that does not parse or names a member that does not exist ('pos.x', 'items[2]')",
  // ---- CSourceError (a SchemaError from fromC, with the line and column) ----
  c_syntax: 'C source that fromC cannot read as C: a syntax error, an unknown type or constant, an #error, a failing _Static_assert',
  c_unsupported:
    "valid C that has no schema: a flexible array member, long double, _Float16 or scalar_storage_order where the target's compiler has none, an attribute that changes the layout in a way no schema expresses, …",
  // ---- RangeError ----
  out_of_bounds: 'a region outside its buffer, an index outside its array, more values than fit',
  misaligned: 'an offset that is not a multiple of the alignment the type (or an atomic operation) needs',
  too_long: 'a string or bytes longer than the char[N] they are stored in',
  out_of_range: 'a value outside what its field or parameter holds (checked stores, semaphore values, counts)',
  out_of_memory: 'a buffer the engine could not allocate (create(), RawArray, Value, a channel…): more memory than the machine or the engine gives',
  // ---- TypeError ----
  invalid_value: 'a value of the wrong type stored into a field or an aggregate',
  unknown_field: 'set({…}) with a key that is not a field',
  invalid_argument: 'an argument of the wrong kind: not a view, not a handle, not a buffer, a bad timeout or option',
  not_shared: 'memory that must be a SharedArrayBuffer (locks, share()) is a plain ArrayBuffer',
  cannot_block: "a blocking wait on a thread that may not block (a browser's main thread): use the async form",
  // ---- SyncError, BrokenBarrierError, LayoutMismatchError ----
  not_held: 'releasing, waiting on or notifying through a lock this thread does not hold',
  would_deadlock:
    "a blocking acquire that could only wait for ever (an async task of this thread holds the RLock, or this thread holds the RwLock's write lock), or a lock's identities used up",
  broken_barrier: 'a Barrier that was aborted, reset, timed out or whose action threw',
  owner_dead: 'a lock whose holder died inside its critical section (its data may be inconsistent) and that nobody has repaired since',
  layout_mismatch: 'a handle attached with a schema of another layout, or whose descriptor does not match its fingerprint',
  // ---- SharedMemoryError: named, process-shared memory ----
  unsupported_runtime: 'this runtime cannot map process-shared memory (no FFI, a flag or a permission missing, not Linux): the message says what to enable',
  segment_not_found: 'no shared memory segment of that name (attaching to a name that was never created, or was unlinked)',
  segment_exists: 'creating a shared memory segment whose name is already taken',
  segment_closed: 'using a SharedMemory (or memory of it) after close()',
  os_error: 'the operating system refused a shared memory call (permissions, limits, no memory): errno is in the error',
  // ---- channels: ChannelClosedError, QueueEmpty, QueueFull, SyncError ----
  closed: "a push into a closed channel, or a Queue's get() once it is closed and drained (Python's queue.ShutDown)",
  empty: "a Queue's get() or a Pipe end's recv() that found nothing: non-blocking, or timed out (Python's queue.Empty)",
  full: "a Queue's put() that found no room: non-blocking, or timed out (Python's queue.Full)",
  slot_state: 'commit() without reserve(), release() without front(), or a second reserve()/front() before the first was committed or released',
  corrupt:
    "a channel's shared words hold what none of its ends writes (a position whose slot is outside the ring): its memory was overwritten by other code; nothing is read or written outside it",
  unsupported_type:
    'a type this JavaScript runtime cannot read or write (f16 without DataView.prototype.getFloat16), or a typed() of elements no typed array holds (structs, bool, the other byte order)',
  internal: 'a broken internal invariant: a bug in sharedctypes, please report it',
} as const satisfies Record<string, string>;

/** A stable error code: a key of {@link ERROR_CODES}. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** An error thrown by this library: it carries a stable `code`. */
export interface CodedError extends Error {
  readonly code: ErrorCode;
}

/**
 * The stable `code` of an error thrown by this library, or `undefined` for any other value.
 *
 * @example
 * ```ts
 * import { array, errorCode, u8 } from 'sharedctypes';
 * try {
 *   array(u8, 4).create().get(9);
 * } catch (e) {
 *   if (errorCode(e) === 'out_of_bounds') console.log('no such element');
 * }
 * ```
 */
export function errorCode(e: unknown): ErrorCode | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return e instanceof Error && typeof code === 'string' && Object.hasOwn(ERROR_CODES, code) ? (code as ErrorCode) : undefined;
}

/** Gives a built-in error (`TypeError`, `RangeError`) its code. */
function coded<E extends Error>(error: E, code: ErrorCode): E & CodedError {
  Object.defineProperty(error, 'code', { value: code, enumerable: true, configurable: true, writable: true });
  return error as E & CodedError;
}

/**
 * Thrown when a schema is invalid: it would have no C layout, or a different one than you meant.
 *
 * @example
 * ```ts
 * import { struct, bits, u8, SchemaError } from 'sharedctypes';
 * try {
 *   struct({ id: bits(u8, 9) }, { name: 'Flags' });
 * } catch (e) {
 *   e instanceof SchemaError; // true
 *   // "struct Flags: field 'id' (u8) has bits: 9, more than its 8-bit type holds; use a wider type or fewer bits"
 * }
 * ```
 */
export class SchemaError extends Error {
  override readonly name: string = 'SchemaError';
  /** The field path inside the schema where the problem is (`''` for the schema itself). */
  readonly path: string;
  /** What is wrong, as a stable code (see {@link ERROR_CODES}). */
  readonly code: ErrorCode;
  constructor(message: string, path = '', code: ErrorCode = 'invalid_type') {
    super(message);
    this.path = path;
    this.code = code;
  }
}

/** Where in a C source an error is: file name, 1-based line and column. */
export interface SourceLocation {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/**
 * Thrown by `fromC` for C it cannot turn into schemas: a `SchemaError` that also says where in the
 * source (`file`, `line`, `column`; the message starts with `file:line:column:`). Its `code` is
 * `c_syntax` or `c_unsupported`, or the code of the schema rule the C broke (`invalid_bitfield`,
 * `too_deep`, …).
 *
 * @example
 * ```ts
 * import { CSourceError, fromC } from 'sharedctypes';
 * try {
 *   fromC('struct S { int n; char data[]; };', { file: 'msg.h' });
 * } catch (e) {
 *   e instanceof CSourceError; // true
 *   // msg.h:1:24: member 'data' of struct S is a flexible array member: …
 * }
 * ```
 */
export class CSourceError extends SchemaError {
  override readonly name = 'CSourceError';
  /** The source file (`options.file` of `fromC`, or the name an `#include` was read under). */
  readonly file: string;
  /** 1-based line. */
  readonly line: number;
  /** 1-based column (in UTF-16 code units, as editors count them for ASCII). */
  readonly column: number;
  constructor(message: string, at: SourceLocation, code: ErrorCode, path = '') {
    // Messages quote the source; a hostile source could make them huge.
    const text = `${at.file}:${at.line}:${at.column}: ${message}`;
    super(text.length > 1000 ? `${text.slice(0, 999)}…` : text, path, code);
    this.file = at.file;
    this.line = at.line;
    this.column = at.column;
  }
}

/** At most this many characters of a string reach an error message (a value from a file or another thread can be of any size). */
const QUOTED_MAX = 60;

/** A string in quotes for an error message: at most {@link QUOTED_MAX} characters of it. */
export function quoted(s: string): string {
  return s.length <= QUOTED_MAX ? JSON.stringify(s) : `${JSON.stringify(s.slice(0, QUOTED_MAX))}… (${s.length} characters)`;
}

/**
 * A short description of an arbitrary value for error messages: never the source of a function,
 * and at most {@link QUOTED_MAX} characters of a string (a value from a file or another thread
 * can be of any size).
 */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'function') return `the function ${value.name === '' ? '(anonymous)' : value.name}`;
  if (typeof value === 'string') return `string ${quoted(value)}`;
  return `${typeof value} ${String(value)}`;
}

/** What a message shows for a value that should have been a number: the number, or what it is instead (`string "8"`). */
export function shownNumber(value: unknown): string {
  return typeof value === 'number' ? String(value) : describeValue(value);
}

/** At most this many characters of a member name or path reach an error message (one asked for can be of any size). */
const NAMED_MAX = 120;

/** A member name or path in single quotes for an error message: at most {@link NAMED_MAX} characters of it, then its length. */
export function named(s: string): string {
  return s.length <= NAMED_MAX ? `'${s}'` : `'${s.slice(0, NAMED_MAX)}…' (${s.length} characters)`;
}

/** At most this many names of a list reach an error message. */
const LISTED_MAX = 16;

/** Names for an error message (`x, y, z`): at most {@link LISTED_MAX} of them, each cut as {@link named} cuts, then how many there are. */
export function listed(names: readonly string[]): string {
  const shown = names.slice(0, LISTED_MAX).map((n) => (n.length <= NAMED_MAX ? n : `${n.slice(0, NAMED_MAX)}…`));
  return names.length <= LISTED_MAX ? shown.join(', ') : `${shown.join(', ')}, … (${names.length} in all)`;
}

/** Describes where in a schema an error happened: `struct Particle: field 'pos.x'`. */
export function where(typeLabel: string, path: string): string {
  return path === '' ? typeLabel : `${typeLabel}: field ${named(path)}`;
}

/** Builds a {@link SchemaError} with the standard `<where>: <problem>; <fix>` shape. */
export function schemaError(code: ErrorCode, typeLabel: string, path: string, problem: string, fix?: string): SchemaError {
  return new SchemaError(`${where(typeLabel, path)} ${problem}${fix === undefined ? '' : `; ${fix}`}`, path, code);
}

/** A `RangeError` for a region, an index or a value that does not fit. */
export function rangeError(code: ErrorCode, subject: string, problem: string, fix?: string): RangeError & CodedError {
  return coded(new RangeError(`${subject}: ${problem}${fix === undefined ? '' : `; ${fix}`}`), code);
}

/** A `TypeError` for a value of the wrong kind. */
export function typeError(code: ErrorCode, subject: string, problem: string, fix?: string): TypeError & CodedError {
  return coded(new TypeError(`${subject}: ${problem}${fix === undefined ? '' : `; ${fix}`}`), code);
}

/** The error for a broken internal invariant (a bug here, not in the caller's code). */
export function internalError(message: string): TypeError & CodedError {
  return coded(new TypeError(`sharedctypes internal error: ${message}; please report it`), 'internal');
}

/** For exhaustive switches: a compile error when a case is missing, a clear error if reached. */
export function assertNever(value: never, what: string): never {
  throw internalError(`unexpected ${what}: ${JSON.stringify(value)}`);
}

/**
 * Misuse of a lock or condition, like Python's `RuntimeError` from `threading`: releasing a lock
 * that is not held, or waiting on a condition without holding its lock.
 *
 * @example
 * ```ts
 * import { Lock, SyncError } from 'sharedctypes';
 * try {
 *   new Lock().release();
 * } catch (e) {
 *   e instanceof SyncError; // true: "Lock.release(): the lock is not held"
 * }
 * ```
 */
export class SyncError extends Error {
  override readonly name = 'SyncError';
  /** What is wrong, as a stable code (see {@link ERROR_CODES}). */
  readonly code: ErrorCode;
  constructor(message: string, code: ErrorCode = 'not_held') {
    super(message);
    this.code = code;
  }
}

/**
 * A `Barrier` was broken (aborted, reset, timed out, or its action threw), as in Python.
 *
 * @example
 * ```ts
 * import { Barrier, BrokenBarrierError } from 'sharedctypes';
 * const b = new Barrier(2);
 * try {
 *   b.wait(10); // nobody else comes: times out and breaks the barrier
 * } catch (e) {
 *   e instanceof BrokenBarrierError; // true
 * }
 * ```
 */
export class BrokenBarrierError extends Error {
  override readonly name = 'BrokenBarrierError';
  /** Always `'broken_barrier'` (see {@link ERROR_CODES}). */
  readonly code = 'broken_barrier' as const;
}

/** A lock that can tell when its holder died: what {@link OwnerDeadError} carries. */
export interface Repairable {
  /** Clears the mark a dead holder left (the caller must hold the lock, for an `RwLock` its write side). */
  markConsistent(): void;
  /** Whether the lock's data is consistent: false from a holder's death until `markConsistent()`. */
  isConsistent(): boolean;
}

/**
 * A holder of the lock died inside its critical section, so the data the lock guards may be half
 * written, and nobody has repaired it since (the spirit of POSIX robust mutexes' `EOWNERDEAD`).
 * The lock says so to everyone who acquires it until a thread repairs the data and calls
 * `markConsistent()`; `lock.withLock(fn, repair)` does both. Only threads that joined a
 * `ThreadRegistry` are seen to die.
 *
 * `held` tells whether the thread that gets the error holds the lock: not after `acquire()`,
 * `acquireAsync()`, `withLock(fn)` or `hold()` (they leave it free and marked); yes after a
 * `Condition`'s `wait` (which always returns holding the lock, as `pthread_cond_wait` does).
 *
 * @example
 * ```ts
 * import { Lock, OwnerDeadError } from 'sharedctypes';
 * const lock = new Lock();
 * try {
 *   lock.withLock(() => {});
 * } catch (e) {
 *   if (!(e instanceof OwnerDeadError)) throw e;
 *   lock.withLock(() => {}, () => {
 *     // repair the data the dead holder may have left half written
 *   });
 * }
 * ```
 */
export class OwnerDeadError extends Error {
  override readonly name = 'OwnerDeadError';
  /** Always `'owner_dead'` (see {@link ERROR_CODES}). */
  readonly code = 'owner_dead' as const;
  /** The lock (for an `RwLock`'s read or write side: the `RwLock`). */
  readonly lock: Repairable;
  /** Whether this thread holds the lock now (only after a condition wait). */
  readonly held: boolean;
  constructor(message: string, lock: Repairable, held: boolean) {
    super(message);
    this.lock = lock;
    this.held = held;
  }
}

/**
 * Two threads disagree about a layout: a handle made from one schema was attached with another.
 * The message names both fingerprints and describes both layouts.
 *
 * @example
 * ```ts
 * import { attach, LayoutMismatchError, share, struct, u16, u32 } from 'sharedctypes';
 * const h = share(struct({ id: u32 }).create());
 * try {
 *   attach(h, struct({ id: u16 }));
 * } catch (e) {
 *   e instanceof LayoutMismatchError; // true, with both layouts in the message
 * }
 * ```
 */
export class LayoutMismatchError extends Error {
  override readonly name = 'LayoutMismatchError';
  /** Always `'layout_mismatch'` (see {@link ERROR_CODES}). */
  readonly code = 'layout_mismatch' as const;
}

/**
 * Thrown by `SharedMemory` (and by locks over a segment) when the operating system refuses, or
 * when this runtime cannot map process-shared memory; the message says what to do.
 *
 * @example
 * ```ts
 * import { errorCode, SharedMemory } from 'sharedctypes';
 * try {
 *   new SharedMemory({ name: 'no-such-segment' });
 * } catch (e) {
 *   errorCode(e); // 'segment_not_found' (or 'unsupported_runtime' where memory cannot be mapped)
 * }
 * ```
 */
export class SharedMemoryError extends Error {
  override readonly name = 'SharedMemoryError';
  /** What is wrong, as a stable code (see {@link ERROR_CODES}). */
  readonly code: ErrorCode;
  /** The operating system's error number (`ENOENT` is 2, …), when a system call failed. */
  readonly errno: number | undefined;
  constructor(message: string, code: ErrorCode, errno?: number) {
    super(message);
    this.code = code;
    this.errno = errno;
  }
}

/**
 * A push into a closed channel (producers see this as soon as `close()` was called), or a
 * Python-style `Queue.get()` once the queue is closed and drained (Python 3.13's `queue.ShutDown`).
 * Consumers of a closed channel first drain what is left.
 *
 * @example
 * ```ts
 * import { Channel, ChannelClosedError, u32 } from 'sharedctypes';
 * const ch = new Channel(u32, 4);
 * ch.close();
 * try {
 *   ch.push(1);
 * } catch (e) {
 *   e instanceof ChannelClosedError; // true: "Channel<u32>.push(): the channel is closed"
 * }
 * ```
 */
export class ChannelClosedError extends Error {
  override readonly name = 'ChannelClosedError';
  /** Always `'closed'` (see {@link ERROR_CODES}). */
  readonly code = 'closed' as const;
}

/**
 * `Queue.get()` found nothing: called non-blocking (`get_nowait()`), or its timeout passed.
 * Python's `queue.Empty`.
 *
 * @example
 * ```ts
 * import { Queue, QueueEmpty, u32 } from 'sharedctypes';
 * const q = new Queue(u32, 4);
 * try {
 *   q.get_nowait();
 * } catch (e) {
 *   e instanceof QueueEmpty; // true
 * }
 * ```
 */
export class QueueEmpty extends Error {
  override readonly name = 'QueueEmpty';
  /** Always `'empty'` (see {@link ERROR_CODES}). */
  readonly code = 'empty' as const;
}

/**
 * `Queue.put()` found no room: called non-blocking (`put_nowait()`), or its timeout passed.
 * Python's `queue.Full`.
 *
 * @example
 * ```ts
 * import { Queue, QueueFull, u32 } from 'sharedctypes';
 * const q = new Queue(u32, 1);
 * q.put(1);
 * try {
 *   q.put_nowait(2);
 * } catch (e) {
 *   e instanceof QueueFull; // true
 * }
 * ```
 */
export class QueueFull extends Error {
  override readonly name = 'QueueFull';
  /** Always `'full'` (see {@link ERROR_CODES}). */
  readonly code = 'full' as const;
}
