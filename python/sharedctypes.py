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
"""

import ctypes
import ctypes.util
import json
import os
import platform
import queue
import sys
import threading
import time
from multiprocessing import resource_tracker
from multiprocessing.shared_memory import SharedMemory

__all__ = [
    'attach', 'create', 'Lock', 'RLock', 'OwnerDeadError', 'address_of', 'identity',
    'RawValue', 'RawArray', 'Value', 'Array', 'Synchronized', 'SynchronizedArray', 'SynchronizedString', 'from_handle',
    'Channel', 'ChannelClosedError',
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
    return _SYS_FUTEX[machine], syscall, cas, xchg, add, load


_SYS, _syscall, _cas4, _xchg4, _add4, _load4 = _load()


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


class _Attached(SharedMemory):
    """A SharedMemory that, when collected while ctypes objects still use its memory, leaves the
    mapping to them (it is unmapped when the last one goes) instead of raising BufferError."""

    def __del__(self):
        try:
            self.close()
        except (BufferError, OSError):
            pass


def attach(name):
    """Maps the segment ``name`` (made by JavaScript or Python), as ``SharedMemory(name=name)`` but
    untracked: Python's resource tracker would otherwise unlink it when this process exits
    (Python < 3.13 registers segments it only attaches to). Unlinking stays the creator's job."""
    if sys.version_info >= (3, 13):
        return _Attached(name=name, track=False)
    shm = _Attached(name=name)
    try:
        resource_tracker.unregister(shm._name, 'shared_memory')  # noqa: SLF001 - the documented workaround
    except Exception:  # noqa: BLE001 - the tracker is best effort
        pass
    return shm


def create(name, size):
    """Creates the segment ``name`` of ``size`` bytes (Python's tracking as usual: call unlink() when done)."""
    return SharedMemory(name=name, create=True, size=size)


def _deadline(blocking, timeout):
    if not blocking:
        return 0.0
    return None if timeout is None or timeout < 0 else time.monotonic() + timeout


def _left(deadline):
    return None if deadline is None else deadline - time.monotonic()


_WAITERS = _i32(0x80000000)
_OWNER_MASK = 0x7FFFFFFF
_ID_MASK = 0x0FFFFFFF  # the holder's identity in a lock word
_INCONSISTENT = 0x10000000  # a holder died inside its critical section; nobody has repaired the data since
_REGISTERED = 0x08000000  # the holder is a JavaScript thread of a ThreadRegistry
_MAX_IDENTITY = _REGISTERED - 1
_ALL = 0x7FFFFFFF


class OwnerDeadError(RuntimeError):
    """The lock's holder (a JavaScript thread of a ThreadRegistry) died inside its critical section,
    and nobody has repaired the data since: JavaScript's ``OwnerDeadError``. The lock is left free
    and marked; repair it from JavaScript (``lock.withLock(fn, repair)``)."""


def _refuse_marked(address, what):
    """A free lock marked inconsistent: wakes every waiter (so that each learns it) and raises."""
    futex_wake(address, _ALL)
    raise OwnerDeadError(
        f'{what}: a holder of the lock died inside its critical section, so the data it guards may be '
        'inconsistent, and nobody has repaired it since; repair it from JavaScript: lock.withLock(fn, repair)'
    )


class Lock:
    """The ``mutex()`` member (``Lock`` in JavaScript): one int32, 0 free, 1 held, 2 held with
    waiters (a JavaScript thread of a ThreadRegistry holds it with its identity instead, bit 27
    set, and bit 31 for waiters; bit 28 marks a lock whose holder died, see ``OwnerDeadError``).
    ``Lock(c.lock)`` for a struct member, ``Lock(shm, offset)`` for a lock at a byte offset."""

    def __init__(self, obj, offset=0):
        self.address = address_of(obj, offset)
        if self.address % 4:
            raise ValueError('sharedctypes.Lock: the lock word must be 4-byte aligned')

    def acquire(self, blocking=True, timeout=-1):
        """As threading.Lock.acquire (timeout in seconds); True when acquired. Raises
        ``OwnerDeadError`` for a lock whose holder died and that nobody has repaired."""
        a = self.address
        if cas(a, 0, 1) == 0:
            return True
        deadline = _deadline(blocking, timeout)
        while True:
            cur = load(a)
            if cur & _ID_MASK == 0:  # free
                if cur & _INCONSISTENT:
                    _refuse_marked(a, 'sharedctypes.Lock.acquire')
                if cas(a, cur, 2) == cur:  # taken, marked as having sleepers (others may sleep behind)
                    return True
                continue
            if not blocking:
                return False
            # Mark a sleeper: 1 becomes 2; a registered JavaScript holder keeps its identity.
            marked = cur if cur & _ID_MASK == 2 or cur & _WAITERS else cur | _WAITERS if cur & _REGISTERED else cur + 1
            if marked != cur and cas(a, cur, marked) != cur:
                continue
            left = _left(deadline)
            if left is not None and left <= 0:
                return False
            futex_wait(a, marked, left)

    def release(self):
        a = self.address
        while True:
            prev = load(a)
            if prev & _ID_MASK == 0:
                raise RuntimeError('sharedctypes.Lock.release(): the lock is not held')
            if cas(a, prev, prev & _INCONSISTENT) == prev:  # free, keeping a dead holder's mark
                break
        if prev & _ID_MASK == 2 or prev & _WAITERS:
            futex_wake(a, 1)

    def locked(self):
        return load(self.address) & _ID_MASK != 0

    __enter__ = acquire

    def __exit__(self, *exc):
        self.release()


