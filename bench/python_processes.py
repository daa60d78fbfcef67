"""Python side of bench/processes.mjs. Prints one JSON object per command.

    python3 bench/python_processes.py mplock N SAMPLES
        multiprocessing.Lock across 2 processes, each incrementing a shared int N times under it
        (Value('i', lock=False) guarded by one mp.Lock); clock from a Barrier opening to the later
        process's end (CLOCK_MONOTONIC, comparable across processes). Median of SAMPLES.
    python3 bench/python_processes.py pickle N SAMPLES
        N Particle records (tuples of the 8 fields of bench's Particle) sent from one process to
        another through a multiprocessing.Pipe as one pickled list; clock from the send to the
        receiver having read every field (the same checksum as the segment reader); also the time
        until the receiver holds them all (recv() returned).
    python3 bench/python_processes.py serve
        Reads commands from stdin, one JSON reply each:
        - `read NAME N`: a fresh mapping per transfer. Attaches the segment NAME
          (python/sharedctypes.py), views its N Particles with numpy (a structured dtype with the
          struct's offsets), reads every field (checksum) in one pass over the memory (chunks of
          4096 records) and closes it; replies with the checksum and the ms from the command to
          holding the view (haveMs) and to having read every field (readMs).
        - `open NAME N`: attaches NAME and keeps the view (a standing reader, as a pipe is opened
          once); `reread`: reads every field of the kept view (checksum, readMs); `drop`: closes it.
"""

import json
import multiprocessing as mp
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'python'))


def _mplock_worker(v, lock, barrier, ends, k, n):
    barrier.wait()
    for _ in range(n):
        with lock:
            v.value += 1
    ends[k] = time.perf_counter()


def mplock(n, samples):
    ctx = mp.get_context('fork')

    def run(m):
        v = ctx.Value('i', 0, lock=False)
        lock = ctx.Lock()
        barrier = ctx.Barrier(3)
        ends = ctx.Array('d', 2, lock=False)
        ps = [ctx.Process(target=_mplock_worker, args=(v, lock, barrier, ends, k, m)) for k in range(2)]
        for p in ps:
            p.start()
        barrier.wait()
        t0 = time.perf_counter()
        for p in ps:
            p.join()
        if v.value != 2 * m:
            raise SystemExit(f'lost updates: {v.value}')
        return max(ends) - t0

    run(max(1, n // 10))
    times = [run(n) for _ in range(samples)]
    return {'medianMs': statistics.median(times) * 1e3, 'samplesMs': [t * 1e3 for t in times]}


def checksum_tuples(ps):
    s = 0.0
    for (x, y, z, vx, vy, vz, pid, alive) in ps:
        s += x + y + z + vx + vy + vz + pid + alive
    return s


def _pickle_receiver(conn, out):
    ps = conn.recv()
    t_have = time.perf_counter()
    out.put((checksum_tuples(ps), t_have, time.perf_counter()))


def pickle_pipe(n, samples):
    ctx = mp.get_context('fork')
    ps = [(i * 0.5, -i * 1.0, i * 0.25, 1.0, 2.0, 3.0, i, i & 1) for i in range(n)]
    times = []
    have = []
    for _ in range(samples + 1):
        a, b = ctx.Pipe()
        out = ctx.Queue()
        p = ctx.Process(target=_pickle_receiver, args=(b, out))
        p.start()
        t0 = time.perf_counter()
        a.send(ps)
        s, t_have, t1 = out.get()
        p.join()
        times.append(t1 - t0)
        have.append(t_have - t0)
    times, have = times[1:], have[1:]  # the first is a warm-up
    return {'medianMs': statistics.median(times) * 1e3, 'haveMs': statistics.median(have) * 1e3, 'samplesMs': [t * 1e3 for t in times], 'checksum': s}


def serve():
    import numpy as np
    import sharedctypes

    # bench's Particle: x, y, z f64 @0/8/16; vx, vy, vz f32 @24/28/32; id u32 @36; alive u8 @40; size 48
    dtype = np.dtype({'names': ['x', 'y', 'z', 'vx', 'vy', 'vz', 'id', 'alive'],
                      'formats': ['<f8', '<f8', '<f8', '<f4', '<f4', '<f4', '<u4', 'u1'],
                      'offsets': [0, 8, 16, 24, 28, 32, 36, 40], 'itemsize': 48})

    def read_every_field(a):
        # One pass over the memory: chunks of 4096 records (192 KiB, in L2) with every field summed
        # per chunk, so each cache line is loaded once (a whole-column sum per field would load the
        # 48 MB eight times: ~2.5x slower on a machine bound by memory bandwidth).
        sums = np.zeros(len(dtype.names))
        for i in range(0, a.shape[0], 4096):
            chunk = a[i:i + 4096]
            for k, f in enumerate(dtype.names):
                sums[k] += chunk[f].sum(dtype=np.float64)
        return float(sums.sum())

    kept = None  # (shm, view) of `open`
    print(json.dumps({'ready': True}), flush=True)
    for line in sys.stdin:
        t0 = time.perf_counter()
        cmd, *args = line.split()
        if cmd == 'read':
            shm = sharedctypes.attach(args[0])
            a = np.frombuffer(shm.buf, dtype=dtype, count=int(args[1]))
            t_have = time.perf_counter()
            s = read_every_field(a)
            t1 = time.perf_counter()
            del a  # a view of the mapping: close() refuses while one exists
            shm.close()
            print(json.dumps({'checksum': s, 'haveMs': (t_have - t0) * 1e3, 'readMs': (t1 - t0) * 1e3}), flush=True)
        elif cmd == 'open':
            shm = sharedctypes.attach(args[0])
            kept = (shm, np.frombuffer(shm.buf, dtype=dtype, count=int(args[1])))
            print(json.dumps({'ok': True}), flush=True)
        elif cmd == 'reread':
            s = read_every_field(kept[1])
            print(json.dumps({'checksum': s, 'readMs': (time.perf_counter() - t0) * 1e3}), flush=True)
        elif cmd == 'drop':
            shm = kept[0]
            kept = None
            shm.close()
            print(json.dumps({'ok': True}), flush=True)


if __name__ == '__main__':
    what = sys.argv[1]
    if what == 'serve':
        serve()
    else:
        n, samples = int(sys.argv[2]), int(sys.argv[3])
        print(json.dumps(mplock(n, samples) if what == 'mplock' else pickle_pipe(n, samples)))
