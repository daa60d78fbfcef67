"""The Python peer of the cross-process tests (processes.test.ts): maps the segment named in its
job with python/sharedctypes.py, uses the ctypes classes toCtypes() wrote for the test's schemas,
does the job and prints one JSON line. The job is the first argument, as JSON."""
import importlib.util
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', '..', 'python'))
import sharedctypes  # noqa: E402

job = json.loads(sys.argv[1])
spec = importlib.util.spec_from_file_location('schemas', job['module'])
schemas = importlib.util.module_from_spec(spec)
spec.loader.exec_module(schemas)


def count(shm):
    s = schemas.Shared.from_buffer(shm.buf)
    lock = sharedctypes.Lock(s.lock)
    for _ in range(job['times']):
        with lock:
            s.n = s.n + 1
    del s
    return {'done': job['times']}


def rcount(shm):
    s = schemas.Shared.from_buffer(shm.buf)
    lock = sharedctypes.RLock(s.rlock)
    for _ in range(job['times']):
        with lock:
            with lock:
                s.rn = s.rn + 1
    del s
    return {'done': job['times']}


def blocked(shm):
    """Marks `flag`, then takes the lock that the test holds: returns once the test's release woke it."""
    s = schemas.Shared.from_buffer(shm.buf)
    lock = sharedctypes.Lock(s.lock)
    s.flag = 1
    got = lock.acquire(timeout=job.get('timeout', -1))
    if got:
        lock.release()
    del s
    return {'got': got}


def refused(shm):
    """Tries the Lock and the RLock of `Shared`; reports, for each, what happened and whether it is held after."""
    s = schemas.Shared.from_buffer(shm.buf)
    out = {}
    for name, lock in (('lock', sharedctypes.Lock(s.lock)), ('rlock', sharedctypes.RLock(s.rlock))):
        try:
            if lock.acquire(timeout=20):
                lock.release()
                out[name] = 'acquired'
            else:
                out[name] = 'timed out'
        except sharedctypes.OwnerDeadError:
            out[name] = 'OwnerDeadError'
        out[name + 'Held'] = lock.locked()
    del s
    return out


def particles(shm):
    """Reads every particle and compares it with what peer.mjs wrote; returns the mismatches."""
    n = job['count']
    ps = (schemas.Particle * n).from_buffer(shm.buf)
    bad = []
    for i in range(n):
        p = ps[i]
        if p.id != i or p.x != i * 0.5 or p.y != float(-i) or abs(p.z - i / 3) > 1e-6 * max(1, i) or p.alive != (i % 3 == 0) or p.mass != i % 1000:
            bad.append(i)
            if len(bad) > 10:
                break
    del p, ps
    return {'read': n, 'bad': bad}


shm = sharedctypes.attach(job['name'])
try:
    print(json.dumps({'count': count, 'rcount': rcount, 'blocked': blocked, 'refused': refused, 'particles': particles}[job['op']](shm)))
finally:
    shm.close()
