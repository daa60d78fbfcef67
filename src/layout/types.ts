/**
 * The computed layout of a schema: sizes, alignments, offsets and bit positions.
 *
 * @module
 */
import type { IntegerName, PrimitiveName } from '../kinds/primitives.js';
import type { ArraySchema, CharSchema, Endian, LayoutRules, PrimitiveSchema, RecordSchema, Schema, SyncKind, SyncSchema } from '../types/schema.js';

interface LayoutBase {
  /** `sizeof`, in bytes. */
  readonly size: number;
  /** `_Alignof`, in bytes. */
  readonly align: number;
}

/** Layout of a primitive in a given byte order. */
export interface PrimitiveLayout extends LayoutBase {
  readonly kind: 'primitive';
  readonly schema: PrimitiveSchema;
  readonly name: PrimitiveName;
  readonly endian: Endian;
}

/** Layout of a `char[N]`. */
export interface CharLayout extends LayoutBase {
  readonly kind: 'char';
  readonly schema: CharSchema;
  readonly length: number;
}

/** Layout of `T[N]`: elements `stride` (= element size) bytes apart. */
export interface ArrayLayout extends LayoutBase {
  readonly kind: 'array';
  readonly schema: ArraySchema;
  readonly length: number;
  readonly element: Layout;
}

/** Where a bitfield's bits are. */
export interface BitLayout {
  /**
   * Position of the field's first bit, counted from the start of the record. Little-endian records
   * count bits from the least significant bit of each byte, big-endian ones from the most
   * significant (as gcc does on a big-endian target).
   */
  readonly bitOffset: number;
  /** Width in bits (≥ 1; unnamed bitfields are not listed). */
  readonly width: number;
  /** The declared type. */
  readonly type: IntegerName | 'bool';
  readonly signed: boolean;
}

/** One named member of a struct or union. */
export interface FieldLayout {
  readonly name: string;
  /**
   * Byte offset from the record start. For a bitfield: the offset of the aligned unit of its
   * declared type that holds its first bit (like ctypes `CField.byte_offset`).
   */
  readonly offset: number;
  /** The member's layout (for a bitfield, its declared type's). */
  readonly layout: Layout;
  /** Bit position and width for a bitfield, `null` otherwise. */
  readonly bits: BitLayout | null;
}

/** Layout of a struct or union. */
export interface RecordLayout extends LayoutBase {
  readonly kind: 'struct' | 'union';
  readonly schema: RecordSchema;
  /** The byte order of the record's own scalars (explicit, or inherited). */
  readonly endian: Endian;
  /** The rules it was laid out by (its `layout` option; `'sysv'` when absent). */
  readonly rules: LayoutRules;
  /** Named members in declaration order. */
  readonly fields: readonly FieldLayout[];
}

/** Layout of a synchronization primitive member: `size / 4` Int32 words, align 4. */
export interface SyncLayout extends LayoutBase {
  readonly kind: 'sync';
  readonly schema: SyncSchema;
  readonly sync: SyncKind;
  readonly param: number;
}

/** A computed layout. */
export type Layout = PrimitiveLayout | CharLayout | ArrayLayout | RecordLayout | SyncLayout;

/** The layout type for a given schema type. */
export type LayoutOf<S extends Schema> = S extends PrimitiveSchema
  ? PrimitiveLayout
  : S extends CharSchema
    ? CharLayout
    : S extends ArraySchema
      ? ArrayLayout
      : S extends SyncSchema
        ? SyncLayout
        : RecordLayout;
