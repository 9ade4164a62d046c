#!/usr/bin/env python3
"""
test_http_edge.py - the HTTP edge over raw sockets: what goes on the wire
when a request is ambiguous, malformed, too slow or too large.

What it checks (docs/architecture.md, "The HTTP edge"):
  * request smuggling: Content-Length with Transfer-Encoding (either order),
    a transfer coding other than chunked (501), Transfer-Encoding twice or
    in HTTP/1.0: one problem+json answer, Connection: close, the connection
    closed, and the request hidden in the body never answered;
  * folded header lines (space and tab), bare LF, bare CR: 400, closed;
  * %00, %2f, %2F, an encoded LF, malformed escapes and raw control bytes in
    the path: 400 problem+json, closed, nothing routed; %2F in a query is
    fine;
  * HEAD on several GET routes: the status and headers of GET, no body, the
    connection kept; HEAD where only POST exists: 405 with Allow;
  * a header line of 20 KiB and 101 header fields: 431; a request line over
    8 KiB: 414; HTTP/2.0: 505; no Host: 400; a head just under the limits
    is served;
  * a refused request behind a good one on the same connection: the good
    one is answered first, then the refusal, then the close;
  * slowloris: a client trickling its head is answered 408 and cut off
    after the header timeout (10 s) while a slow body under its limit is
    still read and answered; with a 2 s idle timeout, a trickled head is cut
    at the idle timeout, and an idle keep-alive connection is closed;
  * log forging: a path with a raw ESC and one with %0a and a fake record
    leave one escaped access line each, and no line of the log starts
    with anything but a timestamp;
  * the servers stop cleanly (exit 0, no sanitizer report).

Run: KOUAN_BIN=build-dev/kouan python3 tests/e2e/test_http_edge.py
"""
import json
import os
import re
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kouan_e2e import Server, check, eq, run_tests  # noqa: E402

E = Server("edge", extra_args=["--access-log", "on"])        # header timeout 10 s
IDLE = Server("edge-idle", extra_args=["--timeout-s", "2"])   # idle timeout 2 s
T = {}
SLOW = {}
LOG_LINE_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z (debug|info|warn|error) ")
HEADER_TIMEOUT_S = 10


class RawResp:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body
        try:
            self.json = json.loads(body) if body else None
        except ValueError:
            self.json = None

    def __repr__(self):
        return "<%d %r %r>" % (self.status, self.headers, self.body[:300])


class Conn:
    """One raw connection: send bytes, read whole answers, see whether and
    when the server closes it."""

    def __init__(self, srv, timeout=10):
        self.s = socket.create_connection(("127.0.0.1", srv.port), timeout=timeout)
        self.buf = b""
        self.eof = False

    def send(self, data):
        self.s.sendall(data)

    def _more(self):
        try:
            b = self.s.recv(65536)
        except ConnectionResetError:
            b = b""
        if not b:
            self.eof = True
        self.buf += b
        return bool(b)

    def response(self, head=False):
        """Read one answer (no body for HEAD)."""
        while b"\r\n\r\n" not in self.buf:
            check(self._more(), "connection closed before an answer; got %r" % self.buf[:200])
        top, _, rest = self.buf.partition(b"\r\n\r\n")
        lines = top.decode("latin-1").split("\r\n")
        check(lines[0].startswith("HTTP/1.1 "), "status line %r" % lines[0])
        status = int(lines[0].split()[1])
        headers = {}
        names = []
        for ln in lines[1:]:
            k, _, v = ln.partition(":")
            headers[k.strip().lower()] = v.strip()
            names.append(k.strip().lower())
        n = 0 if head else int(headers.get("content-length", "0"))
        self.buf = rest
        while len(self.buf) < n:
            check(self._more(), "connection closed in an answer's body")
        body, self.buf = self.buf[:n], self.buf[n:]
        r = RawResp(status, headers, body)
        r.names = names  # every header line's name, repeats included
        return r

    def closed_within(self, seconds):
        """True when the server closes the connection within `seconds`,
        sending nothing more."""
        self.s.settimeout(seconds)
        try:
            while self._more():
                pass
        except socket.timeout:
            return False
        finally:
            self.s.settimeout(10)
        eq(self.buf, b"", "bytes after the last answer")
        return True

    def close(self):
        self.s.close()


