"""sharedctypes for Python: the same bytes and the same locks as the JavaScript package.

A process written in Python maps a named segment made by Node, Bun or Deno (or by Python), reads
and writes its structs through the ctypes classes that ``toCtypes(schema)`` prints, and takes the
locks that live in it (``mutex()`` and ``rmutex()`` members) with the same protocol the JavaScript
side uses: compare-and-swap on the lock word (libatomic) and the Linux futex system call (libc),
without FUTEX_PRIVATE_FLAG, so JavaScript and Python processes wake each other.

Pure Python on ctypes: no compiler. Linux (x86-64, arm64) with libatomic.so.1 (Debian/Ubuntu:
``apt-get install libatomic1``; it comes with gcc).

    import sharedctypes
    from counters import Counters            # written by toCtypes(Counters) in JavaScript

    shm = sharedctypes.attach('counters')    # like SharedMemory(name='counters'), untracked
    c = Counters.from_buffer(shm.buf)
    with sharedctypes.Lock(c.lock):          # the struct's mutex() member
        c.hits += 1

``Value``, ``Array``, ``RawValue`` and ``RawArray`` that JavaScript placed in a segment
(``Value('i', 0, { memory: shm, byteOffset })``) are found by offset, as Python's
multiprocessing.sharedctypes objects, lock included:

    hits = sharedctypes.Value(shm, 64, 'i')    # the RLock at 64, the int at 76
    with hits.get_lock():
        hits.value += 1

or from the handle ``JSON.stringify(share(hits))`` that JavaScript sent:

    hits = sharedctypes.from_handle(handle_json)

``from_handle`` checks the handle's layout fingerprint (JavaScript's ``fingerprint(T)``) against the
layout ctypes builds, before it maps anything: ``fingerprint(descriptor, ctype)`` computes it from
the ctypes classes (every size, offset, bit position and byte order as ctypes gives them), and a
handle whose descriptor was forged, a class that is not the shared type, or a bitfield that ctypes
places elsewhere than the C compiler (Python 3.11 ... 3.13 do for some layouts) is refused with a
``LayoutMismatchError`` (a ValueError) naming the member.

A Python process can be a member of a ``ThreadRegistry`` living in a segment, as JavaScript threads
and processes are: its locks then record its registry identity, and when it dies inside a critical
section, the JavaScript parent that watches it (``registry.watch(childProcess)``) marks it dead and a
waiter recovers the lock (``OwnerDeadError``, or ``with_lock(fn, repair)``):

    registry = sharedctypes.ThreadRegistry(shm, 2048, 64)   # JavaScript: new ThreadRegistry(64, { buffer: shm.buf, byteOffset: 2048 })
    registry.join()                                         # tag: this process's pid
    lock = sharedctypes.Lock(c.lock)
    lock.with_lock(lambda: update(c), repair=lambda: fix(c))

The words of locks and of the registry are described at "owners, the registry, and locks" below,
the fingerprint at "layout fingerprints".
"""

import array as _array
import ctypes
import ctypes.util
import errno
import functools
import json
import os
import platform
import queue
import selectors
import sys
import threading
import time
from multiprocessing import resource_tracker
from multiprocessing.shared_memory import SharedMemory

__all__ = [
    'attach', 'create', 'Lock', 'RLock', 'OwnerDeadError', 'address_of', 'identity',
    'RawValue', 'RawArray', 'Value', 'Array', 'Synchronized', 'SynchronizedArray', 'SynchronizedString', 'from_handle',
    'Channel', 'ChannelClosedError', 'ChannelCorruptError', 'fingerprint', 'check_layout', 'hash64', 'LayoutMismatchError', 'ThreadRegistry',
]

_SYS_FUTEX = {'x86_64': 202, 'amd64': 202, 'aarch64': 98, 'arm64': 98, 'riscv64': 98}
_FUTEX_WAIT = 0
_FUTEX_WAKE = 1
_SEQ_CST = 5
_EAGAIN = 11
_ETIMEDOUT = 110
_EINTR = 4


def _load():
    if not sys.platform.startswith('linux'):
        raise OSError('sharedctypes: process-shared locks need Linux (the futex system call)')
    machine = platform.machine().lower()
    if machine not in _SYS_FUTEX:
        raise OSError(f'sharedctypes: the futex system call number of {machine} is not known here (supported: x86_64, aarch64)')
    libc = ctypes.CDLL(ctypes.util.find_library('c') or 'libc.so.6', use_errno=True)
    name = ctypes.util.find_library('atomic') or 'libatomic.so.1'
    try:
        atomic = ctypes.CDLL(name)
    except OSError as e:
        raise OSError('sharedctypes: libatomic.so.1 is needed for compare-and-swap from Python (Debian/Ubuntu: apt-get install libatomic1)') from e
    syscall = libc.syscall
    syscall.restype = ctypes.c_long
    syscall.argtypes = [ctypes.c_long, ctypes.c_void_p, ctypes.c_int, ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int]
    cas = atomic.__atomic_compare_exchange_4
    cas.restype = ctypes.c_bool
    cas.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_uint32, ctypes.c_int, ctypes.c_int]
    xchg = atomic.__atomic_exchange_4
    xchg.restype = ctypes.c_uint32
    xchg.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_int]
    add = atomic.__atomic_fetch_add_4
    add.restype = ctypes.c_uint32
    add.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_int]
    load = atomic.__atomic_load_4
    load.restype = ctypes.c_uint32
    load.argtypes = [ctypes.c_void_p, ctypes.c_int]
    or_ = atomic.__atomic_fetch_or_4
    and_ = atomic.__atomic_fetch_and_4
    for f in (or_, and_):
        f.restype = ctypes.c_uint32
        f.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_int]
    return _SYS_FUTEX[machine], syscall, cas, xchg, add, load, or_, and_


_SYS, _syscall, _cas4, _xchg4, _add4, _load4, _or4, _and4 = _load()


def _i32(v):
    """An unsigned 32-bit value as the signed int32 JavaScript's Int32Array reads."""
    return v - 0x100000000 if v & 0x80000000 else v


def cas(address, expected, desired):
    """Compare-and-swap on the int32 at ``address``; returns the previous value (as Atomics.compareExchange)."""
    e = ctypes.c_uint32(expected & 0xFFFFFFFF)
    _cas4(address, ctypes.byref(e), desired & 0xFFFFFFFF, _SEQ_CST, _SEQ_CST)
    return _i32(e.value)


def exchange(address, value):
    """Atomic exchange on the int32 at ``address``; returns the previous value."""
    return _i32(_xchg4(address, value & 0xFFFFFFFF, _SEQ_CST))


def fetch_add(address, value):
    """Atomic add on the int32 at ``address``; returns the previous value."""
    return _i32(_add4(address, value & 0xFFFFFFFF, _SEQ_CST))


def load(address):
    """Atomic load of the int32 at ``address``."""
    return _i32(_load4(address, _SEQ_CST))


def fetch_or(address, value):
    """Atomic or on the int32 at ``address``; returns the previous value."""
    return _i32(_or4(address, value & 0xFFFFFFFF, _SEQ_CST))


def fetch_and(address, value):
    """Atomic and on the int32 at ``address``; returns the previous value."""
    return _i32(_and4(address, value & 0xFFFFFFFF, _SEQ_CST))


class _Timespec(ctypes.Structure):
    _fields_ = [('tv_sec', ctypes.c_long), ('tv_nsec', ctypes.c_long)]


def futex_wait(address, expected, timeout=None):
    """Sleeps while the int32 at ``address`` is ``expected``, at most ``timeout`` seconds; 'ok', 'not-equal' or 'timed-out'."""
    ts = None
    if timeout is not None:
        t = max(0.0, timeout)
        ts = ctypes.byref(_Timespec(int(t), int((t - int(t)) * 1e9)))
    r = _syscall(_SYS, address, _FUTEX_WAIT, ctypes.c_int32(expected).value, ts, None, 0)
    if r == 0:
        return 'ok'
    e = ctypes.get_errno()
    return 'timed-out' if e == _ETIMEDOUT else 'not-equal' if e == _EAGAIN else 'ok'


def futex_wake(address, count=1):
    """Wakes up to ``count`` waiters (in any process) on the int32 at ``address``."""
    return max(0, _syscall(_SYS, address, _FUTEX_WAKE, count, None, None, 0))


def address_of(obj, offset=0):
    """The address of a ctypes object (a struct member such as ``c.lock``), or of byte ``offset`` of a SharedMemory's buffer."""
    if isinstance(obj, SharedMemory):
        return ctypes.addressof(ctypes.c_char.from_buffer(obj.buf, offset))
    return ctypes.addressof(obj) + offset


def _fits(what, obj, offset, ctype):
    """Checks that ``ctype`` fits at byte ``offset`` of ``obj`` (a SharedMemory or a ctypes object):
    a lock past the end of its memory would read and write outside it."""
    if isinstance(obj, SharedMemory):
        _place(what, obj, offset, ctype)
    elif not isinstance(offset, int) or isinstance(offset, bool) or offset < 0 or offset + ctypes.sizeof(ctype) > ctypes.sizeof(obj):
        raise ValueError(f'sharedctypes.{what}: {ctypes.sizeof(ctype)} bytes at offset {offset!r} do not fit in the {ctypes.sizeof(obj)} bytes of {type(obj).__name__}')


class _Attached(SharedMemory):
    """A SharedMemory that, when collected while ctypes objects still use its memory, leaves the
    mapping to them (it is unmapped when the last one goes) instead of raising BufferError."""

    def __del__(self):
        try:
            self.close()
        except (BufferError, OSError):
            pass


_untracked = threading.Lock()


def attach(name):
    """Maps the segment ``name`` (made by JavaScript or Python), as ``SharedMemory(name=name)`` but
    untracked: Python's resource tracker would otherwise unlink it when this process exits
    (Python < 3.13 registers segments it only attaches to). Unlinking stays the creator's job."""
    if sys.version_info >= (3, 13):
        return _Attached(name=name, track=False)
    # Before 3.13 the mapping registers itself; it is kept from doing so, rather than unregistered
    # afterwards, which would also take back the registration of a segment this process created
    # (its unlink() then fails in the tracker, and an exit without unlink() leaks the segment).
    with _untracked:
        register = resource_tracker.register
        resource_tracker.register = lambda name, rtype: None if rtype == 'shared_memory' else register(name, rtype)
        try:
            return _Attached(name=name)
        finally:
            resource_tracker.register = register


def create(name, size):
    """Creates the segment ``name`` of ``size`` bytes (Python's tracking as usual: call unlink() when done)."""
    return SharedMemory(name=name, create=True, size=size)


def _deadline(blocking, timeout):
    if not blocking:
        return 0.0
    return None if timeout is None or timeout < 0 else time.monotonic() + timeout


def _left(deadline):
    return None if deadline is None else deadline - time.monotonic()


# ---- owners, the registry, and locks ------------------------------------------------------------
#
# The words are JavaScript's (src/sync/owner.ts, registry.ts, robust.ts, lock.ts, rlock.ts), bit for bit:
#
# An owner word (a Lock's word, an RLock's word 0) holds its holder's identity in bits 0-27:
#   - REGISTERED | n (bit 27 set): a member of a ThreadRegistry (a JavaScript thread or process, or a
#     Python process): the registry keeps a liveness word for it, so its death can be seen;
#   - otherwise, for a Lock, 1 (held) or 2 (held with sleepers), Drepper's futex mutex; for an RLock,
#     an identity the lock's counter word handed out (word 2: one per thread, and per process).
# Bit 28 (INCONSISTENT) marks a lock whose holder died inside its critical section, until someone
# repairs the data and calls mark_consistent(); it survives releases. Bit 30 (ASYNC) is an RLock held
# by a JavaScript async acquisition. Bit 31 (WAITERS) is set while some thread may sleep on the word.
# An RLock's word 1 is its depth, written by the holder only.
#
# A ThreadRegistry is `capacity` pairs of int32 words at a place in shared memory:
#   - word 2k, slot k's state: 0 never used; the identity of its member while alive; that identity
#     with GONE (bit 31) once the member died or left, and also RESERVED (bit 30) while a joining
#     member writes its tag, before it stores its identity;
#   - word 2k + 1, the member's tag (a JavaScript thread's threadId; a process's pid).
# An identity is REGISTERED | (1 + slot + capacity * generation): a slot reused by a later member gets
# the next generation, so a dead member's identity never comes back to life (until 2^27 / capacity
# generations of one slot wrap around to generation 0). Zeroed memory is an empty registry.
#
# A waiter that finds a lock held by a registered owner that the registry it joined knows dead
# releases the lock on the dead owner's behalf, leaving INCONSISTENT, and wakes every waiter; plain
# acquisitions then raise OwnerDeadError (leaving the lock free and marked), repairing ones
# (acquire_for_repair(), with_lock(fn, repair)) take it. Nobody wakes the waiters of a dead holder's
# lock, so a waiter that joined a registry sleeps at most OWNER_CHECK seconds at a time while a
# registered owner holds the lock, and looks again.

_WAITERS = _i32(0x80000000)
_ASYNC = 0x40000000  # an RLock held by a JavaScript async acquisition
_OWNER_MASK = _ASYNC | 0x0FFFFFFF  # an RLock's holder: identity and ASYNC
_ID_MASK = 0x0FFFFFFF  # the holder's identity in an owner word
_INCONSISTENT = 0x10000000  # a holder died inside its critical section; nobody has repaired the data since
_REGISTERED = 0x08000000  # the holder is a member of a ThreadRegistry
_MAX_IDENTITY = _REGISTERED - 1
_ANONYMOUS = 1  # a Lock held by a holder in no registry
_ANONYMOUS_WAITED = 2  # ... with sleepers
_MAX_DEPTH = 0x7FFFFFFF
_ALL = 0x7FFFFFFF

