"""verdict.py — what every interop test script prints and counts.

check() prints a PASS or FAIL line and records it; Timed records how long a block took (for
the scripts' timing tables); summary() prints the closing `N passed, N failed` line that
the suite looks for and returns the exit status.  PASSED, FAILED and TIMES are the lists
themselves, shared with every script that imports them.
"""

import time

PASSED, FAILED, TIMES = [], [], []


def check(name, cond, detail='', pass_detail=True):
    """Record and print one verdict; detail goes on the FAIL line (and on the PASS line
    unless pass_detail is False).  Returns cond."""
    if cond:
        PASSED.append(name)
        print('PASS %s %s' % (name, detail) if pass_detail else 'PASS %s' % name, flush=True)
    else:
        FAILED.append(name)
        print('FAIL %s %s' % (name, detail), flush=True)
    return cond


def check_quiet(name, cond, detail=''):
    """check() that prints detail only when the check fails (for long details: log tails)."""
    return check(name, cond, detail, pass_detail=False)


class Timed:
    """with Timed('what'): ... appends ('what', seconds) to TIMES."""

    def __init__(self, what):
        self.what = what

    def __enter__(self):
        self.t0 = time.monotonic()
        return self

    def __exit__(self, *exc):
        TIMES.append((self.what, time.monotonic() - self.t0))


def summary():
    """Print `N passed, N failed`; return the exit status (0 only if nothing failed)."""
    print('%d passed, %d failed' % (len(PASSED), len(FAILED)), flush=True)
    return 1 if FAILED else 0
