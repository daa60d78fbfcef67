// Segments a test file makes, unlinked after each of its tests (a failed test leaves none behind).
import { afterEach } from 'vitest';
import { SharedMemory } from '../../src/index.js';
import { uniqueName } from './peers.js';

/**
 * Registers an `afterEach` that unlinks the segments of the test that just ran: `create(tag, size)`
 * makes one (its name unique to this process), `track(name)` adds one made another way.
 */
export function segmentsOfEachTest(): { create(tag: string, size: number): SharedMemory; track(name: string): void } {
  const made: string[] = [];
  afterEach(() => {
    for (const name of made.splice(0)) {
      try {
        new SharedMemory(name).unlink();
      } catch {
        // unlinked by the test
      }
    }
  });
  return {
    create(tag, size) {
      const shm = new SharedMemory({ name: uniqueName(tag), create: true, size });
      made.push(shm.name);
      return shm;
    },
    track(name) {
      made.push(name);
    },
  };
}
