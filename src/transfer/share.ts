/**
 * `share(x)` and `attach(handle)`: hand views, synchronized values and synchronization objects to
 * other threads, or other processes. A handle is plain structured-cloneable data (the
 * SharedArrayBuffer, or the name and identity of the `SharedMemory` segment; offsets, the
 * schema's JSON descriptor and its fingerprint): post it, put it in `workerData`, or (a segment's)
 * send it as JSON to another process, and attach it on the other side. Attaching is O(1): no
 * copy, no walk over the data.
 *
 * @module
 */
import { adoptChannel, type Channel } from '../channels/channel.js';
import {
  CHANNEL_CLASSES,
  type ChannelHandleKind,
  type ChannelLike,
  channelHandleKindOf,
  isChannelHandleKind,
  type RetypedChannel,
} from '../channels/handles.js';
import { Connection } from '../channels/pipe.js';
import { describeValue, LayoutMismatchError, quoted, shownNumber, typeError } from '../errors.js';
import { typeLabel } from '../kinds/labels.js';
import { isSegmentRef, type SegmentRef, segmentMemory, segmentOf } from '../memory/segments.js';
import { layout } from '../layout/compute.js';
import { describeLayout } from '../layout/describe.js';
import { fingerprintOfLayout } from '../layout/fingerprint.js';
import { fromJSON, type SchemaJSON, toJSON } from '../types/json.js';
import type { Layout } from '../layout/types.js';
import { type AnyLock, isSynchronized, lockOf, objOf, type SynchronizedOf, synchronized } from '../shared/synchronized.js';
import { Barrier } from '../sync/barrier.js';
import { resolveSchema } from '../types/builtins.js';
import { SYNC_KIND_OF_HANDLE, SYNC_KIND_TABLE, type SyncHandleKind, type SyncKindInfo, syncKindOf } from '../kinds/sync-kinds.js';
import type { SyncObjects, ViewOf, ViewOptions } from '../types/infer.js';
import type { Endian, ResolveSchema, SchemaLike, SyncKind } from '../types/schema.js';
import { isSchema } from '../kinds/brand.js';
import { checkRegion } from '../views/region.js';
import { viewOfLayout } from '../views/attach.js';

const TAG = 'sharedctypes/handle/1';

/** What kind of object a handle stands for. */
export type HandleKind = 'view' | 'synchronized' | SyncHandleKind | ChannelHandleKind;

declare const phantom: unique symbol;

/**
 * A structured-cloneable description of a shared object. `T` records (for TypeScript only) what
 * `attach` gives back. Its memory is either a `SharedArrayBuffer` (`buffer`: threads of this
 * process) or a `SharedMemory` segment (`segment`: any thread of any process; such a handle is
 * plain JSON, `JSON.stringify` it to send it through a pipe, a socket, argv or a file).
 */
export interface Handle<T = unknown> {
  readonly $sharedctypes: typeof TAG;
  readonly kind: HandleKind;
  /** The memory, when it is a SharedArrayBuffer. */
  readonly buffer?: SharedArrayBuffer;
  /** The memory, when it is a `SharedMemory` segment: its name and identity. */
  readonly segment?: SegmentRef;
  readonly byteOffset: number;
  /** Views: the schema's descriptor, the byte order it sits in, and the layout fingerprint. */
  readonly schema?: SchemaJSON;
  readonly endian?: Endian;
  readonly fingerprint?: string;
  /** Semaphores: the initial value; barriers: the parties; channels: the capacity. */
  readonly param?: number;
  /** Conditions and synchronized wrappers: their lock. */
  readonly lock?: Handle;
  /** Synchronized wrappers: the wrapped view. */
  readonly obj?: Handle;
  /** Connections (an end of a Pipe): the channels it receives from and sends to. */
  readonly incoming?: Handle;
  readonly outgoing?: Handle;
  readonly [phantom]?: T;
}

interface ViewMeta {
  readonly $$layout: Layout;
  readonly $buffer: ArrayBufferLike;
  readonly $byteOffset: number;
}

