"""Python baseline for bench/channels.mjs: multiprocessing.Queue and SimpleQueue between processes.

    python3 bench/python_queue.py [items_per_producer] [samples] [producers] [consumers]

Each of PRODUCERS processes puts ITEMS items (a float, or a Particle as an 8-tuple: x, y, z, vx,
vy, vz, id, alive) and CONSUMERS processes get them until each receives a None sentinel (one per
consumer, put by the main process after the producers finish). Processes meet at a Barrier; the
clock starts when it opens and stops at the latest consumer end time (time.perf_counter is
CLOCK_MONOTONIC, comparable across processes on Linux), so process start-up and exit are not
timed. Consumers check the count and the sum of ids. One untimed warm-up run (a tenth of the items)
precedes the timed samples. Prints one JSON object on stdout.
"""

import json
import multiprocessing as mp
import platform
import statistics
import sys
import time


def produce(q, barrier, k, n, kind):
    barrier.wait()
    base = k * n
    if kind == "f64":
        for i in range(n):
            q.put(float(base + i))
    else:
        for i in range(n):
            j = base + i
            q.put((j * 0.5, -j, j + 0.25, 0.5, -1.0, 1.5, j, j & 1))


def consume(q, barrier, ends, sums, counts, k, kind):
    barrier.wait()
    s = 0
    c = 0
    while True:
        item = q.get()
        if item is None:
            break
        s += int(item) if kind == "f64" else item[6]
        c += 1
    ends[k] = time.perf_counter()
    sums[k] = s
    counts[k] = c


def run(ctx, queue_class, kind, n, producers, consumers):
    q = getattr(ctx, queue_class)()
    barrier = ctx.Barrier(producers + consumers + 1)
    ends = ctx.Array("d", consumers, lock=False)
    sums = ctx.Array("q", consumers, lock=False)
    counts = ctx.Array("q", consumers, lock=False)
    ps = [ctx.Process(target=produce, args=(q, barrier, k, n, kind)) for k in range(producers)]
    cs = [ctx.Process(target=consume, args=(q, barrier, ends, sums, counts, k, kind)) for k in range(consumers)]
    for p in ps + cs:
        p.start()
    barrier.wait()
    t0 = time.perf_counter()
    for p in ps:
        p.join()
    for _ in cs:
        q.put(None)
    for c in cs:
        c.join()
    total = n * producers
    if sum(counts) != total or sum(sums) != total * (total - 1) // 2:
        raise SystemExit(f"{queue_class} {kind}: lost or repeated items ({sum(counts)} of {total})")
    return max(ends) - t0


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    samples = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    producers = int(sys.argv[3]) if len(sys.argv) > 3 else 2
    consumers = int(sys.argv[4]) if len(sys.argv) > 4 else 2
    method = "fork" if "fork" in mp.get_all_start_methods() else mp.get_start_method()
    ctx = mp.get_context(method)
    results = {}
    for queue_class in ("Queue", "SimpleQueue"):
        for kind in ("f64", "Particle"):
            run(ctx, queue_class, kind, max(1, n // 10), producers, consumers)  # warm-up (untimed)
            times = [run(ctx, queue_class, kind, n, producers, consumers) for _ in range(samples)]
            med = statistics.median(times)
            results[f"{queue_class} {kind}"] = {"samplesS": times, "medianS": med, "itemsPerSecond": n * producers / med}
    print(
        json.dumps(
            {
                "python": platform.python_implementation(),
                "version": platform.python_version(),
                "startMethod": method,
                "itemsPerProducer": n,
                "producers": producers,
                "consumers": consumers,
                "results": results,
            }
        )
    )


if __name__ == "__main__":
    main()
