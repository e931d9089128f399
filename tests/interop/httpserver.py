#!/usr/bin/env python3
"""A local HTTP server for the SOCKS proxy tests and the client benchmark (stdlib only).

    GET  /bytes/N?seed=S[&rate=R]   N deterministic pseudo-random bytes (see payload_chunks),
                                    streamed in 64 KiB pieces, never held in memory; with rate=R
                                    at most R bytes per second (a slow transfer that stays open).
    POST /upload (or PUT)           reads the body (Content-Length or chunked), returns JSON
                                    {"length": L, "sha256": "..."} of what it received.
    GET  /hello                     a 6-byte body, for time-to-first-byte probes.

Every request is recorded (HTTPServer.requests: dicts with the client's source port, method, path,
bytes sent/received, and whether the transfer completed).  Threaded: one thread per connection.

    srv = HTTPServer()          # binds 127.0.0.1, port 0 (a free port); srv.port
    srv.start()                 # serves in a background thread
    ...
    srv.stop()                  # stops accepting, closes open connections, joins the thread

DNSServer is a tiny UDP DNS server for the exits (their ServerDNSResolvConfFile can name
"nameserver 127.0.0.1:PORT"): every name under DNS_ZONE (e.g. web.evonion.test) has the A record
127.0.0.1, every D.C.B.A.in-addr.arpa the PTR record ptr-A-B-C-D.evonion.test; anything else is
NXDOMAIN.

As a program: `python3 httpserver.py [PORT]` prints `PORT <n>` and serves until SIGINT/SIGTERM.

The payload generator is SHAKE-256 in counter mode: chunk k (64 KiB) of seed S is
SHAKE-256("evonion-bytes/" + S + "/" + k) truncated to 65536 bytes.  expected_sha256(N, S)
recomputes the digest of the first N bytes without the server.
"""

import hashlib
import http.server
import json
import signal
import socket
import socketserver
import sys
import threading
import time
import urllib.parse

CHUNK = 65536
MAX_BYTES = 1 << 40          # a request for more is refused (400)
MAX_UPLOAD = 1 << 34


def payload_chunk(seed, k):
    """Chunk k (CHUNK bytes) of the pseudo-random stream of `seed` (a str)."""
    return hashlib.shake_256(('evonion-bytes/%s/%d' % (seed, k)).encode()).digest(CHUNK)


def payload_chunks(n, seed):
    """Yield the first n bytes of the stream of `seed`, CHUNK bytes at a time."""
    k = 0
    while n > 0:
        c = payload_chunk(seed, k)
        if n < CHUNK:
            c = c[:n]
        yield c
        n -= len(c)
        k += 1


def expected_sha256(n, seed):
    """Hex sha256 of the first n bytes of the stream of `seed` (computed here, not by the server)."""
    h = hashlib.sha256()
    for c in payload_chunks(n, seed):
        h.update(c)
    return h.hexdigest()


