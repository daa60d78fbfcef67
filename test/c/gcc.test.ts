// fromC against gcc: real-world headers (WAV, BMP, Ethernet/IPv4/UDP/TCP, device registers with
// bitfields) and a checklist of every construct fromC reads (test/fixtures/headers/*.h). gcc
// compiles each header with a probe of every type fromC found: sizeof, _Alignof, offsetof and
// sizeof of every member, the bits of every bitfield and the byte order of every integer. The same
// for aarch64 (read with that target; gcc for aarch64, run under qemu), except the checklist, which
// insists on x86-64. Fails where gcc is missing, unless SHAREDCTYPES_SKIP_GCC=1 (SHAREDCTYPES_SKIP_AARCH64=1).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fromC } from '../../src/index.js';
import { aarch64, gcc } from '../setup/requirements.js';
import { disagreements, probeWithGcc } from '../support/c-probe.js';

const needGcc = gcc();
const needAarch64 = aarch64();
const header = (name: string): string => readFileSync(new URL(`../fixtures/headers/${name}`, import.meta.url), 'utf8');

/** Each header, and the types it must declare (by fromC's count; a probe then checks each against gcc). */
const HEADERS: Record<string, number> = { 'wav.h': 9, 'bmp.h': 16, 'net.h': 8, 'regs.h': 5, 'checklist.h': 47 };

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

describe.skipIf(needAarch64.skip)(`${needAarch64.note}fromC (target aarch64-linux-gnu) agrees with gcc for aarch64 on real headers`, () => {
  for (const [name, count] of Object.entries(HEADERS).filter(([n]) => n !== 'checklist.h')) {
    it(name, () => {
      needAarch64.check();
      const source = header(name);
      const h = fromC(source, { file: name, target: 'aarch64-linux-gnu' });
      expect(h.declarations.length).toBe(count);
      const facts = probeWithGcc({ [name]: source }, name, h.declarations, 'aarch64-linux-gnu-gcc', ['qemu-aarch64', '-L', '/usr/aarch64-linux-gnu']);
      expect(disagreements(facts)).toEqual([]);
      expect(facts.length).toBeGreaterThan(count * 2);
    });
  }
});
