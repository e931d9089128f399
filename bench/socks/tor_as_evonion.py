#!/usr/bin/env python3
"""A stand-in for evonion's SOCKS proxy: takes the command line evonion will take and runs a tor
client instead (exec, so the PID is tor's).  It lets the evonion code paths of
tests/interop/test_socks_proxy.py and bench/socks/run_bench.py run before evonion has a SOCKS
proxy, and `run_bench.py --evonion bench/socks/tor_as_evonion.py` measures the noise of the
benchmark itself (every ratio should be near 1).

    tor_as_evonion.py --socks-port 127.0.0.1:P --data-directory DIR [--testing-tor-network]
                      [--log LEVEL] [--log-file PATH] --dir-authority "NICK orport=... FP" ...
"""

import argparse
import os
import shutil
import sys

ap = argparse.ArgumentParser()
ap.add_argument('--socks-port', required=True)
ap.add_argument('--data-directory', required=True)
ap.add_argument('--testing-tor-network', action='store_true')
ap.add_argument('--log', default='notice')
ap.add_argument('--log-file')
ap.add_argument('--dir-authority', action='append', default=[])
args = ap.parse_args()

tor = os.environ.get('EVONION_TOR') or shutil.which('tor') or '/usr/sbin/tor'
d = os.path.abspath(args.data_directory)
os.makedirs(d, mode=0o700, exist_ok=True)
os.chmod(d, 0o700)
level = {'info': 'info', 'debug': 'info'}.get(args.log, 'notice')
lines = [
    'DataDirectory %s' % d,
    'SocksPort %s' % args.socks_port,
    'RunAsDaemon 0',
    'Log %s file %s' % (level, args.log_file or os.path.join(d, 'notice.log')),
    'SafeLogging 0',
    'ConfluxEnabled 0',
    'PathsNeededToBuildCircuits 0.67',
    'AddressDisableIPv6 1',
    '__OwningControllerProcess %d' % os.getppid(),
] + ['DirAuthority %s' % v for v in args.dir_authority]
if args.testing_tor_network:
    lines.insert(0, 'TestingTorNetwork 1')
empty = os.path.join(d, 'empty')
open(empty, 'w').close()
lines += ['GeoIPFile %s' % empty, 'GeoIPv6File %s' % empty]
torrc = os.path.join(d, 'torrc')
with open(torrc, 'w') as f:
    f.write('\n'.join(lines) + '\n')
sys.stdout.flush()
os.execv(tor, [tor, '--defaults-torrc', empty, '-f', torrc])
