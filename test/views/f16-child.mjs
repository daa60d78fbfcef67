// Run by f16-runtimes.test.ts on Node 26, Bun and Deno (runtimes with DataView.prototype.getFloat16):
// the compiler fixture cases holding _Float16, written through views of the library under test (in
// the test project's accessor mode) and compared with the compilers' byte images, then read back.
import { readFileSync } from 'node:fs';
import { sc } from '../workers/library.mjs';

const hex = (u8) => Array.from(u8, (b) => b.toString(16).padStart(2, '0')).join('');
function step(node, key) {
  const m = /^(\w+)?((?:\[\d+\])*)$/.exec(key);
  let n = m[1] === undefined ? node : node[m[1]];
  for (const [, i] of m[2].matchAll(/\[(\d+)\]/g)) n = n.get(Number(i));
  return n;
}
function set(view, path, value) {
  const keys = path.split('.');
  const last = keys.pop();
  let node = view;
  for (const k of keys) node = step(node, k);
  const m = /^(\w+)?((?:\[\d+\])*)$/.exec(last);
  const idx = [...m[2].matchAll(/\[(\d+)\]/g)].map((x) => Number(x[1]));
  if (idx.length === 0) node[m[1]] = value;
  else {
    let n = m[1] === undefined ? node : node[m[1]];
    for (const i of idx.slice(0, -1)) n = n.get(i);
    n.set(idx.at(-1), value);
  }
}

const out = { hasFloat16: typeof DataView.prototype.getFloat16 === 'function', codegen: sc.codegenActive(), checked: 0, mismatches: [] };
for (const file of process.argv.slice(2)) {
  for (const c of JSON.parse(readFileSync(file, 'utf8')).cases) {
    if (!c.leaves.some((l) => l.type === 'f16')) continue;
    const schema = sc.fromJSON(c.schema);
    const v = schema.create();
    const types = new Map(c.leaves.map((l) => [l.path, l.type]));
    for (const { path, value } of c.values) set(v, path, types.get(path) === 'i64' || types.get(path) === 'u64' ? BigInt(value) : value);
    const image = hex(new Uint8Array(v.$buffer));
    if (image !== c.image) out.mismatches.push(`${file.split('/').pop()} ${c.name}: ${image} != ${c.image}`);
    out.checked++;
  }
}
console.log(JSON.stringify(out));