/** A handle for the object at `place`: the SharedArrayBuffer itself, or the segment's name and identity. */
function placeHandle(kind: HandleKind, place: { buffer: ArrayBufferLike; byteOffset: number }, extra: Partial<Handle> = {}): Handle {
  const { buffer, byteOffset } = place;
  const segment = segmentOf(buffer);
  if (segment !== undefined) return { $sharedctypes: TAG, kind, segment, byteOffset, ...extra };
  if (typeof SharedArrayBuffer === 'undefined' || !(buffer instanceof SharedArrayBuffer)) {
    throw typeError(
      'not_shared',
      'share',
      'the view is over an ArrayBuffer, which postMessage would copy',
      'create it over a SharedArrayBuffer (create() and Value() do) or over the memory of a SharedMemory segment',
    );
  }
  return { $sharedctypes: TAG, kind, buffer, byteOffset, ...extra };
}

/**
 * A handle for a view, a synchronized value or array, or a lock, semaphore, event, condition or
 * barrier, to post to another thread and `attach` there.
 *
 * Over a `SharedMemory` segment the handle names the segment (name and identity) instead of
 * carrying memory: it is plain JSON, and `attach` in another process (or thread) maps the segment
 * by name. The segment must then still exist: its creator unlinks it when every user is done
 * (see docs/processes.md, "Hand-off").
 *
 * @example
 * ```ts
 * import { array, attach, f32, share, struct, Value } from 'sharedctypes';
 * const Particle = struct({ x: f32, y: f32 });
 * // main thread: post the handles (e.g. worker.postMessage(message))
 * const message = { counter: share(Value('i', 0)), particles: share(array(Particle, 1000).create()) };
 * // worker, on that message:
 * const counter = attach(message.counter); // a SynchronizedValue, with the same lock
 * const particles = attach(message.particles, array(Particle, 1000)); // typed, fingerprint checked
 * counter.update((n) => n + particles.length);
 * ```
 */
export function share<T>(x: T): Handle<T> {
  const channelKind = channelHandleKindOf(x);
  if (channelKind !== undefined) return shareChannel(channelKind, x) as Handle<T>;
  if (isSynchronized(x)) {
    const obj = share(objOf(x));
    const memory = obj.segment !== undefined ? { segment: obj.segment } : { buffer: obj.buffer };
    return { $sharedctypes: TAG, kind: 'synchronized', ...memory, byteOffset: obj.byteOffset, obj, lock: share(lockOf(x)) } as Handle<T>;
  }
  const kind = syncKindOf(x);
  if (kind !== undefined) {
    const info: SyncKindInfo = SYNC_KIND_TABLE[kind];
    const obj = x as unknown as SyncObjects[SyncKind];
    return placeHandle(info.handle as HandleKind, obj.place, { param: info.param(obj), ...(info.lock && { lock: share(info.lock(obj)) }) }) as Handle<T>;
  }
  const meta = x as Partial<ViewMeta> | null;
  if (meta?.$$layout === undefined || meta.$buffer === undefined)
    throw typeError('invalid_argument', 'share', 'takes a view, a synchronized value or array, or a synchronization object of this library');
  const l = meta.$$layout;
  const endian = l.kind === 'primitive' ? l.endian : l.kind === 'struct' || l.kind === 'union' ? l.endian : undefined;
  const inherited = endian === 'big' && layout(l.schema) !== l ? { endian: 'big' as const } : {};
  return placeHandle(
    'view',
    { buffer: meta.$buffer, byteOffset: meta.$byteOffset as number },
    { schema: toJSON(l.schema), fingerprint: fingerprintOfLayout(l), ...inherited },
  ) as Handle<T>;
}

