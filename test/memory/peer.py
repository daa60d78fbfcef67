"""The Python peer of the cross-process tests (processes.test.ts): maps the segment named in its
job with python/sharedctypes.py, uses the ctypes classes toCtypes() wrote for the test's schemas,
does the job and prints one JSON line. The job is the first argument, as JSON."""
import ctypes
import importlib.util
import json
import multiprocessing
import os
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', '..', 'python'))
import sharedctypes  # noqa: E402

job = json.loads(sys.argv[1])
if 'module' in job:
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


def _registry(shm):
    """The ThreadRegistry the tests put at byte 64 of the segment (capacity 8, as peer.mjs's)."""
    return sharedctypes.ThreadRegistry(shm, job.get('registry', 64), job.get('capacity', 8))


def _lock_of(s):
    """The Lock (job kind 'lock') or the RLock ('rlock') of `Shared`, and the address of its owner word."""
    member = s.rlock if job.get('kind') == 'rlock' else s.lock
    cls = sharedctypes.RLock if job.get('kind') == 'rlock' else sharedctypes.Lock
    return cls(member), sharedctypes.address_of(member)


def registered_count(shm):
    """Joins the registry (tag: this process's pid) and increments, in job['threads'] threads, `times`
    times each: n under the Lock, or rn under the RLock re-entered. Counts the holds whose lock word
    recorded this process's registry identity (all of them, when the join works)."""
    registry = _registry(shm)
    me = registry.join()
    s = schemas.Shared.from_buffer(shm.buf)
    lock, word = _lock_of(s)
    recorded = [0]
    sharedctypes.fetch_add(sharedctypes.address_of(s, 28), 1)  # started

    def work():
        for _ in range(job['times']):
            with lock:
                if job.get('kind') == 'rlock':
                    with lock:
                        s.rn = s.rn + 1
                else:
                    s.n = s.n + 1
                if sharedctypes.load(word) & 0x0FFFFFFF == me:
                    recorded[0] += 1

    threads = [threading.Thread(target=work) for _ in range(job.get('threads', 1))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    registry.leave()
    del s
    return {'identity': me, 'recorded': recorded[0], 'done': job['times'] * len(threads)}


def robust_hold(shm):
    """Joins the registry, takes the Lock (or the RLock, twice), updates n but not rn (the pair the
    test checks), writes its identity into `started` and 1 into `flag`, and waits inside its critical
    section for ever: the test kills it there."""
    me = _registry(shm).join()
    s = schemas.Shared.from_buffer(shm.buf)
    lock, _ = _lock_of(s)
    lock.acquire()
    if job.get('kind') == 'rlock':
        lock.acquire()
    s.n = s.n + 1
    sharedctypes.exchange(sharedctypes.address_of(s, 28), me)
    sharedctypes.exchange(sharedctypes.address_of(s, 24), 1)
    ready = sharedctypes.address_of(s, 32)
    while True:
        sharedctypes.futex_wait(ready, sharedctypes.load(ready))


def dead_waiter(shm):
    """Waits for the Lock (or RLock) that a peer holds until it is killed; joins the registry first
    when job['join']. With job['repair']: with_lock(fn, repair), the repair completing the dead
    holder's update (rn = n) and fn adding 1 to both; else a plain acquire. Reports what happened."""
    registry = _registry(shm)
    if job.get('join'):
        registry.join()
    s = schemas.Shared.from_buffer(shm.buf)
    lock, _ = _lock_of(s)
    out = {}
    if job.get('repair'):
        repairs = [0]

        def repair():
            repairs[0] += 1
            s.rn = s.n

        def both():
            s.n = s.n + 1
            s.rn = s.rn + 1

        lock.with_lock(both, repair)
        out['repairs'] = repairs[0]
    else:
        try:
            got = lock.acquire(timeout=job.get('timeout', -1))
            out['result'] = 'acquired' if got else 'timed out'
            if got:
                lock.release()
        except sharedctypes.OwnerDeadError:
            out['result'] = 'OwnerDeadError'
    out['locked'] = lock.locked()
    out['consistent'] = lock.is_consistent()
    registry.leave()
    del s
    return out


#: Word 14 of the segment (byte 56, after `Shared`): the pid of the child a Python parent started.
CHILD_PID_AT = 56


def _until_marked(registry, pid):
    """Waits (bounded) until the registry no longer has a live member `pid`: the watcher thread's mark."""
    deadline = time.monotonic() + 20
    while registry.is_alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.001)
    return True


