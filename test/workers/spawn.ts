// Starts scenario workers and collects their results; a worker that does not finish in time is
// terminated and the test fails instead of hanging.
import { MessagePort, Worker } from 'node:worker_threads';

const RUNNER = new URL('./runner.mjs', import.meta.url);

export interface Running<T> {
  readonly worker: Worker;
  readonly result: Promise<T>;
}

export function start<T = unknown>(scenario: string, data: Record<string, unknown>, timeoutMs = 30_000): Running<T> {
  const transferList = Object.values(data).filter((v): v is MessagePort => v instanceof MessagePort);
  const worker = new Worker(RUNNER, { workerData: { scenario, ...data }, transferList });
  const result = new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      void worker.terminate();
      reject(new Error(`worker ${scenario} did not finish within ${timeoutMs} ms`));
    }, timeoutMs);
    worker.once('message', (m: { result: T }) => {
      clearTimeout(timer);
      resolve(m.result);
    });
    worker.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    worker.once('exit', (code) => {
      clearTimeout(timer);
      if (code !== 0) reject(new Error(`worker ${scenario} exited with code ${code}`));
    });
  });
  result.catch(() => {}); // a worker the test terminates on purpose rejects unobserved
  return { worker, result };
}

export function run<T = unknown>(scenario: string, data: Record<string, unknown>, timeoutMs?: number): Promise<T> {
  return start<T>(scenario, data, timeoutMs).result;
}
