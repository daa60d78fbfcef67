#!/usr/bin/env node
/**
 * The package's `bin`: runs `sharedctypes <command>` (see `main.ts`) with this process's arguments
 * and standard streams.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { main } from './main.js';

process.exitCode = main(process.argv.slice(2), {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  stdin: () => readFileSync(0, 'utf8'),
});
