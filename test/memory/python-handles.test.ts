// python/sharedctypes.py's from_handle and Channel.from_handle check the handle's layout
// fingerprint against the layout ctypes builds, before they map the segment: real Python processes
// (the oldest and newest CPython ≥ 3.11 found) given handles this process made with share(), as
// they are and forged. A forged descriptor, a forged or missing fingerprint, a class that is not
// the shared type, and a bitfield ctypes places elsewhere than gcc are refused, naming the member
// where it is ctypes (or the class) that departs from the compiler's rules.
import { beforeAll, describe, expect, it } from 'vitest';
import { bits, Channel, share, struct, toCtypes, u8, u32, Value } from '../../src/index.js';
import { python3 } from '../setup/requirements.js';
import { pyPeer } from './peers.js';
import { Particle, Shared } from './schema.js';
import { ctypesModule, oldestAndNewestPython } from './python-setup.js';
import { segmentsOfEachTest } from './segments.js';

const segments = segmentsOfEachTest();
const py = python3();
const interpreters = oldestAndNewestPython();
const module = ctypesModule([Shared, Particle], 'pyhandles');

/** ctypes 3.11 … 3.13 place b at bit 32 (MSVC-like); gcc at bit 8. */
const Packet = struct({ c: u8, b: bits(u32, 24) }, { name: 'Packet' });
/** Classes beside the module's: classes that are not Particle, then Packet as toCtypes writes it (its asserts fail before 3.14: last). */
const CLASSES = `import ctypes

class ParticlePacked(ctypes.Structure):
    _pack_ = 1
    _fields_ = [('id', ctypes.c_uint32), ('x', ctypes.c_double), ('y', ctypes.c_float), ('z', ctypes.c_float), ('alive', ctypes.c_bool), ('mass', ctypes.c_uint32)]

class ParticleW(ctypes.Structure):
    _fields_ = [('id', ctypes.c_uint32), ('w', ctypes.c_double), ('y', ctypes.c_float), ('z', ctypes.c_float), ('alive', ctypes.c_bool), ('mass', ctypes.c_uint32)]

class ParticleZY(ctypes.Structure):
    _fields_ = [('id', ctypes.c_uint32), ('x', ctypes.c_double), ('z', ctypes.c_float), ('y', ctypes.c_float), ('alive', ctypes.c_bool), ('mass', ctypes.c_uint32)]

class ParticleFloatMass(ctypes.Structure):
    _fields_ = [('id', ctypes.c_uint32), ('x', ctypes.c_double), ('y', ctypes.c_float), ('z', ctypes.c_float), ('alive', ctypes.c_bool), ('mass', ctypes.c_float)]

${toCtypes(Packet)}`;

type Outcome = { ok: unknown; mapped: boolean } | { error: string; field?: string | null; message: string; mapped: boolean };
const REFUSED_DESCRIPTOR = 'the descriptor does not match the fingerprint';

