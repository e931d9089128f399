#!/usr/bin/env python3
"""A local Tor test network of Debian's tor on 127.0.0.1 (Python 3 standard library only).

Use as a module:

    from testnet import TestNet
    with TestNet(n_relays=5, n_exits=2, client=True,
                 consensus_params={'sendme_accept_min_version': 1}) as net:
        net.wait_for_consensus(timeout=180)
        print(net.socks_port, [r.fingerprint for r in net.relays])
        print(net.dir_authority_lines())

or as a CLI (see README.md in this directory):

    python3 tests/interop/testnet.py start --dir DIR [--relays N --exits N --client]
    python3 tests/interop/testnet.py stop --dir DIR

Every process the harness starts is recorded by PID (in memory and in DIR/pids) and stopped by PID:
SIGTERM, a deadline, then SIGKILL.  Nothing is ever killed by name.
"""

import argparse
import atexit
import base64
import binascii
import json
import math
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import weakref

# Debian puts tor in /usr/sbin, which is not on a normal user's PATH.
TOR = os.environ.get('EVONION_TOR') or shutil.which('tor') or '/usr/sbin/tor'
TOR_GENCERT = (os.environ.get('EVONION_TOR_GENCERT') or shutil.which('tor-gencert')
               or '/usr/bin/tor-gencert')

# How long one node may take to open its listeners before we call it a failure.
NODE_START_TIMEOUT = 60.0
# Poll interval of every wait loop.
POLL_INTERVAL = 0.2
# SIGTERM -> SIGKILL grace period.
STOP_GRACE = 10.0

AUTHORITY_TIMING = [
    'TestingV3AuthInitialVotingInterval 5',
    'TestingV3AuthInitialVoteDelay 2',
    'TestingV3AuthInitialDistDelay 2',
    'V3AuthVotingInterval 10',
    'V3AuthVoteDelay 2',
    'V3AuthDistDelay 2',
    'V3AuthNIntervalsValid 2',
]


class TestNetError(Exception):
    """A deadline passed or a node failed; the message carries the log tails."""


class PortClash(TestNetError):
    """A node could not bind one of the ports picked for it."""


# --------------------------------------------------------------------------------------------
# Ports


class PortPicker:
    """Free loopback TCP ports, unique within one run."""

    def __init__(self):
        self._used = set()
        self._lock = threading.Lock()

    def pick(self):
        """Return a port that was free on 127.0.0.1 a moment ago and was never returned before."""
        with self._lock:
            for _ in range(1000):
                s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                try:
                    s.bind(('127.0.0.1', 0))
                    port = s.getsockname()[1]
                finally:
                    s.close()
                if port not in self._used:
                    self._used.add(port)
                    return port
        raise TestNetError('could not find a free loopback port')


# one picker per Python process, so that two networks in one process never share a port
_PORTS = PortPicker()


# --------------------------------------------------------------------------------------------
# Control port


class ControlError(TestNetError):
    """The control port answered with an error status."""


class Control:
    """A tiny tor control-port client: AUTHENTICATE (cookie), GETINFO, SETCONF, SIGNAL, raw commands."""

    def __init__(self, port, cookie_path=None, timeout=10.0, host='127.0.0.1'):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self._buf = b''
        if cookie_path is not None:
            with open(cookie_path, 'rb') as f:
                cookie = f.read()
            self.command('AUTHENTICATE ' + binascii.hexlify(cookie).decode())

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _readline(self):
        while b'\r\n' not in self._buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ControlError('control connection closed')
            self._buf += chunk
        line, self._buf = self._buf.split(b'\r\n', 1)
        return line.decode('utf-8', 'replace')

    def _read_reply(self):
        """Read one reply; returns (status, [(keyword_line, data_or_None), ...])."""
        items = []
        while True:
            line = self._readline()
            if len(line) < 4:
                raise ControlError('malformed control reply line %r' % line)
            status, sep, rest = line[:3], line[3], line[4:]
            if sep == '+':
                data = []
                while True:
                    dl = self._readline()
                    if dl == '.':
                        break
                    data.append(dl[1:] if dl.startswith('..') else dl)
                items.append((rest, '\n'.join(data)))
            else:
                items.append((rest, None))
            if sep == ' ':
                return int(status), items

    def command(self, cmd):
        """Send one command line; return the reply items.  Raises ControlError on a non-2xx status."""
        self.sock.sendall(cmd.encode() + b'\r\n')
        while True:
            status, items = self._read_reply()
            if status == 650:          # asynchronous event: not ours, skip
                continue
            if status // 100 != 2:
                raise ControlError('%s -> %d %s' % (cmd.split(' ')[0], status,
                                                     ' '.join(i[0] for i in items)))
            return items

    def getinfo(self, key):
        """GETINFO one key; returns its value (multi-line values joined by '\\n')."""
        for line, data in self.command('GETINFO ' + key):
            if data is not None and line.startswith(key + '='):
                return data
            if line.startswith(key + '='):
                return line[len(key) + 1:]
        raise ControlError('GETINFO %s: no value in reply' % key)

    def setconf(self, **kv):
        """SETCONF key=value ... (values are quoted); a value of None resets the option."""
        parts = []
        for k, v in kv.items():
            if v is None:
                parts.append(k)
            else:
                parts.append('%s="%s"' % (k, str(v).replace('\\', '\\\\').replace('"', '\\"')))
        self.command('SETCONF ' + ' '.join(parts))

    def signal(self, name):
        """SIGNAL name (e.g. NEWNYM, RELOAD)."""
        self.command('SIGNAL ' + name)


def parse_bootstrap(phase):
    """Return the PROGRESS=N value of a status/bootstrap-phase string (or -1)."""
    for tok in phase.split():
        if tok.startswith('PROGRESS='):
            try:
                return int(tok[len('PROGRESS='):])
            except ValueError:
                return -1
    return -1


# --------------------------------------------------------------------------------------------
# Consensus parsing


