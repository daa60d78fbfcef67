"""Runs python/sharedctypes.py's fingerprint() on cases written by python-fingerprint.test.ts and
prints one JSON object: for each case, whether toCtypes' own checks pass (its asserts and bit
checks), the fingerprint Python computes from the descriptor and the ctypes classes, and what
check_layout() says against JavaScript's fingerprint and against a forged one.

    python3 python-fingerprint.py cases.json

A case: {name, descriptor (toJSON), fp (JavaScript's fingerprint), src (toCtypes, or a program of
your own defining the class), root (the class's name; default: the root alias, else the last class),
endian}. Also {hash: [strings]}: hash64 of each, to compare with JavaScript's.
"""
import json
import os
import re
import sys
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', '..', 'python'))
import sharedctypes  # noqa: E402

FORGED = 'sct2:0123456789abcdef'


def root_of(case):
    if case.get('root'):
        return case['root']
    alias = re.search(r'^(\w+) = ', case['src'], re.M)
    return alias.group(1) if alias else re.findall(r'^class (\w+)\(', case['src'], re.M)[-1]


def outcome(f):
    """'ok' and the value, or the error: its type, the field a LayoutMismatchError names, its message."""
    try:
        return {'ok': f()}
    except sharedctypes.LayoutMismatchError as e:
        return {'error': 'LayoutMismatchError', 'field': e.field, 'message': str(e)}
    except Exception as e:  # noqa: BLE001 - the test compares the kinds
        return {'error': type(e).__name__, 'message': str(e)}


def run(case):
    ns = {'__name__': 'sct_case'}
    try:
        exec(compile(case['src'], case['name'], 'exec'), ns)
        checks = 'ok'
    except Exception as e:  # noqa: BLE001 - the classes are defined before the first failing assert
        lines = case['src'].split('\n')
        at = [f.lineno for f in traceback.extract_tb(e.__traceback__) if f.filename == case['name']]
        checks = f"{type(e).__name__}: {e} [line: {lines[at[0] - 1] if at else '?'}]"
    ctype = ns.get(root_of(case))
    endian = case.get('endian', 'little')
    out = {'checks': checks, 'built': ctype is not None}
    if ctype is None and not case.get('derive'):
        return out
    out['fingerprint'] = outcome(lambda: sharedctypes.fingerprint(case['descriptor'], ctype, endian))
    out['against'] = outcome(lambda: sharedctypes.check_layout(case['descriptor'], case['fp'], ctype, endian).__name__)
    out['forged'] = outcome(lambda: sharedctypes.check_layout(case['descriptor'], FORGED, ctype, endian).__name__)
    return out


def main():
    doc = json.load(open(sys.argv[1]))
    result = {'python': '%d.%d.%d' % sys.version_info[:3]}
    result['cases'] = {c['name']: run(c) for c in doc.get('cases', [])}
    result['hashes'] = [sharedctypes.hash64(t) for t in doc.get('hash', [])]
    json.dump(result, sys.stdout)


if __name__ == '__main__':
    main()
