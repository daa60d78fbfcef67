// Lists the public exports of src/index.ts whose TSDoc lacks a summary or an @example.
//
//   npm run docs:check            (report; exit 0)
//   npm run docs:check -- --strict (exit 1 when anything is missing)
//
// Uses the TypeDoc installed beside its own TypeScript 5.x in this folder, an npm workspace (the
// repository's TypeScript 7 has no JS API). The options are those of typedoc.json, minus the HTML output.
import { fileURLToPath } from 'node:url';
import { Application, ReflectionKind } from 'typedoc';

const here = fileURLToPath(new URL('.', import.meta.url));
process.chdir(here);
// skipErrorChecking: TypeScript's diagnostics are not this check's business (`npm run typecheck`
// runs the repository's compiler); skipping them halves TypeDoc's time (~7 -> ~4 s of CPU).
const app = await Application.bootstrap({ options: 'typedoc.json', logLevel: 'Error', skipErrorChecking: true });
const project = await app.convert();
if (project === undefined) {
  console.error('TypeDoc could not convert the project');
  process.exit(2);
}

/** The comments that document a reflection: its own, its signatures', its accessor's. */
function commentsOf(r) {
  const out = [];
  if (r.comment) out.push(r.comment);
  for (const s of r.signatures ?? []) if (s.comment) out.push(s.comment);
  if (r.getSignature?.comment) out.push(r.getSignature.comment);
  return out;
}

const kinds = ReflectionKind;
const rows = [];
for (const r of project.children ?? []) {
  if (r.kindOf(kinds.Reference)) continue; // re-exports under a second name (Array = SharedArray)
  const comments = commentsOf(r);
  const summary = comments.some((c) => c.summary.some((p) => p.text.trim() !== ''));
  const example = comments.some((c) => c.blockTags.some((t) => t.tag === '@example'));
  // Types need a summary; values (functions, classes, constants) need an example too.
  const isValue = r.kindOf(kinds.Function | kinds.Class | kinds.Variable);
  if (!summary || (isValue && !example)) {
    rows.push({ name: r.name, kind: ReflectionKind.singularString(r.kind), summary, example });
  }
}

const total = project.children?.length ?? 0;
console.log(`${total} public exports; ${rows.length} lack docs (a summary) or, for values, an @example:\n`);
console.log('| export | kind | summary | @example |\n|---|---|---|---|');
for (const r of rows.sort((a, b) => a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name))) {
  console.log(`| \`${r.name}\` | ${r.kind} | ${r.summary ? 'yes' : '**no**'} | ${r.example ? 'yes' : '**no**'} |`);
}
if (process.argv.includes('--strict') && rows.length > 0) process.exit(1);