def one_answer(srv, data, head=False):
    """Send data on a new connection; read one answer; the connection must
    then be closed by the server."""
    c = Conn(srv)
    try:
        c.send(data)
        r = c.response(head=head)
        check(c.closed_within(5), "connection kept open after %r" % r)
        return r
    finally:
        c.close()


def check_refusal(r, status, slug, detail=None, field=None):
    eq(r.status, status, "status of %r" % r)
    eq(r.headers.get("content-type"), "application/problem+json", "content type")
    eq(r.headers.get("connection"), "close", "Connection header")
    check(isinstance(r.json, dict), "problem body is not JSON: %r" % r)
    eq(r.json.get("type"), "urn:kouan:problem:" + slug, "problem type")
    eq(r.json.get("status"), status, "problem status")
    check(r.json.get("title"), "problem title")
    if detail is not None:
        eq(r.json.get("detail"), detail, "problem detail")
    if field is not None:
        eq([e["field"] for e in r.json.get("errors", [])], [field], "errors[].field")


def req(line, *headers, body=b""):
    """A request with CR LF line endings."""
    head = line + "\r\n" + "".join(h + "\r\n" for h in headers) + "\r\n"
    return head.encode("latin-1") + body


# --- slow clients, run in the background from the start --------------------

def trickle_head(srv, key, gap):
    """Send a head one byte every `gap` seconds; record how long until the
    server answered and closed."""
    data = b"GET /v1/healthz HTTP/1.1\r\nHost: kouan\r\nX-Slow: " + b"a" * 200
    try:
        c = Conn(srv, timeout=60)
        t0 = time.monotonic()
        got = b""
        c.s.settimeout(gap)
        for b in data:
            try:
                c.s.sendall(bytes([b]))
            except OSError:
                break
            try:
                chunk = c.s.recv(65536)
                if not chunk:
                    break
                got += chunk
            except socket.timeout:
                pass
            except ConnectionResetError:
                break
        c.s.settimeout(30)
        try:
            while True:
                chunk = c.s.recv(65536)
                if not chunk:
                    break
                got += chunk
        except OSError:
            pass
        SLOW[key] = (time.monotonic() - t0, got)
        c.close()
    except Exception as e:  # noqa: BLE001 - reported by the test
        SLOW[key] = (None, repr(e).encode())


def slow_body(srv, key):
    """A login whose body arrives one byte every 0.3 s (about 15 s in all,
    longer than the header timeout)."""
    body = json.dumps({"username": "trader", "password": "trader-demo-2026"}).encode()
    try:
        c = Conn(srv, timeout=60)
        t0 = time.monotonic()
        c.send(req("POST /v1/sessions HTTP/1.1", "Host: kouan",
                   "Content-Type: application/json", "Content-Length: %d" % len(body)))
        for b in body:
            time.sleep(0.3)
            c.send(bytes([b]))
        r = c.response()
        SLOW[key] = (time.monotonic() - t0, r)
        c.close()
    except Exception as e:  # noqa: BLE001
        SLOW[key] = (None, repr(e))


THREADS = []


def test_start():
    E.start()
    IDLE.start()
    T["trader"] = E.login("trader")
    T["analyst"] = E.login("analyst")
    for target, args in ((trickle_head, (E, "slowloris", 0.5)),
                         (slow_body, (E, "slow-body")),
                         (trickle_head, (IDLE, "slowloris-idle", 0.5))):
        th = threading.Thread(target=target, args=args)
        th.start()
        THREADS.append(th)


# --- smuggling -----------------------------------------------------------------