class RouterStatus:
    """One 'r' entry of a (microdesc) consensus."""

    def __init__(self, nickname, fingerprint, address, or_port, dir_port):
        self.nickname = nickname
        self.fingerprint = fingerprint
        self.address = address
        self.or_port = or_port
        self.dir_port = dir_port
        self.flags = set()
        self.microdesc_digest = None

    def __repr__(self):
        return 'RouterStatus(%s %s %s:%d %s)' % (self.nickname, self.fingerprint, self.address,
                                                 self.or_port, ' '.join(sorted(self.flags)))


class Consensus:
    """The parts of a consensus document the harness needs: params, valid-after, router entries."""

    def __init__(self, text):
        self.text = text
        self.params = {}
        self.valid_after = None
        self.routers = {}           # fingerprint (upper hex) -> RouterStatus
        cur = None
        for line in text.splitlines():
            kw, _, rest = line.partition(' ')
            if kw == 'params':
                for kv in rest.split():
                    k, _, v = kv.partition('=')
                    self.params[k] = v
            elif kw == 'valid-after':
                self.valid_after = rest
            elif kw == 'r':
                f = rest.split()
                # microdesc flavor: nick id date time ip orport dirport; ns flavor adds a digest
                if len(f) < 7:
                    continue
                ident = f[1]
                fp = binascii.hexlify(base64.b64decode(ident + '=' * (-len(ident) % 4))).decode().upper()
                cur = RouterStatus(f[0], fp, f[-3], int(f[-2]), int(f[-1]))
                self.routers[fp] = cur
            elif kw == 's' and cur is not None:
                cur.flags = set(rest.split())
            elif kw == 'm' and cur is not None:
                cur.microdesc_digest = rest.strip()
            elif kw == 'directory-footer':
                cur = None


# --------------------------------------------------------------------------------------------
# Nodes


class Node:
    """One process of the network (a tor authority/relay/exit/client, or anything added later)."""

    def __init__(self, nickname, role, data_dir):
        self.nickname = nickname
        self.role = role                 # 'authority', 'relay', 'exit', 'client', or a caller's tag
        self.data_dir = data_dir
        self.or_port = None
        self.dir_port = None
        self.control_port = None
        self.socks_port = None
        self.ports = {}                  # every port of this node by name (or_port, socks_port, ...)
        self.fingerprint = None          # RSA identity, 40 upper-case hex digits
        self.ed25519_id = None           # base64 (unpadded) ed25519 master identity key
        self.v3ident = None              # authorities: v3 identity (authority_certificate fingerprint)
        self.is_exit = role == 'exit'
        self.is_tor = True
        self.argv = None
        self.torrc = None
        self.log_path = os.path.join(data_dir, 'notice.log')
        self.proc = None
        self.stopped = False             # set by TestNet.stop_node(): its exit is no failure
        self.stdout_path = os.path.join(data_dir, 'stdout.log')
        self.extra_torrc = []

    @property
    def pid(self):
        return self.proc.pid if self.proc is not None else None

    @property
    def cookie_path(self):
        return os.path.join(self.data_dir, 'control_auth_cookie')

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def log_tail(self, n=25):
        out = []
        for path in (self.log_path, self.stdout_path):
            try:
                with open(path, 'r', errors='replace') as f:
                    lines = f.readlines()[-n:]
            except OSError:
                continue
            if lines:
                out.append('--- %s (%s) %s\n%s' % (self.nickname, self.role, path, ''.join(lines)))
        return ''.join(out)

    def as_dict(self):
        return {
            'nickname': self.nickname, 'role': self.role, 'pid': self.pid,
            'or_port': self.or_port, 'dir_port': self.dir_port, 'control_port': self.control_port,
            'socks_port': self.socks_port, 'ports': dict(self.ports),
            'fingerprint': self.fingerprint, 'ed25519_id': self.ed25519_id, 'v3ident': self.v3ident,
            'is_exit': self.is_exit, 'data_dir': self.data_dir,
        }

    def __repr__(self):
        return 'Node(%s %s pid=%s or=%s fp=%s)' % (self.nickname, self.role, self.pid,
                                                  self.or_port, self.fingerprint)


# --------------------------------------------------------------------------------------------
# Process bookkeeping shared by all networks of this Python process

_live_nets = weakref.WeakSet()
_handlers_installed = False


def _close_all_nets():
    for net in list(_live_nets):
        try:
            net.close()
        except Exception as e:              # never let cleanup hide the original error
            sys.stderr.write('testnet: cleanup error: %r\n' % (e,))


def _signal_handler(signum, frame):
    _close_all_nets()
    prev = _prev_handlers.get(signum)
    if callable(prev):
        prev(signum, frame)
        return
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)


_prev_handlers = {}


def _install_handlers():
    global _handlers_installed
    if _handlers_installed:
        return
    _handlers_installed = True
    atexit.register(_close_all_nets)
    if threading.current_thread() is not threading.main_thread():
        return
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        try:
            prev = signal.getsignal(sig)
            if prev is _signal_handler or prev == signal.SIG_IGN or prev is None:
                continue            # an ignored signal stays ignored
            _prev_handlers[sig] = prev
            signal.signal(sig, _signal_handler)
        except (ValueError, OSError):
            pass


