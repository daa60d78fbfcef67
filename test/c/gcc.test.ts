// fromC against gcc: real-world headers (WAV, BMP, Ethernet/IPv4/UDP/TCP, device registers with
// bitfields) and a checklist of every construct fromC reads (test/fixtures/headers/*.h). gcc
// compiles each header with a probe of every type fromC found: sizeof, _Alignof, offsetof and
// sizeof of every member, the bits of every bitfield and the byte order of every integer.
// Fails where gcc is missing, unless SHAREDCTYPES_SKIP_GCC=1.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fromC } from '../../src/index.js';
import { gcc } from '../setup/requirements.js';
import { disagreements, probeWithGcc } from '../support/c-probe.js';

const needGcc = gcc();
const header = (name: string): string => readFileSync(new URL(`../fixtures/headers/${name}`, import.meta.url), 'utf8');

/** Each header, and the types it must declare (by fromC's count; a probe then checks each against gcc). */
const HEADERS: Record<string, number> = { 'wav.h': 9, 'bmp.h': 16, 'net.h': 8, 'regs.h': 5, 'checklist.h': 42 };

describe.skipIf(needGcc.skip)(`${needGcc.note}fromC agrees with gcc on real headers`, () => {
  for (const [name, count] of Object.entries(HEADERS)) {
    it(name, () => {
      needGcc.check();
      const source = header(name);
      const h = fromC(source, { file: name });
      expect(h.declarations.length, h.declarations.map((d) => d.c).join(', ')).toBe(count);
      const facts = probeWithGcc({ [name]: source }, name, h.declarations);
      expect(disagreements(facts)).toEqual([]);
      expect(facts.length).toBeGreaterThan(count * 2);
    });
  }
});