def test_content_length_with_transfer_encoding():
    hidden = req("GET /v1/me HTTP/1.1", "Host: kouan", "Authorization: Bearer " + T["trader"])
    chunked = b"0\r\n\r\n" + hidden
    both = "a request must not carry both Content-Length and Transfer-Encoding: send one of them"
    for order in (("Content-Length: %d" % len(chunked), "Transfer-Encoding: chunked"),
                  ("Transfer-Encoding: chunked", "Content-Length: 5")):
        r = one_answer(E, req("POST /v1/sessions HTTP/1.1", "Host: kouan",
                              "Content-Type: application/json", *order, body=chunked))
        check_refusal(r, 400, "invalid-request", both, "header:Transfer-Encoding")
    r = one_answer(E, req("POST /v1/sessions HTTP/1.1", "Host: kouan",
                          "Transfer-Encoding: xchunked", body=chunked))
    check_refusal(r, 501, "not-implemented", "the only transfer coding accepted is chunked",
                  "header:Transfer-Encoding")
    r = one_answer(E, req("POST /v1/sessions HTTP/1.1", "Host: kouan",
                          "Transfer-Encoding: gzip, chunked", body=chunked))
    check_refusal(r, 501, "not-implemented")
    r = one_answer(E, req("POST /v1/sessions HTTP/1.1", "Host: kouan",
                          "Transfer-Encoding: chunked", "Transfer-Encoding: chunked",
                          body=chunked))
    check_refusal(r, 400, "invalid-request", "Transfer-Encoding is given more than once")
    r = one_answer(E, req("POST /v1/sessions HTTP/1.0", "Transfer-Encoding: chunked",
                          body=chunked))
    check_refusal(r, 400, "invalid-request",
                  "Transfer-Encoding is not accepted in an HTTP/1.0 request: send Content-Length")
    r = one_answer(E, req("POST /v1/sessions HTTP/1.1", "Host: kouan", "Content-Length: 5",
                          "Content-Length: 6", body=b"{}"))
    check_refusal(r, 400, "invalid-request", "Content-Length is given more than once",
                  "header:Content-Length")


def test_chunked_body_is_read_and_framed():
    # a well-formed chunked login is answered, and the connection kept
    body = json.dumps({"username": "trader", "password": "trader-demo-2026"}).encode()
    chunks = b"%x\r\n%s\r\n%x;ext=1\r\n%s\r\n0\r\nX-Trailer: 1\r\n\r\n" % (
        10, body[:10], len(body) - 10, body[10:])
    c = Conn(E)
    try:
        c.send(req("POST /v1/sessions HTTP/1.1", "Host: kouan", "Content-Type: application/json",
                   "Transfer-Encoding: chunked", body=chunks)
               + req("GET /v1/healthz HTTP/1.1", "Host: kouan"))
        eq(c.response().status, 201, "chunked login")
        eq(c.response().status, 200, "the request after it")
        check(not c.closed_within(0.3), "connection closed after a good chunked request")
        # a malformed chunk: refused, closed
        c.send(req("POST /v1/sessions HTTP/1.1", "Host: kouan", "Content-Type: application/json",
                   "Transfer-Encoding: chunked", body=b"5\r\nabcdefg\r\n0\r\n\r\n"))
        r = c.response()
        check_refusal(r, 400, "invalid-request",
                      "a chunk is longer than its size says, or does not end with CR LF")
        check(c.closed_within(5), "connection kept after a malformed chunk")
    finally:
        c.close()


# --- line endings and folding ----------------------------------------------------

def test_folded_headers():
    fold = ("a header line starts with white space (a folded line, obs-fold): "
            "send each field on one line")
    for cont in (b" ", b"\t"):
        r = one_answer(E, b"GET /v1/me HTTP/1.1\r\nHost: kouan\r\nAuthorization: Bearer\r\n"
                       + cont + T["trader"].encode() + b"\r\n\r\n")
        check_refusal(r, 400, "invalid-request", fold, "header:Authorization")


def test_bare_line_endings():
    lf = "a line of the request head ends with LF alone: end every line with CR LF"
    r = one_answer(E, b"GET /v1/healthz HTTP/1.1\nHost: kouan\n\n")
    check_refusal(r, 400, "invalid-request", lf)
    r = one_answer(E, b"GET /v1/healthz HTTP/1.1\r\nHost: kouan\nX-Smuggled: 1\r\n\r\n")
    check_refusal(r, 400, "invalid-request", lf)
    r = one_answer(E, b"GET /v1/healthz HTTP/1.1\r\nHost: kouan\rX-Smuggled: 1\r\n\r\n")
    check_refusal(r, 400, "invalid-request",
                  "the request head holds a CR that does not end a line: end every line "
                  "with CR LF and nothing else")


# --- the path ------------------------------------------------------------------------

