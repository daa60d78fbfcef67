/**
 * `typed()` of array views: the elements as a typed array over the same bytes. Which class, how
 * many elements and whether it can be made at all follow from the layout, once per view class;
 * each call then checks only the alignment of the view's own offset.
 *
 * @module
 */
import { rangeError, typeError } from '../errors.js';
import { FLOAT16_ARRAY, HOST_ENDIAN, TYPED_ARRAYS, type TypedArrayClass } from '../kinds/typed-arrays.js';
import type { ArrayLayout, Layout, PrimitiveLayout } from '../layout/types.js';
import { typedArrayOver } from '../memory/buffers.js';

/** Makes the typed array over an array view's elements (its DataView and byte offset in it). */
export type TypedArrayMaker = (d: DataView, o: number) => ArrayLike<number | bigint>;

/** The numbers of `layout`, nested arrays flattened in C order (nesting is at most 64 deep), and what they are. */
function innermost(layout: Layout, count = 1): { element: Exclude<Layout, ArrayLayout>; count: number } {
  return layout.kind === 'array' ? innermost(layout.element, count * layout.length) : { element: layout, count };
}

/** What kind of element cannot be a typed array's, in words. */
const NOT_NUMBERS = {
  struct: 'structs',
  union: 'unions',
  char: 'char arrays (strings)',
  sync: 'synchronization objects',
} as const satisfies Record<Exclude<Layout['kind'], 'primitive' | 'array'>, string>;

/**
 * The maker of `typed()` for an array of layout `layout` (labelled `label` in errors). Elements
 * that no typed array reads as a view does (structs, bools, f16 without `Float16Array`, the other
 * byte order) get a maker that throws a `TypeError` saying why and what to use instead.
 */
export function typedArrayMaker(layout: ArrayLayout, label: string): TypedArrayMaker {
  const subject = `${label}.typed()`;
  const refuse =
    (problem: string, fix: string): TypedArrayMaker =>
    () => {
      throw typeError('unsupported_type', subject, problem, fix);
    };
  const { element, count } = innermost(layout);
  if (element.kind !== 'primitive') return refuse(`its elements are ${NOT_NUMBERS[element.kind]}, not numbers`, 'read them with get(i) or a cursor');
  const T = typedClassOf(element);
  if (T === 'bool') return refuse('its elements are bool, which read as booleans', 'declare them u8 for a Uint8Array of 0 and 1');
  if (T === 'f16') return refuse('its elements are f16, and this JavaScript runtime has no Float16Array', 'read them with get(i)');
  if (T === 'byte order')
    return refuse(
      `its elements are ${element.endian}-endian, and typed arrays read this machine's byte order (${HOST_ENDIAN}-endian)`,
      'read them with get(i), which reads either order',
    );
  const bytes = T.BYTES_PER_ELEMENT;
  return (d, o) => {
    const at = d.byteOffset + o;
    if (at % bytes !== 0)
      throw rangeError(
        'misaligned',
        subject,
        `the array starts at byte ${at} of its buffer, and a ${T.name} must start at a multiple of ${bytes}`,
        'read it with get(i) (an array in a packed struct, or a view made at an unaligned offset)',
      );
    return typedArrayOver(T, d.buffer, at, count, subject, 'take typed() of its rows, get(i).typed(), or run a later Node');
  };
}

/**
 * The typed array class whose elements read and write number `p` exactly as a view does, or why
 * there is none: `bool` (a view reads a boolean), `f16` where the runtime has no `Float16Array`,
 * or a multi-byte number in the other byte order (typed arrays read this machine's).
 */
export function typedClassOf(p: PrimitiveLayout): TypedArrayClass | 'bool' | 'f16' | 'byte order' {
  if (p.name === 'bool') return 'bool';
  const T: TypedArrayClass | undefined = p.name === 'f16' ? FLOAT16_ARRAY : TYPED_ARRAYS[p.name];
  if (T === undefined) return 'f16';
  return p.endian === HOST_ENDIAN || p.size === 1 ? T : 'byte order';
}
