#!/usr/bin/env python3
"""Helpers for testing and benchmarking a SOCKS proxy (a tor client or evonion) on a local test
network (testnet.py).  Python 3 standard library plus the `curl` program.

- curl_get / curl_upload: one transfer through the proxy with curl, checked by sha256 (the body is
  hashed from curl's stdout through a pipe, never stored), with a deadline.
- run_concurrent: N transfers in threads, each checked.
- socks4a / socks5: a raw SOCKS client (CONNECT, RESOLVE F0, RESOLVE_PTR F1, username/password).
- raw_exchange: send arbitrary (malformed) bytes and report what came back: reply bytes, close,
  reset or silence.
- CellStats: count the circuits a relay carries data on (its CELL_STATS control events), which
  shows how many circuits a proxy really used without asking the proxy.
- start_proxy: the proxy under test, `tor` (the harness's tor client) or `evonion` (a binary added
  to the network with add_process and waited for until it logs "Bootstrapped 100%").
- proc_cpu_seconds / proc_peak_rss: a process's utime+stime and VmHWM from /proc.
"""

import hashlib
import ipaddress
import json
import os
import re
import select
import socket
import struct
import subprocess
import threading
import time
import urllib.parse

import testnet
from httpserver import payload_chunks

CURL = os.environ.get('EVONION_CURL', 'curl')
_STATS_RE = re.compile(r'^EVOSTATS (\S+) (\S+) (\S+) (\S+) (\S+)$', re.M)


class ProxyError(Exception):
    """A helper could not do what it was asked (not a failed check: those return results)."""


# --------------------------------------------------------------------------------------------
# curl transfers


class Transfer:
    """The outcome of one curl transfer."""

    def __init__(self):
        self.ok = False            # curl exit 0, HTTP 2xx, and the checks asked for passed
        self.rc = None             # curl's exit status (None: killed at our deadline)
        self.http_code = 0
        self.length = 0            # bytes of body received
        self.sha256 = None
        self.expected_sha256 = None
        self.ttfb = None           # curl's time_starttransfer (s)
        self.time_total = None     # curl's time_total (s)
        self.elapsed = None        # our wall clock around the whole curl run (s)
        self.killed = False        # we had to kill curl at our own deadline (a hang)
        self.stderr = ''
        self.body = b''            # for uploads: the server's JSON reply
        self.why = ''              # why ok is False

    @property
    def mbps(self):
        """Throughput in MB/s (10^6 bytes) over curl's own total time."""
        if not self.time_total:
            return 0.0
        return self.length / self.time_total / 1e6

    def __repr__(self):
        return ('Transfer(ok=%s rc=%s http=%s len=%d ttfb=%s total=%s %s)'
                % (self.ok, self.rc, self.http_code, self.length, self.ttfb, self.time_total,
                   self.why or ''))


def proxy_url(socks_port, user=None, password=None, scheme='socks5h', host='127.0.0.1'):
    """curl's -x value: socks5h://[user:pass@]host:port (hostnames resolved by the proxy)."""
    cred = ''
    if user is not None:
        cred = urllib.parse.quote(user, safe='')
        if password is not None:
            cred += ':' + urllib.parse.quote(password, safe='')
        cred += '@'
    return '%s://%s%s:%d' % (scheme, cred, host, socks_port)


def _curl_argv(socks_port, url, timeout, user, password, extra):
    return [CURL, '-sS', '--no-progress-meter', '-o', '-', '--max-time', '%g' % timeout,
            '--connect-timeout', '%g' % min(timeout, 60), '--noproxy', '',
            '-x', proxy_url(socks_port, user, password),
            '-w', '%{stderr}\nEVOSTATS %{exitcode} %{http_code} %{size_download} '
                  '%{time_starttransfer} %{time_total}\n'] + list(extra) + [url]


