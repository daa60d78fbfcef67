/**
 * sharedctypes: C-exact structs, unions, arrays and bitfields over SharedArrayBuffer, with compiled
 * accessors.
 *
 * @packageDocumentation
 */
export { SchemaError } from './errors.js';
export type { IntegerName, PrimitiveName, PrimitiveValues, PrimitiveInputs } from './types/primitives.js';
export { bool, i8, u8, i16, u16, i32, u32, i64, u64, f32, f64, TYPECODES } from './types/builtins.js';
export { char } from './types/char.js';
export { array, type MultiArray } from './types/array.js';
export { struct, union, bits, unnamed } from './types/record.js';
export {
  isSchema,
  typeLabel,
  type ArraySchema,
  type BitfieldSpec,
  type CharSchema,
  type Endian,
  type FieldsSpec,
  type FieldSpec,
  type Pack,
  type PrimitiveSchema,
  type RecordOptions,
  type RecordSchema,
  type Schema,
  type SchemaLike,
  type StructSchema,
  type Typecode,
  type TypecodeSchemas,
  type ResolveSchema,
  type SchemaKind,
  type FieldDef,
  type ViewMethod,
  type CreateMethod,
  type UnionSchema,
} from './types/schema.js';
export type {
  ArrayView,
  CharView,
  Cursor,
  ElementOf,
  Infer,
  NamedKeys,
  FieldSchema,
  InitOf,
  Input,
  RecordView,
  RecordViewMethods,
  ValueView,
  ViewBase,
  ViewOf,
  ViewOptions,
} from './types/infer.js';
export { sizeof, alignof, offsetof, layoutOf, type FieldInfo } from './layout/queries.js';
export { layout } from './layout/compute.js';
export { toJSON, fromJSON, FORMAT, type SchemaJSON, type TypeJSON, type RecordJSON, type FieldJSON } from './layout/json.js';
export { fingerprint } from './layout/fingerprint.js';
export { describe } from './layout/describe.js';
export { toC } from './layout/emit-c.js';
export { toCtypes } from './layout/emit-ctypes.js';
export type { Layout, LayoutOf, FieldLayout, BitLayout, RecordLayout, ArrayLayout, PrimitiveLayout, CharLayout } from './layout/types.js';
export { configure, codegenActive, type CodegenMode } from './codegen/evaluate.js';
export { view, create } from './views/attach.js';
export { atomic, AtomicField, type AtomicKeys, type AtomicValueOf, type AtomicValueAt, type MemberPath } from './views/atomic.js';
export type { BufferSource } from './views/region.js';
export { SyncError, BrokenBarrierError } from './errors.js';
export { Lock } from './sync/lock.js';
export { Acquirable, type Held } from './sync/acquirable.js';
export { RLock } from './sync/rlock.js';
export { Semaphore, BoundedSemaphore } from './sync/semaphore.js';
export { Event } from './sync/event.js';
export { Condition } from './sync/condition.js';
export { Barrier } from './sync/barrier.js';
export { canBlock } from './sync/futex.js';
export type { SharedPlace } from './sync/memory.js';
export { mutex, rmutex, semaphore, boundedSemaphore, event, condition, barrier, SYNC_WORDS } from './types/sync.js';
export type { SyncKind, SyncSchema } from './types/schema.js';
export type { SyncObjects, SyncObjectOf, DataKeys } from './types/infer.js';
export type { SyncLayout } from './layout/types.js';
export {
  synchronized,
  SynchronizedValue,
  SynchronizedString,
  SynchronizedArray,
  type SynchronizedRecord,
  type SynchronizedOf,
  type AnyLock,
} from './shared/synchronized.js';
export { RawValue, RawArray, Value, SharedArray, SharedArray as Array, copy, type LockOptions, type ValueOf, type SharedArrayOf } from './shared/values.js';
export { share, attach, shareAll, attachAll, type Handle, type HandleKind, type AttachOptions, type Attached } from './transfer/share.js';
export { LayoutMismatchError } from './errors.js';
export { indexable, type Indexable, type IndexableSource } from './shared/indexable.js';