/** The handle of a channel (its element schema travels as for a view) or of a pipe's end. */
function shareChannel(kind: ChannelHandleKind, x: unknown): Handle {
  if (kind === 'connection') {
    const c = x as Connection;
    const incoming = c.incoming === null ? undefined : share(c.incoming);
    const outgoing = c.outgoing === null ? undefined : share(c.outgoing);
    const any = (incoming ?? outgoing) as Handle;
    const memory = any.segment !== undefined ? { segment: any.segment } : { buffer: any.buffer as SharedArrayBuffer };
    return { $sharedctypes: TAG, kind: 'connection', ...memory, byteOffset: any.byteOffset, ...(incoming && { incoming }), ...(outgoing && { outgoing }) };
  }
  const ch = x as Channel;
  const l = layout(ch.schema);
  // The capacity travels too: the header in the memory may have been overwritten since, and a
  // larger capacity read from it would put slots past the channel's end (another object's bytes).
  return placeHandle(
    kind,
    { buffer: ch.buffer, byteOffset: ch.byteOffset },
    { schema: toJSON(l.schema), fingerprint: fingerprintOfLayout(l), param: ch.capacity },
  );
}

function checkHandle(h: unknown): asserts h is Handle {
  const x = h as Partial<Handle> | null;
  if (x === null || typeof x !== 'object' || x.$sharedctypes !== TAG) throw typeError('invalid_argument', 'attach', 'needs a handle made by share()');
  const hasBuffer = typeof SharedArrayBuffer !== 'undefined' && x.buffer instanceof SharedArrayBuffer;
  if (x.segment !== undefined) {
    if (x.buffer !== undefined) throw typeError('invalid_argument', 'attach', 'the handle names both a SharedArrayBuffer and a segment');
    if (!isSegmentRef(x.segment)) throw typeError('invalid_argument', 'attach', 'the handle names no valid segment (a name and an identity)');
  } else if (!hasBuffer) {
    throw typeError(
      'not_shared',
      'attach',
      'the handle has no SharedArrayBuffer and names no segment',
      'a handle of a SharedArrayBuffer cannot leave its process (JSON turns the buffer into {}): share memory between processes through a SharedMemory segment',
    );
  }
  if (typeof x.byteOffset !== 'number' || !Number.isInteger(x.byteOffset) || x.byteOffset < 0)
    throw typeError('invalid_argument', 'attach', `the handle's byteOffset is ${shownNumber(x.byteOffset)}, not a whole number ≥ 0`);
}

/** The memory a checked handle names: its SharedArrayBuffer, or this thread's mapping of its segment (mapped now if need be). */
function memoryOfHandle(handle: Handle): ArrayBufferLike {
  return handle.segment !== undefined ? segmentMemory(handle.segment, 'attach') : (handle.buffer as SharedArrayBuffer);
}

/** What `attach(handle, schemaOrOptions?)` gives: the schema's view, or what the handle was made from. */
export type Attached<H, S> = S extends SchemaLike
  ? IsAny<H> extends true
    ? ViewOf<ResolveSchema<S>>
    : H extends Handle<infer T>
      ? T extends SynchronizedLike
        ? SynchronizedOf<ViewOf<ResolveSchema<S>>>
        : T extends ChannelLike
          ? RetypedChannel<T, S>
          : ViewOf<ResolveSchema<S>>
      : ViewOf<ResolveSchema<S>>
  : H extends Handle<infer T>
    ? T
    : never;

/** What synchronized wrappers have (a handle of one attaches as one, typed by the schema given). */
type SynchronizedLike = { readonly $obj: unknown; readonly $lock: unknown };

/** `true` for `any` (what an untyped `workerData` or message is). */
type IsAny<T> = 0 extends 1 & T ? true : false;

/**
 * What `attachAll(handles, schemas)` gives: each handle attached, typed by its schema where one is
 * given, else by what was shared (when the handles are typed). Untyped handles (a worker's
 * `workerData`) give the schema-typed views and `unknown` for the rest.
 */
