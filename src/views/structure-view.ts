/**
 * The source of a structure's own `T.view` function (src/views/attach.ts evaluates it, once per
 * canonical layout): the fast path of attach.ts's shared `viewMethod` written out as text (which
 * on Node 20 serves the schema's own record, where the shared one serves a copied pair), so that
 * each structure's function is compiled from a source of its own and has feedback of its own.
 *
 * One `viewMethod` shared by every schema collects the classes of every type any code viewed
 * through it: once a program has made views of two types (a header at startup, a config struct),
 * the `new` of its fast path has seen two classes, and a loop that makes a view of one type per
 * offset no longer has the view removed (20–55 ns per view and read on Node 20 to 26, against 3–7
 * ns in a process that viewed one type only). A function per structure sees the classes of its
 * structure only. Functions made from one source share their feedback (V8 compiles a source once),
 * hence a serial number in each.
 *
 * The text holds no names or values from a schema: only the serial number, a whole number.
 *
 * @module
 */
import { internalError } from '../errors.js';

/**
 * The names the source reads, passed by src/views/attach.ts as the parameters of the function that
 * returns the view function: the records' key, the test of a pair, the slow path, and a record
 * that remembers nothing.
 */
export const STRUCTURE_VIEW_PARAMS = ['VIEWED', 'misses', 'viewSlow', 'NONE'] as const;

/**
 * The body of a function of {@link STRUCTURE_VIEW_PARAMS} that returns a structure's `T.view`
 * function; `branchless` as attach.ts's fast paths (V8 12 and later), `serial` makes the source
 * unique.
 */
export function structureViewSource(branchless: boolean, serial: number): string {
  if (!Number.isSafeInteger(serial) || serial < 0) throw internalError(`structureViewSource: serial ${serial} is not a whole number`);
  const head = `/* structure view ${serial} */\nreturn function view(source, byteOffset, options) {\n`;
  if (branchless) {
    return `${head}  var c;
  try {
    c = this[VIEWED];
    c = [c, c.other][Number(source !== c.source)];
    c.d.getUint8(0 - misses(c, this, source, byteOffset, options));
  } catch (e) {
    return viewSlow(this, source, byteOffset, options, undefined);
  }
  return new c.C(c.base + byteOffset, c.d);
};`;
  }
  // Node 20 branches (as attach.ts's `viewMethod` does there), and serves the schema's own record:
  // its first pair, or its second for another source (a double buffer); a detached call's `this`
  // (undefined, or anything that is not a schema) gets a record that remembers nothing.
  return `${head}  var c = (this != null && this[VIEWED]) || NONE;
  if (source !== c.source) c = c.other;
  if (this === c.type && source === c.source && options === undefined && typeof byteOffset === 'number' && byteOffset >= 0 &&
      byteOffset <= c.maxOffset && byteOffset === Math.floor(byteOffset) && ((c.base + byteOffset) & c.alignMask) === 0)
    return new c.C(c.base + byteOffset, c.d);
  return viewSlow(this, source, byteOffset, options, undefined);
};`;
}
