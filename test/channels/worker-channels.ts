// What the channel tests between worker threads share: the item schema the scenarios check
// (scenarios.mjs), what a consumer reports, and a look at a channel's header words.
import { struct, f32, f64, u8, u32 } from '../../src/index.js';

export const scenarios = new URL('./scenarios.mjs', import.meta.url).href;

export const Particle = struct({ x: f64, y: f64, z: f64, vx: f32, vy: f32, vz: f32, id: u32, gen: u8 }, { name: 'Particle' });

/** What a consuming worker reports (scenarios.mjs, `consume`). */
export interface Consumed {
  count: number;
  torn: number;
  disorder: number;
  /** Items of a producer that skipped ids (expected with several consumers, which share the ids). */
  gaps: number;
  first: string | null;
}

/** The channel's header words. */
export const words = (ch: { buffer: SharedArrayBuffer }) => new Int32Array(ch.buffer);
