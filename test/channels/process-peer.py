"""The Python peer of the cross-process channel tests (processes.test.ts): takes items from a
channel JavaScript placed in a segment, with python/sharedctypes.py's Channel (the JavaScript
protocol), and prints one JSON line. The job is the first argument, as JSON: the channel's handle
(JSON from share()), the element ('particle', with the toCtypes module, or 'u32'), and what to do."""
import ctypes
import importlib.util
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', '..', 'python'))
import sharedctypes  # noqa: E402

job = json.loads(sys.argv[1])
if job.get('schema', 'particle') == 'particle':
    spec = importlib.util.spec_from_file_location('schemas', job['module'])
    schemas = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(schemas)
    ctype = schemas.Particle
else:
    ctype = ctypes.c_uint32


def check(p):
    """A particle's fields are functions of its id (test/channels/process-peer.mjs writes them so)."""
    i = p.id
    if (p.x, p.y, p.z, bool(p.alive), p.mass) != (i * 0.5, -i, (i % 1024) / 4, i % 3 == 0, i % 1000):
        raise SystemExit(f'process-peer.py: particle {i} arrived damaged')
    return i


ch = sharedctypes.Channel.from_handle(job['handle'], ctype)
if job.get('corrupt'):
    # The test overwrote the channel's head word: the take must be refused, not read elsewhere.
    try:
        got = ch.get_nowait()
        print(json.dumps({'got': got if ctype is ctypes.c_uint32 else got.id}))
    except sharedctypes.ChannelCorruptError as e:
        print(json.dumps({'error': type(e).__name__, 'message': str(e)}))
    sys.exit(0)
if job.get('closeFirst'):
    # Python closes what JavaScript filled: it drains what is there, then sees the end.
    ch.close()
count = 0
total = 0
nxt = 0
last = {}
for item in ch:
    i = item if ctype is ctypes.c_uint32 else check(item)
    if job.get('order') and i != nxt:
        raise SystemExit(f'process-peer.py: expected item {nxt}, got {i}')
    nxt = i + 1
    if job.get('perProducer'):
        p = i // job['perProducer']
        if last.get(p, -1) >= i:
            raise SystemExit(f"process-peer.py: producer {p}'s item {i} came after {last[p]}")
        last[p] = i
    count += 1
    total += i
    if job.get('taskDone'):
        ch.task_done()
print(json.dumps({'count': count, 'sum': total, 'mode': ch.mode, 'done': ch.done}))
