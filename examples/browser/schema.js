// The schema the page and its workers share. Both import this module; the fingerprint check in the
// worker proves they agree on the layout.
import { array, bits, char, f32, f64, struct, u32, u8 } from '/dist/sharedctypes.js';

export const COUNT = 1000;

export const Particle = struct(
  {
    x: f64, // @0
    y: f64, // @8
    speed: f32, // @16
    id: u32, // @20
    alive: bits(u8, 1), // @24 bit 0
    name: char(16), // @25: UTF-8 text
  },
  { name: 'Particle' },
);

export const Scene = struct({ title: char(16), particles: array(Particle, COUNT) }, { name: 'Scene' });