export type AttachedAll<H, S> =
  IsAny<H> extends true
    ? { [K in keyof S]: S[K] extends SchemaLike ? ViewOf<ResolveSchema<S[K]>> : unknown } & { readonly [key: string]: unknown }
    : { [K in keyof H]: Attached<H[K], K extends keyof S ? S[K] : undefined> };

/** Options of {@link attach}. */
export interface AttachOptions extends ViewOptions {
  /** A barrier's action (functions do not travel): runs in this thread when it completes a round. */
  readonly action?: () => void;
  /** A barrier's default timeout in ms. */
  readonly timeout?: number;
}

/**
 * The object a handle stands for, over the same shared memory. With `schema`, the view is typed by
 * it and the layouts are compared: a different fingerprint is a `LayoutMismatchError` that shows
 * both layouts. Without, the schema is rebuilt from the handle's descriptor (and checked against
 * its fingerprint).
 *
 * A handle of a `SharedMemory` segment is attached over this thread's mapping of the segment: the
 * `SharedMemory` this thread has open on it (so closing that closes what was attached too), else
 * a mapping made now, which stays while anything attached over it is reachable (it is unmapped
 * when garbage collected). A segment that no longer exists, or whose name now belongs to another
 * segment, is a `SharedMemoryError` (`segment_not_found`); attach never unlinks.
 *
 * @example
 * ```ts
 * import { attach, share, struct, u32 } from 'sharedctypes';
 * const Job = struct({ id: u32, done: u32 });
 * const handle = share(Job.create({ id: 7 })); // post this to a worker
 * const job = attach(handle, Job);             // in the worker: typed, fingerprint checked
 * job.done = 1;
 * ```
 */
export function attach<H extends Handle, S extends SchemaLike | AttachOptions | undefined = undefined>(
  handle: H,
  schema?: S,
  options?: AttachOptions,
): Attached<H, S> {
  const hasSchema = typeof schema === 'string' || isSchema(schema);
  const opts = checkAttachOptions(hasSchema ? options : schema, hasSchema);
  return attachAny(handle, hasSchema ? (schema as SchemaLike) : undefined, opts) as Attached<H, S>;
}

/** What each option of {@link AttachOptions} must be. */
const ATTACH_OPTIONS = {
  checked: (v: unknown) => typeof v === 'boolean',
  action: (v: unknown) => typeof v === 'function',
  timeout: (v: unknown) => typeof v === 'number',
} satisfies Record<keyof AttachOptions, (v: unknown) => boolean>;

/**
 * `attach()`'s options, checked: an object of known options only. A second argument that is
 * neither a schema nor such an object is refused, not read as options: `attach(h, { a: u16 })`
 * (a struct's fields without `struct()`) would otherwise skip the layout check it asks for.
 */
function checkAttachOptions(o: unknown, afterSchema: boolean): AttachOptions {
  if (o === undefined) return {};
  const which = afterSchema ? 'options' : 'second argument';
  const expected = afterSchema
    ? 'an object of options { checked, action, timeout }'
    : 'a schema, a typecode or an object of options { checked, action, timeout }';
  if (o === null || typeof o !== 'object') throw typeError('invalid_argument', 'attach', `the ${which} is ${describeValue(o)}, not ${expected}`);
  for (const k of Object.keys(o)) {
    const check = (ATTACH_OPTIONS as Record<string, (v: unknown) => boolean>)[k];
    const v = (o as Record<string, unknown>)[k];
    if (check === undefined) {
      throw typeError(
        'invalid_argument',
        'attach',
        `the ${which} has ${JSON.stringify(k)}, which is not an option (checked, action, timeout)`,
        afterSchema ? undefined : 'to check the layout, pass a schema: attach(handle, struct({ … }))',
      );
    }
    if (v !== undefined && !check(v)) throw typeError('invalid_argument', 'attach', `option ${k} is ${describeValue(v)}`);
  }
  return o as AttachOptions;
}

/**
 * What share() always writes in the handle of a synchronization object: its param (a semaphore's
 * value, a barrier's parties; 0 for the others) and, for a condition, its lock. Without them the
 * object attached would be another one (a semaphore of value 0, a condition over a lock at its
 * own words), so such a handle is refused.
 */
