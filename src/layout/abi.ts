/**
 * Record layout rules as strategy objects: how members are aligned and where bitfields go, for a
 * natural (unpacked) struct and for `#pragma pack(N)`. These are gcc's System V rules, shared by
 * x86-64, aarch64 and wasm32 for the types supported here.
 *
 * @module
 */

/** How one record places its members. */
export interface RecordRules {
  /** The alignment a member of natural alignment `align` gets inside the record. */
  memberAlign(align: number): number;
  /**
   * The bit position where a non-zero-width bitfield of `width` bits, whose declared type has
   * `typeBits` bits and alignment `typeAlign` bytes, starts when the next free bit is `bitpos`.
   */
  placeBitfield(bitpos: number, width: number, typeBits: number, typeAlign: number): number;
  /** The bit position after a zero-width bitfield (`T : 0`) of a type with alignment `typeAlign`. */
  placeZeroWidth(bitpos: number, typeAlign: number): number;
  /** The alignment a named bitfield of a type with alignment `typeAlign` gives the record. */
  bitfieldRecordAlign(typeAlign: number): number;
}

/** Rounds `n` up to a multiple of `to` (a power of two). */
export function roundUp(n: number, to: number): number {
  return Math.ceil(n / to) * to;
}

/** A bitfield may not cross a boundary of its type's alignment unit; if it would, it moves to the next. */
function placeUnpacked(bitpos: number, width: number, _typeBits: number, typeAlign: number): number {
  const unit = typeAlign * 8;
  return Math.floor(bitpos / unit) === Math.floor((bitpos + width - 1) / unit) ? bitpos : roundUp(bitpos, unit);
}

/** The rules of an ordinary C struct. */
export const NATURAL: RecordRules = {
  memberAlign: (align) => align,
  placeBitfield: placeUnpacked,
  placeZeroWidth: (bitpos, typeAlign) => roundUp(bitpos, typeAlign * 8),
  bitfieldRecordAlign: (typeAlign) => typeAlign,
};

const packedRules = new Map<number, RecordRules>();

/** The rules under `#pragma pack(n)`. */
export function packed(n: number): RecordRules {
  let rules = packedRules.get(n);
  if (rules === undefined) {
    rules = {
      memberAlign: (align) => Math.min(align, n),
      // Under #pragma pack gcc drops the no-straddle rule: a bitfield starts at the next free bit.
      placeBitfield: (bitpos) => bitpos,
      placeZeroWidth: (bitpos, typeAlign) => roundUp(bitpos, typeAlign * 8),
      bitfieldRecordAlign: (typeAlign) => Math.min(typeAlign, n),
    };
    packedRules.set(n, rules);
  }
  return rules;
}

/** The rules for a record with the given `pack` option. */
export function rulesFor(pack: number | undefined): RecordRules {
  return pack === undefined ? NATURAL : packed(pack);
}
