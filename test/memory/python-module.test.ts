// python/sharedctypes.py on its own, under the oldest and newest CPython ≥ 3.11 found: locks placed
// past the end of a segment are refused (one crashed the interpreter), an RLock re-enters as deep
// as its depth word holds (a name clash capped it at 64), attach() of a segment the same process
// created leaves the creator's registration with the resource tracker, and a Value of a struct has
// its fields as properties that hold the lock, as multiprocessing's does.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { python3 } from '../setup/requirements.js';
import { oldestAndNewestPython } from './python-setup.js';

const py = python3();
const MODULE_DIR = join(fileURLToPath(new URL('../..', import.meta.url)), 'python');

const SCRIPT = `
import ctypes, json, os, sys
sys.path.insert(0, sys.argv[1])
import sharedctypes

out = {}
name = 'sct-pymod-%d' % os.getpid()
shm = sharedctypes.create(name, 4096)
try:
    refused = []
    for cls, offset in [(sharedctypes.RLock, 4088), (sharedctypes.RLock, 4092), (sharedctypes.Lock, 4096), (sharedctypes.Lock, -4)]:
        try:
            cls(shm, offset)
            refused.append('accepted')
        except ValueError as e:
            refused.append(str(e))
    out['refused'] = refused

    lock = sharedctypes.RLock(shm, 0)
    for _ in range(200):
        lock.acquire()
    for _ in range(200):
        lock.release()
    out['reentered'] = 200

    other = sharedctypes.attach(name)
    other.close()

    class P(ctypes.Structure):
        _fields_ = [('a', ctypes.c_uint32), ('b', ctypes.c_double)]
    v = sharedctypes.Value(shm, 64, P)
    v.b = 2.5
    v.a = 7
    out['struct'] = [type(v).__name__, v.a, v.b, v.get_obj().b]
    del v
finally:
    shm.close()
    shm.unlink()
print(json.dumps(out))
`;

describe.skipIf(py.skip)(`${py.note}python/sharedctypes.py on its own`, () => {
  beforeAll(() => py.check());
  for (const python of oldestAndNewestPython()) {
    it(`Python ${python.version}: locks past the end refused, RLock depth, attach of its own segment, struct Value fields`, () => {
      const r = spawnSync(python.exe, ['-c', SCRIPT, MODULE_DIR], { encoding: 'utf8', timeout: 60_000 });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stderr).not.toMatch(/KeyError|Traceback/); // the resource tracker's, at unlink
      const out = JSON.parse(r.stdout.trim().split('\n').pop() as string) as { refused: string[]; reentered: number; struct: unknown[] };
      expect(out.refused).toEqual([
        expect.stringMatching(/^sharedctypes\.RLock: 12 bytes at offset 4088 do not fit in the 4096 bytes of segment/),
        expect.stringMatching(/^sharedctypes\.RLock: 12 bytes at offset 4092 do not fit/),
        expect.stringMatching(/^sharedctypes\.Lock: 4 bytes at offset 4096 do not fit/),
        expect.stringMatching(/^sharedctypes\.Lock: offset -4 is not a whole number >= 0/),
      ]);
      expect(out.reentered).toBe(200);
      expect(out.struct).toEqual(['SynchronizedP', 7, 2.5, 2.5]);
    });
  }
});
