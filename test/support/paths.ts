import { parsePath } from '../../src/layout/queries.js';

type Node = Record<string, unknown> & { get(i: number): unknown; set(i: number, v: unknown): void };

/** Reads the member at `path` (like `a.b[2].c`) of a view. */
export function getPath(view: unknown, path: string): unknown {
  if (path === '') return (view as { value: unknown }).value;
  let node = view as Node;
  for (const step of parsePath(path, 'test')) node = ('index' in step ? node.get(step.index) : node[step.name]) as Node;
  return node;
}

/** Writes the member at `path` of a view. */
export function setPath(view: unknown, path: string, value: unknown): void {
  if (path === '') {
    (view as { value: unknown }).value = value;
    return;
  }
  const steps = parsePath(path, 'test');
  let node = view as Node;
  for (const step of steps.slice(0, -1)) node = ('index' in step ? node.get(step.index) : node[step.name]) as Node;
  const last = steps[steps.length - 1];
  if (last === undefined) throw new Error('empty path');
  if ('index' in last) node.set(last.index, value);
  else node[last.name] = value;
}

export function hex(bytes: ArrayBufferLike | Uint8Array, offset = 0, length?: number): string {
  const u8 = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes, offset, length);
  return Array.from(u8, (b) => b.toString(16).padStart(2, '0')).join('');
}