function checkSyncHandle(handle: Handle, kind: string): void {
  const p = handle.param;
  if (typeof p !== 'number' || !Number.isInteger(p) || p < 0) {
    throw typeError('invalid_argument', 'attach', `the ${kind} handle has no param (a whole number ≥ 0, as share() writes it)`, 'pass the handle share() made');
  }
  if (kind === 'condition' && (handle.lock === null || typeof handle.lock !== 'object')) {
    throw typeError('invalid_argument', 'attach', 'the condition handle has no lock handle (share() writes the lock it uses)', 'pass the handle share() made');
  }
}

/**
 * A schema given with the handle of a synchronization object must be that kind of object
 * (`mutex()` for a Lock's handle, `semaphore(n)` for a Semaphore's…): anything else is the
 * mismatch the fingerprint check refuses for views, refused here too (it used to be ignored, and
 * the object typed as the schema's view).
 */
function checkSyncSchema(handle: Handle, kind: SyncKind, schemaLike: SchemaLike): void {
  const l = layout(resolveSchema(schemaLike, 'attach', 'schema'));
  // A semaphore's initial value and a barrier's parties are part of the type, as in a struct's layout.
  if (l.kind === 'sync' && l.sync === kind && l.param === (handle.param ?? 0)) return;
  const its = `${kind}(${handle.param ? String(handle.param) : ''})`;
  throw new LayoutMismatchError(
    `attach: the handle is of a synchronization object (${its}), but the schema given here is ${typeLabel(l.schema)}; attach it without a schema, or with ${its}`,
  );
}

/**
 * How deep handles nest: a synchronized wrapper holds its view's handle and its lock's, whose lock
 * may be a condition's, which holds its own lock's. A deeper (or cyclic: structured clone keeps
 * cycles) handle is refused before the recursion could run out of stack.
 */
const MAX_HANDLE_DEPTH = 3;

function attachAny(handle: unknown, schemaLike: SchemaLike | undefined, options: AttachOptions, depth = 0): unknown {
  if (depth > MAX_HANDLE_DEPTH) {
    throw typeError(
      'invalid_argument',
      'attach',
      `the handle nests handles more than ${MAX_HANDLE_DEPTH} deep (or holds itself)`,
      'pass the handle share() made',
    );
  }
  checkHandle(handle);
  // The handle's buffer is the memory: views are classes per structure, not per buffer object, so a
  // new SharedArrayBuffer object per message costs nothing to a long-lived worker. A segment's
  // memory is this thread's one mapping of it.
  const buffer = memoryOfHandle(handle);
  // Locks take a segment's memory where they take a SharedArrayBuffer (SharedPlace says so).
  const place = { buffer: buffer as SharedArrayBuffer, byteOffset: handle.byteOffset };
  const kind = SYNC_KIND_OF_HANDLE.get(handle.kind);
  if (kind !== undefined) {
    checkSyncHandle(handle, kind);
    if (schemaLike !== undefined) checkSyncSchema(handle, kind, schemaLike);
  }
  if (kind === 'barrier') {
    // A barrier's action and default timeout do not travel (functions cannot): given here.
    return new Barrier(handle.param ?? 0, {
      place,
      ...(options.action && { action: options.action }),
      ...(options.timeout !== undefined && { timeout: options.timeout }),
    });
  }
  if (kind !== undefined) {
    const info: SyncKindInfo = SYNC_KIND_TABLE[kind];
    return info.make(place, handle.param ?? 0, handle.lock === undefined ? undefined : (attachAny(handle.lock, undefined, {}, depth + 1) as AnyLock));
  }
  if (isChannelHandleKind(handle.kind)) return attachChannel(handle, handle.kind, buffer, schemaLike);
  switch (handle.kind) {
    case 'synchronized':
      return synchronized(attachAny(handle.obj, schemaLike, options, depth + 1), attachAny(handle.lock, undefined, {}, depth + 1) as AnyLock);
    case 'view':
      return attachView(handle, buffer, schemaLike, options);
    default:
      throw typeError('invalid_argument', 'attach', `unknown handle kind ${JSON.stringify(handle.kind)}`);
  }
}

