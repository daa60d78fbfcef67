// The schemas the cross-process tests share between the test, the JavaScript peers (peer.mjs) and
// the Python peer (peer.py, through toCtypes): functions of the library's exports, so that each
// process builds them with the library it loaded.

/** 56 bytes; word 6 is `flag`, word 7 `started` (handshakes). */
export const SHARED = (sc) =>
  sc.struct(
    {
      lock: sc.mutex(), // @0
      rlock: sc.rmutex(), // @4, 3 words
      n: sc.u32, // @16
      rn: sc.u32, // @20
      flag: sc.u32, // @24 (word 6)
      started: sc.u32, // @28 (word 7)
      ready: sc.event(), // @32
      items: sc.semaphore(0), // @36
      meet: sc.barrier(3), // @40, 3 words
      changed: sc.condition('lock'), // @52
    },
    { name: 'Shared' },
  );

/** 32 bytes: id @0, x @8, y @16, z @20 (f32), alive @24, mass @28. */
export const PARTICLE = (sc) => sc.struct({ id: sc.u32, x: sc.f64, y: sc.f32, z: sc.f32, alive: sc.bool, mass: sc.u32 }, { name: 'Particle' });
