#!/usr/bin/env node
/**
 * The package's `bin`: runs `sharedctypes <command>` (see `main.ts`) with this process's arguments
 * and standard streams.
 *
 * @module
 */
import { main, readBounded } from './main.js';

process.exitCode = main(process.argv.slice(2), {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  stdin: () => readBounded(0, '<stdin>'),
});