_GONE = 0x80000000  # a registry slot whose member died or left
_RESERVED = 0x40000000  # a registry slot being joined (with GONE)
_NUMBER_MASK = _REGISTERED - 1
_MAX_CAPACITY = 0x10000

#: How long a waiter that joined a registry sleeps at most before it looks again whether a
#: registered holder died (seconds; JavaScript's OWNER_CHECK_MS).
OWNER_CHECK = 0.020


class OwnerDeadError(RuntimeError):
    """A holder of the lock (a member of a ThreadRegistry: a JavaScript thread or process, or a Python
    process) died inside its critical section, and nobody has repaired the data since: JavaScript's
    ``OwnerDeadError``. The lock is left free and marked; repair under it with ``lock.with_lock(fn,
    repair)`` (or ``acquire_for_repair()`` and ``mark_consistent()``), here or in JavaScript."""


def _refuse_marked(address, what):
    """A free lock marked inconsistent: wakes every waiter (so that each learns it) and raises."""
    futex_wake(address, _ALL)
    raise OwnerDeadError(
        f'{what}: a holder of the lock died inside its critical section, so the data it guards may be '
        'inconsistent, and nobody has repaired it since; the lock is free: repair under it with '
        'with_lock(fn, repair), or acquire_for_repair() and mark_consistent()'
    )


class _Member:
    """This process's membership: the registry's words, its capacity, the slot and the identity."""

    __slots__ = ('address', 'capacity', 'slot', 'identity')

    def __init__(self, address, capacity, slot, identity):
        self.address = address
        self.capacity = capacity
        self.slot = slot
        self.identity = identity


#: The registry this process joined (None: none). A Python process is one member: its threads
#: hold locks with its identity (an RLock tells them apart itself, see RLock).
_joined = None
_join_lock = threading.Lock()
#: Per thread: the identity each RLock's counter handed this thread, by the RLock's address.
_tls = threading.local()
#: The thread of this process holding each RLock (by address), for holds with the process's identity.
_rlock_holders = {}


def _after_fork_in_child():
    # A forked child is not its parent: not a member, holding nothing, and it must not reuse the
    # identities the parent's threads drew at RLocks (it would re-enter their holds).
    global _joined
    _joined = None
    _rlock_holders.clear()
    _tls.__dict__.clear()


if hasattr(os, 'register_at_fork'):
    os.register_at_fork(after_in_child=_after_fork_in_child)


class _Watcher:
    """The thread that ``ThreadRegistry.watch`` starts, once per process: it waits for the exit of
    every watched process (a pidfd, or a ``multiprocessing`` sentinel, readable once the process has
    ended) and calls its ``on_exit``. Daemonic: it never keeps the interpreter alive."""

    def __init__(self):
        self._selector = selectors.DefaultSelector()
        self._wake_r, self._wake_w = os.pipe()
        os.set_blocking(self._wake_r, False)
        os.set_blocking(self._wake_w, False)
        self._selector.register(self._wake_r, selectors.EVENT_READ, None)
        self._pending = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name='sharedctypes-watch', daemon=True)
        self._thread.start()

    def add(self, fd, on_exit):
        """Calls ``on_exit()`` on the watcher thread once ``fd`` is readable, then closes ``fd``."""
        self._pending.put((fd, on_exit))
        try:
            os.write(self._wake_w, b'.')
        except BlockingIOError:  # the pipe is full of wake-ups already: the thread will look
            pass

    def _run(self):
        while True:
            for key, _ in self._selector.select():
                if key.data is None:
                    try:
                        while os.read(self._wake_r, 4096):
                            pass
                    except BlockingIOError:
                        pass
                    while True:
                        try:
                            fd, on_exit = self._pending.get_nowait()
                        except queue.Empty:
                            break
                        self._selector.register(fd, selectors.EVENT_READ, on_exit)
                    continue
                self._selector.unregister(key.fd)
                os.close(key.fd)
                try:
                    key.data()
                except Exception:  # noqa: BLE001 - one failing callback must not end the watching of the others
                    sys.excepthook(*sys.exc_info())


_watcher = None
_watcher_lock = threading.Lock()


def _watch_fd(fd, on_exit):
    global _watcher
    with _watcher_lock:
        if _watcher is None:
            _watcher = _Watcher()
        _watcher.add(fd, on_exit)


def _forget_watcher_in_child():
    # A forked child has no watcher thread (threads do not survive fork); it starts its own if it watches.
    global _watcher
    _watcher = None


if hasattr(os, 'register_at_fork'):
    os.register_at_fork(after_in_child=_forget_watcher_in_child)


def _exit_fd(proc, what):
    """A file descriptor that becomes readable when ``proc`` (a process id, a ``subprocess.Popen``, a
    ``multiprocessing.Process``) has ended, and its process id; or (None, pid) when it has already
    ended. Owned by the caller."""
    if isinstance(proc, bool) or not isinstance(proc, int) and not hasattr(proc, 'pid'):
        raise TypeError(f'sharedctypes.ThreadRegistry.{what}: expected a process id, a subprocess.Popen or a multiprocessing.Process, got {type(proc).__name__}')
    pid = proc if isinstance(proc, int) else proc.pid
    if pid is None:
        raise ValueError(f'sharedctypes.ThreadRegistry.{what}: the process has no pid (it was not started); watch a process that started')
    _check_tag(pid, what)
    # Already ended and reaped: Popen.returncode / Process.exitcode say so (its pid may be another's now).
    if getattr(proc, 'returncode', None) is not None or getattr(proc, 'exitcode', None) is not None:
        return None, pid
    if hasattr(os, 'pidfd_open'):
        try:
            return os.pidfd_open(pid), pid
        except ProcessLookupError:  # no such process: it ended and was reaped
            return None, pid
        except OSError as e:
            if e.errno not in (errno.ENOSYS, errno.EPERM):
                raise
    sentinel = getattr(proc, 'sentinel', None)
    if isinstance(sentinel, int):  # a multiprocessing.Process: readable at its end, on any system
        return os.dup(sentinel), pid
    raise OSError(
        errno.ENOSYS,
        f'sharedctypes.ThreadRegistry.{what}: watching process {pid} needs os.pidfd_open (Linux 5.3 or later, Python 3.9 '
        'or later), or a multiprocessing.Process (its sentinel); otherwise call mark_dead(pid) once it has ended '
        '(after proc.wait())',
    )


def _is_gone(identity):
    """Whether the registered ``identity`` is no longer the live member of its slot, by the registry
    this process joined (none joined: nobody is known dead)."""
    m = _joined
    if m is None:
        return False
    slot = (((identity & _NUMBER_MASK) - 1) & 0xFFFFFFFF) % m.capacity
    return load(m.address + 8 * slot) & 0xFFFFFFFF != identity & _ID_MASK


def _owner_gone(owner):
    return owner & _REGISTERED != 0 and _joined is not None and _is_gone(owner & _ID_MASK)


def _sleep_for(left, owner):
    """How long one sleep of a waiter for ``owner`` lasts: ``left`` (None: for ever), or at most
    OWNER_CHECK when the owner is registered and this process could see it die."""
    if owner & _REGISTERED and _joined is not None:
        return OWNER_CHECK if left is None else min(left, OWNER_CHECK)
    return left


def _claim(a, taking, repairing, what):
    """One look at the owner word at ``a`` by a thread that wants it (robust.ts ``claim``): takes it
    if free, writing ``taking``, and returns (True or 'inconsistent', None); refuses a free, marked
    word unless ``repairing`` (OwnerDeadError); releases a word held by an owner the registry knows
    dead, and looks again. Otherwise returns (None, the word): held by a live or unknown owner."""
    while True:
        cur = load(a)
        if cur & _ID_MASK == 0:
            if cur & _INCONSISTENT and not repairing:
                _refuse_marked(a, what)
            if cas(a, cur, cur | taking) == cur:
                return ('inconsistent' if cur & _INCONSISTENT else True), None
            continue
        if _owner_gone(cur & _ID_MASK):
            # Released for the dead holder: free, marked; every waiter looks again.
            if cas(a, cur, _INCONSISTENT) == cur:
                futex_wake(a, _ALL)
            continue
        return None, cur


def _clear_mark(a, is_holder, what):
    while True:
        cur = load(a)
        if not is_holder(cur):
            raise RuntimeError(f'{what}: the lock is not held by this thread; acquire it (acquire_for_repair()) first')
        if cur & _INCONSISTENT == 0 or cas(a, cur, cur & ~_INCONSISTENT) == cur:
            return


def _only(walk, obj, keys, path):
    for k in obj:
        if k not in keys:
            walk.fail(path, f"has the key {k!r} (expected only {', '.join(keys)})")


def _power_of_two(walk, v, path):
    if v is not None and (not isinstance(v, int) or isinstance(v, bool) or v < 1 or v & (v - 1) or v > 65536):
        walk.fail(path, f'is {v!r}, not a power of two from 1 to 65536')


def _check_tag(tag, what):
    if not isinstance(tag, int) or isinstance(tag, bool) or not 0 <= tag <= 0x7FFFFFFF:
        raise ValueError(f'sharedctypes.ThreadRegistry.{what}: the tag must be a whole number from 0 to 2**31 - 1 (got {tag!r}); a process joins with its pid')