describe.skipIf(py.skip)(`${py.note}from_handle checks the layout fingerprint in Python`, () => {
  beforeAll(() => py.check());

  for (const python of interpreters) {
    const minor = Number(python.version.split('.')[1]);
    it(`Python ${python.version}: honest handles are read; forged ones, other classes and a bitfield ctypes misplaces are refused before the segment is mapped`, async () => {
      const shm = segments.create('pyfp', 1024);
      const packet = Packet.view(shm.buf, 0); // 8 bytes
      packet.c = 7;
      packet.b = 0xabcdef;
      const p = Particle.view(shm.buf, 64);
      p.set({ id: 5, x: 0.5, y: -1, z: 2, alive: true, mass: 9 });
      const s = Shared.view(shm.buf, 128); // 56 bytes: semaphore(0), barrier(3), condition('lock')
      s.n = 3;
      const v = Value('i', 42, { memory: shm, byteOffset: 192 });
      const ch = new Channel(Particle, 4, { memory: shm, byteOffset: 256 });
      const json = (x: unknown) => JSON.parse(JSON.stringify(share(x)));
      const particle = json(p);
      const value = json(v);
      const forged = (h: Record<string, unknown>, edit: (h: Record<string, unknown>) => void) => {
        const copy = structuredClone(h);
        edit(copy);
        return copy;
      };
      const particleType = (h: Record<string, unknown>) =>
        (h['schema'] as { types: { Particle: { pack?: number; fields: { name: string }[] } } }).types.Particle;
      const handles = [
        // first, while nothing has mapped the segment in the Python process:
        { label: 'packet', handle: json(packet), ctype: 'Packet' },
        { label: 'forgedKind', handle: forged(value, (h) => ((h['obj'] as { schema: { root: string } }).schema.root = 'u32')) },
        { label: 'forgedFingerprint', handle: forged(particle, (h) => (h['fingerprint'] = 'sct2:0000000000000000')), ctype: 'Particle' },
        { label: 'noFingerprint', handle: forged(particle, (h) => delete h['fingerprint']), ctype: 'Particle' },
        { label: 'forgedPack', handle: forged(particle, (h) => (particleType(h).pack = 1)), ctype: 'ParticlePacked' },
        { label: 'forgedName', handle: forged(particle, (h) => ((particleType(h).fields[1] as { name: string }).name = 'w')), ctype: 'ParticleW' },
        { label: 'reordered', handle: particle, ctype: 'ParticleZY' },
        { label: 'otherKind', handle: particle, ctype: 'ParticleFloatMass' },
        { label: 'channelReordered', handle: json(ch), ctype: 'ParticleZY', channel: true },
        // then the honest ones
        { label: 'particle', handle: particle, ctype: 'Particle' },
        { label: 'shared', handle: json(s), ctype: 'Shared' },
        { label: 'value', handle: value },
        { label: 'channel', handle: json(ch), ctype: 'Particle', channel: true },
      ];
      const r = await pyPeer<Record<string, Outcome>>({ op: 'verify', name: shm.name, module, classes: CLASSES, handles }, 45_000, python.exe);
      const unmapped = { mapped: false };
      if (minor < 14) {
        expect(r['packet']).toMatchObject({ error: 'LayoutMismatchError', field: 'root.b', ...unmapped });
        expect((r['packet'] as { message: string }).message).toContain('root.b (in Packet): ctypes places it at bit 32, the C compiler at bit 8');
      } else expect(r['packet']).toMatchObject({ ok: [7, 0xabcdef] });
      expect(r['forgedKind']).toMatchObject({ error: 'LayoutMismatchError', field: null, ...unmapped });
      expect((r['forgedKind'] as { message: string }).message).toContain(REFUSED_DESCRIPTOR);
      expect(r['forgedFingerprint']).toMatchObject({ error: 'LayoutMismatchError', field: null, ...unmapped });
      expect(r['noFingerprint']).toMatchObject({ error: 'LayoutMismatchError', field: null, ...unmapped });
      expect((r['noFingerprint'] as { message: string }).message).toContain('no layout fingerprint');
      // A descriptor forged with a class to match it: ctypes follows the rules, the fingerprint says no.
      for (const label of ['forgedPack', 'forgedName']) {
        expect(r[label], label).toMatchObject({ error: 'LayoutMismatchError', field: null, ...unmapped });
        expect((r[label] as { message: string }).message).toContain(REFUSED_DESCRIPTOR);
      }
      // A class with the fields in another order: same size, so only the fingerprint tells (the channel's header check did not).
      for (const label of ['reordered', 'channelReordered']) {
        expect(r[label], label).toMatchObject({ error: 'LayoutMismatchError', field: 'root.y', ...unmapped });
        expect((r[label] as { message: string }).message).toContain('root.y (in ParticleZY): ctypes places it at byte 20, the C compiler at byte 16');
      }
      expect(r['otherKind']).toEqual({
        error: 'TypeError',
        message: 'sharedctypes.from_handle: root.mass: is u32 in the shared layout, but the ctypes type is c_float',
        ...unmapped,
      });
      expect(r['particle']).toMatchObject({ ok: [5, 0.5, -1, 2, true, 9] });
      expect(r['shared']).toMatchObject({ ok: [3, 0, 0, 0] });
      expect(r['value']).toMatchObject({ ok: 42 });
      expect(r['channel']).toMatchObject({ ok: [4, 'mpmc'] });
    });
  }
});
