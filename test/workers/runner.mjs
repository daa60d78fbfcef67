// Runs one scenario of scenarios.mjs in a worker thread, against the built package (dist/).
import { parentPort, workerData } from 'node:worker_threads';
import * as sc from '../../dist/index.js';
import { scenarios } from './scenarios.mjs';

const run = scenarios[workerData.scenario];
if (run === undefined) throw new Error(`no scenario ${workerData.scenario}`);
const result = await run(sc, workerData);
parentPort.postMessage({ result });