class ThreadRegistry:
    """JavaScript's ``ThreadRegistry`` in shared memory (8 bytes per member): members are known by an
    identity that the locks they take record, and the registry keeps a liveness word for each, so
    that the locks a member held can be recovered when it dies. ``ThreadRegistry(shm, offset,
    capacity)`` uses the registry at byte ``offset`` of ``shm`` (a SharedMemory, a segment name, or a
    ctypes object), with the capacity every member uses (JavaScript: ``new ThreadRegistry(capacity,
    { buffer: shm.buf, byteOffset: offset })``).

    A Python process joins as one member, with its process id (``join()``): from then on the
    ``Lock``/``RLock`` holds of all its threads record its identity, and a parent that ``watch()``es
    it (JavaScript: ``registry.watch(childProcess)``; Python: ``registry.watch(popen)``) marks it
    dead when it exits, so that a waiter recovers the locks it held. Its waits look after registered
    holders that die, like JavaScript's.
    """

    WORDS_PER_SLOT = 2

    def __init__(self, obj, offset=0, capacity=256):
        if not isinstance(capacity, int) or isinstance(capacity, bool) or not 1 <= capacity <= _MAX_CAPACITY:
            raise ValueError(f'sharedctypes.ThreadRegistry: capacity {capacity!r} is not a whole number from 1 to {_MAX_CAPACITY}')
        obj = _memory(obj)
        words = ctypes.c_int32 * (self.WORDS_PER_SLOT * capacity)
        if isinstance(obj, SharedMemory):
            _place('ThreadRegistry', obj, offset, words)
        elif not isinstance(offset, int) or offset < 0 or offset + ctypes.sizeof(words) > ctypes.sizeof(obj):
            raise ValueError(f'sharedctypes.ThreadRegistry: {ctypes.sizeof(words)} bytes at offset {offset!r} do not fit in the {ctypes.sizeof(obj)} bytes of {type(obj).__name__}')
        self.address = address_of(obj, offset)
        if self.address % 4:
            raise ValueError('sharedctypes.ThreadRegistry: the registry words must be 4-byte aligned')
        self.capacity = capacity
        self._memory = obj
        self._offset = offset

    def _state(self, slot):
        return load(self.address + 8 * slot) & 0xFFFFFFFF

    def _tag_at(self, slot):
        return load(self.address + 8 * slot + 4)

    def _live(self, state):
        return state != 0 and state & _GONE == 0

    def _find(self, tag):
        for slot in range(self.capacity):
            if self._live(self._state(slot)) and self._tag_at(slot) == tag:
                return slot
        return -1

    def _identity(self, slot, generation):
        n = 1 + slot + self.capacity * generation
        return _REGISTERED | (n if n <= _NUMBER_MASK else 1 + slot)

    def join(self, tag=None):
        """Makes this process a member, known by ``tag`` (default: its process id, the tag a
        JavaScript parent's ``watch(child)`` uses), and returns its identity. Joining again with the
        same tag returns the same identity; a process is a member of one registry at a time, under
        one tag (RuntimeError), and no two live members share a tag (ValueError). A full registry
        is a RuntimeError."""
        global _joined
        tag = os.getpid() if tag is None else tag
        _check_tag(tag, 'join')
        with _join_lock:
            m = _joined
            if m is not None:
                if m.address == self.address and self._tag_at(m.slot) == tag:
                    return m.identity
                raise RuntimeError('sharedctypes.ThreadRegistry.join: this process is already a member of a registry (under another tag, or of another registry); leave() it first')
            if self._find(tag) >= 0:
                raise ValueError(f'sharedctypes.ThreadRegistry.join: a live member already has tag {tag}; give every member its own tag')
            for slot in range(self.capacity):
                w = self.address + 8 * slot
                state = load(w)
                u = state & 0xFFFFFFFF
                if u != 0 and u & (_GONE | _RESERVED) != _GONE:
                    continue
                # Reserve the slot, write the tag, then go live: mark_dead(tag) never sees a live slot with another member's tag.
                if cas(w, state, u | _GONE | _RESERVED) != state:
                    continue
                exchange(w + 4, tag)
                identity = self._identity(slot, 0 if u == 0 else ((u & _NUMBER_MASK) - 1) // self.capacity + 1)
                exchange(w, identity)
                _joined = _Member(self.address, self.capacity, slot, identity)
                return identity
        raise RuntimeError(
            f'sharedctypes.ThreadRegistry.join: all {self.capacity} slots hold live members; make the registry '
            'larger, or mark members that ended dead (mark_dead, or JavaScript watch())'
        )

    def leave(self):
        """Ends this process's membership: locks it still holds count as held by a dead member (the
        next acquirer recovers them), so leave after releasing them. Does nothing when this process
        is not a member of this registry."""
        global _joined
        with _join_lock:
            m = _joined
            if m is None or m.address != self.address:
                return
            fetch_or(self.address + 8 * m.slot, _GONE)
            _joined = None

    def mark_dead(self, tag):
        """Marks the live member with ``tag`` dead and returns whether there was one. Call it only
        once that member can no longer touch the memory (a child process that has exited:
        ``proc.wait()``; ``watch(proc)`` does it for you); waiters then recover the locks it held."""
        _check_tag(tag, 'mark_dead')
        return ThreadRegistry._mark_dead_at(self.address, self.capacity, tag)

    @staticmethod
    def _mark_dead_at(address, capacity, tag):
        for slot in range(capacity):
            w = address + 8 * slot
            # The state first, then the tag: a member joining this slot writes its tag before its identity.
            state = load(w)
            while state != 0 and state & _GONE == 0 and load(w + 4) == tag:
                if cas(w, state, (state & 0xFFFFFFFF) | _GONE) == state:
                    return True
                state = load(w)
        return False

    def watch(self, proc):
        """Marks ``proc`` dead in this registry when it ends, as JavaScript's ``watch(child)`` does:
        ``proc`` is a ``subprocess.Popen``, a ``multiprocessing.Process`` or a process id, and its tag
        is its process id (the tag a Node or Python child joins with). A thread of this process waits
        for the end of every watched process (a pidfd: it needs no ``wait()`` of yours and does not
        reap the child); a waiter on a lock the dead process held then recovers it. A process that
        has already ended is marked dead at once. Returns None.

        A bare process id names whichever process has it when ``watch`` is called: watch a child
        before you reap it (``wait()``), or pass its ``Popen``/``Process``, which remember that it
        ended.

        Example: ``child = subprocess.Popen(['node', 'worker.mjs', shm.name]); registry.watch(child)``.
        """
        fd, tag = _exit_fd(proc, 'watch')
        if fd is None:
            self.mark_dead(tag)
            return
        try:
            words, mapping = self._pinned_words()
        except BaseException:
            os.close(fd)
            raise

        def on_exit():
            nonlocal words
            ThreadRegistry._mark_dead_at(ctypes.addressof(words), self.capacity, tag)
            words = None
            if mapping is not None:
                mapping.close()

        _watch_fd(fd, on_exit)

    def _pinned_words(self):
        """The registry's words as a ctypes array that keeps their memory mapped until it is
        dropped, and the mapping of its own it lives in (None: the caller's ctypes object): a watched
        process may end after the caller closed its SharedMemory, and its mark must not write to
        memory unmapped meanwhile."""
        words = ctypes.c_int32 * (self.WORDS_PER_SLOT * self.capacity)
        memory = self._memory
        if isinstance(memory, SharedMemory):
            try:
                mapping = attach(memory.name)  # a mapping of the watcher's own: the caller may close() theirs
            except FileNotFoundError:  # unlinked already: pin the caller's (its close() waits for the end)
                return words.from_buffer(memory.buf, self._offset), None
            return words.from_buffer(mapping.buf, self._offset), mapping
        return words.from_address(self.address), None  # on_exit keeps this registry, and so its ctypes object and memory

    def is_alive(self, tag):
        """Whether a live member has ``tag``."""
        _check_tag(tag, 'is_alive')
        return self._find(tag) >= 0

    @property
    def size(self):
        """The number of live members."""
        return sum(1 for slot in range(self.capacity) if self._live(self._state(slot)))

    @property
    def identity(self):
        """This process's identity in this registry, or 0 when it is not a member of it."""
        m = _joined
        return m.identity if m is not None and m.address == self.address else 0

    def __repr__(self):
        return f'<sharedctypes.ThreadRegistry capacity={self.capacity} alive={self.size}>'


def _lock_owner():
    """What a Lock taken by this process records: its registry identity, or the anonymous owner 1."""
    m = _joined
    return _ANONYMOUS if m is None else m.identity


class _Repairable:
    """What Lock and RLock share: the Python forms of acquire/with_lock, and the mark's queries."""

    def acquire(self, blocking=True, timeout=-1):
        """As threading.Lock.acquire (timeout in seconds); True when acquired, False when it timed
        out. A lock whose holder died inside its critical section is refused with an
        ``OwnerDeadError`` until someone repairs it (``acquire_for_repair``, ``with_lock(fn, repair)``)."""
        return self._acquire(blocking, timeout, False) is not False

    def acquire_for_repair(self, blocking=True, timeout=-1):
        """Acquires like ``acquire``, but also a lock a dead holder left inconsistent: then returns
        ``'inconsistent'``, and the caller, holding the lock, repairs the data and calls
        ``mark_consistent()`` (or releases it still marked). True when acquired, False on timeout."""
        return self._acquire(blocking, timeout, True)

    def with_lock(self, fn, repair=None):
        """Runs ``fn()`` holding the lock and returns its result. With ``repair``, a lock a dead
        holder left inconsistent is taken, ``repair()`` runs first (holding it) and the lock is
        marked consistent; if ``repair`` raises, the lock is released still marked. Without it, such
        a lock raises ``OwnerDeadError`` (JavaScript's ``withLock(fn, repair)``)."""
        got = self._acquire(True, -1, repair is not None)
        try:
            if got == 'inconsistent':
                repair()
                self.mark_consistent()
            return fn()
        finally:
            self.release()

    def is_consistent(self):
        """False from a holder's death inside its critical section until ``mark_consistent()``."""
        return load(self.address) & _INCONSISTENT == 0

    def locked(self):
        """Whether any thread (of any process) holds the lock."""
        return load(self.address) & _ID_MASK != 0

    def __enter__(self):
        return self.acquire()

    def __exit__(self, *exc):
        self.release()


class Lock(_Repairable):
    """The ``mutex()`` member (``Lock`` in JavaScript): one int32, 0 free, 1 held, 2 held with
    waiters; a member of a ThreadRegistry (this process, once it joined one) holds it with its
    identity instead (bit 27 set) and bit 31 for waiters; bit 28 marks a lock whose holder died
    (see ``OwnerDeadError``). Any thread may release it, as threading.Lock.
    ``Lock(c.lock)`` for a struct member, ``Lock(shm, offset)`` for a lock at a byte offset."""

    def __init__(self, obj, offset=0):
        _fits('Lock', obj, offset, ctypes.c_int32)
        self.address = address_of(obj, offset)
        if self.address % 4:
            raise ValueError('sharedctypes.Lock: the lock word must be 4-byte aligned')

    def _acquire(self, blocking, timeout, repairing):
        a = self.address
        owner = _lock_owner()
        if cas(a, 0, owner) == 0:
            return True
        what = 'sharedctypes.Lock.acquire'
        if not blocking:
            got, _ = _claim(a, owner, repairing, what)
            return got or False
        deadline = _deadline(True, timeout)
        # Taken after sleeping: marked as having sleepers (others may sleep behind).
        taking = _ANONYMOUS_WAITED if owner == _ANONYMOUS else owner | _WAITERS
        while True:
            got, word = _claim(a, taking, repairing, what)
            if got:
                return got
            word = self._mark(word)
            if word is None:
                continue
            left = _left(deadline)
            if left is not None and left <= 0:
                return False
            futex_wait(a, word, _sleep_for(left, word & _ID_MASK))

    def _mark(self, word):
        """A held word: marks a sleeper (an anonymous holder's 1 becomes 2, a registered holder's
        identity gets WAITERS) and returns the word to sleep on; None when it changed meanwhile."""
        held = word & _ID_MASK
        if held == _ANONYMOUS_WAITED or word & _WAITERS:
            return word
        marked = word + 1 if held == _ANONYMOUS else _i32((word | _WAITERS) & 0xFFFFFFFF)
        return marked if cas(self.address, word, marked) == word else None

    def release(self):
        """Releases the lock (any thread may), keeping a dead holder's mark; a free lock is a RuntimeError."""
        a = self.address
        me = _lock_owner()
        if cas(a, me, 0) == me:
            return
        prev = fetch_and(a, _INCONSISTENT)  # free, still marked if it was
        held = prev & _ID_MASK
        if held == 0:
            raise RuntimeError('sharedctypes.Lock.release(): the lock is not held')
        if prev & _WAITERS or held == _ANONYMOUS_WAITED:
            futex_wake(a, 1)

    def mark_consistent(self):
        """Declares the data repaired after a holder's death: clears the mark. The lock must be held."""
        _clear_mark(self.address, lambda w: w & _ID_MASK != 0, 'sharedctypes.Lock.mark_consistent')


def _known_ids():
    ids = getattr(_tls, 'ids', None)
    if ids is None:
        ids = _tls.ids = {}
    return ids


class RLock(_Repairable):
    """The ``rmutex()`` member (``RLock`` in JavaScript, the lock of ``Value``/``Array``): three
    int32 words (owner identity with a waiters bit, depth, identity counter). Re-entrant per Python
    thread. A thread of a process that joined no registry takes an identity from the lock's counter
    word, as JavaScript threads do; once the process joined a ThreadRegistry, its threads hold with
    the process's registry identity (so that a watching JavaScript parent can recover the lock when
    the process dies), and this module tells them apart in-process."""

    def __init__(self, obj, offset=0):
        _fits('RLock', obj, offset, ctypes.c_int32 * 3)
        self.address = address_of(obj, offset)
        if self.address % 4:
            raise ValueError('sharedctypes.RLock: the lock words must be 4-byte aligned')

    def _known(self):
        """This thread's identity here if it has one (its counter identity, else its process's
        registry identity), else 0: it then holds nothing here."""
        me = _known_ids().get(self.address, 0)
        if me:
            return me
        m = _joined
        return 0 if m is None else m.identity

    def _me(self):
        """This thread's identity here; drawn from the counter word if it has none (owner.ts identityAt)."""
        me = self._known()
        if me:
            return me
        me = fetch_add(self.address + 8, 1) + 1
        if not 1 <= me <= _MAX_IDENTITY:
            fetch_add(self.address + 8, -1)
            raise RuntimeError('sharedctypes.RLock: the lock has handed out all its owner identities (or its counter word was overwritten); join the processes to a ThreadRegistry')
        _known_ids()[self.address] = me
        return me

    def _depth(self):
        return ctypes.c_int32.from_address(self.address + 4)

    def _holds(self, word, me):
        """Whether this thread holds the lock whose owner word is ``word`` (identity ``me``): a
        registered identity is its process's, shared by its threads: the holding thread is recorded."""
        return me != 0 and word & _OWNER_MASK == me and (me & _REGISTERED == 0 or _rlock_holders.get(self.address) == threading.get_ident())

    def _took(self):
        _rlock_holders[self.address] = threading.get_ident()
        self._depth().value = 1

    def _acquire(self, blocking, timeout, repairing):
        a = self.address
        me = self._me()
        cur = cas(a, 0, me)
        if cur == 0:
            self._took()
            return True
        if self._holds(cur, me):
            depth = self._depth()
            if depth.value == _MAX_DEPTH:
                raise OverflowError(f'sharedctypes.RLock.acquire: re-entered {_MAX_DEPTH} times, the most its depth word holds')
            depth.value += 1
            return True
        what = 'sharedctypes.RLock.acquire'
        if not blocking:
            got, _ = self._take_or_mark(me, False, repairing, what)
            return got or False
        deadline = _deadline(True, timeout)
        while True:
            got, word = self._take_or_mark(me, True, repairing, what)
            if got:
                return got
            if word is None:
                continue
            left = _left(deadline)
            if left is not None and left <= 0:
                return False
            futex_wait(a, word, _sleep_for(left, word & _ID_MASK))

    def _take_or_mark(self, me, mark, repairing, what):
        """One step of a contended acquisition (rlock.ts takeOrMark): takes the lock (marked as having
        waiters when ``mark``) and returns (True or 'inconsistent', None), or returns (None, the held
        word to sleep on, with WAITERS set when ``mark``), or (None, None) when it changed meanwhile."""
        a = self.address
        got, word = _claim(a, me | _WAITERS if mark else me, repairing, what)
        if got:
            self._took()
            return got, None
        if not mark or word & _WAITERS:
            return None, word
        marked = _i32((word | _WAITERS) & 0xFFFFFFFF)
        return None, (marked if cas(a, word, marked) == word else None)

    def release(self):
        """Releases once; free after as many releases as acquisitions. Only the holding thread may."""
        a = self.address
        me = self._known()
        if not self._holds(load(a), me):
            raise RuntimeError('sharedctypes.RLock.release(): this thread does not hold the lock')
        depth = self._depth()
        if depth.value > 1:
            depth.value -= 1
            return
        _rlock_holders.pop(a, None)
        if fetch_and(a, _INCONSISTENT) & _WAITERS:  # free, keeping a dead holder's mark
            futex_wake(a, 1)

    def is_owned(self):
        """Whether the current thread holds the lock."""
        return self._holds(load(self.address), self._known())

    def mark_consistent(self):
        """Declares the data repaired after a holder's death: clears the mark. This thread must hold the lock."""
        me = self._known()
        _clear_mark(self.address, lambda w: self._holds(w, me), 'sharedctypes.RLock.mark_consistent')



# ---- Value, Array, RawValue, RawArray placed in a segment by JavaScript --------------------------

#: The typecodes of the JavaScript package (TYPECODES): fixed widths, 'l'/'L' 64-bit as on Linux x86-64.
TYPECODES = {
    'b': ctypes.c_int8, 'B': ctypes.c_uint8, 'h': ctypes.c_int16, 'H': ctypes.c_uint16,
    'i': ctypes.c_int32, 'I': ctypes.c_uint32, 'l': ctypes.c_int64, 'L': ctypes.c_uint64,
    'q': ctypes.c_int64, 'Q': ctypes.c_uint64, 'f': ctypes.c_float, 'd': ctypes.c_double,
    'c': ctypes.c_char, '?': ctypes.c_bool,
}

_PRIMITIVES = {
    'bool': ctypes.c_bool, 'i8': ctypes.c_int8, 'u8': ctypes.c_uint8, 'i16': ctypes.c_int16, 'u16': ctypes.c_uint16,
    'i32': ctypes.c_int32, 'u32': ctypes.c_uint32, 'i64': ctypes.c_int64, 'u64': ctypes.c_uint64,
    'f32': ctypes.c_float, 'f64': ctypes.c_double,
    'f16': ctypes.c_uint16,  # as toCtypes writes it: ctypes has no half float (struct.unpack('e', ...) reads the bits)
}

#: Bytes of the RLock in front of a Value's data (three int32 words).
RLOCK_BYTES = 12

_HANDLE_TAG = 'sharedctypes/handle/1'


def _ctype(typecode_or_type):
    if isinstance(typecode_or_type, str):
        try:
            return TYPECODES[typecode_or_type]
        except KeyError:
            raise ValueError(f"sharedctypes: unknown typecode {typecode_or_type!r} (use one of {' '.join(TYPECODES)} or a ctypes type)") from None
    try:
        ctypes.sizeof(typecode_or_type)
    except TypeError:
        raise TypeError(f'sharedctypes: {typecode_or_type!r} is neither a typecode nor a ctypes type') from None
    return typecode_or_type


def _memory(shm):
    return attach(shm) if isinstance(shm, str) else shm


def _place(what, shm, offset, ctype, align=None):
    """Checks that ``ctype`` fits at ``offset`` of ``shm``, aligned; returns the memory and offset."""
    if not isinstance(offset, int) or isinstance(offset, bool) or offset < 0:
        raise ValueError(f'sharedctypes.{what}: offset {offset!r} is not a whole number >= 0')
    a = align or ctypes.alignment(ctype)
    if offset % a:
        raise ValueError(f'sharedctypes.{what}: offset {offset} is not a multiple of {a}, the alignment it needs')
    if offset + ctypes.sizeof(ctype) > shm.size:
        raise ValueError(f'sharedctypes.{what}: {ctypes.sizeof(ctype)} bytes at offset {offset} do not fit in the {shm.size} bytes of segment {shm.name!r}')


def data_offset(ctype):
    """Where a Value's data starts, from the start of the Value: after its RLock's 12 bytes, aligned
    (JavaScript's ``offsetof(synchronizedSchema(type), 'value')``)."""
    a = ctypes.alignment(ctype)
    return -(-RLOCK_BYTES // a) * a


def _pinned(obj, shm):
    # ctypes objects over shm.buf pin the mapping; keeping the SharedMemory with them keeps its
    # __del__ from trying to close a mapping still in use.
    obj._sharedctypes_memory = shm
    return obj


def RawValue(shm, offset, typecode_or_type):
    """The value of ``typecode_or_type`` at byte ``offset`` of ``shm`` (a SharedMemory or a name), as a
    ctypes object (``.value``): JavaScript's ``RawValue(type, init, { memory, byteOffset })``."""
    shm = _memory(shm)
    t = _ctype(typecode_or_type)
    _place('RawValue', shm, offset, t)
    return _pinned(t.from_buffer(shm.buf, offset), shm)


def RawArray(shm, offset, typecode_or_type, size):
    """The ``size`` elements of ``typecode_or_type`` at byte ``offset`` of ``shm``, as a ctypes array
    (a string for 'c': ``.value``, ``.raw``): JavaScript's ``RawArray(type, size, { memory, byteOffset })``."""
    shm = _memory(shm)
    t = _ctype(typecode_or_type) * size
    _place('RawArray', shm, offset, t)
    return _pinned(t.from_buffer(shm.buf, offset), shm)


def _synchronized(what, shm, offset, t, lock):
    if lock is False:
        _place(what, shm, offset, t)
        return _pinned(t.from_buffer(shm.buf, offset), shm)
    if lock is True:
        at = offset + data_offset(t)
        _place(what, shm, offset, t, align=max(4, ctypes.alignment(t)))
        _place(what, shm, at, t)
        lock = RLock(shm, offset)
    else:
        at = offset
        _place(what, shm, at, t)
    obj = t.from_buffer(shm.buf, at)
    return _synchronized_class(t)(obj, lock, shm)


def _synchronized_class(t):
    """The Synchronized class for values of ctypes type ``t``, as multiprocessing picks it."""
    if issubclass(t, ctypes.Array):
        return SynchronizedString if t._type_ is ctypes.c_char else SynchronizedArray  # noqa: SLF001
    if issubclass(t, (ctypes.Structure, ctypes.Union)):
        return _synchronized_record(t)
    return Synchronized


_record_classes = {}


def _synchronized_record(t):
    """As multiprocessing.sharedctypes.synchronized does for a struct: a ``Synchronized<Name>``
    class whose field properties each hold the lock (``v.b``, ``v.b = 2.0``)."""
    cls = _record_classes.get(t)
    if cls is None:
        def field(name):
            def get(self):
                with self._lock:
                    return getattr(self._obj, name)

            def put(self, value):
                with self._lock:
                    setattr(self._obj, name, value)
            return property(get, put)
        names = [f[0] for f in t._fields_ if f[0] and f[0] not in vars(Synchronized)]  # noqa: SLF001
        cls = _record_classes[t] = type(f'Synchronized{t.__name__}', (Synchronized,), {n: field(n) for n in names})
    return cls


def Value(shm, offset, typecode_or_type, lock=True):
    """The ``Value`` JavaScript placed at byte ``offset`` of ``shm`` (``Value(type, init, { memory,
    byteOffset })``): with ``lock=True`` (its default too) an RLock at ``offset`` and the data after
    it (``data_offset``), both used as they are. ``lock=False``: the raw value at ``offset``; or the
    ``Lock``/``RLock`` to guard it with. Like multiprocessing.sharedctypes.Value, with a place."""
    return _synchronized('Value', _memory(shm), offset, _ctype(typecode_or_type), lock)


def Array(shm, offset, typecode_or_type, size, lock=True):
    """The ``Array`` JavaScript placed at byte ``offset`` of ``shm``, as :func:`Value` for ``size`` elements."""
    return _synchronized('Array', _memory(shm), offset, _ctype(typecode_or_type) * size, lock)


class Synchronized:
    """A value whose reads and writes hold its lock, as multiprocessing.sharedctypes.Synchronized:
    ``.value``, ``get_obj()``, ``get_lock()``, ``acquire()``/``release()``, ``with v:``. A
    read-modify-write is two steps: hold the lock around it (``with v.get_lock(): v.value += 1``)."""

    def __init__(self, obj, lock, shm=None):
        self._obj = obj
        self._lock = lock
        self._shm = shm
        self.acquire = lock.acquire
        self.release = lock.release

    def __enter__(self):
        return self._lock.__enter__()

    def __exit__(self, *exc):
        return self._lock.__exit__(*exc)

    def get_obj(self):
        return self._obj

    def get_lock(self):
        return self._lock

    @property
    def value(self):
        with self._lock:
            return self._obj.value

    @value.setter
    def value(self, v):
        with self._lock:
            self._obj.value = v

    def __repr__(self):
        return f'<{type(self).__name__} wrapper for {self._obj!r}>'


class SynchronizedArray(Synchronized):
    """An array whose element reads and writes hold its lock (``len``, ``a[i]``, ``a[i:j]``)."""

    def __len__(self):
        return len(self._obj)

    def __getitem__(self, i):
        with self._lock:
            return self._obj[i]

    def __setitem__(self, i, v):
        with self._lock:
            self._obj[i] = v

    @property
    def value(self):
        raise AttributeError('a SynchronizedArray has no .value; index it, or take a[:]')


class SynchronizedString(SynchronizedArray):
    """A ``char[n]`` (``Array('c', n)``): ``.value`` and ``.raw`` under the lock."""

    @property
    def value(self):
        with self._lock:
            return self._obj.value

    @value.setter
    def value(self, v):
        with self._lock:
            self._obj.value = v

    @property
    def raw(self):
        with self._lock:
            return self._obj.raw

    @raw.setter
    def raw(self, v):
        with self._lock:
            self._obj.raw = v


def identity(shm):
    """``st_dev:st_ino`` of the segment (what JavaScript's handles call its identity)."""
    fd = getattr(shm, '_fd', -1)
    st = os.fstat(fd) if fd >= 0 else os.stat(f'/dev/shm/{shm.name.lstrip("/")}')
    return f'{st.st_dev}:{st.st_ino}'


#: How deep arrays of arrays in a handle's descriptor may nest (JavaScript refuses deeper ones).
_MAX_NESTING = 64  # descriptor nesting (JavaScript's MAX_DEPTH); not _MAX_DEPTH, an RLock's re-entry bound


def _type_of(root, endian, depth=0):
    if depth > _MAX_NESTING:
        raise ValueError(f'sharedctypes.from_handle: the descriptor nests deeper than {_MAX_NESTING} levels')
    if isinstance(root, str) and root in _PRIMITIVES:
        t = _PRIMITIVES[root]
        return t.__ctype_be__ if endian == 'big' and t is not ctypes.c_bool else t
    if isinstance(root, dict) and root.get('kind') == 'char' and isinstance(root.get('length'), int) and root['length'] > 0:
        return ctypes.c_char * root['length']
    if isinstance(root, dict) and root.get('kind') == 'array' and isinstance(root.get('length'), int) and root['length'] > 0:
        element = _type_of(root.get('of'), endian, depth + 1)
        return None if element is None else element * root['length']
    return None


def _same_type(a, b):
    """Whether two ctypes types read the same bytes the same way: the same simple type (code and
    byte order), or arrays of the same length of such."""
    if issubclass(a, ctypes.Array) and issubclass(b, ctypes.Array):
        return a._length_ == b._length_ and _same_type(a._type_, b._type_)
    if issubclass(a, ctypes.Array) or issubclass(b, ctypes.Array):
        return False
    return a is b or (_KINDS.get(getattr(a, '_type_', None)) == _KINDS.get(getattr(b, '_type_', None)) is not None
                      and ctypes.sizeof(a) == ctypes.sizeof(b) and _big_endian(a) == _big_endian(b))


#: What a simple ctypes type's code reads as (c_long and c_longlong are one 8-byte signed integer here).
_KINDS = {**dict.fromkeys('bhilq', 'signed'), **dict.fromkeys('BHILQ', 'unsigned'), 'f': 'float', 'd': 'float', '?': 'bool', 'c': 'char'}


def _big_endian(t):
    """Whether a multi-byte simple type reads big-endian (its big-endian variant is itself)."""
    return ctypes.sizeof(t) > 1 and getattr(t, '__ctype_be__', None) is t


# ---- layout fingerprints: JavaScript's fingerprint(), from the layout ctypes built ----------------
#
# A handle carries its schema's JSON descriptor and the fingerprint of the layout JavaScript computed
# (src/layout/fingerprint.ts): "sct2:" and a 64-bit hash, in 16 hex digits, of a canonical text per
# layout node, members standing in by their own fingerprints (a Merkle hash):
#   primitive  name, and for sizes above 1 byte '<' (little-endian) or '>' (big-endian): "u32<", "u8"
#   char[n]    "char[n]"
#   sync       "sync:KIND(PARAM)" or, for a condition over a lock member, "sync:condition(0,lock=NAME)"
#   array      "<element's fingerprint>[n]"
#   record     "struct(SIZE,ALIGN){F;F;...}" ("union", and "[aarch64]"/"[msvc]" after the kind for those
#              rules); F is "name@OFFSET=<fingerprint>" or, for a bitfield, "name@UNIT:BIT+WIDTH=<its
#              type's fingerprint>": BIT its first bit from the record's start (least significant bit
#              of each byte first; most significant first in a big-endian record), UNIT the offset of
#              the aligned unit of its type that holds that bit. Anonymous members' fields are listed
#              as the record's (offsets from the record). Unnamed and zero-width bitfields are not.
# hash64 is two 32-bit lanes over the text's UTF-16 code units, with Math.imul's wrapping products.
#
# Python computes the same text from the descriptor (names, kinds, sync members, rules) and from the
# ctypes classes: every size, alignment, offset and byte order as ctypes gives it, and every bitfield's
# bits where a ctypes store of all ones puts them (its field descriptors point past their unit for some
# layouts of Python 3.11 ... 3.13; stores do not lie). Equal fingerprints: ctypes reads the bytes
# where JavaScript writes them. A difference is a LayoutMismatchError naming the first record (in
# the order nested records come first) where ctypes departs from the compiler's rules, found by
# placing each record's members by those rules from the sizes ctypes gives; when every record
# agrees with the rules, it is the descriptor that does not match the fingerprint (forged, corrupt,
# or from another version).

FINGERPRINT_PREFIX = 'sct2:'


class LayoutMismatchError(ValueError):
    """The layout ctypes built is not the one the handle's fingerprint stands for: ctypes places a
    member elsewhere than the C compiler (``field``: where, as ``path.to.field``), or the handle's
    descriptor does not match its fingerprint (``field`` None). JavaScript's ``LayoutMismatchError``.
    ``expected`` is the handle's fingerprint, ``actual`` Python's."""

    def __init__(self, message, field=None, expected=None, actual=None):
        super().__init__(message)
        self.field = field
        self.expected = expected
        self.actual = actual


def _imul(a, b):
    return (a * b) & 0xFFFFFFFF


#: The codec that gives UTF-16 code units in this machine's order (array('H') reads them natively).
_UTF16_NATIVE = 'utf-16-le' if sys.byteorder == 'little' else 'utf-16-be'


def hash64(text):
    """JavaScript's ``hash64`` (src/layout/fingerprint.ts): 16 hex digits, over UTF-16 code units."""
    units = _array.array('H', text.encode(_UTF16_NATIVE))
    n = len(units)
    h1 = (0xDEADBEEF ^ n) & 0xFFFFFFFF
    h2 = (0x41C6CE57 ^ n) & 0xFFFFFFFF
    for c in units:  # Math.imul, inlined: this loop is most of a fingerprint's time
        h1 = ((h1 ^ c) * 2654435761) & 0xFFFFFFFF
        h2 = ((h2 ^ c) * 1597334677) & 0xFFFFFFFF
    h1 = _imul(h1 ^ (h1 >> 16), 2246822507) ^ _imul(h2 ^ (h2 >> 13), 3266489909)
    h2 = _imul(h2 ^ (h2 >> 16), 2246822507) ^ _imul(h1 ^ (h1 >> 13), 3266489909)
    return f'{h2:08x}{h1:08x}'


@functools.lru_cache(maxsize=4096)  # primitives, chars and small records recur in every layout
def _fingerprint_of(text):
    return FINGERPRINT_PREFIX + hash64(text)


#: Size, family and signedness of each primitive of the descriptor; the ctypes codes that read it.
_PRIMITIVE_SPECS = {
    'bool': (1, 'bool', False), 'i8': (1, 'int', True), 'u8': (1, 'int', False), 'i16': (2, 'int', True), 'u16': (2, 'int', False),
    'i32': (4, 'int', True), 'u32': (4, 'int', False), 'i64': (8, 'int', True), 'u64': (8, 'int', False),
    'f16': (2, 'float', True), 'f32': (4, 'float', True), 'f64': (8, 'float', True),
}
_SIGNED_CODES = frozenset('bhilq')
_UNSIGNED_CODES = frozenset('BHILQ')
#: Int32 words of each kind of synchronization member (a condition over a lock member: 1).
_SYNC_WORDS = {'mutex': 1, 'rmutex': 3, 'semaphore': 1, 'boundedSemaphore': 1, 'event': 1, 'condition': 4, 'barrier': 3, 'rwlock': 3}
_RULES = ('sysv', 'aarch64', 'msvc')
_MAX_FIELDS = 65535
_MAX_LENGTH = 0x7FFFFFFF
#: Names of the ctypes attributes toCtypes respells with a trailing '_' (src/layout/names-python.ts).
_CTYPES_RESERVED = frozenset(
    '_fields_ _pack_ _align_ _anonymous_ _layout_ _swappedbytes_ _b_base_ _b_needsfree_ _objects _type_ _length_ '
    '_as_parameter_ _check_retval_ _argtypes_ _restype_ _flags_ from_address from_buffer from_buffer_copy from_param in_dll mro'.split()
)


def _ctypes_names(names):
    """The attribute name toCtypes gives each field name of a record (declarations.ts: free names as
    they are, then reserved or taken ones respelled with '_' appended until free)."""
    used, out = set(), {}
    for n in names:
        if n not in _CTYPES_RESERVED and n not in used:
            used.add(n)
            out[n] = n
    for n in names:
        if n in out:
            continue
        m = n + '_' if n in _CTYPES_RESERVED else n
        while m in _CTYPES_RESERVED or m in used:
            m += '_'
        used.add(m)
        out[n] = m
    return out


def _round_up(n, to):
    return -(-n // to) * to


class _Shape:
    """What a placer knows of a member (src/layout/abi.ts MemberShape): its size and alignment by
    the compiler's rules; and the ctypes type Python reads it with (None for a bitfield)."""

    __slots__ = ('bits', 'named', 'size', 'align', 'explicit', 'required', 'ctype')

    def __init__(self, bits, named, size, align, explicit, required, ctype):
        self.bits, self.named, self.size, self.align, self.explicit, self.required = bits, named, size, align, explicit, required
        self.ctype = ctype


def _place_sysv(members, is_union, pack, align_option, unnamed_align):
    """gcc's System V rules (aarch64: ``unnamed_align``), as src/layout/abi.ts places them: each
    member's first bit (None: it takes no place), the size, the alignment, the required alignment."""
    def cap(a):
        return a if pack is None else min(a, pack)
    out, bitpos, record_align = [], 0, 1
    for m in members:
        if m.bits is not None:
            unit = m.align * 8
            if m.bits == 0:
                if not is_union:
                    bitpos = _round_up(bitpos, unit)
                if unnamed_align:
                    record_align = max(record_align, m.align)
                out.append(None)
                continue
            at = 0
            if not is_union:
                at = bitpos
                if pack is None and at // unit != (at + m.bits - 1) // unit:
                    at = _round_up(at, unit)
            bitpos = max(bitpos, at + m.bits)
            if m.named or unnamed_align:
                record_align = max(record_align, cap(m.align))
            out.append(at)
            continue
        a = cap(max(m.align, m.explicit or 1))
        offset = 0 if is_union else _round_up(-(-bitpos // 8), a)
        bitpos = max(bitpos, (offset + m.size) * 8)
        record_align = max(record_align, a)
        out.append(offset * 8)
    align = max(record_align, align_option or 1)
    return out, _round_up(-(-bitpos // 8), align), align, _required_of(members, align_option, align)


def _required_of(members, align_option, record_align):
    if align_option is not None:
        return record_align
    r = 1
    for m in members:
        if m.bits is None:
            r = max(r, m.required, m.explicit or 1)
    return r


def _place_msvc(members, is_union, pack_option, align_option):
    """Microsoft's rules, as src/layout/abi.ts places them (clang's MicrosoftRecordLayoutBuilder)."""
    pack = pack_option if pack_option is not None and pack_option <= 8 else None

    def cap(a):
        return a if pack is None else min(a, pack)
    out, size, align = [], 0, 1
    required = align_option or 1
    in_run, run_size, left = False, 0, 0
    for m in members:
        if m.bits is not None:
            a = cap(m.align)
            if m.bits == 0:
                out.append(None)
                if not in_run:
                    continue
                in_run = False
                if is_union:
                    size = max(size, m.size)
                else:
                    size = _round_up(size, a)
                    align = max(align, a)
                continue
            if not is_union and in_run and run_size == m.size and m.bits <= left:
                out.append(size * 8 - left)
                left -= m.bits
                continue
            in_run, run_size = True, m.size
            if is_union:
                size = max(size, m.size)
                out.append(0)
            else:
                offset = _round_up(size, a)
                out.append(offset * 8)
                size = offset + m.size
                align = max(align, a)
                left = m.size * 8 - m.bits
            continue
        in_run = False
        req = max(m.required, m.explicit or 1)
        required = max(required, req)
        a = max(cap(m.align), req)
        align = max(align, a)
        offset = 0 if is_union else _round_up(size, a)
        size = max(size, offset + m.size)
        out.append(offset * 8)
    align = max(align, required)
    rounding = max(align if pack is None else min(align, pack), required)
    return out, _round_up(size, rounding), align, (align if align_option is not None else required)


def _placer(rules):
    if rules == 'msvc':
        return _place_msvc
    return lambda members, is_union, pack, align: _place_sysv(members, is_union, pack, align, rules == 'aarch64')


_RULES_TEXT = {'sysv': "gcc's System V rules", 'aarch64': "the aarch64 rules", 'msvc': "Microsoft's rules"}


class _Node:
    """One layout node, as Python found it: its fingerprint; the size and alignment the compiler's
    rules give it (from its members' types: what the diagnosis expects of ctypes); for a record, its
    fields (for an anonymous member's parent) and what the diagnosis checks of it."""

    __slots__ = ('fp', 'expect', 'fields', 'check', 'required')

    def __init__(self, fp, expect, fields=None, check=None, required=1):
        self.fp = fp
        self.expect = expect
        self.fields = fields
        self.check = check
        self.required = required


class _Fingerprinter:
    """Walks a descriptor and the ctypes types that read it, side by side (linear: a named type met
    again with the same class is looked at once). Raises ValueError for a malformed descriptor and
    TypeError where the ctypes type is not the descriptor's (names, kinds, lengths)."""

    def __init__(self, doc, what):
        self.what = what
        if isinstance(doc, (str, bytes)):
            doc = json.loads(doc)
        if not isinstance(doc, dict) or 'root' not in doc:
            self.fail('(document)', 'is not a schema descriptor ({ "format": "sharedctypes/1", "root": ... })')
        if doc.get('format') != 'sharedctypes/1':
            self.fail('format', f"is {doc.get('format')!r}, expected 'sharedctypes/1'")
        types = doc.get('types', {})
        if not isinstance(types, dict):
            self.fail('types', 'is not an object')
        self.types = types
        self.order = {name: i for i, name in enumerate(types)}
        self.root = doc['root']
        self.memo = {}
        self.records = []  # what diagnose() checks of each record, in the order their fingerprints were completed: nested first
        self.sized = set()  # the records whose own size and alignment count: those used other than as an anonymous member
        self.validate(doc)

    def validate(self, doc):
        """Refuses a malformed descriptor (ValueError naming the place) before any ctypes type is
        looked at, with fromJSON's rules for what the fingerprint depends on: keys, kinds, lengths,
        widths, options, refs to types declared earlier, nesting up to 64 levels counted through
        refs, at most 65535 members a record. Linear: each named type is read once."""
        _only(self, doc, ('format', 'types', 'root'), '(document)')
        heights = {}
        for i, (name, t) in enumerate(self.types.items()):
            if not isinstance(t, dict) or t.get('kind') not in ('struct', 'union'):
                self.fail(f'types.{name}', 'is not a struct or union')
            heights[name] = self.height(t, f'types.{name}', i, heights)
        self.height(self.root, 'root', len(self.types), heights)

    def height(self, t, path, limit, heights, depth=0):
        """The nesting height of the type ``t`` (0 for a scalar), checked on the way (``depth``: how
        deep it sits in its named type, so that no descriptor recurses deeper than the limit)."""
        if depth > _MAX_NESTING:
            self.fail(path, f'nests deeper than {_MAX_NESTING} levels')
        if isinstance(t, str):
            if t not in _PRIMITIVE_SPECS:
                self.fail(path, f'is {t!r}, not a type')
            return 0
        if not isinstance(t, dict):
            self.fail(path, f'is {t!r}, not a type')
        if 'ref' in t:
            _only(self, t, ('ref',), path)
            self.resolve(t, path, limit)
            return heights[t['ref']]
        kind = t.get('kind')
        if kind == 'char':
            _only(self, t, ('kind', 'length'), path)
            self.length(t, path)
            return 0
        if kind == 'sync':
            _only(self, t, ('kind', 'type', 'value', 'lock'), path)
            self.sync_param(t, path)
            return 0
        if kind == 'array':
            _only(self, t, ('kind', 'of', 'length'), path)
            self.length(t, path)
            h = 1 + self.height(t.get('of'), path + '.of', limit, heights, depth + 1)
        elif kind in ('struct', 'union'):
            _only(self, t, ('kind', 'name', 'pack', 'align', 'endian', 'layout', 'fields'), path)
            if t.get('endian', 'little') not in ('little', 'big'):
                self.fail(path + '.endian', f"is {t.get('endian')!r}, not 'little' or 'big'")
            if t.get('layout', 'sysv') not in _RULES:
                self.fail(path + '.layout', f"is {t.get('layout')!r}, not one of {', '.join(_RULES)}")
            if t.get('pack') is not None and t.get('pack') not in (1, 2, 4, 8, 16):
                self.fail(path + '.pack', f"is {t.get('pack')!r}, not 1, 2, 4, 8 or 16")
            _power_of_two(self, t.get('align'), path + '.align')
            fields = t.get('fields')
            if not isinstance(fields, list) or not 1 <= len(fields) <= _MAX_FIELDS:
                self.fail(path + '.fields', f'is not a list of 1 to {_MAX_FIELDS} fields')
            h = 0
            for i, f in enumerate(fields):
                at = f'{path}.fields[{i}]'
                if not isinstance(f, dict):
                    self.fail(at, 'is not a field')
                _only(self, f, ('name', 'type', 'bits', 'align'), at)
                name, bits = f.get('name'), f.get('bits')
                if name is not None and (not isinstance(name, str) or not name):
                    self.fail(at + '.name', f'is {name!r}, not a name')
                _power_of_two(self, f.get('align'), at + '.align')
                if bits is not None:
                    spec = _PRIMITIVE_SPECS.get(f.get('type')) if isinstance(f.get('type'), str) else None
                    if spec is None or spec[1] == 'float':
                        self.fail(at + '.type', f"is {f.get('type')!r}, not an integer type for a bitfield")
                    if not isinstance(bits, int) or isinstance(bits, bool) or not 0 <= bits <= spec[0] * 8 or (bits == 0 and name is not None):
                        self.fail(at + '.bits', f'is {bits!r}, not a width its type holds (0 only unnamed)')
                    continue
                if name is None:
                    member, _ = self.resolve(f.get('type'), at + '.type', limit)
                    if not isinstance(member, dict) or member.get('kind') not in ('struct', 'union'):
                        self.fail(at + '.type', 'is the type of an anonymous member, which must be a struct or union')
                h = max(h, self.height(f.get('type'), at + '.type', limit, heights, depth + 1))
            h += 1
        else:
            self.fail(path, f'has kind {kind!r}')
        if h > _MAX_NESTING:
            self.fail(path, f'nests deeper than {_MAX_NESTING} levels')
        return h

    def sync_param(self, t, path):
        kind = t.get('type')
        if kind not in _SYNC_WORDS:
            self.fail(path + '.type', f'is {kind!r}, not a synchronization member')
        lock = t.get('lock')
        value = t.get('value')
        if lock is not None and (kind != 'condition' or not isinstance(lock, str) or value is not None):
            self.fail(path + '.lock', f'is {lock!r}: only a condition names a lock member, and without a value')
        if value is not None and kind not in ('semaphore', 'boundedSemaphore', 'barrier'):
            self.fail(path + '.value', f'is given for a {kind}: only semaphores and barriers take a value')
        if value is None:
            # As JavaScript's fromJSON: a semaphore without one starts at 1 (toJSON always writes it;
            # a barrier needs its parties); the other kinds have none.
            if kind == 'barrier':
                self.fail(path + '.value', 'is missing: a barrier needs its parties')
            return 1 if kind in ('semaphore', 'boundedSemaphore') else 0
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 0x3FFFFFFF:
            self.fail(path + '.value', f'is {value!r}, not a whole number')
        return value

    def fail(self, path, problem):
        raise ValueError(f'{self.what}: the descriptor\'s {path} {problem}')

    def mismatch(self, path, problem):
        raise TypeError(f'{self.what}: {path}: {problem}')

    def resolve(self, t, path, limit):
        """A ref's target (declared before the type that refers to it: `limit`), with its index."""
        if isinstance(t, dict) and 'ref' in t:
            name = t['ref']
            i = self.order.get(name) if isinstance(name, str) else None
            if i is None or i >= limit:
                self.fail(path, f'refers to {name!r}, which is not a type declared before it')
            return self.types[name], i
        return t, limit

    def node(self, t, ctype, endian, path, depth=0, limit=None, anonymous=False):
        got = self._node(t, ctype, endian, path, depth, limit)
        if got.check is not None and not anonymous:
            self.sized.add(id(got.check))
        return got

    def _node(self, t, ctype, endian, path, depth, limit):
        limit = len(self.types) if limit is None else limit
        t, limit = self.resolve(t, path, limit)
        if depth > _MAX_NESTING:
            self.fail(path, f'nests deeper than {_MAX_NESTING} levels')
        key = (t if isinstance(t, str) else id(t), ctype, endian)
        got = self.memo.get(key)
        if got is not None:
            return got
        if isinstance(t, str):
            got = _Node(self.primitive(t, ctype, endian, path), (_PRIMITIVE_SPECS[t][0],) * 2)
        elif not isinstance(t, dict):
            self.fail(path, f'is {t!r}, not a type')
        else:
            kind = t.get('kind')
            if kind == 'char':
                got = _Node(self.char(t, ctype, path), (t['length'], 1))
            elif kind == 'array':
                got = self.array(t, ctype, endian, path, depth, limit)
            elif kind == 'sync':
                got = _Node(self.sync(t, ctype, path), (ctypes.sizeof(ctype), 4))
            elif kind in ('struct', 'union'):
                got = self.record(t, ctype, endian, path, depth, limit)
            else:
                self.fail(path, f'has kind {kind!r}')
        self.memo[key] = got
        return got

    def primitive(self, name, ctype, endian, path):
        spec = _PRIMITIVE_SPECS.get(name)
        if spec is None:
            self.fail(path, f'is {name!r}, not a type')
        size, family, signed = spec
        code = getattr(ctype, '_type_', None)
        ok = isinstance(ctype, type) and issubclass(ctype, ctypes._SimpleCData) and ctypes.sizeof(ctype) == size and (  # noqa: SLF001
            code == 'f' if name == 'f32' else code == 'd' if name == 'f64' else code in _UNSIGNED_CODES if name == 'f16'
            else code == '?' or code == 'B' if family == 'bool' else code in (_SIGNED_CODES if signed else _UNSIGNED_CODES)
        )
        if not ok:
            self.mismatch(path, f'is {name} in the shared layout, but the ctypes type is {_type_name(ctype)}')
        return _fingerprint_of(name + (('>' if _big_endian(ctype) else '<') if size > 1 else ''))

    def char(self, t, ctype, path):
        n = self.length(t, path)
        if not (isinstance(ctype, type) and issubclass(ctype, ctypes.Array) and ctype._type_ is ctypes.c_char):  # noqa: SLF001
            self.mismatch(path, f'is char[{n}] in the shared layout, but the ctypes type is {_type_name(ctype)} (use ctypes.c_char * {n})')
        if ctype._length_ != n:  # noqa: SLF001
            self.mismatch(path, f'is char[{n}] in the shared layout, but the ctypes type has {ctype._length_}')  # noqa: SLF001
        return _fingerprint_of(f'char[{n}]')

    def length(self, t, path):
        n = t.get('length')
        if not isinstance(n, int) or isinstance(n, bool) or not 1 <= n <= _MAX_LENGTH:
            self.fail(path + '.length', f'is {n!r}, not a whole number from 1 to {_MAX_LENGTH}')
        return n

    def array(self, t, ctype, endian, path, depth, limit):
        n = self.length(t, path)
        if not (isinstance(ctype, type) and issubclass(ctype, ctypes.Array)):
            self.mismatch(path, f'is an array of {n} in the shared layout, but the ctypes type is {_type_name(ctype)}')
        if ctype._length_ != n:  # noqa: SLF001
            self.mismatch(path, f'is an array of {n} in the shared layout, but the ctypes type has {ctype._length_}')  # noqa: SLF001
        element = self.node(t.get('of'), ctype._type_, endian, path + '[]', depth + 1, limit)  # noqa: SLF001
        return _Node(_fingerprint_of(f'{element.fp}[{n}]'), (element.expect[0] * n, element.expect[1]), required=element.required)

    def sync(self, t, ctype, path):
        kind, lock = t.get('type'), t.get('lock')
        param = self.sync_param(t, path)
        words = 1 if lock is not None else _SYNC_WORDS[kind]
        one = isinstance(ctype, type) and issubclass(ctype, ctypes._SimpleCData) and words == 1  # noqa: SLF001
        element = ctype if one else getattr(ctype, '_type_', None) if isinstance(ctype, type) and issubclass(ctype, ctypes.Array) else None
        if not (isinstance(element, type) and issubclass(element, ctypes._SimpleCData) and ctypes.sizeof(element) == 4  # noqa: SLF001
                and getattr(element, '_type_', None) in 'iIlL' and (one or ctype._length_ == words)):  # noqa: SLF001
            self.mismatch(path, f"is a {kind} ({words} int32 word{'s' if words > 1 else ''}) in the shared layout, but the ctypes type is {_type_name(ctype)} (use ctypes.c_int32 * {words})")
        return _fingerprint_of(f"sync:{kind}({param}{'' if lock is None else f',lock={lock}'})")

    def record(self, t, ctype, inherited, path, depth, limit):
        kind = t['kind']
        base = ctypes.Structure if kind == 'struct' else ctypes.Union
        if not (isinstance(ctype, type) and issubclass(ctype, base)):
            self.mismatch(path, f'is a {kind} in the shared layout, but the ctypes type is {_type_name(ctype)}')
        endian = t.get('endian', inherited)
        rules = t.get('layout', 'sysv')
        pack, align_option = t.get('pack'), t.get('align')
        fields = t['fields']  # validated: a list of field objects
        declared = {}
        for entry in getattr(ctype, '_fields_', ()):
            declared.setdefault(entry[0], entry)
        anonymous = list(getattr(ctype, '_anonymous_', ()))
        # First the anonymous members (their fields are the record's, and take part in its names).
        plan = []  # per member: (what, name, its node for an anonymous member, the field): 'anon', 'field' or 'unnamed' (T : w unnamed, T : 0)
        names = []
        for i, f in enumerate(fields):
            at = f'{path}.fields[{i}]'
            name, bits = f.get('name'), f.get('bits')
            if name is None and bits is None:
                if not anonymous:
                    self.mismatch(at, f'is an anonymous member in the shared layout, but {ctype.__name__} lists no more in _anonymous_')
                cname = anonymous.pop(0)
                entry = declared.get(cname)
                if entry is None:
                    self.mismatch(at, f'{ctype.__name__}._anonymous_ names {cname!r}, which is not one of its fields')
                sub = self.node(f.get('type'), entry[1], endian, f'{path}.({cname})', depth + 1, limit, anonymous=True)
                plan.append(('anon', cname, sub, f))
                names.extend(x[0] for x in sub.fields)
            elif bits is not None and (name is None or bits == 0):
                plan.append(('unnamed', None, None, f))
            else:
                plan.append(('field', name, None, f))
                names.append(name)
        if len(set(names)) != len(names):
            self.fail(path + '.fields', 'names a field twice')
        cnames = _ctypes_names(names)
        out = []  # (name, offset, bit, width, fingerprint, unit)
        shapes, placed = [], []  # the placer's input and where ctypes put each member (bit), for the diagnosis
        own = vars(ctype)
        for kind_, name, sub, f in plan:
            at = f"{path}.{name if name is not None else '(' + str(kind_) + ')'}"
            bits = f.get('bits')
            if kind_ == 'anon':
                offset = own[name].offset
                for (n, o, b, w, fp, unit) in sub.fields:
                    if b is None:
                        out.append((n, offset + o, None, None, fp, unit))
                    else:
                        b += offset * 8
                        out.append((n, b // (unit * 8) * unit, b, w, fp, unit))
                shapes.append(_Shape(None, False, sub.expect[0], sub.expect[1], f.get('align'), sub.required, declared[name][1]))
                placed.append((name, offset * 8, None))
                continue
            if kind_ == 'unnamed':
                spec = _PRIMITIVE_SPECS[f['type']]
                shapes.append(_Shape(bits, False, spec[0], spec[0], None, 1, None))
                placed.append(None)  # not a field in C or in the fingerprint; ctypes' placeholder is not compared
                continue
            cname = cnames[name]
            entry = declared.get(cname)
            field = own.get(cname)
            if entry is None or field is None:
                self.mismatch(at, f"is a field of the shared layout, but {ctype.__name__} has no field {cname!r}")
            if bits is None:
                if len(entry) != 2:
                    self.mismatch(at, f'is not a bitfield in the shared layout, but {ctype.__name__}.{cname} is one')
                sub = self.node(f.get('type'), entry[1], endian, at, depth + 1, limit)
                out.append((name, field.offset, None, None, sub.fp, None))
                shapes.append(_Shape(None, True, sub.expect[0], sub.expect[1], f.get('align'), sub.required, entry[1]))
                placed.append((name, field.offset * 8, entry[1]))
                continue
            t_name = f['type']
            spec = _PRIMITIVE_SPECS[t_name]
            if len(entry) != 3 or entry[2] != bits:
                self.mismatch(at, f"is {t_name} : {bits} in the shared layout, but {ctype.__name__}.{cname} is {'a bitfield of ' + str(entry[2]) + ' bits' if len(entry) == 3 else 'not a bitfield'}")
            fp = self.primitive(t_name, entry[1], endian, at)
            where = _bits_of(ctype, cname, field, entry[1], bits, spec[2] and spec[1] != 'bool', endian == 'big')
            if isinstance(where, str):
                raise LayoutMismatchError(f'{self.what}: {at} ({t_name} : {bits}): {where}', field=at)
            unit = spec[0]
            out.append((name, where // (unit * 8) * unit, where, bits, fp, unit))
            shapes.append(_Shape(bits, True, unit, unit, None, 1, None))
            placed.append((name, where, entry[1]))
        if anonymous:
            self.mismatch(path, f'{ctype.__name__}._anonymous_ lists {anonymous!r}, which the shared layout does not have')
        size, align = ctypes.sizeof(ctype), ctypes.alignment(ctype)
        text = ';'.join(f"{n}@{o}{'' if b is None else f':{b}+{w}'}={fp}" for n, o, b, w, fp, _ in out)
        fp = _fingerprint_of(f"{kind}{'' if rules == 'sysv' else f'[{rules}]'}({size},{align}){{{text}}}")
        place = _placer(rules)(shapes, kind == 'union', pack, align_option)
        check = (path, ctype, kind, rules, endian, shapes, placed, size, align, place)
        self.records.append(check)
        return _Node(fp, (place[1], place[2]), out, check, place[3])

    def diagnose(self):
        """The first record (nested ones first) where ctypes departs from the compiler's rules: a
        message naming it, and the path of the field; or None when every record follows them. Each
        record is placed by the rules from its members' sizes and alignments by the rules, and
        compared with where ctypes put them."""
        for check in self.records:
            path, ctype, kind, rules, endian, shapes, placed, size, align, place = check
            where, c_size, c_align, _ = place
            seen = []
            for shape, p, c in zip(shapes, placed, where):
                if p is not None and c is not None:
                    name, at, t = p
                    if at != c:
                        unit = 'bit' if shape.bits is not None else 'byte'
                        got, want = (at, c) if shape.bits is not None else (at // 8, c // 8)
                        return (f'{path}.{name} (in {ctype.__name__}): ctypes places it at {unit} {got}, the C compiler at {unit} {want} '
                                f'({_RULES_TEXT[rules]}); {_hint(shape, seen, rules)}'), f'{path}.{name}'
                    order = _order_of(t)
                    if order is not None and order != endian:
                        return f'{path}.{name} (in {ctype.__name__}): ctypes reads it {order}-endian, the shared layout is {endian}-endian', f'{path}.{name}'
                seen.append(shape)
            # An anonymous member's own size and alignment count only through its parent's placement.
            if (size, align) != (c_size, c_align) and id(check) in self.sized:
                record = _Shape(None, False, c_size, c_align, _asked_align(shapes, place), 1, ctype)
                return (f'{path} ({ctype.__name__}): ctypes makes the {kind} {size} bytes aligned to {align}, the C compiler '
                        f'{c_size} bytes aligned to {c_align} ({_RULES_TEXT[rules]}); {_hint(record, seen, rules)}'), path
        return None


def _asked_align(shapes, place):
    """Whether a record's alignment was asked for (an align option, or an aligned member): the C
    compiler's alignment is then more than its members' own."""
    natural = max([s.align for s in shapes] + [1])
    return place[2] if place[2] > natural or any(s.explicit for s in shapes) else None


def _hint(shape, before, rules):
    """Why ctypes may place a member (or size a record) elsewhere than the compiler, ``before`` being
    the members before it."""
    if shape.bits is not None or any(m.bits is not None for m in before):
        rest = '' if shape.bits is not None else ', and what follows them,'
        own = "its own" if rules == 'msvc' else "its own, close to Microsoft's"
        return f"ctypes before Python 3.14 places bitfields{rest} by rules of {own}: toCtypes' own checks fail for this class too"
    if shape.explicit:
        return 'the alignment asked for (align, aligned()) needs _align_, which ctypes has from Python 3.13 (toCtypes pads before aligned members)'
    for m in before + [shape]:
        if m.ctype is not None and (ctypes.sizeof(m.ctype), ctypes.alignment(m.ctype)) != (m.size, m.align):
            which = 'it' if m is shape else 'a member before it'
            return (f'ctypes makes {which} ({_type_name(m.ctype)}) {ctypes.sizeof(m.ctype)} bytes aligned to {ctypes.alignment(m.ctype)}, '
                    f'the C compiler {m.size} bytes aligned to {m.align} (an align option needs _align_, which ctypes has from Python 3.13)')
    return 'is ctype the class toCtypes wrote for this schema?'


def _order_of(t):
    """The byte order of a ctypes type's scalars, or None where it has none (one byte; records)."""
    while isinstance(t, type) and issubclass(t, ctypes.Array):
        t = t._type_  # noqa: SLF001
    if not (isinstance(t, type) and issubclass(t, ctypes._SimpleCData)) or ctypes.sizeof(t) == 1:  # noqa: SLF001
        return None
    return 'big' if _big_endian(t) else 'little'


def _type_name(t):
    return getattr(t, '__name__', repr(t))


def _bit_at(image, k, big):
    return image[k >> 3] & ((0x80 >> (k & 7)) if big else (1 << (k & 7)))


def _ones_in(image, big):
    """The bits of ``image`` that are 1, in the record's bit numbering (``_bit_at``), ascending; a
    contiguous run without looking at each bit, the list bit by bit otherwise (for the message)."""
    v = int.from_bytes(image, 'big' if big else 'little')
    if v == 0:
        return []
    low = (v & -v).bit_length() - 1
    high = v.bit_length() - 1
    if v != (1 << (high + 1)) - (1 << low):
        return [k for k in range(len(image) * 8) if _bit_at(image, k, big)]
    if big:  # bit k of the record is bit len*8 - 1 - k of the big-endian integer
        last = len(image) * 8 - 1
        low, high = last - high, last - low
    return list(range(low, high + 1))


def _bits_of(cls, name, field, ftype, width, signed, big):
    """Where ctypes stores the bitfield ``name`` of ``cls``: its first bit from the record's start
    (the record's bit numbering), found by storing all ones into a zeroed object and reading back;
    or why ctypes reads and writes no C bitfield of that width (a message)."""
    unit = ctypes.sizeof(ftype)
    start = field.offset - 8  # a window around the field's storage: ctypes touches its unit only
    n = unit + 16
    buf = (ctypes.c_uint8 * n)()
    obj = cls.from_address(ctypes.addressof(buf) - start)
    ones = -1 if signed else (1 << width) - 1 if width > 1 or ftype._type_ != '?' else True  # noqa: SLF001
    setattr(obj, name, ones)
    image = bytes(buf)
    run = _ones_in(image, big)
    size_bits = ctypes.sizeof(cls) * 8
    first = start * 8 + run[0] if run else None
    if not run or run != list(range(run[0], run[0] + width)) or first < 0 or first + width > size_bits:
        shown = f"bits {', '.join(str(start * 8 + k) for k in run[:16])}{' ...' if len(run) > 16 else ''} of the record" if run else 'no bit'
        return (f"a store of all ones through ctypes changes {shown}, not {width} contiguous bit{'s' if width > 1 else ''} inside it "
                f'(ctypes\' field: {field!r}; ctypes before Python 3.14 gets some bitfields wrong)')
    # Read back: all ones from exactly those bits, 0 from every other bit of the window.
    field_bits = bytearray(n)
    for k in run:
        field_bits[k >> 3] |= (0x80 >> (k & 7)) if big else (1 << (k & 7))
    for image, want in ((bytes(field_bits), ones), (bytes(b ^ 0xFF for b in field_bits), 0)):
        ctypes.memmove(buf, image, n)
        got = getattr(obj, name)
        if got != want:
            return f'ctypes reads {got!r} where its bits hold {want!r} (bytes {image.hex()} around it)'
    return first


def fingerprint(descriptor, ctype=None, endian='little'):
    """JavaScript's ``fingerprintOfLayout`` of the layout Python reads through ``ctype``: the schema
    descriptor (``toJSON(T)``, a dict or its JSON, as a handle carries it) gives names, kinds and
    rules; ctypes gives every size, alignment, offset, bit position and byte order. ``ctype`` is the
    class ``toCtypes(T)`` wrote (or your own: the same fields, names respelled as toCtypes does);
    for primitives, ``char[n]`` and arrays of them it may be omitted. ``endian``: the byte order the
    root sits in (a handle's ``endian``). Equal to JavaScript's ``fingerprint(T)`` exactly when
    ctypes reads the bytes where JavaScript writes them; raises TypeError where ``ctype`` is not the
    descriptor's type, ValueError for a malformed descriptor, and LayoutMismatchError for a bitfield
    that ctypes reads and writes in a way no C bitfield is."""
    walk = _Fingerprinter(descriptor, 'sharedctypes.fingerprint')
    return walk.node(walk.root, ctype if ctype is not None else _derived(walk, endian), endian, 'root').fp


def _derived(walk, endian):
    t, _ = walk.resolve(walk.root, 'root', len(walk.types))
    derived = _type_of(t, endian)
    if derived is None:
        raise TypeError(f'{walk.what}: the root is a struct or union (or holds one): pass its ctypes class (what toCtypes printed) as ctype=')
    return derived


def check_layout(descriptor, expected, ctype=None, endian='little', what='sharedctypes.check_layout'):
    """Checks that ``ctype`` reads the layout whose fingerprint (JavaScript's ``fingerprint(T)``, or a
    handle's ``fingerprint``) is ``expected``, ``descriptor`` being ``toJSON(T)``; returns the ctypes
    type (``ctype``, or the one derived from the descriptor for primitives, ``char[n]`` and arrays of
    them). Raises LayoutMismatchError when the fingerprint Python computes from the layout ctypes
    built differs, naming (``field``) the first member ctypes places elsewhere than the compiler's
    rules, or, when ctypes follows them everywhere, saying that the descriptor does not match the
    fingerprint; TypeError where ``ctype`` is not the descriptor's type; ValueError for a malformed
    descriptor."""
    if not isinstance(expected, str) or not expected.startswith(FINGERPRINT_PREFIX):
        raise LayoutMismatchError(f'{what}: no layout fingerprint to check against (got {expected!r}; a handle made by share() has one)')
    walk = _Fingerprinter(descriptor, what)
    if ctype is None:
        ctype = _derived(walk, endian)
    actual = walk.node(walk.root, ctype, endian, 'root').fp
    if actual == expected:
        return ctype
    found = walk.diagnose()
    if found is not None:
        message, field = found
        raise LayoutMismatchError(f'{what}: ctypes lays out the shared value differently from JavaScript ({expected} there, {actual} here): {message}', field, expected, actual)
    raise LayoutMismatchError(
        f"{what}: the descriptor does not match the fingerprint ({expected}; the descriptor, as ctypes lays it out "
        f"by the compiler's rules, is {actual}): a forged or corrupt handle, or one from another version of sharedctypes",
        None, expected, actual,
    )


def _verify(what, h, ctype):
    """``check_layout`` of a handle (its schema, fingerprint and byte order)."""
    return check_layout(h.get('schema'), h.get('fingerprint'), ctype, 'big' if h.get('endian') == 'big' else 'little', what)


def _view_type(h, ctype):
    """The ctypes type of a view handle: ``ctype``, or derived from the descriptor (primitives,
    ``char[n]``, arrays of them), checked against the descriptor and the handle's fingerprint."""
    if not isinstance(h, dict) or h.get('kind') != 'view' or not isinstance(h.get('schema'), dict):
        raise ValueError('sharedctypes.from_handle: the handle has no view')
    derived = _type_of(h['schema'].get('root'), h.get('endian'))
    if ctype is None:
        if derived is None:
            raise TypeError('sharedctypes.from_handle: the shared value is a struct or union: pass its ctypes class (what toCtypes printed) as ctype=')
        ctype = derived
    elif derived is not None and not _same_type(derived, ctype):
        raise TypeError(f'sharedctypes.from_handle: ctype {ctype.__name__} is not the shared value\'s type ({derived.__name__}, {ctypes.sizeof(derived)} bytes)')
    return _verify('sharedctypes.from_handle', h, ctype)


def _view_at(shm, h, ctype):
    offset = h.get('byteOffset')
    _place('from_handle', shm, offset, ctype)
    return ctype.from_buffer(shm.buf, offset)


def _lock_of(shm, h):
    kinds = {'lock': (Lock, 4), 'rlock': (RLock, 12)}
    if not isinstance(h, dict) or h.get('kind') not in kinds:
        raise ValueError(f"sharedctypes.from_handle: a lock of kind {h.get('kind') if isinstance(h, dict) else h!r} has no Python counterpart here (Lock and RLock do)")
    cls, size = kinds[h['kind']]
    _place('from_handle', shm, h.get('byteOffset'), ctypes.c_int32 * (size // 4))
    return cls(shm, h['byteOffset'])


def from_handle(handle, ctype=None):
    """What ``share(x)`` stands for, from the handle JavaScript made of ``x`` (a dict, or its JSON):
    a ``Value``/``Array`` (Synchronized wrappers), a raw view (a ctypes object), a ``Lock`` or an
    ``RLock``, in a segment (a handle of a SharedArrayBuffer cannot leave its process). The segment
    is attached untracked; a segment that was unlinked, or whose name now belongs to another
    segment, is a FileNotFoundError. Structs and unions need their ctypes class: ``ctype=``."""
    h = json.loads(handle) if isinstance(handle, (str, bytes)) else handle
    if not isinstance(h, dict) or h.get('$sharedctypes') != _HANDLE_TAG:
        raise ValueError('sharedctypes.from_handle: not a handle made by share()')
    seg = h.get('segment')
    if not isinstance(seg, dict) or not isinstance(seg.get('name'), str) or not isinstance(seg.get('identity'), str):
        raise ValueError('sharedctypes.from_handle: the handle names no segment (a handle of a SharedArrayBuffer cannot leave its process)')
    kind = h.get('kind')
    if kind not in ('synchronized', 'view', 'lock', 'rlock'):
        raise ValueError(f'sharedctypes.from_handle: a handle of kind {kind!r} has no Python counterpart here')
    # The layout first: a handle whose fingerprint ctypes does not reproduce maps nothing.
    t = _view_type(h.get('obj') if kind == 'synchronized' else h, ctype) if kind in ('synchronized', 'view') else None
    shm = attach(seg['name'])
    if identity(shm) != seg['identity']:
        shm.close()
        raise FileNotFoundError(f"sharedctypes.from_handle: the segment {seg['name']!r} the handle was made for is gone (unlinked; the name now belongs to another segment)")
    try:
        return _from_handle(shm, h, kind, t)
    except BaseException:
        try:
            shm.close()
        except BufferError:  # a ctypes object over it still exists: collected with it
            pass
        raise


def _from_handle(shm, h, kind, t):
    if kind == 'synchronized':
        obj = _view_at(shm, h.get('obj'), t)
        lock = _lock_of(shm, h.get('lock'))
        return _synchronized_class(type(obj))(obj, lock, shm)
    if kind == 'view':
        return _pinned(_view_at(shm, h, t), shm)
    lock = _lock_of(shm, h)
    lock._sharedctypes_memory = shm
    return lock



# ---- channels: the consumer end of a JavaScript channel in a segment --------------------------

_CH_MAGIC = 0x4E484353  # "SCHN"
_CH_VERSION = 3
_CH_MAX_CAPACITY = 2**29 - 1
# Header words (src/channels/format.ts).
_CW_MAGIC, _CW_VERSION, _CW_MODE, _CW_CAPACITY, _CW_SIZE, _CW_ALIGN, _CW_DATA, _CW_CLOSED = range(8)
_CW_CONSUMERS_WAITING, _CW_PRODUCERS_WAITING, _CW_NOT_EMPTY, _CW_NOT_FULL, _CW_FLAGS = 8, 9, 10, 11, 12
_CW_TAIL, _CW_HEAD, _CW_UNFINISHED, _CW_STAMPS = 32, 64, 96, 128
_CH_SPSC, _CH_MPMC = 1, 2


class ChannelClosedError(EOFError):
    """The channel was closed and everything in it has been taken: JavaScript's ``ChannelClosedError``
    (Python's ``EOFError`` for a pipe, ``queue.ShutDown`` for a queue)."""


class ChannelCorruptError(RuntimeError):
    """A channel's shared words hold what none of its ends writes (a position whose slot is outside
    the ring): its memory was overwritten by other code. Nothing was read outside the ring.
    JavaScript's ``SyncError`` with code ``'corrupt'``."""


# Positions are 30-bit counters; bit 31 of the tail word is the closed mark; in an SPSC channel,
# bit 30 of the tail word is a sleeping consumer's bit and bit 31 of the head word a sleeping
# producer's (src/channels/positions.ts).
_POS_MASK = 0x3FFFFFFF
_CLOSED_MARK = 0x80000000
_CONSUMER_ASLEEP = 0x40000000
_PRODUCER_ASLEEP = 0x80000000


def _wrap(x):
    return x & _POS_MASK


class Channel:
    """The consumer end of a channel that JavaScript placed in a segment (``new Channel(T, n,
    { memory: shm, byteOffset })``, a ``Queue`` or ``JoinableQueue``; SPSC or MPMC), with the
    JavaScript protocol: positions, stamps, the waiter counts and the futex words, so Python takes
    items while JavaScript processes push (and, for MPMC, pop too). ``get`` copies the oldest item
    out (a ctypes object, or a Python number for a primitive type); it sleeps in the futex system
    call while the channel is empty. ``ctype`` is the element's ctypes type (what toCtypes printed)
    or a typecode; its size and alignment are checked against the header. ``Channel.from_handle``
    also checks the layout fingerprint (from the handle's descriptor and the class); made directly
    from a segment and an offset, the class must be toCtypes' of the same schema. A position word
    that other code overwrote is a ``ChannelCorruptError``, never a read outside the ring.
    An SPSC channel allows one consumer at a time, in any process."""

    def __init__(self, shm, offset, ctype):
        shm = _memory(shm)
        ctype = _ctype(ctype)
        size, align = ctypes.sizeof(ctype), ctypes.alignment(ctype)
        _place('Channel', shm, offset, ctypes.c_int32 * _CW_STAMPS, max(4, align))
        self._shm = shm
        self._base = address_of(shm, offset)
        w = [load(self._base + 4 * i) for i in range(_CW_STAMPS)]
        if w[_CW_MAGIC] != _CH_MAGIC:
            raise ValueError(f'sharedctypes.Channel: no channel at offset {offset} of {shm.name!r} (no channel header there)')
        if w[_CW_VERSION] != _CH_VERSION:
            raise ValueError(f'sharedctypes.Channel: the channel has format version {w[_CW_VERSION]}; this module reads version {_CH_VERSION}')
        mode, capacity, flags = w[_CW_MODE], w[_CW_CAPACITY], w[_CW_FLAGS]
        if mode not in (_CH_SPSC, _CH_MPMC) or not 1 <= capacity <= _CH_MAX_CAPACITY or flags & ~1:
            raise ValueError(f'sharedctypes.Channel: the channel header is corrupt (mode {mode}, capacity {capacity}, flags {flags})')
        if (w[_CW_SIZE], w[_CW_ALIGN]) != (size, align):
            raise TypeError(
                f'sharedctypes.Channel: the channel holds elements of {w[_CW_SIZE]} bytes aligned to {w[_CW_ALIGN]}, '
                f'but {getattr(ctype, "__name__", ctype)} has {size} bytes aligned to {align}'
            )
        stamps_end = 4 * _CW_STAMPS + (4 * capacity if mode == _CH_MPMC else 0)
        a = max(64, align)
        data = -(-stamps_end // a) * a
        if w[_CW_DATA] != data or offset + data + capacity * size > shm.size:
            raise ValueError(f'sharedctypes.Channel: the channel needs {data + capacity * size} bytes from offset {offset}, but {shm.name!r} has {shm.size} bytes')
        self.mode = 'spsc' if mode == _CH_SPSC else 'mpmc'
        self.capacity = capacity
        self.joinable = bool(flags & 1)
        self._ctype = ctype
        self._simple = issubclass(ctype, ctypes._SimpleCData)  # noqa: SLF001 - primitives come out as Python values
        self._size = size
        self._data = self._base + data
        lap = 1
        while lap <= capacity:
            lap *= 2
        self._lap = lap
        self._mask = lap - 1

    @classmethod
    def from_handle(cls, handle, ctype):
        """The channel of ``JSON.stringify(share(channel))`` (a channel, queue or joinable queue in a
        segment); a segment that was unlinked, or whose name now belongs to another one, is a
        FileNotFoundError."""
        h = json.loads(handle) if isinstance(handle, (str, bytes)) else handle
        if not isinstance(h, dict) or h.get('$sharedctypes') != _HANDLE_TAG or h.get('kind') not in ('channel', 'queue', 'joinableQueue'):
            raise ValueError('sharedctypes.Channel.from_handle: not a handle of a channel made by share()')
        seg = h.get('segment')
        if not isinstance(seg, dict) or not isinstance(seg.get('name'), str) or not isinstance(seg.get('identity'), str):
            raise ValueError('sharedctypes.Channel.from_handle: the handle names no segment (a SharedArrayBuffer cannot leave its process)')
        element = _verify('sharedctypes.Channel.from_handle', h, _ctype(ctype))  # the element layout, before mapping anything
        capacity = h.get('param')
        if not isinstance(capacity, int) or isinstance(capacity, bool) or capacity < 1:
            raise ValueError('sharedctypes.Channel.from_handle: the handle has no capacity (param), as share() writes it')
        shm = attach(seg['name'])
        if identity(shm) != seg['identity']:
            shm.close()
            raise FileNotFoundError(f"sharedctypes.Channel.from_handle: the segment {seg['name']!r} the handle was made for is gone")
        channel = cls(shm, h.get('byteOffset'), element)
        if channel.capacity != capacity:
            raise ChannelCorruptError(
                f'sharedctypes.Channel.from_handle: the channel\'s header says {channel.capacity} slots, but the handle says {capacity}: '
                'the channel\'s memory was overwritten since share() (nothing was read or written outside it)'
            )
        return channel

    def _word(self, i):
        return self._base + 4 * i

    def _next(self, pos):
        if (pos & self._mask) + 1 < self.capacity:
            return _wrap(pos + 1)
        return _wrap((pos & -self._lap) + self._lap)

    def _slot(self, pos):
        """The slot index of ``pos``, just read from the head word; refused when it is no slot of the
        ring (an index from it would read outside the ring's memory)."""
        index = pos & self._mask
        if index >= self.capacity:
            raise ChannelCorruptError(
                f'sharedctypes.Channel: its head word holds {pos}, a position of slot {index}, but the ring has '
                f'{self.capacity} slots: the channel\'s memory was overwritten by something other than its ends'
            )
        return index

    def _stamp(self, index):
        return _wrap(load(self._word(_CW_STAMPS + index)) + index)

    def _tail(self):
        """The tail word's position, without its closed mark."""
        return load(self._word(_CW_TAIL)) & _POS_MASK

    def _head(self):
        """The head word's position (SPSC: without a sleeping producer's bit)."""
        return load(self._word(_CW_HEAD)) & _POS_MASK

    def _claim(self):
        """The slot index of the next item and its position, or None when none is ready now."""
        if self.mode == 'spsc':
            head = self._head()
            return None if head == self._tail() else (self._slot(head), head)
        head = load(self._word(_CW_HEAD))
        while True:
            index = self._slot(head)
            if self._stamp(index) == _wrap(head + 1):
                seen = cas(self._word(_CW_HEAD), head, self._next(head))
                if seen == head:
                    return index, head
                head = seen
                continue
            again = load(self._word(_CW_HEAD))
            if again == head:
                return None
            head = again

    def _readable(self):
        if self.mode == 'spsc':
            return self._tail() != self._head()
        head = load(self._word(_CW_HEAD))
        return self._stamp(self._slot(head)) == _wrap(head + 1)

    def _wake(self, count, word, n):
        fetch_add(self._word(word), 1)
        woken = futex_wake(self._word(word), n)
        if woken > 0:
            fetch_add(self._word(count), -woken)

    def _release(self, index, pos):
        if self.mode == 'spsc':
            # The exchange clears a sleeping producer's bit and returns it: then every sleeping
            # producer is woken (each one that finds no room sets the bit again), as in JavaScript.
            old = exchange(self._word(_CW_HEAD), self._next(pos))
            if old & _PRODUCER_ASLEEP and load(self._word(_CW_PRODUCERS_WAITING)) != 0:
                self._wake(_CW_PRODUCERS_WAITING, _CW_NOT_FULL, _ALL)
            return
        exchange(self._word(_CW_STAMPS + index), _wrap(pos + self._lap - index))
        if load(self._word(_CW_PRODUCERS_WAITING)) != 0:
            self._wake(_CW_PRODUCERS_WAITING, _CW_NOT_FULL, 1)
        if self.mode == 'mpmc' and load(self._word(_CW_CONSUMERS_WAITING)) != 0:
            # Once closed, every sleeper is woken (each may now see the end), as in JavaScript.
            if load(self._word(_CW_TAIL)) & _CLOSED_MARK:
                self._wake(_CW_CONSUMERS_WAITING, _CW_NOT_EMPTY, _ALL)
            elif self._readable():
                self._wake(_CW_CONSUMERS_WAITING, _CW_NOT_EMPTY, 1)

    @property
    def closed(self):
        """Whether ``close()`` was called (in any process)."""
        return load(self._word(_CW_CLOSED)) != 0

    @property
    def done(self):
        """Closed and drained: ``get`` raises ChannelClosedError from now on. Both from one read of
        the tail word (its closed mark and its position): once the mark is set no push can add an
        item, so nothing a push accepted is left behind."""
        tail = load(self._word(_CW_TAIL))
        return (tail & _CLOSED_MARK) != 0 and load(self._word(_CW_HEAD)) & _POS_MASK == tail & _POS_MASK

    def get(self, block=True, timeout=None):
        """Removes and returns the oldest item, waiting up to ``timeout`` seconds (for ever: None)
        when ``block``. Raises ``queue.Empty`` when there is none in time, ChannelClosedError when the
        channel is closed and drained."""
        deadline = _deadline(block, timeout)
        while True:
            claimed = self._claim()
            if claimed is not None:
                index, pos = claimed
                item = self._ctype.from_buffer_copy(ctypes.string_at(self._data + index * self._size, self._size))
                self._release(index, pos)
                return item.value if self._simple else item
            if self.done:
                raise ChannelClosedError(f'sharedctypes.Channel.get: the channel in {self._shm.name!r} is closed and drained')
            left = _left(deadline)
            if left is not None and left <= 0:
                raise queue.Empty
            # Announce (SPSC: also the asleep bit on the tail word, which the producer's next
            # publish finds), look once more, sleep on the not-empty word (src/channels/waiting.ts).
            fetch_add(self._word(_CW_CONSUMERS_WAITING), 1)
            if self.mode == 'spsc':
                fetch_or(self._word(_CW_TAIL), _CONSUMER_ASLEEP)
            woken = False
            try:
                seq = load(self._word(_CW_NOT_EMPTY))
                if not (self._readable() or self.done):
                    woken = futex_wait(self._word(_CW_NOT_EMPTY), seq, left) == 'ok'
            finally:
                if not woken:
                    fetch_add(self._word(_CW_CONSUMERS_WAITING), -1)

    def get_nowait(self):
        """``get(False)``."""
        return self.get(False)

    def __iter__(self):
        """Items until the channel is closed and drained."""
        while True:
            try:
                yield self.get()
            except ChannelClosedError:
                return

    def task_done(self):
        """A JoinableQueue's ``task_done()``: one item taken is processed (JavaScript's ``join()`` wakes at zero)."""
        if not self.joinable:
            raise ValueError('sharedctypes.Channel.task_done: the channel is not a JoinableQueue')
        left = fetch_add(self._word(_CW_UNFINISHED), -1) - 1
        if left < 0:
            fetch_add(self._word(_CW_UNFINISHED), 1)
            raise ValueError('sharedctypes.Channel.task_done: called more times than items were put')
        if left == 0:
            futex_wake(self._word(_CW_UNFINISHED), _ALL)

    def close(self):
        """Closes the channel for every process: pushes raise, consumers drain then see the end.
        First the closed mark on the tail word (as JavaScript's close()): from then on no push can
        publish or claim, so a consumer that sees the mark and nothing left has every item."""
        fetch_or(self._word(_CW_TAIL), _CLOSED_MARK)
        if exchange(self._word(_CW_CLOSED), 1) != 0:
            return
        self._wake(_CW_CONSUMERS_WAITING, _CW_NOT_EMPTY, _ALL)
        self._wake(_CW_PRODUCERS_WAITING, _CW_NOT_FULL, _ALL)


if __name__ == '__main__':
    print(f'sharedctypes for Python {sys.version.split()[0]} on {platform.machine()}: SYS_futex {_SYS}, pid {os.getpid()}')