class RLock:
    """The ``rmutex()`` member (``RLock`` in JavaScript, the lock of ``Value``/``Array``): three
    int32 words (owner identity with a waiters bit, depth, identity counter). Re-entrant per Python
    thread; each thread takes an identity from the lock's counter word, as JavaScript threads do."""

    def __init__(self, obj, offset=0):
        self.address = address_of(obj, offset)
        if self.address % 4:
            raise ValueError('sharedctypes.RLock: the lock words must be 4-byte aligned')
        self._ids = threading.local()

    def _me(self):
        me = getattr(self._ids, 'me', 0)
        if me == 0:
            me = fetch_add(self.address + 8, 1) + 1
            if me < 1 or me > _MAX_IDENTITY:
                raise RuntimeError('sharedctypes.RLock: the lock has handed out all its owner identities')
            self._ids.me = me
        return me

    def _depth(self):
        return ctypes.c_int32.from_address(self.address + 4)

    def acquire(self, blocking=True, timeout=-1):
        a = self.address
        me = self._me()
        cur = cas(a, 0, me)
        if cur == 0:
            self._depth().value = 1
            return True
        if cur & _OWNER_MASK & ~_INCONSISTENT == me:
            self._depth().value += 1
            return True
        deadline = _deadline(blocking, timeout)
        while True:
            cur = load(a)
            if cur & _ID_MASK == 0:  # free
                if cur & _INCONSISTENT:
                    _refuse_marked(a, 'sharedctypes.RLock.acquire')
                if cas(a, cur, me | _WAITERS) == cur:
                    self._depth().value = 1
                    return True
                continue
            if not blocking:
                return False
            word = cur if cur & _WAITERS else None
            if word is None and cas(a, cur, cur | _WAITERS) == cur:
                word = _i32((cur | _WAITERS) & 0xFFFFFFFF)
            if word is None:
                continue
            left = _left(deadline)
            if left is not None and left <= 0:
                return False
            futex_wait(a, word, left)

    def release(self):
        a = self.address
        me = getattr(self._ids, 'me', 0)
        if me == 0 or load(a) & _ID_MASK != me:
            raise RuntimeError('sharedctypes.RLock.release(): this thread does not hold the lock')
        depth = self._depth()
        if depth.value > 1:
            depth.value -= 1
            return
        if exchange(a, 0) & _WAITERS:  # this thread took it unmarked (it refuses marked ones)
            futex_wake(a, 1)

    def locked(self):
        return load(self.address) & _ID_MASK != 0

    __enter__ = acquire

    def __exit__(self, *exc):
        self.release()



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
    if issubclass(t, ctypes.Array):
        cls = SynchronizedString if t._type_ is ctypes.c_char else SynchronizedArray  # noqa: SLF001
    else:
        cls = Synchronized
    return cls(obj, lock, shm)


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
_MAX_DEPTH = 64


def _type_of(root, endian, depth=0):
    if depth > _MAX_DEPTH:
        raise ValueError(f'sharedctypes.from_handle: the descriptor nests deeper than {_MAX_DEPTH} levels')
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


def _view_of(shm, h, ctype):
    if not isinstance(h, dict) or h.get('kind') != 'view' or not isinstance(h.get('schema'), dict):
        raise ValueError('sharedctypes.from_handle: the handle has no view')
    derived = _type_of(h['schema'].get('root'), h.get('endian'))
    if ctype is None:
        if derived is None:
            raise TypeError('sharedctypes.from_handle: the shared value is a struct or union: pass its ctypes class (what toCtypes printed) as ctype=')
        ctype = derived
    elif derived is not None and not _same_type(derived, ctype):
        raise TypeError(f'sharedctypes.from_handle: ctype {ctype.__name__} is not the shared value\'s type ({derived.__name__}, {ctypes.sizeof(derived)} bytes)')
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
    shm = attach(seg['name'])
    if identity(shm) != seg['identity']:
        shm.close()
        raise FileNotFoundError(f"sharedctypes.from_handle: the segment {seg['name']!r} the handle was made for is gone (unlinked; the name now belongs to another segment)")
    kind = h.get('kind')
    if kind == 'synchronized':
        obj = _view_of(shm, h.get('obj'), ctype)
        lock = _lock_of(shm, h.get('lock'))
        t = type(obj)
        cls = (SynchronizedString if t._type_ is ctypes.c_char else SynchronizedArray) if issubclass(t, ctypes.Array) else Synchronized  # noqa: SLF001
        return cls(obj, lock, shm)
    if kind == 'view':
        return _pinned(_view_of(shm, h, ctype), shm)
    if kind in ('lock', 'rlock'):
        lock = _lock_of(shm, h)
        lock._sharedctypes_memory = shm
        return lock
    shm.close()
    raise ValueError(f'sharedctypes.from_handle: a handle of kind {kind!r} has no Python counterpart here')