def test_encoded_path():
    auth = "Authorization: Bearer " + T["analyst"]
    slash = ("an encoded slash (%2F) is not accepted in the path: no kouan path segment "
             "contains a slash")
    cases = [
        ("/v1/declarations/%00", "%00 (a NUL byte) is not accepted in the request target"),
        ("/v1/declarations%2f516720261000000001", slash),
        ("/v1/declarations%2F516720261000000001", slash),
        ("/v1%2Fhealthz", slash),
        ("/v1/declarations/%0a", "an encoded control character (%0A) is not accepted in the path"),
        ("/v1/healthz%zz", "a % at position 11 of the request target is not followed by two "
                           "hexadecimal digits"),
        ("/v1/healthz%4", "a % at position 11 of the request target is not followed by two "
                          "hexadecimal digits"),
        ("/v1/healthz%", "a % at position 11 of the request target is not followed by two "
                         "hexadecimal digits"),
        ("/v1/%ff", "the path does not decode to UTF-8 text"),
    ]
    for path, detail in cases:
        r = one_answer(E, req("GET %s HTTP/1.1" % path, "Host: kouan", auth))
        check_refusal(r, 400, "invalid-request", detail)
        eq(r.json.get("instance"), path, "instance")
    r = one_answer(E, b"GET /v1/he\x1balthz HTTP/1.1\r\nHost: kouan\r\n\r\n")
    check_refusal(r, 400, "invalid-request",
                  "the request target holds byte 0x1B at position 6: percent-encode spaces, "
                  "control characters, non-ASCII bytes and \" # < > \\ `")
    # an encoded slash in a query is data, not a path
    c = Conn(E)
    try:
        c.send(req("GET /v1/healthz?x=%2F%2f HTTP/1.1", "Host: kouan"))
        eq(c.response().status, 200, "%2F in a query")
        check(not c.closed_within(0.3), "connection closed after a good request")
    finally:
        c.close()


# --- HEAD ----------------------------------------------------------------------------

def test_head_works_where_get_does():
    auth = "Authorization: Bearer " + T["analyst"]
    number = E.all_declarations(T["analyst"])[0]["number"]
    paths = ["/v1/healthz", "/openapi.json", "/v1/me", "/v1/declarations?limit=5",
             "/v1/declarations/" + number, "/v1/reference/ports", "/v1/release-key",
             "/v1/declarations/999999999999999999"]
    c = Conn(E)
    try:
        for p in paths:
            c.send(req("HEAD %s HTTP/1.1" % p, "Host: kouan", auth))
            h = c.response(head=True)
            c.send(req("GET %s HTTP/1.1" % p, "Host: kouan", auth))
            g = c.response()
            eq(h.status, g.status, "HEAD %s status" % p)
            hh = dict(h.headers)
            gh = dict(g.headers)
            hh.pop("date", None)
            gh.pop("date", None)
            eq(hh, gh, "HEAD %s headers" % p)
            eq(int(h.headers["content-length"]), len(g.body), "HEAD %s Content-Length" % p)
            check(len(g.body) > 0, "GET %s has a body" % p)
        # nothing was left between the answers: HEAD sent no body
        check(not c.closed_within(0.3), "connection closed after HEAD")
        eq(c.buf, b"", "bytes after the last answer")
        # without a token, HEAD is refused as GET is (no body)
        c.send(req("HEAD /v1/me HTTP/1.1", "Host: kouan"))
        eq(c.response(head=True).status, 401, "HEAD without a token")
        # HEAD where only POST exists
        c.send(req("HEAD /v1/sessions HTTP/1.1", "Host: kouan"))
        r = c.response(head=True)
        eq(r.status, 405, "HEAD /v1/sessions")
        eq(r.headers.get("allow"), "POST", "Allow")
        check(not c.closed_within(0.3), "connection closed after 405")
    finally:
        c.close()


