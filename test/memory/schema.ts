// The schemas of the cross-process tests, typed, for the test files. peer.mjs builds the same ones
// from schema.mjs (processes cannot all load TypeScript); a test checks that the fingerprints agree.
import { barrier, bool, condition, event, f32, f64, mutex, rmutex, semaphore, struct, u32 } from '../../src/index.js';

/** 56 bytes; word 6 is `flag`, word 7 `started` (handshakes). */
export const Shared = struct(
  {
    lock: mutex(), // @0
    rlock: rmutex(), // @4, 3 words
    n: u32, // @16
    rn: u32, // @20
    flag: u32, // @24 (word 6)
    started: u32, // @28 (word 7)
    ready: event(), // @32
    items: semaphore(0), // @36
    meet: barrier(3), // @40, 3 words
    changed: condition('lock'), // @52
  },
  { name: 'Shared' },
);

/** 32 bytes: id @0, x @8, y @16, z @20 (f32), alive @24, mass @28. */
export const Particle = struct({ id: u32, x: f64, y: f32, z: f32, alive: bool, mass: u32 }, { name: 'Particle' });
