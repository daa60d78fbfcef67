// Setup file of the accessor projects: puts this file's thread in the project's accessor mode, and
// tells the threads and processes it starts (which inherit process.env) which library to load and
// in which mode (test/workers/library.mjs reads both).
//
//   SHAREDCTYPES_TEST_CODEGEN   'auto' (project codegen: generated accessors) or 'off' (project
//                               interpreted: the twin that CSP-restricted pages use); set by
//                               vitest.config.ts for each project
//   SHAREDCTYPES_TEST_LIBRARY   file: URL of the bundle test/setup/library.ts built from src/
import { inject } from 'vitest';
import { configure } from '../../src/index.js';

const mode = process.env['SHAREDCTYPES_TEST_CODEGEN'];
if (mode !== 'auto' && mode !== 'off') throw new Error(`test/setup/accessors.ts: SHAREDCTYPES_TEST_CODEGEN is 'auto' or 'off' (got ${JSON.stringify(mode)})`);
configure({ codegen: mode });
process.env['SHAREDCTYPES_TEST_LIBRARY'] = inject('library').url;
