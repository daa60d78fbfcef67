/**
 * GNU and C23 attributes and Microsoft's `__declspec`s `fromC` reads: which ones change a layout
 * (and are honoured), which ones cannot change one (and are skipped), and which ones are refused
 * because they change a layout in a way no schema expresses. An attribute in none of these lists is
 * refused too: it might change the layout.
 *
 * @module
 */
import type { CTarget } from './target.js';

/** What an attribute does to a layout. */
export type AttributeEffect =
  /** `packed`: members aligned to 1 byte (on a struct or union; on a member, that member). */
  | 'packed'
  /** `aligned(n)`: alignment raised to `n` (16 without an argument). */
  | 'aligned'
  /** `scalar_storage_order("big-endian" | "little-endian")`. */
  | 'order'
  /** No effect on any layout. */
  | 'ignored'
  /** Changes a layout in a way no schema expresses. */
  | 'refused';

/** Every attribute name `fromC` knows, without its `__…__` spelling. */
export const ATTRIBUTES = {
  packed: 'packed',
  aligned: 'aligned',
  scalar_storage_order: 'order',
  // declarations, diagnostics, code generation: no effect on where bytes are
  access: 'ignored',
  alias: 'ignored',
  alloc_align: 'ignored',
  alloc_size: 'ignored',
  always_inline: 'ignored',
  artificial: 'ignored',
  assume_aligned: 'ignored',
  availability: 'ignored',
  cleanup: 'ignored',
  cold: 'ignored',
  const: 'ignored',
  constructor: 'ignored',
  copy: 'ignored',
  counted_by: 'ignored',
  deprecated: 'ignored',
  designated_init: 'ignored',
  destructor: 'ignored',
  enum_extensibility: 'ignored',
  error: 'ignored',
  externally_visible: 'ignored',
  fallthrough: 'ignored',
  flag_enum: 'ignored',
  format: 'ignored',
  format_arg: 'ignored',
  gnu_inline: 'ignored',
  hot: 'ignored',
  leaf: 'ignored',
  malloc: 'ignored',
  may_alias: 'ignored',
  maybe_unused: 'ignored',
  no_instrument_function: 'ignored',
  no_sanitize: 'ignored',
  nocommon: 'ignored',
  nodiscard: 'ignored',
  noinline: 'ignored',
  nonnull: 'ignored',
  nonstring: 'ignored',
  noreturn: 'ignored',
  nothrow: 'ignored',
  null_terminated_string_arg: 'ignored',
  pure: 'ignored',
  reproducible: 'ignored',
  returns_nonnull: 'ignored',
  section: 'ignored',
  sentinel: 'ignored',
  transparent_union: 'ignored', // calling convention only
  unavailable: 'ignored',
  unsequenced: 'ignored',
  unused: 'ignored',
  used: 'ignored',
  visibility: 'ignored',
  warn_if_not_aligned: 'ignored', // a warning, not a layout
  warn_unused_result: 'ignored',
  warning: 'ignored',
  weak: 'ignored',
  // change a layout in ways a schema does not express (yet)
  mode: 'refused',
  vector_size: 'refused',
  ms_struct: 'refused', // gcc's MSVC layout, which differs from MSVC's (tools/fixtures/README.md): read the header with the msvc target
  gcc_struct: 'refused',
  randomize_layout: 'refused',
  no_randomize_layout: 'ignored',
  preserve_access_index: 'ignored',
} as const satisfies Record<string, AttributeEffect>;

/** Every `__declspec(…)` `fromC` knows (on the msvc target), by effect: only `align(n)` changes a layout. */
export const DECLSPECS = {
  align: 'aligned',
  allocate: 'ignored',
  allocator: 'ignored',
  code_seg: 'ignored',
  deprecated: 'ignored',
  dllexport: 'ignored',
  dllimport: 'ignored',
  empty_bases: 'ignored',
  naked: 'ignored',
  noalias: 'ignored',
  noinline: 'ignored',
  noreturn: 'ignored',
  nothrow: 'ignored',
  novtable: 'ignored',
  no_sanitize_address: 'ignored',
  process: 'ignored',
  property: 'ignored',
  restrict: 'ignored',
  safebuffers: 'ignored',
  selectany: 'ignored',
  spectre: 'ignored',
  thread: 'ignored',
  uuid: 'ignored',
} as const satisfies Record<string, AttributeEffect>;

/** The effect of a `__declspec(name)`, or `undefined` when `fromC` does not know it. */
export function declspecEffect(name: string): AttributeEffect | undefined {
  return Object.hasOwn(DECLSPECS, name) ? DECLSPECS[name as keyof typeof DECLSPECS] : undefined;
}

/** `__packed__` → `packed`; `gnu::packed` → `packed`. */
export function attributeName(spelled: string): string {
  const bare = spelled.startsWith('gnu::') ? spelled.slice(5) : spelled.startsWith('clang::') ? spelled.slice(7) : spelled;
  return bare.length > 4 && bare.startsWith('__') && bare.endsWith('__') ? bare.slice(2, -2) : bare;
}

/** The effect of an attribute, or `undefined` when `fromC` does not know it. */
export function attributeEffect(name: string): AttributeEffect | undefined {
  return Object.hasOwn(ATTRIBUTES, name) ? ATTRIBUTES[name as keyof typeof ATTRIBUTES] : undefined;
}

/**
 * Whether `__has_attribute(name)` is 1 on target `t`: `fromC` honours the attribute or knows it to
 * be harmless, and the target's compiler has it (clang has no `scalar_storage_order`).
 */
export function hasAttribute(spelled: string, t: CTarget): boolean {
  const name = attributeName(spelled);
  const effect = attributeEffect(name);
  return effect !== undefined && effect !== 'refused' && (effect !== 'order' || t.storageOrder);
}

/** Whether `__has_declspec_attribute(name)` is 1 on target `t` (Microsoft C only). */
export function hasDeclspec(name: string, t: CTarget): boolean {
  const effect = declspecEffect(name);
  return t.msvc && effect !== undefined && effect !== 'refused';
}
