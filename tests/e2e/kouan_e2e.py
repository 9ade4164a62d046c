"""
kouan_e2e.py - shared helpers for the end-to-end tests (Python 3 standard
library only).

What it gives a test file:
  * Server: a kouan server in its own temporary directory.  start() runs
    `kouan init --demo --pwhash min` (first time only) and then
    `kouan serve --port 0 --pwhash min --access-log off` on 127.0.0.1, and
    waits (with a timeout) for the line
    "kouan is serving http://127.0.0.1:PORT/" on its stdout.  stop() sends
    SIGTERM, waits, and asserts exit code 0 and that stderr holds no
    "ERROR: AddressSanitizer", "LeakSanitizer" or "runtime error:" (the suite
    runs an ASan/UBSan build: a leak or UB shows at shutdown).  kill9() is
    SIGKILL; start() again reuses the same database (a restart).  Every
    server is stopped at exit (atexit) even if a test blew up.
  * HTTP: srv.call(method, path, body=..., token=..., headers=...) over a
    fresh http.client connection -> Resp(status, headers, json, text).
  * login(user) with the demo password "<user>-demo-2026".
  * cli(...): runs the kouan client with KOUAN_URL / KOUAN_TOKEN set, and
    asserts the client process itself had no sanitizer report.
  * curl(...): runs the real curl binary.
  * A tiny test runner: run_tests([fn, ...]) prints one line per test and at
    the end exactly "N passed, N failed"; exits 1 if any failed.
  * Declaration bodies (apples, laptops, tshirts_export), each a consignment
    of its own (fresh_consignment: one consignment is released once) and an
    advance declaration (the demo's calls have manifests: a declaration of
    a bill they lack is refused unless it is declared in advance), and
    manifest_line(srv, body): the carrier's manifest line that lets the
    declaration match as it is lodged (and be released).

Environment: KOUAN_BIN (the kouan binary; default build-test/kouan next to
this tree), KOUAN_SOURCE (the source tree, unused here but accepted).
With KOUAN_TEST_STORE=postgres every Server gets a fresh database of the
throw-away cluster that scripts/pg-cluster.sh started (KOUAN_TEST_PG_STATE
names its state file), dropped again at clean-up; `srv.db` is then the
PostgreSQL URL and the release key lives in the server's directory.
"""
import atexit
import datetime
import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.environ.get("KOUAN_SOURCE") or os.path.dirname(os.path.dirname(HERE))
KOUAN_BIN = os.path.abspath(os.environ.get("KOUAN_BIN")
                            or os.path.join(SOURCE, "build-test", "kouan"))

SANITIZER_MARKS = ("ERROR: AddressSanitizer", "LeakSanitizer", "runtime error:")
SERVING_RE = re.compile(r"kouan is serving http://127\.0\.0\.1:(\d+)/")
TIME_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")

DEMO_USCC = {
    "trader": "91440101MA59TRAD00",
    "broker": "91440115MA5CBR0K1D",
    "trader2": "91440300MA5E0THR7G",
    # the banks that confirm payments of duties (ICBC, Bank of China)
    "bank": "91440101MA5BK0NA2H",
    "bank2": "91440101MA5BK0CB79",
}

_live_servers = []
_pg_counter = [0]

PG = os.environ.get("KOUAN_TEST_STORE") == "postgres"


def pg_url(dbname):
    """The URL of a database in the test cluster."""
    state = os.environ.get("KOUAN_TEST_PG_STATE")
    if not state or not os.path.exists(state):
        raise AssertionError("KOUAN_TEST_STORE=postgres needs KOUAN_TEST_PG_STATE "
                             "(scripts/pg-cluster.sh start FILE)")
    with open(state) as f:
        return f.readline().strip() % dbname


