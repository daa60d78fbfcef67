"""Python baseline for bench/sync.mjs: multiprocessing.Value('i', 0) incremented under its lock.

    python3 bench/python_value.py [increments_per_process] [samples] [processes]

PROCS processes each run `with v.get_lock(): v.value += 1` INCREMENTS times. The processes are
started first and meet the main process at a Barrier; the clock starts when the barrier opens
and stops at the latest per-process end time (time.perf_counter is CLOCK_MONOTONIC, comparable
across processes on Linux), so process start-up and exit are not timed. One untimed warm-up run
(a tenth of the increments) precedes the timed samples. The final count is checked to be exact.
Prints one JSON object on stdout.
"""

import json
import multiprocessing as mp
import platform
import statistics
import sys
import time


def worker(v, barrier, ends, k, n):
    barrier.wait()
    for _ in range(n):
        with v.get_lock():
            v.value += 1
    ends[k] = time.perf_counter()


def run(ctx, n, procs):
    v = ctx.Value("i", 0)
    barrier = ctx.Barrier(procs + 1)
    ends = ctx.Array("d", procs, lock=False)
    ps = [ctx.Process(target=worker, args=(v, barrier, ends, k, n)) for k in range(procs)]
    for p in ps:
        p.start()
    barrier.wait()
    t0 = time.perf_counter()
    for p in ps:
        p.join()
    t1 = max(ends)
    if v.value != n * procs:
        raise SystemExit(f"lost updates: {v.value} != {n * procs}")
    return t1 - t0


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    samples = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    procs = int(sys.argv[3]) if len(sys.argv) > 3 else 2
    method = "fork" if "fork" in mp.get_all_start_methods() else mp.get_start_method()
    ctx = mp.get_context(method)
    run(ctx, max(1, n // 10), procs)  # warm-up (untimed)
    times = [run(ctx, n, procs) for _ in range(samples)]
    med = statistics.median(times)
    print(
        json.dumps(
            {
                "python": platform.python_implementation(),
                "version": platform.python_version(),
                "startMethod": method,
                "processes": procs,
                "incrementsPerProcess": n,
                "samplesS": times,
                "medianS": med,
                "finalCount": n * procs,
                "incrementsPerSecond": n * procs / med,
            }
        )
    )


if __name__ == "__main__":
    main()