def bytes_url(port, n, seed='0', rate=None, host='127.0.0.1'):
    """The URL of GET /bytes/n on a server at host:port."""
    url = 'http://%s:%d/bytes/%d?seed=%s' % (host, port, n, urllib.parse.quote(str(seed)))
    if rate:
        url += '&rate=%d' % rate
    return url


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    server_version = 'evonion-test-httpd'

    def log_message(self, *args):
        pass

    def _record(self, **kw):
        rec = {'client_port': self.client_address[1], 'method': self.command, 'path': self.path,
               't_start': time.monotonic(), 'sent': 0, 'received': 0, 'complete': False}
        rec.update(kw)
        with self.server.lock:
            self.server.requests.append(rec)
        return rec

    def _reply(self, code, body, ctype='text/plain'):
        self.send_response(code)
        self.send_header('Content-Type', ctype)
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        q = urllib.parse.parse_qs(url.query)
        if url.path == '/hello':
            rec = self._record()
            self._reply(200, b'hello\n')
            rec['sent'], rec['complete'] = 6, True
            return
        parts = url.path.split('/')
        if len(parts) != 3 or parts[1] != 'bytes' or not parts[2].isdigit():
            self._reply(404, b'not found\n')
            return
        n = int(parts[2])
        seed = q.get('seed', ['0'])[0]
        try:
            rate = int(q.get('rate', ['0'])[0])
        except ValueError:
            rate = -1
        if n > MAX_BYTES or rate < 0:
            self._reply(400, b'bad request\n')
            return
        rec = self._record(n=n, seed=seed)
        self.send_response(200)
        self.send_header('Content-Type', 'application/octet-stream')
        self.send_header('Content-Length', str(n))
        self.end_headers()
        t0 = time.monotonic()
        for c in payload_chunks(n, seed):
            if self.server.stopping.is_set():
                return
            if rate:
                # pace: the first chunk leaves at once, each next one when the rate allows
                ahead = rec['sent'] / rate - (time.monotonic() - t0)
                if ahead > 0 and self.server.stopping.wait(ahead):
                    return
            self.wfile.write(c)
            rec['sent'] += len(c)
        self.wfile.flush()
        rec['complete'] = True

    def _read_body(self, sink):
        """Feed the request body to sink(bytes); returns the byte count, or -1 if malformed."""
        te = self.headers.get('Transfer-Encoding', '').lower()
        total = 0
        if 'chunked' in te:
            while True:
                line = self.rfile.readline(1024)
                try:
                    size = int(line.split(b';')[0].strip(), 16)
                except ValueError:
                    return -1
                if size == 0:
                    while self.rfile.readline(1024) not in (b'\r\n', b'\n', b''):
                        pass
                    return total
                if total + size > MAX_UPLOAD:
                    return -1
                left = size
                while left:
                    b = self.rfile.read(min(left, CHUNK))
                    if not b:
                        return -1
                    sink(b)
                    left -= len(b)
                total += size
                self.rfile.readline(16)
        try:
            left = int(self.headers.get('Content-Length', '0'))
        except ValueError:
            return -1
        if left < 0 or left > MAX_UPLOAD:
            return -1
        while left:
            b = self.rfile.read(min(left, CHUNK))
            if not b:
                return -1
            sink(b)
            total += len(b)
            left -= len(b)
        return total

    def do_POST(self):
        if urllib.parse.urlsplit(self.path).path != '/upload':
            self._reply(404, b'not found\n')
            self.close_connection = True
            return
        rec = self._record()
        if self.headers.get('Expect', '').lower() == '100-continue':
            self.send_response_only(100)
            self.end_headers()
        h = hashlib.sha256()

        def sink(b):
            h.update(b)
            rec['received'] += len(b)
        n = self._read_body(sink)
        if n < 0:
            self._reply(400, b'bad body\n')
            self.close_connection = True
            return
        body = json.dumps({'length': n, 'sha256': h.hexdigest()}).encode() + b'\n'
        self._reply(200, body, 'application/json')
        rec['sent'], rec['complete'] = len(body), True

    do_PUT = do_POST


class _Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 128
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        # a client (or the exit relay) going away mid-transfer is expected in these tests
        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)


class HTTPServer:
    """The test HTTP server on 127.0.0.1 (port 0 = a free port)."""

    def __init__(self, port=0, host='127.0.0.1'):
        self._srv = _Server((host, port), _Handler)
        self._srv.requests = []
        self._srv.lock = threading.Lock()
        self._srv.stopping = threading.Event()
        self._open = set()
        self._thread = None
        self.host = host
        self.port = self._srv.server_address[1]
        orig = self._srv.process_request_thread

        def track(request, client_address):
            with self._srv.lock:
                self._open.add(request)
            try:
                orig(request, client_address)
            finally:
                with self._srv.lock:
                    self._open.discard(request)
        self._srv.process_request_thread = track

    @property
    def requests(self):
        """A copy of the request records so far."""
        with self._srv.lock:
            return [dict(r) for r in self._srv.requests]

    def url(self, n, seed='0', rate=None):
        return bytes_url(self.port, n, seed, rate, self.host)

    def start(self):
        self._thread = threading.Thread(target=self._srv.serve_forever, kwargs={'poll_interval': 0.2},
                                        name='httpserver', daemon=True)
        self._thread.start()
        return self

    def stop(self):
        """Stop accepting, end every open connection, wait for the serving thread."""
        self._srv.stopping.set()
        if self._thread is not None:
            self._srv.shutdown()
            self._thread.join(10)
        with self._srv.lock:
            socks = list(self._open)
        for s in socks:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._srv.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


