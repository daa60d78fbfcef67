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
];
