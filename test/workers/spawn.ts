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

/**
 * Long-lived scenario workers, started once and given one scenario per call (as an application's
 * worker pool is): for suites that run many short scenarios, where starting a worker each time
 * would cost more than the scenario. A scenario that does not finish in time terminates the whole
 * pool (its workers may be blocked inside the library) and fails; later calls start new workers.
 */
export class WorkerPool {
  readonly #size: number;
  #workers: Worker[] = [];
  #ids = 0;

  constructor(size: number) {
    this.#size = size;
  }

  /** Runs `scenario` on worker `slot` (0 … size − 1) of the pool. */
  run<T = unknown>(slot: number, scenario: string, data: Record<string, unknown>, timeoutMs = 30_000): Promise<T> {
    if (this.#workers.length === 0) this.#workers = Array.from({ length: this.#size }, () => new Worker(RUNNER, { workerData: { pooled: true } }));
    const worker = this.#workers[slot % this.#size] as Worker;
    const id = this.#ids++;
    return new Promise<T>((resolve, reject) => {
      const onMessage = (m: { id: number; result?: T; error?: string }): void => {
        if (m.id !== id) return;
        done();
        if (m.error !== undefined) reject(new Error(`scenario ${scenario} failed in a pooled worker: ${m.error}`));
        else resolve(m.result as T);
      };
      const onExit = (code: number): void => {
        done();
        reject(new Error(`pooled worker running ${scenario} exited with code ${code}`));
      };
      const timer = setTimeout(() => {
        done();
        void this.close();
        reject(new Error(`scenario ${scenario} did not finish within ${timeoutMs} ms (the pool was terminated)`));
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        worker.off('message', onMessage);
        worker.off('exit', onExit);
      };
      worker.on('message', onMessage);
      worker.on('exit', onExit);
      worker.postMessage({ id, scenario, data });
    });
  }

  /** Terminates the workers (the next `run` starts new ones). */
  async close(): Promise<void> {
    const ws = this.#workers;
    this.#workers = [];
    await Promise.all(ws.map((w) => w.terminate()));
  }
}
