/**
 * Shared accessors: the getter and setter of a record's number or bool member made by one compiled
 * function per form of their source, shared by every view class, instead of written out in each
 * class with the member's offset in the text.
 *
 * V8 counts calls and tiers up per function, and functions made by one function literal share its
 * count, feedback and optimised code. Written out per class, every member has accessors of its own,
 * each called once per element by a loop: in a loop's first pass (a job, one simulation step) each
 * runs slowly until V8 has compiled it, and the compilations queue behind each other on V8's one
 * background compiler thread, the loop's own on-stack compilation behind them. Made here, `x`, `y`
 * and `z` of a Particle share one getter and one setter (every `f64` member with the same store, of
 * every structure), which V8 counts together and compiles once. Measured with the real-use
 * benchmark's update pass (1M Particles, Node 20, old and new builds alternated, medians of 6): its
 * first call in a fresh process 18.5 → 12.8 ms (the typed-array twin 7.9); warm passes unchanged or
 * faster (update 4.12 → 3.74 ms, read 2.56 → 2.49): inlined into a loop, the maker's offset `K` is
 * a constant of the closure's context, which the engine folds. Their feedback is shared too, and
 * has seen every class: with ten other structures' accessors of the same forms run first, the same
 * warm passes were as fast (update 3.51–3.86 ms, read 2.29–2.53; before 3.85–4.00 and 2.54–3.36),
 * their handles still removed (the engine knows each handle's class where it made it).
 *
 * On every engine since stop 45 (2026-12-04; Node 20 only before). The same update pass's first
 * call, fresh processes, the builds alternated (medians of 8–14 per build and run): Node 22
 * 19.9–26.0 → 13.2–19.5 ms in five runs, Node 24 18.2–21.8 → 14.8–15.3 in two, Deno 16.0–17.5 →
 * 12.8–15.4 in two, Node 26 no steady change (19.8 → 15.0, 15.9 → 16.0, 14.1 → 17.2), Bun 41.8 →
 * 41.6. The cost is in warm passes, within this VM's spread in any one run but slower in most: a
 * read pass as a ratio to a typed-array read of the same buffer in the same process, Node 22 1.03
 * → 1.10, 0.94 → 0.98, 1.02 → 0.93, Node 24 0.96 → 1.00, Node 26 0.96 → 1.01, Deno 1.04 → 1.09; the
 * update pass likewise 1.39 → 1.41, 1.24 → 1.31, 1.39 → 1.28 (Node 22), 1.33 → 1.36, 1.28 → 1.36,
 * 1.38 → 1.43: about 4% in the median. A loop reading one member compiles to the same instructions
 * with either accessor (`--print-opt-code`, Node 22: `K` folded); a loop of several differs in its
 * registers and order. An earlier measurement (medians of 3) had seen 2–25% on the first call and
 * 4–8% slower warm reads, and kept per-class accessors on V8 12 and later; the first pass is what
 * issue 8's patterns 1 and 2 measure, and the one a job that is one long pass pays.
 *
 * The source holds what generate.ts emits for a member, with the offset as `K` and the label as `B`
 * (both parameters of the maker), so it is one of a bounded set of texts: one per number method,
 * byte order, store and check, never a name or value from a schema.
 *
 * @module
 */
import { internalError } from '../errors.js';
import type { EmitRefs } from './access.js';
import { evaluate } from './evaluate.js';
import { RUNTIME } from './runtime.js';

/** What a shared accessor's source adds to the view's offset for the member's: the maker's `K`. */
export const SHARED_PLUS = '+K';

/** The labels of a shared accessor's source: the maker's `B`, as a label and as `Q`'s argument. */
export const SHARED_REFS: EmitRefs = {
  classRef() {
    throw internalError('a shared accessor has no nested class');
  },
  labelRef: () => 'B',
  numLabel: () => 'B',
};

/** Makes a member's accessor pair, as a property descriptor, from its byte offset and label. */
export type AccessorMaker = (offset: number, label: string) => PropertyDescriptor;

/** The makers made so far, by source: at most one per form (number method, byte order, store, check). */
const makers = new Map<string, AccessorMaker>();

/**
 * The maker of accessors whose getter and setter have bodies `get` and `set` (generate.ts's, with
 * {@link SHARED_PLUS} and {@link SHARED_REFS}): made once per pair of bodies. In the bodies `R` is the
 * runtime and `Q(v, label)` converts a number (`R.toNum`), constants of the maker's context as `K`
 * and `B` are, where the accessors read them without a walk up the context chain.
 */
export function sharedAccessorMaker(get: string, set: string): AccessorMaker {
  const source = `return function(K,B){const R=R0,Q=R0.toNum;return {get:function(){${get}},set:function(v){${set}},enumerable:true,configurable:true}};`;
  let make = makers.get(source);
  if (make === undefined) {
    make = evaluate<AccessorMaker>(['R0'], source, [RUNTIME]);
    makers.set(source, make);
  }
  return make;
}