/**
 * A view for a view handle. With a schema, its layout is compared with the handle's fingerprint
 * and the handle's descriptor is not even read (it is read, validated, only to explain a
 * mismatch); without, the schema is rebuilt from the descriptor (validated, in time linear in its
 * size) and checked against the fingerprint. Either way the layout is the canonical one of its
 * structure, so attaching per job reuses the classes (and optimised code) of the last job.
 */
function attachView(handle: Handle, buffer: ArrayBufferLike, schemaLike: SchemaLike | undefined, options: ViewOptions): unknown {
  const l = checkedLayout(handle, schemaLike);
  checkRegion('attach', buffer, handle.byteOffset, l.size, l.align);
  return viewOfLayout(l, buffer, handle.byteOffset, options);
}

/**
 * The layout of a handle's schema: `schemaLike`'s, compared with the handle's fingerprint (the
 * descriptor is read only to explain a mismatch), or rebuilt from the descriptor (validated) and
 * checked against the fingerprint.
 */
function checkedLayout(handle: Handle, schemaLike: SchemaLike | undefined): Layout {
  const endian: Endian = handle.endian === 'big' ? 'big' : 'little';
  if (schemaLike !== undefined) {
    const l = layout(resolveSchema(schemaLike, 'attach', 'schema'), endian);
    const fp = fingerprintOfLayout(l);
    if (fp !== handle.fingerprint) throw mismatch(handle, endian, l, fp);
    return l;
  }
  const l = layout(fromJSON(handle.schema), endian);
  if (fingerprintOfLayout(l) !== handle.fingerprint) {
    throw new LayoutMismatchError(
      `attach: the handle's descriptor does not match its fingerprint ${String(handle.fingerprint)} (made by a different version of the library?)`,
    );
  }
  return l;
}

/**
 * A channel (of the handle's class) at the handle's place (a SharedArrayBuffer, or this thread's
 * mapping of the segment it names), its alignment, header, element layout and fingerprint, and
 * bounds checked (`adoptChannel`); or a pipe's end, each of its channels attached so.
 */
function attachChannel(handle: Handle, kind: ChannelHandleKind, buffer: ArrayBufferLike, schemaLike: SchemaLike | undefined): unknown {
  if (kind === 'connection') {
    const end = (h: Handle | undefined): Channel | null => {
      if (h === undefined) return null;
      checkHandle(h);
      if (h.kind !== 'channel') throw typeError('invalid_argument', 'attach', 'a connection handle holds channel handles');
      return attachChannel(h, 'channel', memoryOfHandle(h), schemaLike) as Channel;
    };
    return new Connection(end(handle.incoming), end(handle.outgoing));
  }
  const l = checkedLayout(handle, schemaLike);
  const capacity = handle.param;
  if (typeof capacity !== 'number' || !Number.isInteger(capacity) || capacity < 1) {
    throw typeError(
      'invalid_argument',
      'attach',
      `the channel handle has no capacity (param: ${shownNumber(capacity)}; share() writes a whole number ≥ 1)`,
      'pass the handle share() made',
    );
  }
  return adoptChannel(CHANNEL_CLASSES[kind], l.schema, buffer, handle.byteOffset, capacity);
}

