// Runs one scenario of scenarios.mjs in a worker thread, against the library under test (the bundle
// of src/ in the project's accessor mode, see library.mjs).
import { parentPort, workerData } from 'node:worker_threads';
import { sc } from './library.mjs';
import { scenarios } from './scenarios.mjs';

const run = scenarios[workerData.scenario];
if (run === undefined) throw new Error(`no scenario ${workerData.scenario}`);
const result = await run(sc, workerData);
parentPort.postMessage({ result });