def psql(url, sql):
    """Run SQL on the database at url, as someone with access to the
    database (not to kouan) would; its rows, "|" between columns."""
    r = subprocess.run(["psql", "-qAtX", "-v", "ON_ERROR_STOP=1", url, "-c", sql],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
    if r.returncode != 0:
        raise AssertionError("psql %s: %s" % (sql, r.stderr.decode()))
    return r.stdout.decode().split()


def pg_admin(sql):
    """Run one statement on the cluster's maintenance database."""
    return psql(pg_url("postgres"), sql)


def new_database():
    """A fresh, empty database: its URL and name."""
    _pg_counter[0] += 1
    name = "kouan_e2e_%d_%d" % (os.getpid(), _pg_counter[0])
    pg_admin("CREATE DATABASE %s" % name)
    return pg_url(name), name


class TestFailure(AssertionError):
    pass


def check(cond, msg="check failed"):
    """assert that survives python -O."""
    if not cond:
        raise TestFailure(msg)


def eq(got, want, what="value"):
    if got != want:
        raise TestFailure("%s: got %r, want %r" % (what, got, want))


def sanitizer_report(text):
    """The first sanitizer marker found in text, or None."""
    for m in SANITIZER_MARKS:
        if m in text:
            return m
    return None


class Resp:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers  # dict, lower-case names
        self.text = body.decode("utf-8", "replace")
        self.json = None
        if body:
            try:
                self.json = json.loads(self.text)
            except ValueError:
                self.json = None

    def header(self, name):
        return self.headers.get(name.lower())

    def fields(self):
        """The field pointers of a problem's errors[], in order."""
        return [e.get("field") for e in (self.json or {}).get("errors", [])]

    def __repr__(self):
        return "<%d %s>" % (self.status, self.text[:600])


class Server:
    def __init__(self, name="kouan", extra_args=()):
        self.dir = tempfile.mkdtemp(prefix="kouan-e2e-%s-" % name)
        self.pgname = None
        if PG:
            self.db, self.pgname = new_database()
            self.key_args = ["--release-key", os.path.join(self.dir, "release.key")]
            # the statistics snapshot (kouan.statistics in the working
            # directory by default with PostgreSQL): in this server's own
            self.statistics_file = os.path.join(self.dir, "kouan.statistics")
        else:
            self.db = os.path.join(self.dir, "kouan.db")
            self.key_args = []
            self.statistics_file = self.db + ".statistics"
        self.extra_args = list(extra_args)
        self.proc = None
        self.port = None
        self.url = None
        self.initialised = False
        self.starts = 0
        self.stderr_path = None
        _live_servers.append(self)

    # --- lifecycle ---------------------------------------------------------

    def init_demo(self):
        r = subprocess.run(
            [KOUAN_BIN, "init", "--demo", "--db", self.db, "--pwhash", "min",
             "--statistics-file", self.statistics_file] + self.key_args,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
        err = r.stderr.decode("utf-8", "replace")
        check(r.returncode == 0, "kouan init --demo exited %d: %s" % (r.returncode, err))
        check(sanitizer_report(err) is None, "sanitizer report from init: " + err)
        self.initialised = True
        return r.stdout.decode()

    def start(self, timeout=60):
        """Start (or restart) the server on the same database."""
        if not self.initialised:
            self.init_demo()
        check(self.proc is None, "server already running")
        self.starts += 1
        out_path = os.path.join(self.dir, "stdout.%d" % self.starts)
        self.stderr_path = os.path.join(self.dir, "stderr.%d" % self.starts)
        out = open(out_path, "wb")
        err = open(self.stderr_path, "wb")
        try:
            self.proc = subprocess.Popen(
                [KOUAN_BIN, "serve", "--db", self.db, "--listen", "127.0.0.1",
                 "--port", "0", "--pwhash", "min", "--access-log", "off",
                 "--statistics-file", self.statistics_file]
                + self.key_args + self.extra_args,
                stdout=out, stderr=err, stdin=subprocess.DEVNULL, cwd=self.dir)
        finally:
            out.close()
            err.close()
        deadline = time.monotonic() + timeout
        while True:
            with open(out_path, "r", encoding="utf-8", errors="replace") as f:
                m = SERVING_RE.search(f.read())
            if m:
                break
            if self.proc.poll() is not None:
                rc = self.proc.returncode
                self.proc = None
                raise TestFailure("kouan serve exited %d before serving: %s"
                                  % (rc, self.read_stderr()))
            if time.monotonic() > deadline:
                self.kill9()
                raise TestFailure("kouan serve did not say it was serving within %ds" % timeout)
            time.sleep(0.02)
        self.port = int(m.group(1))
        self.url = "http://127.0.0.1:%d" % self.port
        return self

    def read_stdout(self):
        """What the server's latest start printed on its standard output."""
        path = os.path.join(self.dir, "stdout.%d" % self.starts)
        with open(path, "r", encoding="utf-8", errors="replace") as f:
            return f.read()

    def read_stderr(self):
        if not self.stderr_path or not os.path.exists(self.stderr_path):
            return ""
        with open(self.stderr_path, "r", encoding="utf-8", errors="replace") as f:
            return f.read()

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout=60):
        """SIGTERM; the server must exit 0 with no sanitizer report."""
        check(self.proc is not None, "server not started")
        p = self.proc
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
        try:
            rc = p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
            self.proc = None
            raise TestFailure("server did not stop within %ds of SIGTERM" % timeout)
        self.proc = None
        err = self.read_stderr()
        mark = sanitizer_report(err)
        check(mark is None, "sanitizer report (%s) at shutdown:\n%s" % (mark, err[-6000:]))
        check(rc == 0, "server exited %d after SIGTERM; stderr:\n%s" % (rc, err[-4000:]))
        return err

    def kill9(self):
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()
            self.proc = None

    def share(self, other):
        """Serve `other`'s database with `other`'s release key (several
        servers on one database). Drops the database made for this one;
        only `other` drops the shared one at clean-up."""
        check(self.proc is None, "share() before start()")
        if self.pgname:
            pg_admin("DROP DATABASE IF EXISTS %s" % self.pgname)
            self.pgname = None
        self.db = other.db
        self.key_args = list(other.key_args)
        if not PG:
            self.statistics_file = other.statistics_file
        self.initialised = True
        return self

    def cleanup(self):
        self.kill9()
        if os.environ.get("KOUAN_E2E_KEEP"):
            sys.stderr.write("kept %s\n" % self.dir)
            return
        shutil.rmtree(self.dir, ignore_errors=True)
        if self.pgname:
            try:
                pg_admin("DROP DATABASE IF EXISTS %s WITH (FORCE)" % self.pgname)
            except AssertionError as e:
                sys.stderr.write("%s\n" % e)
            self.pgname = None

    # --- HTTP -------------------------------------------------------------

    def call(self, method, path, body=None, token=None, headers=None,
             timeout=30, raw=None):
        """One request on a fresh connection. body: a dict/list (sent as
        JSON with Content-Type application/json) or str/bytes (sent as is,
        Content-Type only if given in headers). raw: ignore body typing."""
        h = {}
        data = None
        if body is not None:
            if isinstance(body, (dict, list)):
                data = json.dumps(body).encode()
                h["Content-Type"] = "application/json"
            elif isinstance(body, str):
                data = body.encode()
            else:
                data = body
        if token:
            h["Authorization"] = "Bearer " + token
        if headers:
            h.update(headers)
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        t0 = time.monotonic()
        try:
            c.request(method, path, body=data, headers=h)
            r = c.getresponse()
            payload = r.read()
            hdrs = {k.lower(): v for k, v in r.getheaders()}
            return Resp(r.status, hdrs, payload)
        finally:
            c.close()
            dt = time.monotonic() - t0
            if dt > 2:
                sys.stderr.write("slow request: %s %s took %.2fs\n" % (method, path[:80], dt))

    def login(self, user, password=None):
        r = self.call("POST", "/v1/sessions",
                      {"username": user, "password": password or user + "-demo-2026"})
        eq(r.status, 201, "login %s: %r" % (user, r))
        return r.json["token"]

    def healthy(self):
        r = self.call("GET", "/v1/healthz", timeout=10)
        return r.status == 200 and (r.json or {}).get("status") == "ok"

    def all_declarations(self, token, query=""):
        """Every declaration the token may list, following `next`."""
        out = []
        after = None
        while True:
            q = "limit=500" + (("&" + query) if query else "")
            if after:
                q += "&after=" + after
            r = self.call("GET", "/v1/declarations?" + q, token=token)
            eq(r.status, 200, "list declarations: %r" % r)
            out.extend(r.json["declarations"])
            after = r.json.get("next")
            if not after:
                return out

    def feed(self, token, after="0", limit=1000):
        """The whole event feed the token may see from `after` (no wait)."""
        events = []
        cursor = after
        while True:
            r = self.call("GET", "/v1/events?after=%s&limit=%d" % (cursor, limit), token=token)
            eq(r.status, 200, "feed: %r" % r)
            events.extend(r.json["events"])
            if not r.json["events"]:
                return events, r.json["cursor"]
            cursor = r.json["cursor"]

    # --- clients ------------------------------------------------------------

    def cli(self, *args, token=None, stdin=None, timeout=60):
        """Run `kouan ARGS` as a client; returns CompletedProcess with str
        stdout/stderr; .json is the parsed stdout when it is JSON."""
        env = dict(os.environ)
        env["KOUAN_URL"] = self.url
        if token is not None:
            env["KOUAN_TOKEN"] = token
        else:
            env.pop("KOUAN_TOKEN", None)
        r = subprocess.run([KOUAN_BIN] + [str(a) for a in args], env=env,
                           input=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=timeout, cwd=self.dir)
        r.stdout = r.stdout.decode("utf-8", "replace")
        r.stderr = r.stderr.decode("utf-8", "replace")
        mark = sanitizer_report(r.stderr)
        check(mark is None, "sanitizer report (%s) from kouan %s:\n%s"
              % (mark, " ".join(map(str, args)), r.stderr))
        try:
            r.json = json.loads(r.stdout)
        except ValueError:
            r.json = None
        return r

    def curl(self, method, path, body=None, token=None, headers=(), timeout=60):
        """Run the real curl binary; returns (status, headers dict, json or
        None, raw body text)."""
        cmd = ["curl", "-sS", "--max-time", str(timeout), "-X", method,
               "-D", "-", "-o", "-", self.url + path]
        if token:
            cmd += ["-H", "Authorization: Bearer " + token]
        for h in headers:
            cmd += ["-H", h]
        if body is not None:
            if not isinstance(body, (str, bytes)):
                body = json.dumps(body)
                cmd += ["-H", "Content-Type: application/json"]
            cmd += ["--data-binary", "@-"]
            if isinstance(body, str):
                body = body.encode()
        r = subprocess.run(cmd, input=body, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=timeout + 10)
        check(r.returncode == 0, "curl exited %d: %s" % (r.returncode, r.stderr.decode()))
        raw = r.stdout.decode("utf-8", "replace")
        head, _, payload = raw.partition("\r\n\r\n")
        while head.startswith("HTTP/1.1 100"):
            head, _, payload = payload.partition("\r\n\r\n")
        lines = head.split("\r\n")
        status = int(lines[0].split()[1])
        hdrs = {}
        for ln in lines[1:]:
            k, _, v = ln.partition(":")
            hdrs[k.strip().lower()] = v.strip()
        try:
            js = json.loads(payload) if payload else None
        except ValueError:
            js = None
        return status, hdrs, js, payload


def _cleanup_all():
    for s in list(_live_servers):
        try:
            s.cleanup()
        except Exception:
            pass


atexit.register(_cleanup_all)


def _on_term(signum, frame):
    _cleanup_all()
    sys.exit(1)


signal.signal(signal.SIGTERM, _on_term)


def check_problem(r, status, slug=None, fields=None, exact=True):
    """r is an RFC 9457 problem with this status; errors[] fields are
    exactly `fields` (as a set of pointers) when exact, else include them."""
    eq(r.status, status, "status of %r" % r)
    ct = r.header("content-type") or ""
    check(ct.startswith("application/problem+json"), "content type %r of %r" % (ct, r))
    check(isinstance(r.json, dict), "problem body is not JSON: %r" % r)
    eq(r.json.get("status"), status, "problem status member")
    check(r.json.get("type", "").startswith("urn:kouan:problem:"), "problem type %r" % r.json.get("type"))
    if slug:
        eq(r.json["type"], "urn:kouan:problem:" + slug, "problem type")
    check(isinstance(r.json.get("title"), str) and r.json["title"], "problem title")
    if fields is not None:
        got = r.fields()
        if exact:
            eq(sorted(set(got)), sorted(set(fields)), "errors[].field of %r" % r)
        else:
            for f in fields:
                check(f in got, "errors[] lacks field %r: %r" % (f, r))
        for e in r.json.get("errors", []):
            check(isinstance(e.get("problem"), str) and e["problem"], "error without problem text: %r" % e)


def run_tests(tests):
    """Run test functions in order; one line each; exit 1 if any failed.
    The first test is the set-up: if it fails the others are not run (and
    count as failed)."""
    passed = failed = 0
    t_all = time.monotonic()
    for i, fn in enumerate(tests):
        name = fn.__name__
        t0 = time.monotonic()
        if i > 0 and failed and passed == 0:
            failed += 1
            print("FAIL %s (not run: the set-up failed)" % name, flush=True)
            continue
        try:
            fn()
        except Exception as e:  # noqa: BLE001 - report every failure
            failed += 1
            print("FAIL %s (%.2fs): %s" % (name, time.monotonic() - t0, e), flush=True)
            tb = traceback.format_exc()
            sys.stderr.write(tb)
        else:
            passed += 1
            print("ok   %s (%.2fs)" % (name, time.monotonic() - t0), flush=True)
    sys.stderr.write("total %.1fs\n" % (time.monotonic() - t_all))
    print("%d passed, %d failed" % (passed, failed), flush=True)
    _cleanup_all()
    sys.exit(1 if failed else 0)


def utc_now():
    """The time now as RFC 3339 in UTC, to the microsecond (what a bank
    that paid just now gives as paid_at: not before the declaration's
    lodging, not in the future)."""
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# --- consignments and manifests ----------------------------------------------

_serial = [0]


def container_number(prefix):
    """An ISO 6346 number: a 10-character prefix (owner, U, serial) and its
    check digit (letters from A = 10, skipping 11, 22 and 33; position i
    weighs 2^i)."""
    values, n = {}, 10
    for ch in "ABCDEFGHIJKLMNOPQRSTUVWXYZ":
        if n % 11 == 0:
            n += 1
        values[ch] = n
        n += 1
    total = sum((values[c] if c.isalpha() else int(c)) << i for i, c in enumerate(prefix))
    return prefix + str(total % 11 % 10)


def fresh_consignment(body):
    """Give a declaration body a bill of lading and containers (as many as
    it has) that no other declaration of this run uses: one consignment is
    released once, so lodging the same goods again needs its own."""
    _serial[0] += 1
    serial = _serial[0] % 100000  # 100,000 declarations a process before a repeat
    body["bill_of_lading"] = "E2EBL%02d%05d" % (os.getpid() % 100, serial)
    if "containers" in body:
        assert len(body["containers"]) <= 10, "fresh_consignment numbers 10 containers at most"
        body["containers"] = [container_number("KTEU%06d" % (serial * 10 + i))
                              for i in range(len(body["containers"]))]
    return body


CARRIER_OF_MODE = {"2": "carrier", "4": "haulier", "5": "airline"}


def call_key(body):
    """The call a declaration travels on (docs/transport.md): mode, the
    conveyance's identity (IMO by water, else its name) and voyage without
    case, spaces, hyphens or the middle dot, and the entry or exit port."""
    conv = body["conveyance"]
    ident = conv.get("imo") if body["transport_mode"] == "2" else conv["name"]
    norm = lambda s: re.sub(r"[\s\-·]", "", s).upper()
    port = body.get("entry_port") if body["direction"] == "import" else body.get("exit_port")
    return "|".join([body["transport_mode"], norm(ident), norm(conv["voyage"]), port])


def manifest_line(srv, body):
    """Make sure the carrier's manifest of the declaration's call (original
    for an import, pre-loading for an export) has a line matching it, so
    the declaration is matched as it is lodged (and may be released)."""
    carrier = CARRIER_OF_MODE.get(body["transport_mode"])
    if not carrier:
        return
    token = srv.login(carrier)
    kind = "original" if body["direction"] == "import" else "pre_loading"
    key = call_key(body)
    r = srv.call("GET", "/v1/manifests?kind=%s&call=%s" % (kind, urllib.parse.quote(key, safe="")),
                 token=token)
    eq(r.status, 200, "manifests of %s: %r" % (key, r))
    line = {"bill_of_lading": body["bill_of_lading"],
            "consignor": {"name": "Shipper of the e2e goods"},
            "consignee": {"name": "Consignee of the e2e goods"},
            "goods_description": body["items"][0]["description"][:512],
            "packages": body["packages"], "package_kind": "CT",
            "gross_weight_kg": body["gross_weight_kg"]}
    if body.get("containers"):
        line["containers"] = [{"number": c, "seals": ["SL-" + c[4:]]} for c in body["containers"]]
    found = r.json["manifests"]
    if not found:
        m = {"kind": kind, "transport_mode": body["transport_mode"],
             "conveyance": body["conveyance"],
             "port": body.get("entry_port") or body.get("exit_port"),
             "carrier": "Carrier of the e2e goods", "bills": [line]}
        _serial[0] += 1
        r = srv.call("POST", "/v1/manifests", m, token=token,
                     headers={"Idempotency-Key": "e2e-manifest-%d-%d" % (os.getpid(), _serial[0])})
        eq(r.status, 201, "manifest for %s: %r" % (key, r))
        return
    path = "/v1/manifests/%d" % found[0]["id"]
    r = srv.call("GET", path, token=token)
    eq(r.status, 200, "manifest %s: %r" % (path, r))
    m = r.json["manifest"]
    bills = [b for b in m["bills"] if b["bill_of_lading"] != body["bill_of_lading"]]
    if len(bills) < len(m["bills"]) and line in m["bills"]:
        return
    m["bills"] = bills + [line]
    r = srv.call("PUT", path, m, token=token)
    eq(r.status, 200, "amend manifest %s: %r" % (path, r))


# --- declaration bodies ---------------------------------------------------------

def apples(org="trader", **over):
    """Fresh apples from Chile by sea into Nansha (5167): customs and
    quarantine act. (Chilean, not US: the demo rule set sends US apples to a
    quarantine inspection; these stay with the officers.)"""
    uscc = DEMO_USCC[org]
    b = {
        "direction": "import", "declaration_office": "5167", "port_office": "5167",
        "declarant_uscc": uscc, "consignee_uscc": uscc,
        "trade_mode": "0110", "transport_mode": "2",
        "conveyance": {"name": "COSCO SHIPPING ARIES", "voyage": "046E", "imo": "9321378"},
        "bill_of_lading": "COSU6291830410", "trading_country": "CL",
        "departure_country": "CL", "entry_port": "CNNSA", "incoterm": "CIF",
        "currency": "USD", "freight": "0", "insurance": "0", "packages": 1800,
        "gross_weight_kg": "19850.000", "containers": ["COSU8001236"],
        "items": [{"hs_code": "0808100000", "description": "Fresh Gala apples, 18 kg cartons",
                   "quantity": "18000", "unit": "035", "unit_price": "1.85",
                   "origin_country": "CL"}],
        "documents": [{"type": "invoice", "number": "WA-2026-11873"},
                      {"type": "phytosanitary_certificate", "number": "SAG-PC-7781204"}],
    }
    fresh_consignment(b)
    b["advance"] = True  # declared before (or without) the carrier's line
    b.update(over)
    return b


def laptops(org="trader", **over):
    """Laptops by air into Baiyun airport, declared at Guangzhou customs
    (5100): customs only. (Not at the Baiyun office 5141, whose demo risk
    profile is green: there kouan would release them by itself.)"""
    uscc = DEMO_USCC[org]
    b = {
        "direction": "import", "declaration_office": "5100", "port_office": "5141",
        "declarant_uscc": uscc, "consignee_uscc": uscc,
        "trade_mode": "0110", "transport_mode": "5",
        "conveyance": {"name": "CZ3098", "voyage": "20261120"},
        "bill_of_lading": "784-55120936", "trading_country": "VN",
        "departure_country": "VN", "entry_port": "CNCAN", "incoterm": "FCA",
        "currency": "USD", "freight": "1250.00", "insurance": "96.40", "packages": 40,
        "gross_weight_kg": "412.500",
        "items": [{"hs_code": "8471300000", "description": "14-inch notebook computers",
                   "quantity": "400", "unit": "001", "unit_price": "389.00",
                   "origin_country": "VN"}],
    }
    fresh_consignment(b)
    b["advance"] = True  # declared before (or without) the carrier's line
    b.update(over)
    return b


def tshirts_export(org="trader", **over):
    """T-shirts exported by road through Huanggang (5301): customs and
    border."""
    uscc = DEMO_USCC[org]
    b = {
        "direction": "export", "declaration_office": "5301", "port_office": "5301",
        "declarant_uscc": uscc, "consignee_uscc": uscc,
        "trade_mode": "0110", "transport_mode": "4",
        "conveyance": {"name": "粤Z·H2286港", "voyage": "20261122-01"},
        "bill_of_lading": "HG20261122-0097", "trading_country": "HK",
        "destination_country": "HK", "exit_port": "CNHUG", "incoterm": "FOB",
        "currency": "HKD", "packages": 320, "gross_weight_kg": "2880.000",
        "containers": ["TGHU6000010"],
        "items": [{"hs_code": "6109100000", "description": "Cotton knitted T-shirts",
                   "quantity": "9600", "unit": "011", "unit_price": "28.50",
                   "origin_country": "CN"}],
    }
    fresh_consignment(b)
    b["advance"] = True  # declared before (or without) the carrier's line
    b.update(over)
    return b


def series_gaps(numbers):
    """The numbers missing below the highest of each series (office, year
    and direction: a number's first nine digits), lowest first, as
    (series, sequence); a sequence below 1, which no series has, is
    listed too."""
    series = {}
    for n in numbers:
        series.setdefault(n[:9], set()).add(int(n[9:]))
    return [(key, k) for key, seqs in sorted(series.items())
            for k in sorted(set(range(1, max(seqs) + 1)) ^ seqs)]


def take_given_back(numbers, lodge, templates=(apples, laptops, tshirts_export)):
    """On PostgreSQL an office's lodgements do not wait for each other's
    numbers, so a lodgement cut short (its server killed) gives its number
    back after higher ones may have been given: the number is missing from
    its series until the next lodgement at that office takes it, the lowest
    first, before any new one (docs/architecture.md, "The declaration
    number and its sequence"). For each number missing from `numbers`,
    lodge(body, i) one declaration of its office and direction and check
    that it takes that number. Returns the numbers taken."""
    time.sleep(1.0)  # PostgreSQL ends the transactions of a killed server
    taken = []
    for i, (key, k) in enumerate(series_gaps(numbers)):
        office, direction = key[:4], "import" if key[8] == "1" else "export"
        template = next(t for t in templates if t()["declaration_office"] == office
                        and t()["direction"] == direction)
        # a bill of its own: a run may fill gaps in several rounds
        r = lodge(template(bill_of_lading="GIVEN-BACK-%s%09d" % (key, k)), i)
        eq(r.status, 201, "a lodgement at %s after the kill: %r" % (office, r))
        eq(r.json["number"], "%s%09d" % (key, k),
           "the lowest number given back is the next one given")
        taken.append(r.json["number"])
    sys.stderr.write("numbers given back and taken again: %r\n" % taken)
    return taken


def events_of(srv, number, token):
    r = srv.call("GET", "/v1/declarations/%s/events" % number, token=token)
    eq(r.status, 200, "events of %s: %r" % (number, r))
    return r.json["events"]


def check_times(events):
    """Every event time is RFC 3339 UTC with 6 fractional digits, and
    times and cursors never go backwards."""
    prev_at, prev_cursor = None, None
    for e in events:
        check(TIME_RE.match(e["at"]) is not None, "event time %r" % e["at"])
        if prev_at is not None:
            check(e["at"] >= prev_at, "event times go backwards: %s then %s" % (prev_at, e["at"]))
            check(int(e["cursor"]) > int(prev_cursor), "cursors not increasing")
        prev_at, prev_cursor = e["at"], e["cursor"]
