/**
 * Record layout rules as strategy objects: where each member of a struct or union goes, given the
 * sizes and alignments of the members' own layouts. One placer per set of rules ({@link PLACERS}):
 * gcc's System V rules (x86-64, wasm32, with `#pragma pack(N)`), their aarch64 variant, and Microsoft's (clang
 * `--target=x86_64-pc-windows-msvc`, MSVC). Both are a single pass over the members.
 *
 * @module
 */
import type { LayoutRules } from '../types/schema.js';

/** What a placer needs to know about one member. */
export interface MemberShape {
  /** Bit width of a bitfield (0 for `T : 0`), `null` for an ordinary member. */
  readonly bits: number | null;
  /** Whether the member has a name (unnamed bitfields add no alignment under the System V rules). */
  readonly named: boolean;
  /** Size in bytes of the member's layout (a bitfield: of its declared type). */
  readonly size: number;
  /** Alignment of the member's layout (a bitfield: of its declared type). */
  readonly align: number;
  /** Explicit alignment of the member (`aligned(type, n)`), `null` for none. */
  readonly explicit: number | null;
  /**
   * Microsoft's "required alignment" of the member's type: the alignment an `align` option or an
   * aligned member inside it asks for, which `#pragma pack` does not cap under MSVC. 1 for none.
   */
  readonly required: number;
}

/** Where one member went. */
export interface MemberPlace {
  /** The member's first bit, from the start of the record (an ordinary member: its byte offset × 8). */
  readonly at: number;
  /** The alignment the member got inside the record (ordinary members; 0 for bitfields). */
  readonly align: number;
}

/** A record's placement: its members (`null` for those that take no place, e.g. `T : 0`), size and alignment. */
export interface RecordPlace {
  readonly members: readonly (MemberPlace | null)[];
  readonly size: number;
  readonly align: number;
  /** Microsoft's required alignment of the record (see {@link MemberShape.required}). */
  readonly required: number;
}

/** Places the members of one record by a set of rules. */
export type RecordPlacer = (members: readonly MemberShape[], isUnion: boolean, pack: number | undefined, align: number | undefined) => RecordPlace;

/** Rounds `n` up to a multiple of `to` (a power of two). */
export function roundUp(n: number, to: number): number {
  return Math.ceil(n / to) * to;
}

/** The largest of the required alignments of a record's ordinary members, and its own `align`. */
function requiredOf(members: readonly MemberShape[], align: number | undefined, alignOfRecord: number): number {
  // A record with an align option requires its whole alignment (clang: isAlignmentRequired).
  if (align !== undefined) return alignOfRecord;
  let r = 1;
  for (const m of members) if (m.bits === null) r = Math.max(r, m.required, m.explicit ?? 1);
  return r;
}

/**
 * gcc's System V rules. A bitfield goes at the next free bit unless it would straddle a boundary
 * of its declared type's size (never checked under `#pragma pack`), sharing storage with anything
 * before it; `T : 0` rounds up to `T`'s alignment (ignoring `pack`); `pack` caps every member's
 * alignment, an explicit one too. Unnamed bitfields and `T : 0` add no alignment, except on aarch64
 * (`unnamedAlign`), where an unnamed bitfield adds its type's alignment like a named one and `T : 0`
 * adds `T`'s alignment through any `pack`.
 */
function sysvPlacer(unnamedAlign: boolean): RecordPlacer {
  return (members, isUnion, pack, alignOption) => {
    const cap = (a: number): number => (pack === undefined ? a : Math.min(a, pack));
    const out: (MemberPlace | null)[] = [];
    let bitpos = 0; // next free bit (struct) — for a union, the furthest bit used
    let recordAlign = 1;
    for (const m of members) {
      if (m.bits !== null) {
        const unit = m.align * 8;
        if (m.bits === 0) {
          if (!isUnion) bitpos = roundUp(bitpos, unit);
          if (unnamedAlign) recordAlign = Math.max(recordAlign, m.align);
          out.push(null);
          continue;
        }
        let at = 0;
        if (!isUnion) {
          at = bitpos;
          const straddles = Math.floor(at / unit) !== Math.floor((at + m.bits - 1) / unit);
          if (pack === undefined && straddles) at = roundUp(at, unit);
        }
        bitpos = Math.max(bitpos, at + m.bits);
        if (m.named || unnamedAlign) recordAlign = Math.max(recordAlign, cap(m.align));
        out.push({ at, align: 0 });
        continue;
      }
      // An explicit alignment below the type's own changes nothing, as in C; pack caps it.
      const align = cap(Math.max(m.align, m.explicit ?? 1));
      const offset = isUnion ? 0 : roundUp(Math.ceil(bitpos / 8), align);
      bitpos = Math.max(bitpos, (offset + m.size) * 8);
      recordAlign = Math.max(recordAlign, align);
      out.push({ at: offset * 8, align });
    }
    const align = Math.max(recordAlign, alignOption ?? 1);
    return { members: out, size: roundUp(Math.ceil(bitpos / 8), align), align, required: requiredOf(members, alignOption, align) };
  };
}