DNS_ZONE = 'evonion.test'


def dns_ptr_name(ipv4):
    """The PTR answer of DNSServer for an IPv4 address: ptr-A-B-C-D.evonion.test."""
    return 'ptr-%s.%s' % (ipv4.replace('.', '-'), DNS_ZONE)


def _dns_name(data, off):
    """Read a (possibly compressed) domain name at off; returns (name, offset after it)."""
    labels = []
    end = None
    for _ in range(128):
        if off >= len(data):
            raise ValueError('truncated name')
        ln = data[off]
        if ln & 0xC0 == 0xC0:
            if off + 1 >= len(data):
                raise ValueError('truncated pointer')
            if end is None:
                end = off + 2
            off = ((ln & 0x3F) << 8) | data[off + 1]
            continue
        off += 1
        if ln == 0:
            return '.'.join(labels), (end if end is not None else off)
        labels.append(data[off:off + ln].decode('ascii', 'replace'))
        off += ln
    raise ValueError('name too long')


def _dns_encode(name):
    return b''.join(bytes([len(x)]) + x.encode() for x in name.split('.') if x) + b'\0'


def dns_answer(query):
    """The reply to one DNS query packet (bytes), or None if it is not a parsable query."""
    if len(query) < 12:
        return None
    qid, flags, qd = query[0:2], query[2], int.from_bytes(query[4:6], 'big')
    if flags & 0x80 or qd != 1:
        return None
    try:
        name, off = _dns_name(query, 12)
    except ValueError:
        return None
    if off + 4 > len(query):
        return None
    qtype = int.from_bytes(query[off:off + 2], 'big')
    question = query[12:off + 4]
    lname = name.lower().rstrip('.')
    answers = []
    rcode = 3
    if lname == DNS_ZONE or lname.endswith('.' + DNS_ZONE):
        rcode = 0
        if qtype == 1:
            answers.append((1, bytes([127, 0, 0, 1])))
    elif lname.endswith('.in-addr.arpa') and len(lname.split('.')) == 6:
        rcode = 0
        if qtype == 12:
            answers.append((12, _dns_encode(dns_ptr_name('.'.join(lname.split('.')[3::-1])))))
    hdr = qid + bytes([0x84 | (flags & 0x01), 0x80 | rcode]) + b'\0\1' \
        + len(answers).to_bytes(2, 'big') + b'\0\0\0\0'
    body = b''.join(b'\xc0\x0c' + t.to_bytes(2, 'big') + b'\0\1' + (60).to_bytes(4, 'big')
                    + len(rd).to_bytes(2, 'big') + rd for t, rd in answers)
    return hdr + question + body


class DNSServer:
    """A UDP DNS server on 127.0.0.1 (port 0 = free) answering dns_answer(); .queries lists the
    (name, type) of every query it got."""

    def __init__(self, port=0, host='127.0.0.1'):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((host, port))
        self.sock.settimeout(0.2)
        self.host = host
        self.port = self.sock.getsockname()[1]
        self.queries = []
        self._stop = threading.Event()
        self._thread = None

    def resolv_conf(self, path):
        """Write a resolv.conf naming this server (libevent's evdns accepts ADDR:PORT)."""
        with open(path, 'w') as f:
            f.write('nameserver %s:%d\n' % (self.host, self.port))
        return path

    def _run(self):
        while not self._stop.is_set():
            try:
                q, peer = self.sock.recvfrom(4096)
            except socket.timeout:
                continue
            except OSError:
                return
            r = dns_answer(q)
            if r is None:
                continue
            try:
                name, off = _dns_name(q, 12)
                self.queries.append((name, int.from_bytes(q[off:off + 2], 'big')))
                self.sock.sendto(r, peer)
            except (OSError, ValueError):
                pass

    def start(self):
        self._thread = threading.Thread(target=self._run, name='dnsserver', daemon=True)
        self._thread.start()
        return self

    def stop(self):
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
        self.sock.close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def main(argv):
    srv = HTTPServer(int(argv[1]) if len(argv) > 1 else 0).start()
    print('PORT %d' % srv.port, flush=True)
    done = threading.Event()
    for s in (signal.SIGINT, signal.SIGTERM):
        signal.signal(s, lambda *a: done.set())
    while not done.wait(1):
        pass
    srv.stop()
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