# ---- channels: the consumer end of a JavaScript channel in a segment --------------------------

_CH_MAGIC = 0x4E484353  # "SCHN"
_CH_VERSION = 1
_CH_MAX_CAPACITY = 2**30 - 1
# Header words (src/channels/format.ts).
_CW_MAGIC, _CW_VERSION, _CW_MODE, _CW_CAPACITY, _CW_SIZE, _CW_ALIGN, _CW_DATA, _CW_CLOSED = range(8)
_CW_CONSUMERS_WAITING, _CW_PRODUCERS_WAITING, _CW_NOT_EMPTY, _CW_NOT_FULL, _CW_FLAGS = 8, 9, 10, 11, 12
_CW_TAIL, _CW_HEAD, _CW_UNFINISHED, _CW_STAMPS = 32, 64, 96, 128
_CH_SPSC, _CH_MPMC = 1, 2


class ChannelClosedError(EOFError):
    """The channel was closed and everything in it has been taken: JavaScript's ``ChannelClosedError``
    (Python's ``EOFError`` for a pipe, ``queue.ShutDown`` for a queue)."""


def _wrap(x):
    return _i32(x & 0xFFFFFFFF)


class Channel:
    """The consumer end of a channel that JavaScript placed in a segment (``new Channel(T, n,
    { memory: shm, byteOffset })``, a ``Queue`` or ``JoinableQueue``; SPSC or MPMC), with the
    JavaScript protocol: positions, stamps, the waiter counts and the futex words, so Python takes
    items while JavaScript processes push (and, for MPMC, pop too). ``get`` copies the oldest item
    out (a ctypes object, or a Python number for a primitive type); it sleeps in the futex system
    call while the channel is empty. ``ctype`` is the element's ctypes type (what toCtypes printed)
    or a typecode; its size and alignment are checked against the header (Python cannot compute the
    layout fingerprint the header also holds: the class must be toCtypes' of the same schema).
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
        shm = attach(seg['name'])
        if identity(shm) != seg['identity']:
            shm.close()
            raise FileNotFoundError(f"sharedctypes.Channel.from_handle: the segment {seg['name']!r} the handle was made for is gone")
        return cls(shm, h.get('byteOffset'), ctype)

    def _word(self, i):
        return self._base + 4 * i

    def _next(self, pos):
        if (pos & self._mask) + 1 < self.capacity:
            return _wrap(pos + 1)
        return _wrap((pos & -self._lap) + self._lap)

    def _stamp(self, index):
        return _wrap(load(self._word(_CW_STAMPS + index)) + index)

    def _claim(self):
        """The slot index of the next item and its position, or None when none is ready now."""
        head = load(self._word(_CW_HEAD))
        if self.mode == 'spsc':
            return None if head == load(self._word(_CW_TAIL)) else (head & self._mask, head)
        while True:
            index = head & self._mask
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
        head = load(self._word(_CW_HEAD))
        if self.mode == 'spsc':
            return load(self._word(_CW_TAIL)) != head
        return self._stamp(head & self._mask) == _wrap(head + 1)

    def _wake(self, count, word, n):
        fetch_add(self._word(word), 1)
        woken = futex_wake(self._word(word), n)
        if woken > 0:
            fetch_add(self._word(count), -woken)

    def _release(self, index, pos):
        if self.mode == 'spsc':
            exchange(self._word(_CW_HEAD), self._next(pos))
        else:
            exchange(self._word(_CW_STAMPS + index), _wrap(pos + self._lap - index))
        if load(self._word(_CW_PRODUCERS_WAITING)) != 0:
            self._wake(_CW_PRODUCERS_WAITING, _CW_NOT_FULL, 1)
        if self.mode == 'mpmc' and load(self._word(_CW_CONSUMERS_WAITING)) != 0 and self._readable():
            self._wake(_CW_CONSUMERS_WAITING, _CW_NOT_EMPTY, 1)

    @property
    def closed(self):
        """Whether ``close()`` was called (in any process)."""
        return load(self._word(_CW_CLOSED)) != 0

    @property
    def done(self):
        """Closed and drained: ``get`` raises ChannelClosedError from now on."""
        return self.closed and load(self._word(_CW_HEAD)) == load(self._word(_CW_TAIL))

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
            # Announce, look once more, sleep on the not-empty word (src/channels/waiting.ts).
            fetch_add(self._word(_CW_CONSUMERS_WAITING), 1)
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
        """Closes the channel for every process: pushes raise, consumers drain then see the end."""
        if exchange(self._word(_CW_CLOSED), 1) != 0:
            return
        self._wake(_CW_CONSUMERS_WAITING, _CW_NOT_EMPTY, _ALL)
        self._wake(_CW_PRODUCERS_WAITING, _CW_NOT_FULL, _ALL)


if __name__ == '__main__':
    print(f'sharedctypes for Python {sys.version.split()[0]} on {platform.machine()}: SYS_futex {_SYS}, pid {os.getpid()}')
