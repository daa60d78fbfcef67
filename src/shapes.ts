/**
 * Keeping the engine's object shapes of short-lived objects alive across garbage collections.
 *
 * V8 gives the instances of a class a hidden class (a "map"), built by adding their fields one at
 * a time. Only the class's first, empty map is held by the class itself: the maps with the fields
 * live as long as some object has them. Functions optimised for a class check its maps, and when a
 * garbage collection finds no instance of the class alive, those maps die and every function
 * optimised for them is thrown away ("marking dependent code for deoptimization, reason: weak
 * objects"). The next instance gets new maps, and its methods run unoptimised until the engine
 * optimises them again.
 *
 * That is the everyday pattern of a long-lived worker that attaches a channel, a lock or a shared
 * value per job and drops it when the job ends: a collection between two jobs (any allocation can
 * cause one) made each job start cold. Measured with a forced collection before each job
 * (bench/channels.mjs's protocol), an MPMC channel of f64 between 2 producer and 2 consumer
 * threads took 1.23–1.69× the time of its hand-written twin; with one instance kept alive,
 * 0.88–1.02× (runs of that part of the bench alone; docs/channels.md). So each class whose
 * instances are made per attach or per job keeps one small instance of its own alive, made the
 * first time the library makes one.
 *
 * (Views keep theirs through the `$$keep` of their generated class: codegen/classes.ts. Classes
 * made per critical section or per loop, `hold()`'s and array views' iterators, test a module flag
 * before calling this, to spare the lookup.)
 *
 * @module
 */

/** A kept instance per class; weak, so that a class made at run time (per schema) and its instance die together. */
const kept = new WeakMap<object, unknown>();

/**
 * Keeps `make()` (a small instance of `cls`, made the way the library makes the others, so that it
 * has their shape) alive from now on; does nothing after the first call for `cls`. `make` may
 * construct instances that call this again: they see `cls` already taken care of. Constructors
 * call this every time, so `make` is a module-level function (given `cls`), not a closure made
 * per call (that cost `new Event()` ~10%).
 */
export function keepShape<C extends object>(cls: C, make: (cls: C) => unknown): void {
  if (kept.has(cls)) return;
  kept.set(cls, null);
  try {
    kept.set(cls, make(cls));
  } catch {
    // Nothing kept (a runtime that refuses some part of the small instance): slower, not wrong.
    // The user's object, made already, must not fail for it.
  }
}