def pid_alive(pid):
    """True if PID exists and is not a zombie."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open('/proc/%d/stat' % pid) as f:
            stat = f.read()
        return stat[stat.rfind(')') + 2] != 'Z'
    except OSError:
        return True


def stop_pids(pids, grace=STOP_GRACE):
    """SIGTERM every PID, wait up to `grace` seconds, SIGKILL the rest, wait again.
    Returns the PIDs still alive at the end (normally empty)."""
    pids = [p for p in pids if p and pid_alive(p)]
    for p in pids:
        try:
            os.kill(p, signal.SIGTERM)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and any(pid_alive(p) for p in pids):
        _reap_children()
        time.sleep(0.05)
    for p in pids:
        if pid_alive(p):
            try:
                os.kill(p, signal.SIGKILL)
            except ProcessLookupError:
                pass
    deadline = time.monotonic() + 5.0
    while time.monotonic() < deadline and any(pid_alive(p) for p in pids):
        _reap_children()
        time.sleep(0.05)
    return [p for p in pids if pid_alive(p)]


def stop_procs(procs, grace=STOP_GRACE):
    """Like stop_pids() for our own children (subprocess.Popen objects): signals go through Popen,
    which never signals a PID it has already reaped, so a recycled PID cannot be hit.
    Returns the PIDs still alive at the end (normally empty)."""
    procs = [p for p in procs if p is not None and p.poll() is None]
    for p in procs:
        p.terminate()
    deadline = time.monotonic() + grace
    for p in procs:
        try:
            p.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            pass
    for p in procs:
        if p.poll() is None:
            p.kill()
    for p in procs:
        try:
            p.wait(timeout=5.0)
        except subprocess.TimeoutExpired:
            pass
    return [p.pid for p in procs if p.poll() is None]


def _reap_children():
    """Reap zombies of our own children only (so pid_alive() sees them gone)."""
    for net in list(_live_nets):
        for node in net.nodes:
            if node.proc is not None:
                node.proc.poll()


# --------------------------------------------------------------------------------------------
# The network


class TestNet:
    """A local tor network: N directory authorities, M relays (some exits), optionally a tor client.

    base_dir:          where everything lives (a fresh temporary directory by default, removed on
                       close() unless keep_dir=True or base_dir was given).
    n_authorities:     directory authorities (default 3).
    n_relays:          non-authority relays (default 5), of which n_exits (default 2) are exits.
    consensus_params:  dict put into `ConsensusParams` on every authority.
    extra_torrc:       dict role -> list of torrc lines; roles 'all', 'authority', 'relay' (every
                       non-authority relay), 'exit', 'client'.
    client:            also start a tor client with a SocksPort (net.socks_port).
    client_after_consensus: launch the client(s) only once the consensus lists every relay (in
                       wait_for_consensus()); a client launched together with the relays first gets
                       a relay-less consensus and needs ~10 s more to bootstrap.
    first_consensus_after: seconds from launch to the first consensus (see _timing_torrc); None
                       keeps tor's own schedule (first consensus at once, without the relays).
    keep_dir:          keep base_dir on close() (default: keep it only if you passed base_dir).
    """

    def __init__(self, base_dir=None, n_authorities=3, n_relays=5, n_exits=2,
                 consensus_params=None, extra_torrc=None, client=False, keep_dir=None,
                 tor=None, tor_gencert=None, client_after_consensus=True,
                 first_consensus_after=9.0):
        if n_authorities < 1:
            raise ValueError('need at least one authority')
        if n_exits > n_relays:
            raise ValueError('n_exits > n_relays')
        self._own_dir = base_dir is None
        if base_dir is None:
            base_dir = tempfile.mkdtemp(prefix='evonion-testnet-')
        self.base_dir = os.path.abspath(base_dir)
        self.keep_dir = (not self._own_dir) if keep_dir is None else keep_dir
        self.n_authorities = n_authorities
        self.n_relays = n_relays
        self.n_exits = n_exits
        self.consensus_params = dict(consensus_params or {})
        self.extra_torrc = {k: list(v) for k, v in (extra_torrc or {}).items()}
        self.want_client = client
        self.client_after_consensus = client_after_consensus
        self.first_consensus_after = first_consensus_after
        self.t_launch_wall = None
        self.tor = tor or TOR
        self.tor_gencert = tor_gencert or TOR_GENCERT
        self.ports = _PORTS
        self.authorities = []
        self.relays = []
        self.clients = []
        self.others = []               # nodes added by add_process()
        self.closed = False
        self.started = False
        self.t_launch = None           # monotonic time the first tor process was started
        self.timings = {}              # name -> seconds since t_launch
        self._exit_votes = set()
        self._lock = threading.RLock()
        os.makedirs(self.base_dir, exist_ok=True)
        self.pids_path = os.path.join(self.base_dir, 'pids')
        self.resolv_conf = os.path.join(self.base_dir, 'resolv.conf')
        self.empty_torrc = os.path.join(self.base_dir, 'empty-torrc')

    # ---- public properties -----------------------------------------------------------------

    @property
    def nodes(self):
        return self.authorities + self.relays + self.clients + self.others

    @property
    def exits(self):
        return [r for r in self.relays if r.is_exit]

    @property
    def client(self):
        return self.clients[0] if self.clients else None

    @property
    def socks_port(self):
        return self.clients[0].socks_port if self.clients else None

    def pids(self):
        """PIDs of every process this network started and that has not been reaped yet."""
        return [n.pid for n in self.nodes if n.pid is not None]

    # ---- context manager -------------------------------------------------------------------

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.close()

    # ---- DirAuthority lines ----------------------------------------------------------------

    def dir_authority_values(self):
        """The value part of each DirAuthority line: 'NICK orport=P no-v2 v3ident=V 127.0.0.1:D FP'."""
        return ['%s orport=%d no-v2 v3ident=%s 127.0.0.1:%d %s'
                % (a.nickname, a.or_port, a.v3ident, a.dir_port, a.fingerprint)
                for a in self.authorities]

    def dir_authority_lines(self):
        """The torrc lines 'DirAuthority NICK orport=P no-v2 v3ident=V 127.0.0.1:D FP'."""
        return ['DirAuthority ' + v for v in self.dir_authority_values()]

    # ---- start -----------------------------------------------------------------------------

    def start(self, attempts=3):
        """Generate keys, write torrcs, launch authorities, then relays and client.  Retries with
        fresh ports (up to `attempts` times) if a node cannot bind a port.  Returns self."""
        if self.started:
            return self
        _live_nets.add(self)
        _install_handlers()
        self.t_start = time.monotonic()
        with open(self.resolv_conf, 'w') as f:
            f.write('nameserver 127.0.0.1\n')
        open(self.empty_torrc, 'w').close()
        last = None
        for attempt in range(attempts):
            try:
                self._start_once()
                self.started = True
                return self
            except PortClash as e:
                last = e
                self._stop_all_nodes()
                for n in self.authorities + self.relays + self.clients:
                    shutil.rmtree(n.data_dir, ignore_errors=True)
                self.authorities, self.relays, self.clients = [], [], []
            except BaseException:
                self.close()
                raise
        self.close()
        raise TestNetError('port clash on every one of %d attempts: %s' % (attempts, last))

    def _new_node(self, nickname, role):
        d = os.path.join(self.base_dir, nickname)
        if any(n.data_dir == d for n in self.nodes):
            raise ValueError('nickname %s already in use' % nickname)
        shutil.rmtree(d, ignore_errors=True)     # left over from an earlier run in this base_dir
        os.makedirs(d, mode=0o700, exist_ok=True)
        os.chmod(d, 0o700)
        return Node(nickname, role, d)

    def _pick_ports(self, node):
        node.control_port = self.ports.pick()
        node.ports['control_port'] = node.control_port
        if node.role in ('authority', 'relay', 'exit'):
            node.or_port = self.ports.pick()
            node.ports['or_port'] = node.or_port
        if node.role == 'authority':
            node.dir_port = self.ports.pick()
            node.ports['dir_port'] = node.dir_port
        if node.role == 'client':
            node.socks_port = self.ports.pick()
            node.ports['socks_port'] = node.socks_port

    def _start_once(self):
        for i in range(self.n_authorities):
            self.authorities.append(self._new_node('auth%d' % (i + 1), 'authority'))
        for i in range(self.n_relays):
            if i < self.n_exits:
                self.relays.append(self._new_node('exit%d' % (i + 1), 'exit'))
            else:
                self.relays.append(self._new_node('relay%d' % (i - self.n_exits + 1), 'relay'))
        if self.want_client:
            self.clients.append(self._new_node('client1', 'client'))
        for n in self.nodes:
            self._pick_ports(n)
        self._make_keys(self.authorities + self.relays)
        self._exit_votes = {r.fingerprint for r in self.relays if r.is_exit}
        self.t_launch_wall = time.time()
        for n in self.nodes:
            self._write_torrc(n)
        self.t_launch = time.monotonic()
        self.timings = {'keygen': self.t_launch - self.t_start}
        for a in self.authorities:
            self._launch(a)
        self._wait_started(self.authorities)
        rest = self.relays + ([] if self.client_after_consensus else self.clients)
        for n in rest:
            self._launch(n)
        self._wait_started(rest)
        self.timings['listening'] = time.monotonic() - self.t_launch

    def _make_keys(self, servers):
        """tor-gencert for authorities, tor --list-fingerprint for every server; all in parallel.
        Helper processes still running on an error are stopped by PID."""
        gencerts, fps = [], []
        try:
            for n in servers:
                kd = os.path.join(n.data_dir, 'keys')
                os.makedirs(kd, mode=0o700, exist_ok=True)
                if n.role == 'authority':
                    p = subprocess.Popen([self.tor_gencert, '--create-identity-key', '-m', '12',
                                          '-a', '127.0.0.1:%d' % n.dir_port, '--passphrase-fd', '0'],
                                         cwd=kd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                         stderr=subprocess.STDOUT)
                    gencerts.append((n, p))
                p = subprocess.Popen([self.tor, '--list-fingerprint',
                                      '--defaults-torrc', self.empty_torrc, '-f', self.empty_torrc,
                                      '--DataDirectory', n.data_dir,
                                      '--ORPort', '127.0.0.1:%d' % n.or_port, '--Nickname', n.nickname,
                                      '--ContactInfo', 'testnet@test.test', '--ExitRelay', '0',
                                      '--GeoIPFile', self.empty_torrc,
                                      '--GeoIPv6File', self.empty_torrc, '--Log', 'warn stderr'],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT)
                fps.append((n, p))
            for n, p in gencerts:
                out, _ = p.communicate(b'\n', timeout=120)
                if p.returncode != 0:
                    raise TestNetError('tor-gencert failed for %s: %s' % (n.nickname, out.decode()))
                with open(os.path.join(n.data_dir, 'keys', 'authority_certificate')) as f:
                    for line in f:
                        if line.startswith('fingerprint '):
                            n.v3ident = line.split()[1].strip().upper()
                if not n.v3ident:
                    raise TestNetError('no fingerprint line in %s authority_certificate' % n.nickname)
            for n, p in fps:
                out, _ = p.communicate(timeout=120)
                if p.returncode != 0:
                    raise TestNetError('tor --list-fingerprint failed for %s: %s'
                                       % (n.nickname, out.decode()))
                self._read_identity(n)
        finally:
            stop_procs([p for _, p in gencerts + fps], grace=2)

    @staticmethod
    def _read_identity(n):
        with open(os.path.join(n.data_dir, 'fingerprint')) as f:
            n.fingerprint = f.read().split()[1].strip().upper()
        try:
            with open(os.path.join(n.data_dir, 'fingerprint-ed25519')) as f:
                n.ed25519_id = f.read().split()[1].strip()
        except (OSError, IndexError):
            n.ed25519_id = None

    def _common_torrc(self, n):
        lines = [
            'TestingTorNetwork 1',
            'DataDirectory %s' % n.data_dir,
            'Nickname %s' % n.nickname,
            'RunAsDaemon 0',
            'Log notice file %s' % n.log_path,
            'SafeLogging 0',
            'ShutdownWaitLength 0',
            'AddressDisableIPv6 1',
            'ControlPort 127.0.0.1:%d' % n.control_port,
            'CookieAuthentication 1',
            'PathsNeededToBuildCircuits 0.67',
            # parsing the real GeoIP files costs each tor ~1 s of CPU at startup
            'GeoIPFile %s' % self.empty_torrc,
            'GeoIPv6File %s' % self.empty_torrc,
            # tor exits by itself if this harness process dies without cleaning up
            '__OwningControllerProcess %d' % os.getpid(),
        ]
        lines += self.dir_authority_lines()
        return lines

    def _server_torrc(self, n):
        return [
            'Address 127.0.0.1',
            'ORPort 127.0.0.1:%d' % n.or_port,
            'SocksPort 0',
            'ContactInfo %s@test.test' % n.nickname,
            'AssumeReachable 1',
            'ServerDNSDetectHijacking 0',
            'ServerDNSTestAddresses',
            'ServerDNSResolvConfFile %s' % self.resolv_conf,
            # fetch each new consensus (and its microdescriptors) as soon as it is out, so that
            # relays, as directory caches, can serve them to clients without a 10 s retry
            'FetchDirInfoEarly 1',
            'FetchDirInfoExtraEarly 1',
        ]

    def _timing_torrc(self):
        """Voting timing.  By default tor's first (5 s) consensus comes ~1 s after the authorities
        start, before any relay has published, and the relays wait for the next 10 s boundary.
        With first_consensus_after=D the first voting interval is 10 s and its boundaries are
        shifted (TestingV3AuthVotingStartOffset) so the first consensus is valid from about D
        seconds after launch; its votes are cast 4 s earlier, after the relays have published."""
        if self.first_consensus_after is None or self.t_launch_wall is None:
            return list(AUTHORITY_TIMING)
        first = int(math.ceil(self.t_launch_wall + self.first_consensus_after))
        return [
            'TestingV3AuthInitialVotingInterval 10',
            'TestingV3AuthInitialVoteDelay 2',
            'TestingV3AuthInitialDistDelay 2',
            'TestingV3AuthVotingStartOffset %d' % (first % 10),
        ] + AUTHORITY_TIMING[3:]

    def _authority_torrc(self, n):
        lines = [
            'DirPort 127.0.0.1:%d' % n.dir_port,
            'AuthoritativeDirectory 1',
            'V3AuthoritativeDirectory 1',
        ] + self._timing_torrc() + [
            'TestingDirAuthVoteGuard *',
            'TestingDirAuthVoteHSDir *',
            'TestingMinExitFlagThreshold 0',
            'AuthDirFastGuarantee 1',
            'AuthDirVoteStableGuaranteeMinUptime 0',
            'AuthDirVoteStableGuaranteeMTBF 0',
            'ExitRelay 0',
            'ExitPolicy reject *:*',
        ]
        if self._exit_votes:
            lines.append('TestingDirAuthVoteExit %s' % ','.join(sorted(self._exit_votes)))
        if self.consensus_params:
            lines.append('ConsensusParams ' + ' '.join('%s=%s' % (k, v) for k, v
                                                       in sorted(self.consensus_params.items())))
        return lines

    @staticmethod
    def _exit_torrc():
        return [
            'ExitRelay 1',
            'ExitPolicyRejectPrivate 0',
            'ExitPolicyRejectLocalInterfaces 0',
            'ExitPolicy accept 127.0.0.0/8:*',
            'ExitPolicy accept *:*',
        ]

    def _write_torrc(self, n):
        lines = self._common_torrc(n)
        if n.role == 'authority':
            lines += self._server_torrc(n) + self._authority_torrc(n)
        elif n.role == 'exit':
            lines += self._server_torrc(n) + self._exit_torrc()
        elif n.role == 'relay':
            lines += self._server_torrc(n) + ['ExitRelay 0', 'ExitPolicy reject *:*']
        elif n.role == 'client':
            lines += ['SocksPort 127.0.0.1:%d' % n.socks_port]
        extra = list(self.extra_torrc.get('all', []))
        extra += self.extra_torrc.get(n.role, [])
        if n.role == 'exit':
            extra += self.extra_torrc.get('relay', [])
        lines += extra + n.extra_torrc
        n.torrc = os.path.join(n.data_dir, 'torrc')
        with open(n.torrc, 'w') as f:
            f.write('\n'.join(lines) + '\n')
        n.argv = [self.tor, '--defaults-torrc', self.empty_torrc, '-f', n.torrc]

    # ---- processes -------------------------------------------------------------------------

    def _launch(self, n, env=None):
        if self.closed:
            raise TestNetError('network already closed; not launching %s' % n.nickname)
        stdout = open(n.stdout_path, 'ab')
        try:
            n.proc = subprocess.Popen(n.argv, stdin=subprocess.DEVNULL, stdout=stdout,
                                      stderr=subprocess.STDOUT, cwd=n.data_dir, env=env,
                                      start_new_session=True)
        finally:
            stdout.close()
        self._write_pids()

    def _write_pids(self):
        tmp = self.pids_path + '.tmp'
        with open(tmp, 'w') as f:
            for n in self.nodes:
                if n.pid is not None and n.proc.returncode is None:
                    f.write('%d %s %s\n' % (n.pid, n.role, n.nickname))
        os.replace(tmp, self.pids_path)

    def _wait_started(self, nodes, timeout=NODE_START_TIMEOUT):
        """Wait until every tor node answers on its control port as itself (GETINFO process/pid
        equals our child's PID).  Raises PortClash if one could not bind, TestNetError otherwise."""
        deadline = time.monotonic() + timeout
        pending = [n for n in nodes if n.is_tor]
        while pending:
            for n in list(pending):
                if n.proc.poll() is not None:
                    tail = n.log_tail(200)
                    if 'Address already in use' in tail or 'Could not bind' in tail:
                        raise PortClash('%s could not bind a port\n%s' % (n.nickname, n.log_tail()))
                    raise TestNetError('%s exited with status %s during startup\n%s'
                                       % (n.nickname, n.proc.returncode, n.log_tail()))
                if self._answers_as(n):
                    pending.remove(n)
            if not pending:
                break
            if time.monotonic() > deadline:
                raise TestNetError('nodes did not open their control ports within %.0f s: %s\n%s'
                                   % (timeout, [n.nickname for n in pending],
                                      ''.join(n.log_tail() for n in pending)))
            time.sleep(POLL_INTERVAL)

    @staticmethod
    def _answers_as(n):
        if not os.path.exists(n.cookie_path):
            return False
        try:
            with Control(n.control_port, n.cookie_path, timeout=5) as c:
                pid = int(c.getinfo('process/pid'))
        except (OSError, TestNetError, ValueError):
            return False
        if pid != n.pid:
            raise PortClash('control port %d of %s is answered by pid %d, not %d'
                            % (n.control_port, n.nickname, pid, n.pid))
        return True

    # ---- control ---------------------------------------------------------------------------

    def control(self, node):
        """An authenticated Control connection to a tor node (close it, or use `with`)."""
        return Control(node.control_port, node.cookie_path)

    def bootstrap_progress(self, node):
        """PROGRESS=N of the node's status/bootstrap-phase (-1 if it cannot be read)."""
        try:
            with self.control(node) as c:
                return parse_bootstrap(c.getinfo('status/bootstrap-phase'))
        except (OSError, TestNetError):
            return -1

    # ---- directory -------------------------------------------------------------------------

    def fetch_consensus(self, authority=None, flavor='microdesc', timeout=5.0):
        """The consensus text an authority serves now (microdesc flavor by default, 'ns' for the
        full one), or None if it has none yet (404) or does not answer."""
        a = authority or self.authorities[0]
        path = '/tor/status-vote/current/consensus' + ('-microdesc' if flavor == 'microdesc' else '')
        try:
            with urllib.request.urlopen('http://127.0.0.1:%d%s' % (a.dir_port, path),
                                        timeout=timeout) as r:
                return r.read().decode('utf-8', 'replace')
        except (urllib.error.URLError, OSError, ValueError):
            return None

    def consensus(self, authority=None, flavor='microdesc'):
        """The parsed Consensus an authority serves now, or None."""
        text = self.fetch_consensus(authority, flavor)
        return Consensus(text) if text else None

    def _check_listed(self, wanted):
        """None if every authority serves a consensus in which each (fingerprint, flags) in
        `wanted` is listed with those flags; otherwise a string saying what is missing."""
        for a in self.authorities:
            c = self.consensus(a)
            if c is None:
                return '%s serves no microdesc consensus yet' % a.nickname
            for fp, flags in wanted:
                rs = c.routers.get(fp)
                if rs is None:
                    return '%s: %s not in consensus (valid-after %s)' % (a.nickname, fp, c.valid_after)
                if not flags <= rs.flags:
                    return '%s: %s lacks %s (valid-after %s)' % (a.nickname, fp,
                                                                 sorted(flags - rs.flags), c.valid_after)
        return None

    def wait_for(self, predicate, timeout, what):
        """Poll predicate() every POLL_INTERVAL until it returns None/True; predicate may return a
        string that says what it is still waiting for.  On the deadline raise TestNetError with
        that string and the tail of every node's log.  Also fails early if a node died."""
        deadline = time.monotonic() + timeout
        state = None
        while True:
            r = predicate()
            if r is None or r is True:
                return
            state = r
            dead = [n for n in self.nodes
                    if n.proc is not None and not n.stopped and n.proc.poll() is not None]
            if dead:
                raise TestNetError('%s: node(s) %s died (status %s)\n%s'
                                   % (what, [n.nickname for n in dead],
                                      [n.proc.returncode for n in dead], self.log_tails()))
            if time.monotonic() > deadline:
                raise TestNetError('%s: not reached within %.0f s (%s)\n%s'
                                   % (what, timeout, state, self.log_tails()))
            time.sleep(POLL_INTERVAL)

    def wait_for_relays(self, nodes_or_fps, timeout=180.0, flags=('Running', 'Valid'),
                        exit_flag=None):
        """Wait until every authority's microdesc consensus lists the given relays (Node objects
        or hex fingerprints) with `flags` (plus Exit for nodes with is_exit, or for all if
        exit_flag=True)."""
        wanted = []
        for x in nodes_or_fps:
            fp = x.fingerprint if isinstance(x, Node) else x.upper()
            f = set(flags)
            if exit_flag or (exit_flag is None and isinstance(x, Node) and x.is_exit):
                f.add('Exit')
            wanted.append((fp, f))
        self.wait_for(lambda: self._check_listed(wanted), timeout, 'consensus listing relays')

    def wait_for_bootstrap(self, node, timeout=180.0):
        """Wait until a tor node reports status/bootstrap-phase PROGRESS=100."""
        conn = [None]

        def check():
            try:
                if conn[0] is None:
                    conn[0] = self.control(node)
                p = parse_bootstrap(conn[0].getinfo('status/bootstrap-phase'))
            except (OSError, TestNetError):
                if conn[0] is not None:
                    conn[0].close()
                conn[0] = None
                p = -1
            return None if p == 100 else '%s bootstrap progress %d' % (node.nickname, p)
        try:
            self.wait_for(check, timeout, 'bootstrap of %s' % node.nickname)
        finally:
            if conn[0] is not None:
                conn[0].close()

    def wait_for_relay_microdescs(self, nodes, timeout=180.0):
        """Wait until every running tor relay (not authority) holds a microdescriptor of each of
        `nodes` (matched by its 'id ed25519' line in GETINFO md/all), i.e. can serve it to
        clients as a directory cache."""
        conns = {}
        caches = [r for r in self.relays if r.is_tor and r.running()]
        want = {'id ed25519 ' + n.ed25519_id: n.nickname for n in nodes if n.ed25519_id}

        def check():
            for r in caches:
                try:
                    if r.nickname not in conns:
                        conns[r.nickname] = self.control(r)
                    have = set(conns[r.nickname].getinfo('md/all').splitlines())
                except (OSError, TestNetError):
                    c = conns.pop(r.nickname, None)
                    if c is not None:
                        c.close()
                    return '%s: control port not answering' % r.nickname
                missing = [nick for line, nick in want.items() if line not in have]
                if missing:
                    return '%s lacks the microdescriptors of %s' % (r.nickname, missing)
            return None
        try:
            self.wait_for(check, timeout, 'relays fetching microdescriptors')
        finally:
            for c in conns.values():
                c.close()

    def poke_relays(self):
        """SIGNAL RELOAD every running tor relay: tor then resets its directory download back-off
        and fetches the current consensus and microdescriptors right away."""
        for r in self.relays:
            if r.is_tor and r.running():
                try:
                    with self.control(r) as c:
                        c.signal('RELOAD')
                except (OSError, TestNetError):
                    pass        # best effort; wait_for_relay_microdescs() decides

    def wait_for_consensus(self, timeout=180.0):
        """Wait until every authority serves a microdesc consensus listing every relay (and
        authority) Running+Valid, exits also with Exit.  If a client was asked for: then make the
        relays fetch it (poke_relays), wait until they hold every microdescriptor, launch the
        client(s) and wait until each reports bootstrap PROGRESS=100.  The deadline covers it all;
        on expiry TestNetError carries every node's log tail.  Records timings (seconds since the
        first tor launch) in self.timings.  Starts the network first if needed.  Returns self."""
        if not self.started:
            self.start()
        deadline = time.monotonic() + timeout
        servers = [n for n in self.authorities + self.relays if n.fingerprint]
        self.wait_for_relays(servers, timeout)
        self.timings.setdefault('consensus', time.monotonic() - self.t_launch)
        late = [c for c in self.clients if c.proc is None]
        if late:
            # A fresh client takes its microdescriptors from relays acting as directory caches;
            # one that has none yet answers 404 and the client retries only 10 s later.  The
            # relays, after ~10 s of 404s for the consensus, are in download back-off: SIGNAL
            # RELOAD (SIGHUP) resets it and makes them fetch the consensus at once.
            self.poke_relays()
            self.wait_for_relay_microdescs(servers,
                                           max(1.0, deadline - time.monotonic()))
            self.timings.setdefault('relays_have_mds', time.monotonic() - self.t_launch)
        for c in late:
            self._launch(c)
        self._wait_started(late)
        for c in self.clients:
            self.wait_for_bootstrap(c, max(1.0, deadline - time.monotonic()))
        if self.clients:
            self.timings.setdefault('client_bootstrap', time.monotonic() - self.t_launch)
        return self

    # ---- adding nodes later ----------------------------------------------------------------

    def add_node(self, role='relay', nickname=None, extra_torrc=(), wait_started=True):
        """Add and start one more tor node ('relay', 'exit' or 'client') to a running network.
        For an exit, every authority is told (SETCONF TestingDirAuthVoteExit) to vote it Exit.
        Returns the Node; wait for it with wait_for_relays([node]) / wait_for_bootstrap(node)."""
        if role not in ('relay', 'exit', 'client'):
            raise ValueError('role must be relay, exit or client')
        with self._lock:
            if nickname is None:
                nickname = '%s%d' % (role, 1 + sum(1 for n in self.nodes if n.role == role))
            n = self._new_node(nickname, role)
            n.extra_torrc = list(extra_torrc)
            (self.clients if role == 'client' else self.relays).append(n)
        for attempt in range(3):
            self._pick_ports(n)
            if role != 'client' and n.fingerprint is None:
                self._make_keys([n])
            if role == 'exit':
                self.vote_exit([n.fingerprint])
            self._write_torrc(n)
            self._launch(n)
            if not wait_started:
                return n
            try:
                self._wait_started([n])
                return n
            except PortClash:
                stop_procs([n.proc])
                continue
        raise TestNetError('could not start %s without a port clash' % nickname)

    def add_process(self, nickname, argv, port_names=('or_port',), role='evonion', env=None,
                    is_exit=False, fingerprint=None, ed25519_id=None):
        """Start an arbitrary program as part of the network (later: evonion relays/clients).
        Picks a free port for each name in port_names, then formats every argv element with
        str.format(**ports, data_dir=..., base_dir=...), e.g. '--or-port={or_port}'.
        The process is tracked by PID and stopped like the tor nodes.  Its stdout/stderr go to
        DATA_DIR/stdout.log.  Returns the Node (is_tor False; wait for it yourself, e.g. with
        wait_for_port / wait_for_relays)."""
        with self._lock:
            n = self._new_node(nickname, role)
            n.is_tor = False
            n.is_exit = is_exit
            n.fingerprint = fingerprint
            n.ed25519_id = ed25519_id
            n.log_path = os.path.join(n.data_dir, 'notice.log')
            for name in port_names:
                n.ports[name] = self.ports.pick()
                if name in ('or_port', 'dir_port', 'control_port', 'socks_port'):
                    setattr(n, name, n.ports[name])
            fmt = dict(n.ports, data_dir=n.data_dir, base_dir=self.base_dir)
            n.argv = [a.format(**fmt) for a in argv]
            self.others.append(n)
        full_env = None
        if env:
            full_env = dict(os.environ)
            full_env.update(env)
        self._launch(n, env=full_env)
        return n

    def wait_for_port(self, port, timeout=60.0, node=None):
        """Wait until something accepts TCP connections on 127.0.0.1:port.  Fails early, like
        every wait, if a process of the network died (node, the process expected to listen, is
        named in the message)."""
        what = 'port %d' % port if node is None else 'port %d of %s' % (port, node.nickname)

        def check():
            try:
                socket.create_connection(('127.0.0.1', port), timeout=2).close()
                return None
            except OSError:
                return '%s not accepting' % what
        self.wait_for(check, timeout, what)

    def vote_exit(self, fingerprints):
        """Make every authority vote Exit for these fingerprints too (SETCONF TestingDirAuthVoteExit)."""
        self._exit_votes |= {f.upper() for f in fingerprints}
        value = ','.join(sorted(self._exit_votes))
        for a in self.authorities:
            if a.running():
                with self.control(a) as c:
                    c.setconf(TestingDirAuthVoteExit=value)

    def stop_node(self, node, grace=STOP_GRACE):
        """Stop one node by its PID (SIGTERM, deadline, SIGKILL).  Returns True if it is gone."""
        if node.proc is None:
            return True
        node.stopped = True
        left = stop_procs([node.proc], grace)
        node.proc.poll()
        self._write_pids()
        return not left

    # ---- diagnostics -----------------------------------------------------------------------

    def log_tails(self, n=25):
        return ''.join(node.log_tail(n) for node in self.nodes)

    def summary(self):
        """A JSON-able description of the network."""
        return {
            'base_dir': self.base_dir,
            'socks_port': self.socks_port,
            'dir_authority_lines': self.dir_authority_lines(),
            'dir_authority_values': self.dir_authority_values(),
            'consensus_params': self.consensus_params,
            'authorities': [n.as_dict() for n in self.authorities],
            'relays': [n.as_dict() for n in self.relays],
            'clients': [n.as_dict() for n in self.clients],
            'others': [n.as_dict() for n in self.others],
            'timings': {k: round(v, 2) for k, v in self.timings.items()},
        }

    # ---- stop ------------------------------------------------------------------------------

    def _stop_all_nodes(self):
        left = stop_procs([n.proc for n in self.nodes])
        for n in self.nodes:
            if n.proc is not None:
                n.proc.poll()
        try:
            self._write_pids()
        except OSError:
            pass
        return left

    def close(self):
        """Stop every process this network started, by PID (idempotent).  Removes base_dir if it
        was a temporary directory and keep_dir is false.  Raises TestNetError if a PID survived."""
        with self._lock:
            if self.closed:
                return
            self.closed = True
        left = self._stop_all_nodes()
        _live_nets.discard(self)
        if left:
            raise TestNetError('processes still alive after SIGKILL: %s' % left)
        if not self.keep_dir:
            shutil.rmtree(self.base_dir, ignore_errors=True)


# --------------------------------------------------------------------------------------------
# CLI


def _read_pids_file(base_dir):
    out = []
    try:
        with open(os.path.join(base_dir, 'pids')) as f:
            for line in f:
                parts = line.split()
                if parts:
                    out.append(int(parts[0]))
    except OSError:
        pass
    return out


def _pid_belongs(pid, base_dir):
    """True if /proc says PID's command line mentions base_dir (guards against PID reuse)."""
    try:
        with open('/proc/%d/cmdline' % pid, 'rb') as f:
            cmd = f.read().replace(b'\0', b' ').decode('utf-8', 'replace')
    except OSError:
        return False
    return os.path.abspath(base_dir) in cmd


def cmd_start(args):
    base = os.path.abspath(args.dir)
    if os.path.exists(os.path.join(base, 'pids')) and any(
            pid_alive(p) and _pid_belongs(p, base) for p in _read_pids_file(base)):
        sys.stderr.write('a network is already running in %s (use stop first)\n' % base)
        return 1
    params = {}
    for kv in args.param or []:
        k, _, v = kv.partition('=')
        params[k] = v
    extra = {}
    for role, line in args.torrc or []:
        extra.setdefault(role, []).append(line)
    stop = threading.Event()

    def on_signal(signum, frame):
        stop.set()
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGHUP, on_signal)
    global _handlers_installed
    _handlers_installed = True           # our own handlers above; atexit still closes
    atexit.register(_close_all_nets)
    os.makedirs(base, exist_ok=True)
    with open(os.path.join(base, 'harness.pid'), 'w') as f:
        f.write('%d\n' % os.getpid())
    net = TestNet(base_dir=base, n_authorities=args.authorities, n_relays=args.relays,
                  n_exits=args.exits, consensus_params=params, extra_torrc=extra,
                  client=args.client, keep_dir=True)
    try:
        net.start()
        net.wait_for_consensus(args.timeout)
        summary = json.dumps(net.summary(), indent=2)
        with open(os.path.join(base, 'summary.json'), 'w') as f:
            f.write(summary + '\n')
        print(summary, flush=True)
        while not stop.is_set():
            dead = [n.nickname for n in net.nodes
                    if n.proc is not None and not n.stopped and n.proc.poll() is not None]
            if dead:
                sys.stderr.write('node(s) died: %s\n%s' % (dead, net.log_tails()))
                return 1
            stop.wait(1.0)
        return 0
    except TestNetError as e:
        sys.stderr.write('%s\n' % e)
        return 1
    finally:
        net.close()
        try:
            os.unlink(os.path.join(base, 'harness.pid'))
        except OSError:
            pass


