/**
 * sharedctypes: C-exact structs, unions, arrays and bitfields over SharedArrayBuffer, with compiled
 * accessors, locks that live in the shared memory, and worker hand-off.
 *
 * @packageDocumentation
 */

// ---- schemas: what a user writes (src/types) ----------------------------------------------------
export { bool, i8, u8, i16, u16, i32, u32, i64, u64, f16, f32, f64, TYPECODES } from './types/builtins.js';
export { char } from './types/char.js';
export { array, type MultiArray } from './types/array.js';
export { struct, union, bits, unnamed, aligned, anonymous } from './types/record.js';
export { target, TARGETS, type EnumInteger, type EnumOptions, type Target, type TargetName } from './types/target.js';
export { mutex, rmutex, rwlock, semaphore, boundedSemaphore, event, condition, barrier } from './types/sync.js';
export {
  type AlignedSpec,
  type AnonymousSpec,
  type ArraySchema,
  type BitfieldSpec,
  type CharSchema,
  type CreateMethod,
  type Endian,
  EnumSchema,
  type EnumValues,
  type LayoutRules,
  type FieldDef,
  type FieldSpec,
  type FieldsSpec,
  type Pack,
  type PrimitiveSchema,
  type RecordOptions,
  type RecordSchema,
  type ResolveSchema,
  type Schema,
  type SchemaKind,
  type SchemaLike,
  type StructSchema,
  type SyncKind,
  type SyncSchema,
  type Typecode,
  type TypecodeSchemas,
  type UnionSchema,
  type ViewMethod,
} from './types/schema.js';
export { toJSON, fromJSON, FORMAT, type FieldJSON, type RecordJSON, type SchemaJSON, type TypeJSON } from './types/json.js';
// The functions that take a schema or a typecode.
export { view, create, sizeof, alignof, layoutOf, describe, fingerprint, toC, toCtypes } from './types/type-functions.js';

// ---- what every layer knows of a schema: kinds, names, limits (src/kinds) -----------------------
export { isSchema } from './kinds/brand.js';
export { typeLabel } from './kinds/labels.js';
export { SYNC_WORDS } from './kinds/sync-kinds.js';
export type { IntegerName, PrimitiveInputs, PrimitiveName, PrimitiveValues } from './kinds/primitives.js';
export type { Float16ArrayLike, TypedArrayByName } from './kinds/typed-arrays.js';
export type {
  ArrayView,
  CharView,
  Column,
  ColumnArrayOf,
  ColumnKeys,
  ColumnPath,
  Cursor,
  DataKeys,
  ElementOf,
  FieldSchema,
  Infer,
  InitOf,
  Input,
  NamedKeys,
  RecordFields,
  RecordView,
  RecordViewMethods,
  SyncObjectOf,
  SyncObjects,
  TypedArrayOf,
  TypedElement,
  ValueView,
  ViewBase,
  ViewOf,
  ViewOptions,
} from './types/infer.js';

// ---- layout: sizes, offsets, reports, descriptors, other languages (src/layout) ----------------
export { offsetof, type FieldInfo } from './layout/queries.js';
export { layout } from './layout/compute.js';
export type { ArrayLayout, BitLayout, CharLayout, FieldLayout, Layout, LayoutOf, PrimitiveLayout, RecordLayout, SyncLayout } from './layout/types.js';
export type { DescribeOptions } from './layout/describe.js';

// ---- C headers in (src/c) ------------------------------------------------------------------------
export { fromC, type CDeclaration, type CHeader, type CNote, type FromCOptions, type IncludedFile, type IncludeReader } from './c/from-c.js';

// ---- views: compiled (or interpreted) accessors over memory (src/codegen, src/views) -----------
export { configure, codegenActive, type CodegenMode } from './codegen/evaluate.js';
export type { BufferSource } from './views/region.js';
export { atomic, AtomicField, type AtomicKeys, type AtomicValueAt, type AtomicValueOf, type MemberPath } from './views/atomic.js';

// ---- synchronization in shared memory (src/sync) -------------------------------------------------
export { Acquirable, type Held } from './sync/acquirable.js';
export type { RepairAcquired } from './sync/robust.js';
export { Lock } from './sync/lock.js';
export { RLock } from './sync/rlock.js';
export { RwLock, type ReadLock, type WriteLock } from './sync/rwlock.js';
export { ThreadRegistry, type WatchedWorker } from './sync/registry.js';
export { Semaphore, BoundedSemaphore } from './sync/semaphore.js';
export { Event } from './sync/event.js';
export { Condition } from './sync/condition.js';
export { Barrier, type BarrierOptions } from './sync/barrier.js';
export { canBlock } from './sync/futex.js';
export type { SharedPlace } from './sync/memory.js';

// ---- named, process-shared memory (src/memory) ---------------------------------------------------
export { SharedMemory, type SharedMemoryOptions } from './memory/shared-memory.js';
export { memorySupport, type MemorySupport } from './memory/support.js';
export type { SegmentRef } from './memory/segments.js';

// ---- Python's multiprocessing.sharedctypes (src/shared) ------------------------------------------
export {
  RawValue,
  RawArray,
  Value,
  SharedArray,
  SharedArray as Array,
  copy,
  synchronizedSchema,
  type PlaceOptions,
  type ValueOptions,
  type SharedArrayOf,
  type ValueOf,
} from './shared/values.js';
export {
  synchronized,
  SynchronizedArray,
  SynchronizedString,
  SynchronizedValue,
  type AnyLock,
  type SynchronizedOf,
  type SynchronizedRecord,
} from './shared/synchronized.js';
export { indexable, type Indexable, type IndexableSource } from './shared/indexable.js';

// ---- hand-off to other threads (src/transfer) ----------------------------------------------------
export { share, attach, shareAll, attachAll, type AttachOptions, type Attached, type Handle, type HandleKind } from './transfer/share.js';

// ---- errors ----------------------------------------------------------------------------------------
export {
  SchemaError,
  CSourceError,
  SyncError,
  BrokenBarrierError,
  OwnerDeadError,
  LayoutMismatchError,
  SharedMemoryError,
  ChannelClosedError,
  QueueEmpty,
  QueueFull,
  ERROR_CODES,
  errorCode,
  type CodedError,
  type ErrorCode,
  type Repairable,
  type SourceLocation,
} from './errors.js';

// ---- channels: typed queues in shared memory (src/channels) --------------------------------------
export { type BatchPushError, type BatchSource, type BatchTarget, Channel, type ChannelOptions, type ChannelPlaceOptions } from './channels/channel.js';
export type { ChannelMode } from './channels/format.js';
export { Queue, JoinableQueue, type QueueOptions } from './channels/queue.js';
export { Pipe, Connection, type PipeOptions } from './channels/pipe.js';
export type { ChannelHandleKind } from './channels/handles.js';
