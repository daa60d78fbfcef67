"""Prints the live counters of examples/cluster-counters.mjs: maps the same segment by name with
python/sharedctypes.py and reads the struct that toCtypes(Counters) describes, taking the struct's
lock (the same Lock the Node workers take) for the fields written together.

    python3 examples/live_counters.py            # refreshes every 0.5 s; Ctrl-C to stop
    python3 examples/live_counters.py --once     # prints once (as JSON) and exits
"""
import ctypes
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'python'))
import sharedctypes  # noqa: E402

ROUTES = ['/', '/hello', '/api/items', 'other']


# ---- toCtypes(Counters), as `node examples/counters-schema.mjs` prints it ----
class Counters(ctypes.Structure):
    _fields_ = [
        ('started', ctypes.c_double),
        ('requests', ctypes.c_uint64),
        ('hits', (ctypes.c_uint32 * 4)),
        ('lock', (ctypes.c_int32 * 1)),
        ('lastWorker', ctypes.c_uint32),
        ('lastBytes', ctypes.c_uint32),
        ('lastPath', (ctypes.c_char * 64)),
    ]

assert ctypes.sizeof(Counters) == 112
assert ctypes.alignment(Counters) == 8
assert getattr(Counters, 'started').offset == 0
assert getattr(Counters, 'requests').offset == 8
assert getattr(Counters, 'hits').offset == 16
assert getattr(Counters, 'lock').offset == 32
assert getattr(Counters, 'lastWorker').offset == 36
assert getattr(Counters, 'lastBytes').offset == 40
assert getattr(Counters, 'lastPath').offset == 44
# ---- end of toCtypes(Counters) ----


def snapshot(c, lock):
    with lock:  # the three "last" fields are written together under this lock
        last = {'worker': c.lastWorker, 'bytes': c.lastBytes, 'path': c.lastPath.decode()}
    return {
        'uptime': round(time.time() - c.started / 1000, 1),
        'requests': c.requests,
        'hits': dict(zip(ROUTES, list(c.hits))),
        'last': last,
    }


def main():
    shm = sharedctypes.attach(os.environ.get('COUNTERS_SEGMENT', 'sharedctypes-demo-counters'))
    c = Counters.from_buffer(shm.buf)
    lock = sharedctypes.Lock(c.lock)
    try:
        if '--once' in sys.argv:
            print(json.dumps(snapshot(c, lock)))
            return
        while True:
            s = snapshot(c, lock)
            hits = '  '.join(f'{r} {n}' for r, n in s['hits'].items())
            print(f"\r{s['requests']:>8} requests  {hits}  last: {s['last']['path']} by {s['last']['worker']}   ", end='', flush=True)
            time.sleep(0.5)
    except KeyboardInterrupt:
        print()
    finally:
        del c  # the ctypes view exports the mapping: drop it before closing
        shm.close()


if __name__ == '__main__':
    main()
