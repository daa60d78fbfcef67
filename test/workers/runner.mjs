// Runs scenarios of scenarios.mjs (or of the module named by workerData.scenarios, e.g.
// test/channels/scenarios.mjs) in a worker thread, against the library under test (the bundle of
// src/ in the project's accessor mode, see library.mjs): one scenario from workerData, then exits;
// or, in a pooled worker (workerData.pooled, see spawn.ts), one scenario per message for as long as
// the worker lives, as a long-lived worker of an application does.
import { parentPort, workerData } from 'node:worker_threads';
import { sc } from './library.mjs';

const modules = new Map();
async function scenario(name, from) {
  const url = from ?? './scenarios.mjs';
  let m = modules.get(url);
  if (m === undefined) {
    m = (await import(url)).scenarios;
    modules.set(url, m);
  }
  const run = m[name];
  if (run === undefined) throw new Error(`no scenario ${name}`);
  return run;
}

if (workerData.pooled) {
  parentPort.on('message', async ({ id, scenario: name, data }) => {
    try {
      const run = await scenario(name, data.scenarios);
      parentPort.postMessage({ id, result: await run(sc, data) });
    } catch (e) {
      parentPort.postMessage({ id, error: e instanceof Error ? `${e.stack ?? e.message}` : String(e) });
    }
  });
} else {
  // Other platforms, simulated honestly before the scenario runs (the library probes both lazily, at
  // first use): a thread where Atomics.wait throws, as on a browser's main thread; a Node without
  // process.getBuiltinModule (20.0–20.15), which has no way to reach worker_threads' threadId.
  if (workerData.forbidBlocking)
    Atomics.wait = () => {
      throw new TypeError('Atomics.wait cannot be called in this context');
    };
  if (workerData.noGetBuiltinModule) delete process.getBuiltinModule;
  const run = await scenario(workerData.scenario, workerData.scenarios);
  const result = await run(sc, workerData);
  parentPort.postMessage({ result });
}