def cmd_stop(args):
    base = os.path.abspath(args.dir)
    pids = []
    try:
        with open(os.path.join(base, 'harness.pid')) as f:
            hp = int(f.read().split()[0])
        if pid_alive(hp) and _pid_belongs(hp, base):
            pids.append(hp)
    except (OSError, ValueError, IndexError):
        pass
    # the harness stops its own children on SIGTERM; give it the chance first
    left = stop_pids(pids, grace=STOP_GRACE + 5)
    tors = [p for p in _read_pids_file(base) if pid_alive(p) and _pid_belongs(p, base)]
    left += stop_pids(tors)
    if left:
        sys.stderr.write('still alive: %s\n' % left)
        return 1
    print('stopped %d process(es)' % (len(pids) + len(tors)))
    return 0


def main(argv=None):
    ap = argparse.ArgumentParser(description='Local Tor test network (Debian tor on 127.0.0.1)')
    sub = ap.add_subparsers(dest='cmd', required=True)
    s = sub.add_parser('start', help='start a network, print a JSON summary, run until SIGINT/SIGTERM')
    s.add_argument('--dir', required=True, help='base directory (kept afterwards)')
    s.add_argument('--authorities', type=int, default=3)
    s.add_argument('--relays', type=int, default=5)
    s.add_argument('--exits', type=int, default=2)
    s.add_argument('--client', action='store_true', help='add a tor client with a SocksPort')
    s.add_argument('--param', action='append', metavar='K=V', help='a ConsensusParams entry')
    s.add_argument('--torrc', nargs=2, action='append', metavar=('ROLE', 'LINE'),
                   help='extra torrc line for ROLE (all, authority, relay, exit, client)')
    s.add_argument('--timeout', type=float, default=180.0)
    t = sub.add_parser('stop', help='stop a network started with start --dir DIR, by its PIDs')
    t.add_argument('--dir', required=True)
    args = ap.parse_args(argv)
    return cmd_start(args) if args.cmd == 'start' else cmd_stop(args)


if __name__ == '__main__':
    sys.exit(main())
