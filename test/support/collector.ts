// A full garbage collection for tests that check what stays reachable, on every runtime the suite runs on.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** A full garbage collection: V8's `gc` (Node, Deno) switched on for this call, or `Bun.gc(true)` (JavaScriptCore). */
export function collector(): () => void {
  const bun = (globalThis as { Bun?: { gc(force: boolean): void } }).Bun;
  if (bun !== undefined) return () => bun.gc(true);
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}