def test_answers_say_how_they_are_cached():
    """The API's answers are never cached; the browser interface's assets
    are, for a year, under their version; the page is revalidated. Each
    answer names one Cache-Control."""
    c = Conn(E)
    try:
        c.send(req("GET / HTTP/1.1", "Host: kouan"))
        page = c.response()
        eq(page.status, 200, "GET /")
        c.send(req("GET /v1/ui-settings HTTP/1.1", "Host: kouan"))
        settings = c.response()
        c.send(req("GET /v1/healthz HTTP/1.1", "Host: kouan"))
        health = c.response()
    finally:
        c.close()
    eq(page.headers.get("cache-control"), "no-cache", "the page")
    eq(health.headers.get("cache-control"), "no-store", "an API answer")
    eq(settings.headers.get("cache-control"), "no-store", "ui-settings")
    version = json.loads(settings.body)["assets_version"]
    m = re.search(r'/assets/%s/[^"]+\.js' % re.escape(version), page.body.decode())
    check(m is not None, "the page names a versioned script")
    c = Conn(E)
    try:
        c.send(req("GET %s HTTP/1.1" % m.group(0), "Host: kouan"))
        asset = c.response()
    finally:
        c.close()
    eq(asset.status, 200, "the asset")
    eq(asset.headers.get("cache-control"), "public, max-age=31536000, immutable",
       "an asset is kept for a year")
    for r, what in ((page, "the page"), (health, "healthz"), (asset, "the asset")):
        eq(r.names.count("cache-control"), 1, "Cache-Control lines on " + what)


# --- sizes and versions ---------------------------------------------------------------

def test_sizes_and_versions():
    r = one_answer(E, req("GET /v1/healthz HTTP/1.1", "Host: kouan", "X-Big: " + "a" * 20000))
    check_refusal(r, 431, "header-too-large", "the request head is larger than 16384 bytes")
    many = ["X-H%d: v" % i for i in range(100)]
    r = one_answer(E, req("GET /v1/healthz HTTP/1.1", "Host: kouan", *many))
    check_refusal(r, 431, "header-too-large", "the request has more than 100 header fields")
    r = one_answer(E, req("GET /v1/healthz?" + "q" * 9000 + " HTTP/1.1", "Host: kouan"))
    check_refusal(r, 414, "uri-too-long", "the request line is longer than 8192 bytes")
    r = one_answer(E, req("GET /v1/healthz HTTP/2.0", "Host: kouan"))
    check_refusal(r, 505, "http-version-not-supported",
                  "kouan speaks HTTP/1.1 (and HTTP/1.0), not HTTP/2.0")
    r = one_answer(E, req("GET /v1/healthz HTTP/1.1"))
    check_refusal(r, 400, "invalid-request", "an HTTP/1.1 request must carry a Host header field",
                  "header:Host")
    r = one_answer(E, b"HELLO THERE\r\n\r\n")
    check_refusal(r, 400, "invalid-request")
    # just under the limits: served, and kept open
    c = Conn(E)
    try:
        c.send(req("GET /v1/healthz?" + "q" * 8000 + " HTTP/1.1", "Host: kouan",
                   "X-Big: " + "a" * 7000, *["X-H%d: v" % i for i in range(98)]))
        eq(c.response().status, 200, "a head just under the limits")
        check(not c.closed_within(0.3), "connection closed after a good request")
    finally:
        c.close()


def test_refusal_waits_for_the_answer_before_it():
    c = Conn(E)
    try:
        c.send(req("GET /v1/healthz HTTP/1.1", "Host: kouan")
               + req("GET /v1/healthz HTTP/1.1", "Host: kouan")
               + b"GET /v1/me HTTP/1.1\nHost: kouan\n\n")
        eq(c.response().status, 200, "first of three")
        eq(c.response().status, 200, "second of three")
        r = c.response()
        check_refusal(r, 400, "invalid-request")
        check(c.closed_within(5), "connection kept after the refusal")
    finally:
        c.close()


# --- slow clients -----------------------------------------------------------------------

def test_slowloris_is_cut_at_the_header_timeout():
    for th in THREADS:
        th.join(60)
    took, got = SLOW["slowloris"]
    check(took is not None, "slowloris client failed: %r" % got)
    # a generous bound: the deadline is checked every 0.2 s
    check(HEADER_TIMEOUT_S - 1 <= took <= HEADER_TIMEOUT_S + 8,
          "a trickled head was cut after %.1f s (header timeout %d s)" % (took, HEADER_TIMEOUT_S))
    c = Conn.__new__(Conn)
    c.buf, c.eof = got, True
    r = c.response()
    check_refusal(r, 408, "request-timeout", "the request head did not arrive within 10 s")
    eq(c.buf, b"", "bytes after the 408")
    # with a 2 s idle timeout, the library's idle timeout cuts it first
    took, got = SLOW["slowloris-idle"]
    check(took is not None, "slowloris client failed: %r" % got)
    check(1.5 <= took <= 8, "a trickled head was cut after %.1f s (idle timeout 2 s)" % took)
    c.buf = got
    check_refusal(c.response(), 408, "request-timeout",
                  "the request head did not arrive before the connection's idle timeout")


