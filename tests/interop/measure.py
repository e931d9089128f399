#!/usr/bin/env python3
"""Launch the default test network (3 authorities, 5 relays, 2 exits, a client) K times and print
how long each phase took (seconds since the first tor was launched; keygen before that), then the
medians.  Usage: python3 tests/interop/measure.py [K]"""

import os
import statistics
import sys
import time

sys.dont_write_bytecode = True       # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import testnet  # noqa: E402

KEYS = ('keygen', 'listening', 'consensus', 'relays_have_mds', 'client_bootstrap')


def main():
    k = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    rows, failures = [], 0
    for i in range(k):
        net = testnet.TestNet(client=True)
        try:
            with net:
                net.wait_for_consensus(timeout=180)
                rows.append(dict(net.timings))
                left = net.pids()
            alive = [p for p in left if testnet.pid_alive(p)]
            print('run %d: %s%s' % (i + 1, ' '.join('%s=%.1f' % (x, net.timings[x]) for x in KEYS),
                                    ' ALIVE %s' % alive if alive else ''), flush=True)
        except testnet.TestNetError as e:
            failures += 1
            print('run %d FAILED: %s' % (i + 1, str(e)[:3000]), flush=True)
        time.sleep(0)
    if rows:
        print('median of %d: %s' % (len(rows), ' '.join(
            '%s=%.1f' % (x, statistics.median(r[x] for r in rows)) for x in KEYS)))
        print('range client_bootstrap: %.1f-%.1f s' % (min(r['client_bootstrap'] for r in rows),
                                                       max(r['client_bootstrap'] for r in rows)))
    print('%d runs, %d failed' % (k, failures))
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