def watch_parent(shm):
    """A Python parent: starts job['child'] (a command line: a peer holding the Lock), watch()es it,
    publishes its pid, and waits for it to end (the test kills it) and for the watcher's mark."""
    registry = _registry(shm)
    child = subprocess.Popen(job['child'], stdout=subprocess.DEVNULL)
    registry.watch(child)
    sharedctypes.exchange(sharedctypes.address_of(shm, CHILD_PID_AT), child.pid)
    child.wait()
    return {'child': child.pid, 'returncode': child.returncode, 'markedDead': _until_marked(registry, child.pid)}


_MEMBER = """import sys
sys.path.insert(0, {path!r})
import sharedctypes
shm = sharedctypes.attach({name!r})
sharedctypes.ThreadRegistry(shm, {at}, {capacity}).join()
print('joined', flush=True)
sys.stdin.read()
"""


def _member_child(shm):
    """A Python child that joins the registry with its pid and waits until its stdin closes (or it is killed)."""
    code = _MEMBER.format(path=os.path.join(HERE, '..', '..', 'python'), name=shm.name, at=job.get('registry', 64), capacity=job.get('capacity', 8))
    child = subprocess.Popen([sys.executable, '-c', code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == 'joined'
    return child


def _member_process(name, at, capacity, ready, done):
    shm = sharedctypes.attach(name)
    sharedctypes.ThreadRegistry(shm, at, capacity).join()
    ready.set()
    done.wait()


def watch_forms(shm):
    """What watch() takes, each checked against the registry: a Popen killed after watch(), one
    already reaped before it, a process id, a multiprocessing.Process, and the errors."""
    registry = _registry(shm)
    out = {}
    popen = _member_child(shm)
    registry.watch(popen)
    out['popenAlive'] = registry.is_alive(popen.pid)
    popen.kill()
    out['popenMarked'] = _until_marked(registry, popen.pid)
    popen.wait()

    reaped = _member_child(shm)
    reaped.kill()
    reaped.wait()
    out['reapedAliveBefore'] = registry.is_alive(reaped.pid)  # dead, but nobody said so yet
    registry.watch(reaped)
    out['reapedAliveAfter'] = registry.is_alive(reaped.pid)  # marked at once: returncode says it ended

    by_pid = _member_child(shm)
    registry.watch(by_pid.pid)
    by_pid.stdin.close()  # it ends by itself
    out['pidMarked'] = _until_marked(registry, by_pid.pid)
    by_pid.wait()

    ctx = multiprocessing.get_context('spawn')
    ready, done = ctx.Event(), ctx.Event()
    proc = ctx.Process(target=_member_process, args=(shm.name, job.get('registry', 64), job.get('capacity', 8), ready, done))
    out['unstarted'] = error_of(lambda: registry.watch(proc))
    proc.start()
    ready.wait(20)
    registry.watch(proc)
    out['processAlive'] = registry.is_alive(proc.pid)
    done.set()
    proc.join(20)
    out['processMarked'] = _until_marked(registry, proc.pid)

    out['notAProcess'] = error_of(lambda: registry.watch('1234'))
    out['bool'] = error_of(lambda: registry.watch(True))
    out['negative'] = error_of(lambda: registry.watch(-5))
    out['size'] = registry.size
    return out


def registry_protocol(shm):
    """Joins, joins again, looks at the members, tries the errors, leaves, joins again (the next
    generation of its slot) and stays a member when it exits (nobody watches it)."""
    r = _registry(shm)
    out = {'pid': os.getpid(), 'identity': r.join()}
    out['again'] = r.join()
    out['seesJs'] = r.is_alive(job['jsTag'])
    out['size'] = r.size
    out['otherTag'] = error_of(lambda: r.join(os.getpid() + 1))  # already a member
    if job.get('leave', True):
        r.leave()
        out['duplicateTag'] = error_of(lambda: r.join(job['jsTag']))  # a live member has it
        out['badTag'] = error_of(lambda: r.join(-1))
        out['badCapacity'] = error_of(lambda: sharedctypes.ThreadRegistry(shm, 64, 0))
        one = (ctypes.c_int32 * 2)(0x08000001, 7)  # a registry of one slot, held by a live member
        out['full'] = error_of(lambda: sharedctypes.ThreadRegistry(one, 0, 1).join())
        out['afterLeave'] = {'alive': r.is_alive(os.getpid()), 'size': r.size}
        out['rejoined'] = r.join()
        out['markDeadUnknown'] = r.mark_dead(0x7FFFFFFE)
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


def vupdate():
    """Increments the Value of job['handle'] (JSON from share()) `times` times under its lock; with
    job['offset'], finds it by offset instead (sharedctypes.Value(name, offset, 'i'))."""
    if 'offset' in job:
        v = sharedctypes.Value(job['name'], job['offset'], 'i')
    else:
        v = sharedctypes.from_handle(job['handle'])
    started = sharedctypes.from_handle(job['started'])
    sharedctypes.fetch_add(ctypes.addressof(started), 1)
    for _ in range(job['times']):
        with v.get_lock():
            v.value += 1  # .value takes the RLock again: re-entered
    result = {'done': job['times'], 'lock': type(v.get_lock()).__name__}
    del v, started
    return result


def aupdate():
    """Element job['index'] of the Array of job['handle'] += 1, `times` times, under its lock."""
    a = sharedctypes.from_handle(job['handle'])
    started = sharedctypes.from_handle(job['started'])
    sharedctypes.fetch_add(ctypes.addressof(started), 1)
    i = job['index']
    for _ in range(job['times']):
        with a:
            a[i] += 1
    del a, started
    return {'done': job['times']}


def error_of(f):
    try:
        f()
    except Exception as e:  # noqa: BLE001 - the test compares the kinds
        return type(e).__name__
    return None


def deep(handle):
    """The handle with its descriptor's root nested 10,000 arrays deep (JavaScript refuses such a schema)."""
    root = 'i32'
    for _ in range(10_000):
        root = {'kind': 'array', 'of': root, 'length': 1}
    handle['obj']['schema']['root'] = root
    return handle


def inspect():
    """Finds what JavaScript placed (by handle and by offset), writes through it, and tries the errors."""
    h = job['handles']
    v = sharedctypes.from_handle(h['v'])
    by_offset = sharedctypes.Value(job['name'], 0, 'd')
    a = sharedctypes.from_handle(h['a'])
    a_raw = sharedctypes.Array(job['name'], 36, 'i', 3, lock=False)
    s = sharedctypes.from_handle(h['s'])
    r = sharedctypes.from_handle(h['r'])
    p = sharedctypes.from_handle(h['p'], ctype=schemas.Particle)
    lock = sharedctypes.from_handle(h['lock'])
    result = {
        'v': v.value, 'vByOffset': by_offset.value, 'vLock': type(v.get_lock()).__name__,
        'dataOffset': sharedctypes.data_offset(ctypes.c_double),
        'a': a[:], 'aLen': len(a), 'aRaw': a_raw[:], 's': s.value.decode(), 'sRaw': list(s.raw),
        'r': r[:], 'p': [p.id, p.x, p.alive], 'locked': lock.locked(),
        'errors': {
            'misaligned': error_of(lambda: sharedctypes.Value(job['name'], 2, 'i')),
            'doesNotFit': error_of(lambda: sharedctypes.RawArray(job['name'], 248, 'd', 2)),
            'typecode': error_of(lambda: sharedctypes.Value(job['name'], 0, 'z')),
            'notAType': error_of(lambda: sharedctypes.Value(job['name'], 0, 42)),
            'structWithoutCtype': error_of(lambda: sharedctypes.from_handle(h['p'])),
            'wrongSizeCtype': error_of(lambda: sharedctypes.from_handle(h['v'], ctype=ctypes.c_int32)),
            # v is a double: a float64 of another kind, or the same bytes in the other order, is not it
            'wrongKindCtype': error_of(lambda: sharedctypes.from_handle(h['v'], ctype=ctypes.c_int64)),
            'wrongOrderCtype': error_of(lambda: sharedctypes.from_handle(h['v'], ctype=ctypes.c_double.__ctype_be__)),
            'sameTypeAnotherName': error_of(lambda: sharedctypes.from_handle(h['a'], ctype=ctypes.c_int * 3)),
            'deepDescriptor': error_of(lambda: sharedctypes.from_handle(deep(json.loads(h['a'])))),
            'notAHandle': error_of(lambda: sharedctypes.from_handle({'kind': 'view'})),
            'noSegment': error_of(lambda: sharedctypes.from_handle(dict(json.loads(h['v']), segment=None))),
            'stale': error_of(lambda: sharedctypes.from_handle(job['stale'])),
        },
    }
    with v.get_lock():
        v.value = v.value + 1
    a[0] = 10
    s.value = b'yo'
    r[1] = 80
    p.mass = 99
    del v, by_offset, a, a_raw, s, r, p, lock
    return result


def verify():
    """Takes each handle of job['handles'] in order, with the ctypes class named (from the module,
    or from job['classes']: a program whose failing asserts are tolerated, since they are what some
    tests are about), and reports what from_handle (or Channel.from_handle) did: what it read, or the
    error, the field it names, and whether the segment was mapped in this process at that moment."""
    extra = {}
    try:
        exec(job.get('classes', ''), extra)  # noqa: S102 - the test's own toCtypes output
    except AssertionError:
        pass
    out = {}
    for case in job['handles']:
        cls = None if case.get('ctype') is None else getattr(schemas, case['ctype'], None) or extra[case['ctype']]
        try:
            if case.get('channel'):
                x = sharedctypes.Channel.from_handle(case['handle'], cls)
                got = {'ok': [x.capacity, x.mode]}
            else:
                x = sharedctypes.from_handle(case['handle'], ctype=cls)
                got = {'ok': x.value if isinstance(x, sharedctypes.Synchronized) else [v for v in (getattr(x, f[0]) for f in type(x)._fields_) if isinstance(v, (int, float))]}
            del x
        except sharedctypes.LayoutMismatchError as e:
            got = {'error': 'LayoutMismatchError', 'field': e.field, 'message': str(e)}
        except Exception as e:  # noqa: BLE001 - the test compares the kinds
            got = {'error': type(e).__name__, 'message': str(e)}
        with open('/proc/self/maps') as maps:
            got['mapped'] = f"/dev/shm/{job['name']}" in maps.read()
        out[case['label']] = got
    return out


HANDLE_OPS = {'vupdate': vupdate, 'aupdate': aupdate, 'inspect': inspect, 'verify': verify}
OPS = {'count': count, 'rcount': rcount, 'blocked': blocked, 'refused': refused, 'particles': particles,
       'registeredCount': registered_count, 'registry': registry_protocol, 'robustHold': robust_hold, 'deadWaiter': dead_waiter,
       'watchParent': watch_parent, 'watchForms': watch_forms}


def main():
    if job['op'] in HANDLE_OPS:
        print(json.dumps(HANDLE_OPS[job['op']]()))
        return
    shm = sharedctypes.attach(job['name'])
    try:
        print(json.dumps(OPS[job['op']](shm)))
    finally:
        shm.close()


if __name__ == '__main__':  # a multiprocessing 'spawn' child imports this file again (watch_forms)
    main()