def _run_curl(argv, timeout, feed=None, on_first_byte=None):
    """Run curl, hash its stdout, optionally feed its stdin from an iterator in a thread.
    Returns a Transfer (ok not yet decided)."""
    t = Transfer()
    h = hashlib.sha256()
    out = []
    t0 = time.monotonic()
    proc = subprocess.Popen(argv, stdin=subprocess.PIPE if feed is not None else subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    killer = threading.Timer(timeout + 15, _kill_child, (proc, t))
    killer.daemon = True
    killer.start()
    err = []
    et = threading.Thread(target=lambda: err.append(proc.stderr.read()), daemon=True)
    et.start()
    ft = None
    if feed is not None:
        def pump():
            try:
                for chunk in feed:
                    proc.stdin.write(chunk)
                proc.stdin.close()
            except (BrokenPipeError, OSError, ValueError):
                pass
        ft = threading.Thread(target=pump, daemon=True)
        ft.start()
    try:
        while True:
            b = proc.stdout.read1(1 << 20)
            if not b:
                break
            if t.length == 0 and on_first_byte is not None:
                on_first_byte()
            h.update(b)
            t.length += len(b)
            if feed is not None and len(out) < 64:
                out.append(b)
        proc.wait()
    finally:
        killer.cancel()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    et.join(5)
    if ft is not None:
        ft.join(5)
    t.elapsed = time.monotonic() - t0
    t.rc = None if t.killed else proc.returncode
    t.sha256 = h.hexdigest()
    t.body = b''.join(out)
    stderr = (err[0] if err else b'').decode(errors='replace')
    m = None
    for m in _STATS_RE.finditer(stderr):
        pass
    if m is not None:
        t.http_code = int(m.group(2))
        t.ttfb = float(m.group(4))
        t.time_total = float(m.group(5))
        stderr = stderr[:m.start()] + stderr[m.end():]
    t.stderr = stderr.strip()
    return t


def _kill_child(proc, t):
    """Deadline of one curl run passed although curl has its own --max-time: that is a hang."""
    if proc.poll() is None:
        t.killed = True
        proc.kill()


def curl_get(socks_port, url, expect_sha256=None, expect_len=None, timeout=120.0, user=None,
             password=None, extra=(), on_first_byte=None):
    """GET url through the SOCKS5 proxy at 127.0.0.1:socks_port (hostname sent to the proxy).
    Checks the length and sha256 when given.  Never raises for a failed transfer; returns a
    Transfer whose .ok says whether everything held and .why what did not."""
    t = _run_curl(_curl_argv(socks_port, url, timeout, user, password, ['--fail'] + list(extra)),
                  timeout, on_first_byte=on_first_byte)
    t.expected_sha256 = expect_sha256
    if t.killed:
        t.why = 'curl still running %g s after its deadline (killed)' % (timeout + 15)
    elif t.rc != 0:
        t.why = 'curl exit %s: %s' % (t.rc, t.stderr[-300:])
    elif not 200 <= t.http_code < 300:
        t.why = 'HTTP %d' % t.http_code
    elif expect_len is not None and t.length != expect_len:
        t.why = 'got %d bytes, expected %d' % (t.length, expect_len)
    elif expect_sha256 is not None and t.sha256 != expect_sha256:
        t.why = 'sha256 mismatch'
    else:
        t.ok = True
    return t


def curl_get_bytes(socks_port, http_port, n, seed, timeout=120.0, user=None, password=None,
                   rate=None, expected=None, on_first_byte=None):
    """GET /bytes/n?seed=... of the test HTTP server through the proxy, checked against the
    generator's sha256 (recomputed here, or `expected` if the caller has it)."""
    from httpserver import bytes_url, expected_sha256
    exp = expected if expected is not None else expected_sha256(n, seed)
    return curl_get(socks_port, bytes_url(http_port, n, seed, rate), exp, n, timeout, user, password,
                    on_first_byte=on_first_byte)


def curl_upload(socks_port, http_port, n, seed, timeout=120.0, user=None, password=None):
    """POST n generated bytes (seed) to /upload through the proxy, streamed from a pipe (chunked).
    ok when the server reports exactly our length and sha256."""
    from httpserver import expected_sha256
    exp = expected_sha256(n, seed)
    url = 'http://127.0.0.1:%d/upload' % http_port
    argv = _curl_argv(socks_port, url, timeout, user, password,
                      ['--fail', '-X', 'POST', '-T', '-', '-H', 'Expect:'])
    t = _run_curl(argv, timeout, feed=payload_chunks(n, seed))
    t.expected_sha256 = exp
    try:
        got = json.loads(t.body.decode())
    except ValueError:
        got = {}
    if t.killed:
        t.why = 'curl still running after its deadline (killed)'
    elif t.rc != 0:
        t.why = 'curl exit %s: %s' % (t.rc, t.stderr[-300:])
    elif got.get('length') != n or got.get('sha256') != exp:
        t.why = 'server received %r, sent %d bytes sha256 %s' % (got, n, exp)
    else:
        t.ok = True
    return t


def run_concurrent(fn, arglists, workers=None):
    """Call fn(*args) for each args in arglists, all at once in threads (or `workers` at a time);
    returns the results in order (an exception becomes its repr)."""
    results = [None] * len(arglists)
    sem = threading.Semaphore(workers or len(arglists))

    def one(i, args):
        with sem:
            try:
                results[i] = fn(*args)
            except Exception as e:          # a helper bug must show, not vanish in a thread
                results[i] = e
    threads = [threading.Thread(target=one, args=(i, a), daemon=True) for i, a in enumerate(arglists)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return results


# --------------------------------------------------------------------------------------------
# Raw SOCKS


class RawReply:
    """What came back on one raw connection to the proxy."""

    def __init__(self):
        self.data = b''
        self.closed = False     # the proxy closed the connection (EOF)
        self.reset = False      # ... with a reset
        self.timed_out = False  # nothing more within the deadline, still open
        self.refused = False    # could not even connect to the proxy

    def outcome(self):
        if self.refused:
            return 'connect refused'
        end = 'closed' if self.closed else 'reset' if self.reset else 'open (silent)'
        return 'reply %s, then %s' % (self.data[:64].hex() or '(none)', end)

    def __repr__(self):
        return 'RawReply(%s)' % self.outcome()


def raw_exchange(socks_port, pieces, half_close=False, timeout=10.0, want=None):
    """Connect to the proxy, send each of `pieces` (bytes), then optionally shut down our write
    side; read until the proxy closes, `want` bytes arrived, or `timeout` seconds pass."""
    r = RawReply()
    try:
        s = socket.create_connection(('127.0.0.1', socks_port), timeout=timeout)
    except OSError:
        r.refused = True
        return r
    try:
        for p in pieces:
            try:
                s.sendall(p)
            except OSError:
                r.reset = True
                return r
        if half_close:
            try:
                s.shutdown(socket.SHUT_WR)
            except OSError:
                pass
        _read_until(s, r, want, time.monotonic() + timeout)
    finally:
        s.close()
    return r


def _read_until(s, r, want, deadline):
    while want is None or len(r.data) < want:
        left = deadline - time.monotonic()
        if left <= 0:
            r.timed_out = True
            return
        ready, _, _ = select.select([s], [], [], left)
        if not ready:
            r.timed_out = True
            return
        try:
            b = s.recv(65536 if want is None else want - len(r.data))
        except ConnectionResetError:
            r.reset = True
            return
        except OSError:
            r.reset = True
            return
        if not b:
            r.closed = True
            return
        r.data += b


def _recv_exact(s, n, deadline):
    r = RawReply()
    _read_until(s, r, n, deadline)
    if len(r.data) < n:
        raise ProxyError('proxy sent %d of %d reply bytes (%s)' % (len(r.data), n, r.outcome()))
    return r.data


class SocksReply:
    """A parsed SOCKS reply; .sock is the open connection after a successful CONNECT."""

    def __init__(self, version, code, addr=None, port=None, raw=b''):
        self.version = version
        self.code = code        # SOCKS4: 90 granted, 91 rejected; SOCKS5: 0 ok, 1..8 errors
        self.addr = addr        # IPv4/IPv6 string, or hostname for RESOLVE_PTR
        self.port = port
        self.raw = raw
        self.sock = None
        self.error = None       # set if the proxy closed or sent something unparsable

    @property
    def ok(self):
        return self.error is None and self.code == (90 if self.version == 4 else 0)

    def close(self):
        if self.sock is not None:
            self.sock.close()
            self.sock = None

    def __repr__(self):
        return 'SocksReply(v%d code=%s addr=%s port=%s%s)' % (
            self.version, self.code, self.addr, self.port,
            ' error=%s' % self.error if self.error else '')


SOCKS4_CONNECT, SOCKS_RESOLVE, SOCKS_RESOLVE_PTR = 0x01, 0xF0, 0xF1


def socks4a(socks_port, host, port, cmd=SOCKS4_CONNECT, user=b'', timeout=30.0, keep=False):
    """SOCKS4a request (SOCKS4 if host is an IPv4 literal).  cmd 0x01 CONNECT or 0xF0 RESOLVE.
    Returns a SocksReply (addr = DSTIP of the reply: the resolved address for RESOLVE); with
    keep=True and success the connection stays open in .sock."""
    try:
        ip = ipaddress.IPv4Address(host)
        req = struct.pack('>BBH', 4, cmd, port) + ip.packed + user + b'\0'
    except ValueError:
        req = (struct.pack('>BBH', 4, cmd, port) + b'\0\0\0\x01' + user + b'\0'
               + host.encode() + b'\0')
    s = socket.create_connection(('127.0.0.1', socks_port), timeout=timeout)
    deadline = time.monotonic() + timeout
    try:
        s.sendall(req)
        d = _recv_exact(s, 8, deadline)
    except (ProxyError, OSError) as e:
        s.close()
        rep = SocksReply(4, None)
        rep.error = str(e)
        return rep
    rep = SocksReply(4, d[1], str(ipaddress.IPv4Address(d[4:8])), struct.unpack('>H', d[2:4])[0], d)
    if d[0] != 0:
        rep.error = 'reply version byte %d, expected 0' % d[0]
    if keep and rep.ok:
        rep.sock = s
    else:
        s.close()
    return rep


def _socks5_addr(host):
    try:
        return b'\x01' + ipaddress.IPv4Address(host).packed
    except ValueError:
        pass
    try:
        return b'\x04' + ipaddress.IPv6Address(host).packed
    except ValueError:
        pass
    h = host.encode() if isinstance(host, str) else host
    if len(h) > 255:
        raise ProxyError('SOCKS5 hostnames are at most 255 bytes')
    return b'\x03' + bytes([len(h)]) + h


def socks5_greeting(user=None, password=None):
    """The SOCKS5 method-selection message: no-auth, or username/password (RFC 1929)."""
    return b'\x05\x01\x02' if user is not None else b'\x05\x01\x00'


def socks5_auth(user, password):
    u = user.encode() if isinstance(user, str) else user
    p = (password or '').encode() if isinstance(password or '', str) else password
    return bytes([1, len(u)]) + u + bytes([len(p)]) + p


def socks5_request(cmd, host, port):
    return bytes([5, cmd, 0]) + _socks5_addr(host) + struct.pack('>H', port)


def socks5(socks_port, host, port=0, cmd=SOCKS4_CONNECT, user=None, password=None, timeout=30.0,
           keep=False):
    """SOCKS5 request: cmd 0x01 CONNECT, 0xF0 RESOLVE, 0xF1 RESOLVE_PTR (host = the IP).
    With user, username/password authentication (RFC 1929).  Returns a SocksReply: code is the
    REP byte, addr the BND.ADDR (the answer for RESOLVE/RESOLVE_PTR)."""
    s = socket.create_connection(('127.0.0.1', socks_port), timeout=timeout)
    deadline = time.monotonic() + timeout
    rep = SocksReply(5, None)
    try:
        s.sendall(socks5_greeting(user, password))
        d = _recv_exact(s, 2, deadline)
        if d[0] != 5 or d[1] != (2 if user is not None else 0):
            rep.error = 'method selection reply %s' % d.hex()
            return rep
        if user is not None:
            s.sendall(socks5_auth(user, password))
            d = _recv_exact(s, 2, deadline)
            if d[1] != 0:
                rep.error = 'authentication reply %s' % d.hex()
                return rep
        s.sendall(socks5_request(cmd, host, port))
        d = _recv_exact(s, 4, deadline)
        rep.code = d[1]
        raw = d
        atyp = d[3]
        if atyp == 1:
            a = _recv_exact(s, 6, deadline)
            rep.addr = str(ipaddress.IPv4Address(a[:4]))
        elif atyp == 4:
            a = _recv_exact(s, 18, deadline)
            rep.addr = str(ipaddress.IPv6Address(a[:16]))
        elif atyp == 3:
            ln = _recv_exact(s, 1, deadline)
            a = ln + _recv_exact(s, ln[0] + 2, deadline)
            rep.addr = a[1:-2].decode(errors='replace')
            a = a[1:]
        elif atyp == 0 and rep.code != 0:
            a = _recv_exact(s, 6, deadline)     # tor's error replies: ATYP 0 and 6 zero bytes
        else:
            rep.error = 'reply address type %d' % atyp
            a = b''
        raw += a
        if len(a) >= 2:
            rep.port = struct.unpack('>H', a[-2:])[0]
        rep.raw = raw
        if d[0] != 5:
            rep.error = 'reply version %d' % d[0]
        if keep and rep.ok:
            rep.sock, s = s, None
        return rep
    except (ProxyError, OSError) as e:
        rep.error = str(e)
        return rep
    finally:
        if s is not None:
            s.close()


def http_over(sock, path='/hello', timeout=30.0):
    """Send a minimal HTTP/1.0 GET on an open (SOCKS-connected) socket; return the whole reply."""
    sock.settimeout(timeout)
    sock.sendall(('GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' % path).encode())
    r = RawReply()
    _read_until(sock, r, None, time.monotonic() + timeout)
    return r.data


# --------------------------------------------------------------------------------------------
# Relay-side evidence: which circuits carry data (CELL_STATS events of a tor relay)

# cells that left one of the circuit's queues toward a channel, i.e. cells the relay sent on
_CELLSTATS_SENT = re.compile(r'\b(Inbound|Outbound)Removed=(\S+)')


class EventConn(testnet.Control):
    """A control connection that also reads asynchronous events (650 lines)."""

    def events(self, until):
        """Yield (event_line) until the monotonic deadline `until`."""
        while True:
            left = until - time.monotonic()
            if left <= 0:
                return
            self.sock.settimeout(left)
            try:
                status, items = self._read_reply()
            except (socket.timeout, TimeoutError):
                return
            if status == 650:
                for line, _ in items:
                    yield line


def _relay_cells(field):
    n = 0
    for kv in field.split(','):
        k, _, v = kv.partition(':')
        if k in ('relay', 'relay_early') and v.isdigit():
            n += int(v)
    return n


class CellStats:
    """Collects a tor relay's CELL_STATS events (TestingEnableCellStatsEvent 1, TestingTorNetwork's
    default, is set here anyway and left at 0 on close).  Each circuit is keyed by the relay's own ids: (InboundConn,
    InboundQueue) — a circuit in the relay's view.  totals() gives the relay cells the relay
    sent on each circuit (both directions)."""

    def __init__(self, node):
        self.node = node
        self.conn = EventConn(node.control_port, node.cookie_path)
        self.conn.setconf(TestingEnableCellStatsEvent='1')
        self.conn.command('SETEVENTS CELL_STATS')
        self.cells = {}
        self.lines = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._lock = threading.Lock()
        self._last_busy = time.monotonic()    # so the first wait_quiet spans a whole tick
        self._thread.start()
        # TestingTorNetwork turns TestingEnableCellStatsEvent on by default, so a relay has been
        # recording every cell since it started and the first events after subscribing carry
        # that backlog (all circuits in one burst, events come once a second): wait until the
        # events have been quiet for a while, then forget them.
        self.wait_quiet(1.5, 5)
        self.reset()

    def _run(self):
        while not self._stop.is_set():
            try:
                for line in self.conn.events(time.monotonic() + 0.5):
                    self._add(line)
            except (OSError, testnet.TestNetError):
                return

    def _add(self, line):
        if not line.startswith('CELL_STATS'):
            return
        kv = dict(tok.partition('=')[::2] for tok in line.split()[1:] if '=' in tok)
        key = (kv.get('InboundConn'), kv.get('InboundQueue'), kv.get('ID'))
        n = sum(_relay_cells(m.group(2)) for m in _CELLSTATS_SENT.finditer(line))
        with self._lock:
            self.lines += 1
            self.cells[key] = self.cells.get(key, 0) + n
            if n >= 20:
                self._last_busy = time.monotonic()

    def wait_quiet(self, quiet, timeout):
        """Wait (up to timeout s) until no event has reported 20 or more cells on a circuit for
        `quiet` seconds (every transfer's last cells are then counted).  True if it got quiet."""
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                last = self._last_busy
            now = time.monotonic()
            if now - last >= quiet:
                return True
            if now >= deadline:
                return False
            time.sleep(0.1)

    def reset(self):
        with self._lock:
            self.cells = {}

    def totals(self):
        with self._lock:
            return dict(self.cells)

    def busy(self, min_cells):
        """Circuits (keys) that carried at least min_cells relay cells since the last reset."""
        return sorted(k for k, v in self.totals().items() if v >= min_cells)

    def close(self):
        self._stop.set()
        self._thread.join(3)
        try:
            with testnet.Control(self.node.control_port, self.node.cookie_path) as c:
                c.setconf(TestingEnableCellStatsEvent='0')
        except (OSError, testnet.TestNetError):
            pass
        self.conn.close()


class StreamEvents:
    """A tor client's own account of its streams (STREAM control events, tor proxies only):
    circuits() maps SOCKS username -> set of circuit ids its streams succeeded on."""

    def __init__(self, node):
        self.conn = EventConn(node.control_port, node.cookie_path)
        self.conn.command('SETEVENTS STREAM')
        self.lines = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        while not self._stop.is_set():
            try:
                for line in self.conn.events(time.monotonic() + 0.5):
                    if line.startswith('STREAM '):
                        self.lines.append(line)
            except (OSError, testnet.TestNetError):
                return

    def circuits(self):
        out = {}
        for line in list(self.lines):
            f = line.split()
            if len(f) < 4 or f[2] != 'SUCCEEDED':
                continue
            m = re.search(r'SOCKS_USERNAME="([^"]*)"', line)
            out.setdefault(m.group(1) if m else None, set()).add(f[3])
        return out

    def close(self):
        self._stop.set()
        self._thread.join(3)
        self.conn.close()


# --------------------------------------------------------------------------------------------
# The proxy under test


class Proxy:
    """A SOCKS proxy of the network: kind 'tor' or 'evonion'; .socks_port, .pid, .node."""

    def __init__(self, kind, node, socks_port):
        self.kind = kind
        self.node = node
        self.socks_port = socks_port

    @property
    def pid(self):
        return self.node.pid

    def running(self):
        return self.node.running()

    def log_tail(self, n=40):
        return self.node.log_tail(n)

    def __repr__(self):
        return 'Proxy(%s pid=%s socks=%s)' % (self.kind, self.pid, self.socks_port)


# How evonion is started.  {socks_port} and {data_dir} are filled in by testnet.add_process;
# each --dir-authority value follows.  Override with EVONION_PROXY_ARGS (shell words).
EVONION_ARGS = ['--socks-port', '127.0.0.1:{socks_port}', '--data-directory', '{data_dir}',
                '--testing-tor-network', '--log', 'info', '--log-file', '{data_dir}/notice.log']


def evonion_argv(binary, net, extra=()):
    import shlex
    args = shlex.split(os.environ['EVONION_PROXY_ARGS']) if os.environ.get('EVONION_PROXY_ARGS') \
        else list(EVONION_ARGS)
    argv = [os.path.abspath(binary)] + args     # the process runs in its data directory
    for v in net.dir_authority_values():
        argv += ['--dir-authority', v]
    return argv + list(extra)


def start_evonion(net, binary, nickname='evonion1', extra=(), timeout=120.0):
    """Add evonion as a SOCKS proxy to a running network; wait for 'Bootstrapped 100%' in its
    log and for its SOCKS port to accept.  Returns a Proxy."""
    if not net.clients:
        # what wait_for_consensus does before it launches a tor client: the relays, as directory
        # caches, fetch the consensus now and hold every microdescriptor before a client asks
        servers = [n for n in net.authorities + net.relays if n.fingerprint and n.is_tor]
        net.poke_relays()
        net.wait_for_relay_microdescs(servers, timeout)
    node = net.add_process(nickname, evonion_argv(binary, net, extra), port_names=('socks_port',),
                           role='evonion')

    def boot():
        for path in (node.log_path, node.stdout_path):
            try:
                with open(path, errors='replace') as f:
                    if 'Bootstrapped 100%' in f.read():
                        return None
            except OSError:
                pass
        return 'evonion (%s) to log "Bootstrapped 100%%"' % node.nickname
    net.wait_for(boot, timeout, 'evonion bootstrap')
    net.wait_for_port(node.socks_port, timeout=30, node=node)
    return Proxy('evonion', node, node.socks_port)


def start_proxy(net, kind, evonion=None, timeout=120.0):
    """The proxy under test on a network whose consensus is ready: 'tor' is the harness's tor
    client (net.client, started by wait_for_consensus), 'evonion' starts the binary `evonion`."""
    if kind == 'tor':
        if net.client is None:
            raise ProxyError('the network has no tor client (TestNet(client=True))')
        return Proxy('tor', net.client, net.socks_port)
    if kind == 'evonion':
        if not evonion:
            raise ProxyError('--proxy evonion needs the path of the evonion binary')
        return start_evonion(net, evonion, timeout=timeout)
    raise ProxyError('unknown proxy kind %r' % kind)


# --------------------------------------------------------------------------------------------
# Process accounting


def proc_cpu_seconds(pid):
    """utime + stime of a process in seconds (from /proc/PID/stat)."""
    with open('/proc/%d/stat' % pid) as f:
        st = f.read()
    fields = st[st.rfind(')') + 2:].split()
    ticks = os.sysconf('SC_CLK_TCK')
    return (int(fields[11]) + int(fields[12])) / ticks


def proc_peak_rss(pid):
    """Peak resident set size (VmHWM) of a process in bytes."""
    with open('/proc/%d/status' % pid) as f:
        for line in f:
            if line.startswith('VmHWM:'):
                return int(line.split()[1]) * 1024
    raise ProxyError('no VmHWM for pid %d' % pid)


def proc_rss(pid):
    """Current resident set size (VmRSS) of a process in bytes."""
    with open('/proc/%d/status' % pid) as f:
        for line in f:
            if line.startswith('VmRSS:'):
                return int(line.split()[1]) * 1024
    raise ProxyError('no VmRSS for pid %d' % pid)
