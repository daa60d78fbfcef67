/**
 * How views show themselves: `JSON.stringify(view)` gives their data (`toJSON`, with 64-bit
 * integers as decimal strings, since JSON has no bigint), and `console.log(view)` /
 * `util.inspect(view)` in Node print the type and a preview of the data (bounded: the first
 * elements of a large array, nested views down to the inspect depth), never the view's internals.
 *
 * @module
 */
import type { Layout } from '../layout/types.js';
import { typeLabel } from '../kinds/labels.js';
import type { ViewInternals } from './access.js';

/** Node's `util.inspect.custom`, by its registered name (no import of `node:util`: this runs in browsers too). */
const INSPECT = Symbol.for('nodejs.util.inspect.custom');

interface Shown extends ViewInternals {
  readonly $$layout: Layout;
  get?(i: number): unknown;
}

function isView(v: unknown): v is Shown {
  return typeof v === 'object' && v !== null && (v as Partial<Shown>).$$layout !== undefined;
}

/** `value` with every bigint turned into its decimal string (arrays and plain objects walked). */
export function jsonSafe(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return value.map(jsonSafe);
  if (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = jsonSafe(v);
    return out;
  }
  return value;
}

/** Plain data for a preview of `v`: `depth` more levels of nesting, at most `max` elements per array. */
function preview(v: unknown, depth: number, max: number): unknown {
  if (!isView(v)) return v;
  const l = v.$$layout;
  if (depth < 0) return `[${typeLabel(l.schema)}]`;
  switch (l.kind) {
    case 'array': {
      // As long as the array, filled only as far as the preview shows ("… n more items" after it).
      const n = Math.min(l.length, max);
      const out: unknown[] = n === l.length ? [] : new Array<unknown>(l.length);
      for (let i = 0; i < n; i++) out[i] = preview((v.get as (i: number) => unknown)(i), depth - 1, max);
      return out;
    }
    case 'struct':
    case 'union': {
      const out: Record<string, unknown> = {};
      for (const f of l.fields) {
        const x = (v as unknown as Record<string, unknown>)[f.name];
        out[f.name] = f.layout.kind === 'sync' ? x : preview(x, depth - 1, max);
      }
      return out;
    }
    default:
      return v.$$plain();
  }
}

type Inspect = (value: unknown, options: object) => string;

/** Installs `toJSON` and Node's custom inspect on a view prototype. */
export function installDisplay(P: object, layout: Layout): void {
  const label = typeLabel(layout.schema);
  Object.defineProperty(P, 'toJSON', {
    value: function viewToJSON(this: ViewInternals): unknown {
      return jsonSafe(this.$$plain());
    },
    writable: true,
    configurable: true,
  });
  Object.defineProperty(P, INSPECT, {
    value: function inspectView(this: Shown, depth: number, options: { depth?: number | null; maxArrayLength?: number | null }, inspect: Inspect): string {
      if (depth < 0) return `[${label}]`;
      const max = options.maxArrayLength ?? 100;
      const shown = preview(this, Math.min(depth, 16), max === null ? Number.POSITIVE_INFINITY : max);
      return `${label} ${inspect(shown, { ...options, depth: options.depth === null ? null : depth })}`;
    },
    writable: true,
    configurable: true,
  });
}
