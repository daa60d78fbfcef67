/**
 * `column(path)` of array views: one number member of every element as a strided typed array over
 * the same bytes (numpy's `a['x']`): element `i`'s member is `array[start + i * step]`. The array
 * covers the whole array view, so every column of one number type indexes the same bytes and one
 * typed array serves them all, as in hand-written code (`F64[i * 6 + 1]`): a loop over six
 * columns through six typed arrays ran 1.5× slower than through two (Node 20). A loop written over
 * columns is typed-array code from its first iteration: no handle, no accessor call, nothing for
 * the engine to inline or remove (docs/performance.md, "Writing fast loops"). Where a path leads,
 * its typed array class, start and step are worked out once per view class and path; each call
 * then checks the alignment of the view's own offset and makes the typed array.
 *
 * @module
 */
import { describeValue, quoted, rangeError, typeError } from '../errors.js';
import { keepShape } from '../shapes.js';
import { typeLabel } from '../kinds/labels.js';
import { HOST_ENDIAN, type TypedArrayClass } from '../kinds/typed-arrays.js';
import { resolvePath } from '../layout/queries.js';
import type { ArrayLayout } from '../layout/types.js';
import { typedArrayOver } from '../memory/buffers.js';
import { typedClassOf } from './typed-array.js';

/**
 * One number member of every element of an array view, as a strided typed array (`ArrayView.column`):
 * `array[start + i * step]` is element `i`'s member, for `0 ≤ i < length`.
 */
export interface Column<A> {
  /** A typed array over the array view's bytes, all of them (for every member of the same number type): element `i`'s member is `array[start + i * step]`. */
  readonly array: A;
  /** Where element 0's member is in `array` (its offset in the element over its size). */
  readonly start: number;
  /** How far apart two elements' members are in `array` (the element size over the member's). */
  readonly step: number;
  /** How many elements (the array view's length). */
  readonly length: number;
}

/** Makes the column at `path` of an array view (its DataView and byte offset in it). */
export type ColumnMaker = (d: DataView, o: number, path: unknown) => Column<ArrayLike<number | bigint>>;

/** Where a path leads in every element: the typed array class, the member's start and step in units of its size, and the call as errors name it. */
interface Place {
  readonly T: TypedArrayClass;
  readonly start: number;
  readonly step: number;
  readonly subject: string;
}

/**
 * How many paths a view class remembers. Paths are bounded by the element's members anyway (an
 * unknown one throws and is not kept); the bound keeps an element with many array members from
 * holding one entry per index ever asked for.
 */
const KEPT_PATHS = 256;

/**
 * The maker of `column(path)` for an array of layout `layout` (labelled `label` in errors). A path
 * that leads to no number a typed array reads as a view does (a struct, a bitfield, a `bool`, the
 * other byte order, `f16` without `Float16Array`) throws a `TypeError` saying why; a member whose
 * offset in the element or the element size is not a multiple of its size, or an array not at a
 * multiple of it in its buffer (a packed struct), a `RangeError` (`misaligned`).
 */
export function columnMaker(layout: ArrayLayout, label: string): ColumnMaker {
  let places: Map<string, Place> | null = null;
  const n = layout.length;
  return (d, o, path) => {
    if (typeof path !== 'string')
      throw typeError('invalid_argument', `${label}.column`, `takes a member path such as 'x' or 'pos.x' (got ${describeValue(path)})`);
    let place = places?.get(path);
    if (place === undefined) {
      place = placeOf(layout, path, label);
      places ??= new Map();
      if (places.size < KEPT_PATHS) places.set(path, place);
    }
    const { T, start, step, subject } = place;
    const at = d.byteOffset + o;
    if (at % T.BYTES_PER_ELEMENT !== 0)
      throw rangeError(
        'misaligned',
        subject,
        `the array starts at byte ${at} of its buffer, and a ${T.name} must start at a multiple of ${T.BYTES_PER_ELEMENT}`,
        'read it with get(i) (an array in a packed struct, or a view made at an unaligned offset)',
      );
    const array = typedArrayOver(T, d.buffer, at, n * step, subject, 'read it with get(i)');
    if (!columnKept) {
      columnKept = true;
      keepShape(columnObject, smallColumn);
    }
    return columnObject(array, start, step, n);
  };
}

/**
 * A column object. Made here only, so that every column has one object shape, which one small
 * column kept from the first on keeps alive (src/shapes.ts): a shape lives only as long as some
 * object has it, and the code optimised for it (the function that takes the columns and runs the
 * loop) was thrown away at every collection that found none, between two jobs of a worker
 * (Node 20; real-use pattern 1: jobs 3–6 at 1.7–2.9× the twin). Not frozen, for the same reason: a frozen
 * object's shape is one more that only frozen columns would keep (pattern 2 with frozen columns:
 * calls 5–6 at 2.5–3.3×).
 */
function columnObject<A>(array: A, start: number, step: number, length: number): Column<A> {
  return { array, start, step, length };
}
const smallColumn = (): Column<Float64Array> => columnObject(new Float64Array(1), 0, 1, 1);
let columnKept = false;

/** Where `path` leads in each element of `layout`, or the error saying why it cannot be a column. */
function placeOf(layout: ArrayLayout, path: string, label: string): Place {
  const subject = `${label}.column(${quoted(path)})`;
  const r = resolvePath(layout.element, path, `${label}.column`);
  if (r.field?.bits) throw typeError('unsupported_type', subject, 'is a bitfield, which no typed array reads', 'read it with get(i)');
  const l = r.layout;
  if (l.kind !== 'primitive') {
    const fix =
      l.kind === 'struct' || l.kind === 'union'
        ? `name one of its members, such as '${path === '' ? '' : `${path}.`}${l.fields[0]?.name ?? ''}'`
        : l.kind === 'array'
          ? `name one of its elements, such as '${path}[0]'`
          : 'read it with get(i)';
    throw typeError('unsupported_type', subject, `is ${typeLabel(l.schema)}, not a number`, fix);
  }
  const T = typedClassOf(l);
  if (T === 'bool') throw typeError('unsupported_type', subject, 'is bool, which reads as a boolean', 'declare it u8 for a Uint8Array of 0 and 1');
  if (T === 'f16') throw typeError('unsupported_type', subject, 'is f16, and this JavaScript runtime has no Float16Array', 'read it with get(i)');
  if (T === 'byte order')
    throw typeError(
      'unsupported_type',
      subject,
      `is ${l.endian}-endian, and typed arrays read this machine's byte order (${HOST_ENDIAN}-endian)`,
      'read it with get(i), which reads either order',
    );
  const bytes = T.BYTES_PER_ELEMENT;
  const stride = layout.element.size;
  if (stride % bytes !== 0 || r.offset % bytes !== 0)
    throw rangeError(
      'misaligned',
      subject,
      stride % bytes !== 0
        ? `the elements are ${stride} bytes apart, not a multiple of the member's ${bytes} (a packed struct)`
        : `the member is at byte ${r.offset} of its element, not a multiple of its size ${bytes} (a packed struct)`,
      'read it with get(i)',
    );
  return { T, start: r.offset / bytes, step: stride / bytes, subject };
}