/** gcc's System V rules (x86-64, wasm32). */
export const placeSysv: RecordPlacer = sysvPlacer(false);

/** The System V rules as gcc and clang apply them on aarch64 Linux: unnamed bitfields and `T : 0` raise the alignment. */
export const placeAarch64: RecordPlacer = sysvPlacer(true);

/**
 * Microsoft's rules (as clang's `MicrosoftRecordLayoutBuilder` implements them for x86-64). A
 * bitfield continues the current run only when the run's declared type has the same size and the
 * bits fit; otherwise it opens a new unit of its type's size, aligned like an ordinary member, and
 * never shares bytes with ordinary members. Every bitfield (named or not) raises a struct's
 * alignment; in a union a bitfield takes its type's whole size and adds no alignment. `T : 0` has
 * an effect only right after a non-zero bitfield: it closes the run and aligns to `T` (in a union:
 * takes `T`'s size). `pack` (1, 2, 4 or 8; 16 is ignored, as on x64) caps natural alignments but
 * never an explicit one (`align`, `aligned()`), which is a required alignment that holds through
 * any `pack`.
 */
export const placeMsvc: RecordPlacer = (members, isUnion, packOption, alignOption) => {
  const pack = packOption !== undefined && packOption <= 8 ? packOption : undefined;
  const cap = (a: number): number => (pack === undefined ? a : Math.min(a, pack));
  const out: (MemberPlace | null)[] = [];
  let size = 0; // bytes
  let align = 1;
  let required = alignOption ?? 1;
  let inRun = false; // the last member was a non-zero bitfield
  let runSize = 0; // the declared size of the run's type
  let left = 0; // bits left in the run's unit
  for (const m of members) {
    if (m.bits !== null) {
      const a = cap(m.align);
      if (m.bits === 0) {
        out.push(null);
        if (!inRun) continue;
        inRun = false;
        if (isUnion) size = Math.max(size, m.size);
        else {
          size = roundUp(size, a);
          align = Math.max(align, a);
        }
        continue;
      }
      if (!isUnion && inRun && runSize === m.size && m.bits <= left) {
        out.push({ at: size * 8 - left, align: 0 });
        left -= m.bits;
        continue;
      }
      inRun = true;
      runSize = m.size;
      if (isUnion) {
        size = Math.max(size, m.size);
        out.push({ at: 0, align: 0 });
      } else {
        const offset = roundUp(size, a);
        out.push({ at: offset * 8, align: 0 });
        size = offset + m.size;
        align = Math.max(align, a);
        left = m.size * 8 - m.bits;
      }
      continue;
    }
    inRun = false;
    const req = Math.max(m.required, m.explicit ?? 1);
    required = Math.max(required, req);
    const a = Math.max(cap(m.align), req);
    align = Math.max(align, a);
    const offset = isUnion ? 0 : roundUp(size, a);
    size = Math.max(size, offset + m.size);
    out.push({ at: offset * 8, align: a });
  }
  align = Math.max(align, required);
  const rounding = Math.max(pack === undefined ? align : Math.min(align, pack), required);
  return { members: out, size: roundUp(size, rounding), align, required: alignOption !== undefined ? align : required };
};

/** The placer of each set of rules. */
export const PLACERS = { sysv: placeSysv, aarch64: placeAarch64, msvc: placeMsvc } as const satisfies Record<LayoutRules, RecordPlacer>;
