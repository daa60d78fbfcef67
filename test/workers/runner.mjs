// Runs one scenario of scenarios.mjs (or of the module named by workerData.scenarios, e.g.
// test/channels/scenarios.mjs) in a worker thread, against the library under test (the bundle of
// src/ in the project's accessor mode, see library.mjs).
import { parentPort, workerData } from 'node:worker_threads';
import { sc } from './library.mjs';

const { scenarios } = await import(workerData.scenarios ?? './scenarios.mjs');

// Other platforms, simulated honestly before the scenario runs (the library probes both lazily, at
// first use): a thread where Atomics.wait throws, as on a browser's main thread; a Node without
// process.getBuiltinModule (20.0–20.15), which has no way to reach worker_threads' threadId.
if (workerData.forbidBlocking)
  Atomics.wait = () => {
    throw new TypeError('Atomics.wait cannot be called in this context');
  };
if (workerData.noGetBuiltinModule) delete process.getBuiltinModule;

const run = scenarios[workerData.scenario];
if (run === undefined) throw new Error(`no scenario ${workerData.scenario}`);
const result = await run(sc, workerData);
parentPort.postMessage({ result });
