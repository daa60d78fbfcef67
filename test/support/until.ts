/**
 * Resolves once `cond()` (a look at shared memory, a worker's state) holds, looking every
 * millisecond while the event loop runs, so that worker messages and exits are seen meanwhile;
 * fails after `timeoutMs`. A handshake, not a sleep.
 */
export async function until(cond: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!cond()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

/** Resolves after the event loop has run other tasks (a macrotask later). */
export const macrotask = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