/** The error for a handle whose layout differs from the schema given to `attach`, showing both layouts. */
function mismatch(handle: Handle, endian: Endian, mine: Layout, fp: string): LayoutMismatchError {
  let shared: string;
  try {
    const theirs = layout(fromJSON(handle.schema), endian);
    if (fingerprintOfLayout(theirs) === fp) {
      // The descriptor is the schema given here: the fingerprint beside it is not its own.
      return new LayoutMismatchError(
        `attach: the handle's fingerprint (${String(handle.fingerprint)}) is not its descriptor's (${fp}), whose layout is the schema given here: the handle was altered after share() (a handle is passed as share() made it)`,
      );
    }
    shared = describeLayout(theirs);
  } catch (e) {
    shared = `(its descriptor is not valid: ${(e as Error).message})`;
  }
  return new LayoutMismatchError(
    `attach: the shared view's layout (${String(handle.fingerprint)}) differs from the schema given here (${fp}).\nshared:\n${shared}\nhere:\n${describeLayout(mine)}`,
  );
}

/**
 * Shares every member of an object: `{ a: view, b: lock }` → `{ a: Handle, b: Handle }`.
 *
 * @example
 * ```ts
 * import { Lock, shareAll, struct, u32 } from 'sharedctypes';
 * const state = struct({ n: u32 }).create();
 * const workerData = shareAll({ state, lock: new Lock() }); // ready for new Worker(url, { workerData })
 * ```
 */
export function shareAll<T extends Record<string, unknown>>(objects: T): { [K in keyof T]: Handle<T[K]> } {
  const out: Record<string, Handle> = {};
  for (const [k, v] of Object.entries(objects)) Object.defineProperty(out, k, { value: share(v), enumerable: true, writable: true, configurable: true });
  return out as { [K in keyof T]: Handle<T[K]> };
}

/**
 * Attaches every handle of an object made by {@link shareAll}; `schemas` types (and checks) the
 * views among them.
 *
 * @example
 * ```ts
 * import { array, attachAll, f32, shareAll, struct, Value } from 'sharedctypes';
 * const Particles = array(struct({ x: f32, y: f32 }), 1000);
 * // main: new Worker(url, { workerData })
 * const workerData = shareAll({ particles: Particles.create(), counter: Value('i', 0) });
 * // worker:
 * const { particles, counter } = attachAll(workerData, { particles: Particles });
 * counter.update((n) => n + particles.length);
 * ```
 */
export function attachAll<H extends Record<string, Handle>, const S extends { readonly [K in keyof H]?: SchemaLike }>(
  handles: H,
  schemas?: S,
): AttachedAll<H, S> {
  if (handles === null || typeof handles !== 'object') {
    throw typeError('invalid_argument', 'attachAll', `takes an object of handles, as shareAll() makes (got ${describeValue(handles)})`);
  }
  if (schemas !== undefined && (schemas === null || typeof schemas !== 'object')) {
    throw typeError('invalid_argument', 'attachAll', `takes an object of schemas by name as its second argument (got ${describeValue(schemas)})`);
  }
  // The schemas by name, own or inherited (an object made with Object.create(common)), never
  // Object.prototype's (a handle named 'constructor' has no schema unless one is given).
  const byName = Object.create(null) as Record<string, SchemaLike | undefined>;
  if (schemas !== undefined) {
    for (const k in schemas) byName[k] = schemas[k as keyof S] as SchemaLike | undefined;
    // A schema for a name with no handle is a misspelt name: its handle would be attached unchecked.
    const missing = Object.keys(byName).filter((k) => byName[k] !== undefined && !Object.hasOwn(handles, k));
    if (missing.length > 0) {
      throw typeError(
        'invalid_argument',
        'attachAll',
        `schemas are given for ${missing.map((k) => quoted(k)).join(', ')}, which no handle has (the handles are ${
          Object.keys(handles)
            .map((k) => quoted(k))
            .join(', ') || 'none'
        })`,
        'name each schema as its handle',
      );
    }
  }
  // Own properties only, written as data: a key '__proto__' (JSON.parse and structured clone make
  // it an own key) must not set the result's prototype, nor 'constructor' read Object.prototype's.
  const out: Record<string, unknown> = {};
  for (const [k, h] of Object.entries(handles)) {
    Object.defineProperty(out, k, { value: attachAny(h, byName[k], {}), enumerable: true, writable: true, configurable: true });
  }
  return out as never;
}
