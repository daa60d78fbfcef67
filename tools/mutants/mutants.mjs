// biome-ignore-all lint/suspicious/noTemplateCurlyInString: mutants are pieces of source text, template literals included
/**
 * The mutants of tools/mutants/run.mjs: each breaks one rule the library promises, and names the
 * tests that must catch it.
 */
export const MUTANTS = [
  // ---- fingerprints: every offset, bit position, width, byte order, name and kind counts ----
  {
    name: 'fingerprint ignores member offsets',
    file: 'src/layout/fingerprint.ts',
    find: '(f) => `${f.name}@${f.offset}${',
    replace: '(f) => `${f.name}@${0}${',
    tests: ['test/layout/laws.test.ts'],
  },
  {
    name: 'fingerprint ignores bit positions',
    file: 'src/layout/fingerprint.ts',
    find: "f.bits ? `:${f.bits.bitOffset}+${f.bits.width}` : ''",
    replace: "f.bits ? `:+${f.bits.width}` : ''",
    tests: ['test/layout/laws.test.ts'],
  },
  {
    name: 'fingerprint ignores bitfield widths',
    file: 'src/layout/fingerprint.ts',
    find: "f.bits ? `:${f.bits.bitOffset}+${f.bits.width}` : ''",
    replace: "f.bits ? `:${f.bits.bitOffset}` : ''",
    tests: ['test/layout/laws.test.ts'],
  },
  {
    name: 'fingerprint ignores byte order',
    file: 'src/layout/fingerprint.ts',
    find: "(l.endian === 'big' ? '>' : '<')",
    replace: "'<'",
    tests: ['test/layout/laws.test.ts'],
  },
  {
    name: 'fingerprint ignores record size and alignment',
    file: 'src/layout/fingerprint.ts',
    find: 'return `${l.kind}(${l.size},${l.align}){',
    replace: 'return `${l.kind}(){',
    tests: ['test/layout/laws.test.ts'],
  },
  {
    name: 'fingerprint ignores struct vs union',
    file: 'src/layout/fingerprint.ts',
    find: 'return `${l.kind}(${l.size},${l.align}){',
    replace: 'return `record(${l.size},${l.align}){',
    tests: ['test/layout/laws.test.ts'],
  },
  {
    name: 'fingerprint ignores field names',
    file: 'src/layout/fingerprint.ts',
    find: '(f) => `${f.name}@${f.offset}${',
    replace: '(f) => `@${f.offset}${',
    tests: ['test/layout/laws.test.ts'],
  },
  {
    name: 'fingerprint ignores array lengths',
    file: 'src/layout/fingerprint.ts',
    find: 'return `${fingerprintOfLayout(l.element)}[${l.length}]`;',
    replace: 'return `${fingerprintOfLayout(l.element)}[]`;',
    tests: ['test/layout/laws.test.ts'],
  },
  // ---- store conversions: compiled ≡ interpreted, the same in every form of a field ----
  {
    name: 'interpreted number stores skip the type check',
    file: 'src/codegen/access.ts',
    find: "if (!checked) return (self, o, v) => set.call(self.$$d, o + off, typeof v === 'number' ? v : R.toNum(v, label), le);",
    replace: 'if (!checked) return (self, o, v) => set.call(self.$$d, o + off, v, le);',
    tests: ['test/views/conversions.test.ts'],
  },
  {
    name: '64-bit bitfield bounds computed in float64',
    file: 'src/codegen/access.ts',
    find: 'return a.signed ? { min: -(1n << (w - 1n)), max: (1n << (w - 1n)) - 1n } : { min: 0n, max: (1n << w) - 1n };',
    replace: 'return a.signed ? { min: BigInt(-(2 ** (a.width - 1))), max: BigInt(2 ** (a.width - 1) - 1) } : { min: 0n, max: BigInt(2 ** a.width - 1) };',
    tests: ['test/views/conversions.test.ts'],
  },
  {
    name: 'checked floats accept NaN',
    file: 'src/codegen/runtime.ts',
    find: "if (Number.isNaN(n)) throw rangeError(label, 'NaN is not stored in checked mode'",
    replace: "if (Number.isNaN(n) && false) throw rangeError(label, 'NaN is not stored in checked mode'",
    tests: ['test/views/conversions.test.ts'],
  },
  {
    name: 'general bitfield writes treat a non-finite number as its low bits',
    file: 'src/codegen/runtime.ts',
    find: 'Number.isFinite(n) ? BigInt(Math.trunc(n)) : 0n',
    replace: 'Number.isFinite(n) ? BigInt(Math.trunc(n)) : 1n',
    tests: ['test/views/conversions.test.ts'],
  },
  // ---- regions: a view is made only over memory it fits in, aligned ----
  {
    name: 'view fast path lets a view run one element past the end',
    file: 'src/views/attach.ts',
    find: 'byteOffset <= c.maxOffset &&',
    replace: 'byteOffset <= c.maxOffset + 8 &&',
    tests: ['test/views/region.test.ts'],
  },
  {
    name: 'view fast path ignores alignment',
    file: 'src/views/attach.ts',
    find: '((c.base + byteOffset) & c.alignMask) === 0',
    replace: 'true',
    tests: ['test/views/region.test.ts'],
  },
  {
    name: 'view fast path accepts fractional offsets',
    file: 'src/views/attach.ts',
    find: 'byteOffset === Math.floor(byteOffset) &&',
    replace: '',
    tests: ['test/views/region.test.ts'],
  },
  {
    name: 'a resizable ArrayBuffer is remembered like a fixed SharedArrayBuffer',
    file: 'src/views/region.ts',
    find: "return typeof SharedArrayBuffer !== 'undefined' && buffer instanceof SharedArrayBuffer && (buffer as { growable?: boolean }).growable !== true;",
    replace: 'return true;',
    tests: ['test/views/region.test.ts'],
  },
  {
    name: 'the slow region check ignores the window start',
    file: 'src/views/region.ts',
    find: '((m.base + byteOffset) & (align - 1)) === 0',
    replace: '(byteOffset & (align - 1)) === 0',
    tests: ['test/views/region.test.ts'],
  },
  // ---- array indices ----
  {
    name: 'generated get() accepts the index one past the end',
    file: 'src/codegen/access.ts',
    find: "return n <= SHORT_ARRAY ? `(typeof ${v}==='number'&&(${v}>>>0)<${num(n)}&&",
    replace: "return n <= SHORT_ARRAY ? `(typeof ${v}==='number'&&(${v}>>>0)<=${num(n)}&&",
    tests: ['test/views/accessors.test.ts'],
  },
  {
    name: 'generated get() accepts fractional indices',
    file: 'src/codegen/access.ts',
    find: '(${v}>>>0)<${num(n)}&&${v}===(${v}|0))`',
    replace: '(${v}>>>0)<${num(n)})`',
    tests: ['test/views/accessors.test.ts'],
  },
  // ---- handles: the buffer in the handle is the memory ----
  {
    name: 'attach reads a buffer other than the handle’s',
    file: 'src/transfer/share.ts',
    find: '  const buffer = handle.buffer;\n  const place = { buffer, byteOffset: handle.byteOffset };',
    replace: '  const buffer = (globalThis.__lastBuffer ??= handle.buffer);\n  const place = { buffer, byteOffset: handle.byteOffset };',
    tests: ['test/transfer/share.test.ts'],
    build: true,
  },
  // ---- views per offset: each schema's remembered pairs, and T.view a function per structure ----
  {
    name: 'a remembered pair serves another buffer',
    file: 'src/views/attach.ts',
    find: '    Number(source !== c.source) |\n',
    replace: '',
    tests: ['test/views/region.test.ts'],
  },
  {
    name: 'a remembered pair serves a view with options',
    file: 'src/views/attach.ts',
    find: '    Number(options !== undefined) |\n',
    replace: '',
    tests: ['test/types/options.test.ts'],
  },
  {
    name: 'schemas used once hold their buffers for ever',
    file: 'src/views/attach.ts',
    find: 'const HELD_MAX = 16;',
    replace: 'const HELD_MAX = 1e9;',
    tests: ['test/views/region.test.ts'],
  },
  {
    name: 'T.view is one function for every structure',
    file: 'src/views/attach.ts',
    find: '  if (!isSchema(type) || !codegenActive()) return viewMethod;',
    replace: '  return viewMethod;',
    tests: ['test/views/views-alloc.test.ts'],
  },
  {
    name: "a structure's view function serves another schema's record",
    file: 'src/views/structure-view.ts',
    find: '  if (this === c.type && source === c.source',
    replace: '  if (source === c.source',
    tests: ['test/views/structure-view.test.ts'],
  },
  {
    name: "a schema's prototype passes for a schema",
    file: 'src/kinds/brand.ts',
    find: "    (value as { readonly [SCHEMA_BRAND]?: unknown })[SCHEMA_BRAND] === true &&\n    typeof (value as { readonly kind?: unknown }).kind === 'string'",
    replace: '    (value as { readonly [SCHEMA_BRAND]?: unknown })[SCHEMA_BRAND] === true',
    tests: ['test/views/structure-view.test.ts'],
  },
  // ---- options: every function checks its options object the same way ----
  {
    name: 'an unknown option is dropped',
    file: 'src/options.ts',
    find: '    if (!allowed.includes(key)) throw',
    replace: '    if (false) throw',
    tests: ['test/types/options.test.ts'],
  },
  {
    name: 'a boolean option takes anything',
    file: 'src/options.ts',
    find: "  if (value !== undefined && typeof value !== 'boolean')",
    replace: '  if (false)',
    tests: ['test/types/options.test.ts'],
  },
  {
    name: 'options may be null',
    file: 'src/options.ts',
    find: "  if (options === null || typeof options !== 'object')",
    replace: "  if (options === null) return;\n  if (typeof options !== 'object')",
    tests: ['test/types/options.test.ts'],
  },
  // ---- hostile descriptors ----
  {
    name: 'fromJSON stops counting depth at references',
    file: 'src/types/schema.ts',
    find: '  if (h + 1 > MAX_DEPTH) {',
    replace: '  if (h + 1 > MAX_DEPTH * 1000) {',
    tests: ['test/layout/hostile.test.ts'],
  },
  {
    name: 'fromJSON reads a shared descriptor object again for every reference',
    file: 'src/types/json.ts',
    find: '    const done = this.#done.get(t);\n    if (done !== undefined) return done;',
    replace: '    const done = undefined;\n    if (done !== undefined) return done;',
    tests: ['test/layout/hostile.test.ts'],
    timeout: 60_000, // the exponential walk never ends
  },
];