def test_slow_body_is_read():
    took, r = SLOW["slow-body"]
    check(took is not None, "slow body client failed: %r" % (r,))
    check(took > HEADER_TIMEOUT_S, "the slow body took only %.1f s" % took)
    eq(r.status, 201, "a login whose body took %.1f s: %r" % (took, r))
    check(r.json and r.json.get("token"), "token in %r" % r)


def test_idle_keep_alive_is_closed():
    c = Conn(IDLE)
    try:
        c.send(req("GET /v1/healthz HTTP/1.1", "Host: kouan"))
        eq(c.response().status, 200, "first request")
        time.sleep(1)
        # the timeout counts idle time, not the connection's age
        c.send(req("GET /v1/healthz HTTP/1.1", "Host: kouan"))
        eq(c.response().status, 200, "second request after 1 s")
        t0 = time.monotonic()
        check(c.closed_within(10), "idle connection not closed within 10 s")
        took = time.monotonic() - t0
        check(1.5 <= took <= 8, "idle connection closed after %.1f s (idle timeout 2 s)" % took)
    finally:
        c.close()


# --- the log ------------------------------------------------------------------------------

def test_log_cannot_be_forged():
    forged = "2026-11-23T08:00:00.000000Z error forged"
    r = one_answer(E, ("GET /v1/x%0a" + forged.replace(" ", "%20") + " HTTP/1.1\r\n"
                       "Host: kouan\r\n\r\n").encode())
    check_refusal(r, 400, "invalid-request")
    r = one_answer(E, b"GET /v1/\x1b[31mred\x1b[0m HTTP/1.1\r\nHost: kouan\r\n\r\n")
    check_refusal(r, 400, "invalid-request")
    # a path that reaches the router (a C1 control, encoded) is logged as sent
    c = Conn(E)
    try:
        c.send(req("GET /v1/%C2%9B2J HTTP/1.1", "Host: kouan"))
        eq(c.response().status, 404, "an unknown path")
    finally:
        c.close()
    deadline = time.monotonic() + 5
    while True:
        log = E.read_stderr()
        if "%C2%9B2J" in log or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    lines = log.split("\n")
    check(lines[-1] == "", "the log does not end with a new line")
    for ln in lines[:-1]:
        check(LOG_LINE_RE.match(ln), "a log line that is not a record: %r" % ln)
        check("\x1b" not in ln and "\r" not in ln, "a raw control character in %r" % ln)
    esc = [ln for ln in lines if '"GET /v1/\\e[31mred\\e[0m" 400 ' in ln]
    eq(len(esc), 1, "the access line of the ESC path")
    check(" info access 127.0.0.1 " in esc[0], "access line %r" % esc[0])
    enc = [ln for ln in lines if '"GET /v1/x%0a2026-11-23T08:00:00.000000Z%20error%20forged" 400 '
           in ln]
    eq(len(enc), 1, "the access line of the %0a path")
    routed = [ln for ln in lines if '"GET /v1/%C2%9B2J" 404 ' in ln]
    eq(len(routed), 1, "the access line of a routed path, as sent")


def test_still_serving_and_stops_cleanly():
    check(E.healthy(), "healthz after everything")
    check(IDLE.healthy(), "healthz after everything (idle server)")
    E.stop()
    IDLE.stop()


if __name__ == "__main__":
    run_tests([
        test_start,
        test_content_length_with_transfer_encoding,
        test_chunked_body_is_read_and_framed,
        test_folded_headers,
        test_bare_line_endings,
        test_encoded_path,
        test_head_works_where_get_does,
        test_answers_say_how_they_are_cached,
        test_sizes_and_versions,
        test_refusal_waits_for_the_answer_before_it,
        test_log_cannot_be_forged,
        test_idle_keep_alive_is_closed,
        test_slowloris_is_cut_at_the_header_timeout,
        test_slow_body_is_read,
        test_still_serving_and_stops_cleanly,
    ])
