#!/usr/bin/env python3
"""
test_nginx.py - two kouan servers on one database behind nginx, configured
with deploy/nginx/kouan.conf itself.

Set-up: server A (kouan_e2e.Server, demo data) and server B on the same
database and release key (PostgreSQL with KOUAN_TEST_STORE=postgres, else
the same SQLite file), both with the access log on. A private nginx runs
from a temporary prefix with a copy of deploy/nginx/kouan.conf in which only
the two upstream addresses and the listen line are rewritten.

What it checks, through nginx:
  * GET /v1/healthz answers 200 {"status":"ok"} with the right store;
  * login; the token works on both servers directly (no sticky sessions);
  * lodging a declaration (201, Location; the same key again replays it with
    Idempotent-Replayed: true), then customs and quarantine decide: it is
    released, and the declaration, its timeline, its release notice and the
    release key read through nginx are the same as read from each server;
  * requests are spread over both servers (their access log lines);
  * a 1.5 MiB body (under nginx's 2m, over kouan's 1 MiB max-body) gets
    kouan's own 413 problem+json;
  * a long-poll GET /v1/events?wait=5 through nginx returns 200 with the
    events of a declaration another client lodges meanwhile;
  * after SIGKILL of server B, GETs through nginx still succeed, and POSTs
    with an Idempotency-Key either succeed or fail with 502, and a retry with
    the same key resolves each to exactly one declaration;
  * nginx and server A stop cleanly.

Run: KOUAN_BIN=/work/main/build/kouan python3 tests/e2e/test_nginx.py
"""
import atexit
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kouan_e2e as k  # noqa: E402
from kouan_e2e import (Server, apples, check, check_problem, eq, laptops,  # noqa: E402
                       manifest_line, run_tests)

CONF = os.path.join(k.SOURCE, "deploy", "nginx", "kouan.conf")
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
ACCESS = ["--access-log", "on"]
ACCESS_RE = re.compile(r" info access \S+ \"")

A = Server("nginx-a", extra_args=ACCESS)
B = None
T = {}


def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Nginx:
    """A private nginx in a temporary prefix, proxying to the two servers."""
    call = Server.call
    login = Server.login
    healthy = Server.healthy

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="kouan-e2e-proxy-")
        self.proc = None
        self.port = None

    def site(self, upstream_ports, port):
        """deploy/nginx/kouan.conf with only the upstream servers and the
        listen line rewritten."""
        with open(CONF) as f:
            text = f.read()
        lines = text.split("\n")
        ups = iter(upstream_ports)
        seen_listen = seen_up = 0
        for i, ln in enumerate(lines):
            if re.match(r"\s*server\s+127\.0\.0\.1:\d+", ln):
                lines[i] = re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:%d" % next(ups), ln, count=1)
                seen_up += 1
            elif re.match(r"\s*listen\s+[^;]*;", ln):
                lines[i] = re.sub(r"listen\s+[^;]*;", "listen 127.0.0.1:%d;" % port, ln, count=1)
                seen_listen += 1
        eq(seen_up, 2, "upstream server lines in %s" % CONF)
        eq(seen_listen, 1, "uncommented listen lines in %s" % CONF)
        return "\n".join(lines)

    def start(self, upstream_ports):
        self.port = free_port()
        site = os.path.join(self.dir, "kouan.conf")
        with open(site, "w") as f:
            f.write(self.site(upstream_ports, self.port))
        d = self.dir
        main = [
            "user root;" if os.geteuid() == 0 else "",
            "worker_processes 1;",
            "pid %s/nginx.pid;" % d,
            "error_log %s/error.log info;" % d,
            "events { worker_connections 256; }",
            "http {",
            "  access_log %s/access.log;" % d,
            "  client_body_temp_path %s/client_body;" % d,
            "  proxy_temp_path %s/proxy;" % d,
            "  fastcgi_temp_path %s/fastcgi;" % d,
            "  uwsgi_temp_path %s/uwsgi;" % d,
            "  scgi_temp_path %s/scgi;" % d,
            "  default_type application/octet-stream;",
            "  include %s;" % site,
            "}",
        ]
        conf = os.path.join(d, "nginx.conf")
        with open(conf, "w") as f:
            f.write("\n".join(main) + "\n")
        cmd = [NGINX, "-p", d + "/", "-e", d + "/error.log", "-c", conf, "-g", "daemon off;"]
        t = subprocess.run(cmd[:-2] + ["-t"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           timeout=30)
        check(t.returncode == 0, "nginx -t: %s" % t.stdout.decode())
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                                     stdout=open(os.path.join(d, "stdout"), "wb"),
                                     stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 15
        while True:
            check(self.proc.poll() is None, "nginx exited %s: %s" % (self.proc.returncode,
                                                                      self.error_log()[-3000:]))
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    break
            except OSError:
                pass
            check(time.monotonic() < deadline, "nginx did not listen: " + self.error_log()[-3000:])
            time.sleep(0.05)

    def error_log(self):
        p = os.path.join(self.dir, "error.log")
        if not os.path.exists(p):
            return ""
        with open(p, errors="replace") as f:
            return f.read()

    def stop(self):
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.send_signal(signal.SIGQUIT)  # graceful shutdown
                try:
                    self.proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait()
            rc = self.proc.returncode
            self.proc = None
            return rc
        return None

    def cleanup(self):
        try:
            self.stop()
        finally:
            if not os.environ.get("KOUAN_E2E_KEEP"):
                shutil.rmtree(self.dir, ignore_errors=True)


NG = Nginx()
atexit.register(NG.cleanup)  # runs before kouan_e2e's clean-up (LIFO)


def access_lines(srv):
    return len(ACCESS_RE.findall(srv.read_stderr()))


def lodge(via, token, body, key):
    return via.call("POST", "/v1/declarations", body, token=token,
                    headers={"Idempotency-Key": key})


# --- tests ---------------------------------------------------------------------

def test_start():
    global B
    A.start()
    B = Server("nginx-b", extra_args=ACCESS).share(A)
    B.start()
    NG.start([A.port, B.port])
    check(NG.healthy(), "healthz through nginx")


def test_healthz():
    r = NG.call("GET", "/v1/healthz")
    eq(r.status, 200, "healthz: %r" % r)
    eq(r.json["status"], "ok", "healthz status")
    eq(r.json["store"], "postgres" if k.PG else "sqlite", "healthz store")
    eq(r.header("cache-control"), "no-store", "kouan's own headers pass through")


def test_login_token_works_on_both_servers():
    for user in ("trader", "customs", "quarantine", "analyst"):
        T[user] = NG.login(user)
    for srv in (A, B):
        r = srv.call("GET", "/v1/me", token=T["trader"])
        eq(r.status, 200, "token from nginx on %s: %r" % (srv.url, r))
        eq(r.json["username"], "trader", "GET /v1/me")
    r = NG.call("GET", "/v1/me", token="kt_not-a-token")
    check_problem(r, 401)


def test_lodge_decide_same_as_direct():
    body = apples(bill_of_lading="NGINX0000001")
    manifest_line(A, body)  # the carrier manifested it: it may be released
    r = lodge(NG, T["trader"], body, "nginx-lodge-1")
    eq(r.status, 201, "lodge through nginx: %r" % r)
    n = r.json["number"]
    eq(r.header("location"), "/v1/declarations/" + n, "Location")
    eq(sorted(t["agency"] for t in r.json["tasks"]), ["customs", "quarantine"], "tasks")
    again = lodge(NG, T["trader"], body, "nginx-lodge-1")
    eq(again.status, 201, "replay: %r" % again)
    eq(again.header("idempotent-replayed"), "true", "Idempotent-Replayed")
    eq(again.json, r.json, "replayed answer")
    T["number"] = n

    for agency in ("customs", "quarantine"):
        d = NG.call("POST", "/v1/declarations/%s/tasks/%s/decision" % (n, agency),
                    {"decision": "cleared", "reason": "documents checked"}, token=T[agency])
        eq(d.status, 200, "%s decision through nginx: %r" % (agency, d))
    eq(d.json["status"], "released", "status after both clearances")
    twice = NG.call("POST", "/v1/declarations/%s/tasks/customs/decision" % n,
                    {"decision": "cleared", "reason": "documents checked"}, token=T["customs"])
    check_problem(twice, 409)

    for path, tok in (("/v1/declarations/" + n, "trader"),
                      ("/v1/declarations/%s/events" % n, "trader"),
                      ("/v1/declarations/%s/release-notice" % n, "trader"),
                      ("/v1/release-key", None),
                      ("/v1/tasks?agency=customs&status=cleared", "customs")):
        via = NG.call("GET", path, token=T.get(tok))
        eq(via.status, 200, "GET %s through nginx: %r" % (path, via))
        for srv in (A, B):
            direct = srv.call("GET", path, token=T.get(tok))
            eq(direct.status, 200, "GET %s on %s: %r" % (path, srv.url, direct))
            eq(via.json, direct.json, "GET %s: nginx vs %s" % (path, srv.url))


def test_requests_spread_over_both_servers():
    a0, b0 = access_lines(A), access_lines(B)
    for _ in range(20):
        r = NG.call("GET", "/v1/declarations/" + T["number"], token=T["trader"])
        eq(r.status, 200, "GET through nginx: %r" % r)
    time.sleep(0.2)
    da, db = access_lines(A) - a0, access_lines(B) - b0
    eq(da + db, 20, "access lines on A (%d) and B (%d)" % (da, db))
    check(da >= 5 and db >= 5, "requests not spread: A %d, B %d" % (da, db))


def test_body_over_max_body_gets_kouans_413():
    # Several times: whether nginx gets the answer must not depend on how
    # much of the body it had written when kouan answered.
    big = b'{"pad": "' + b"x" * (1536 * 1024) + b'"}'
    got = []
    for i in range(10):
        r = NG.call("POST", "/v1/declarations", big, token=T["trader"],
                    headers={"Content-Type": "application/json",
                             "Idempotency-Key": "nginx-big-%d" % i})
        got.append(r.status)
        if r.status != 413:
            continue
        check_problem(r, 413, "too-large")
        check("1048576" in r.json.get("detail", ""), "detail names the limit: %r" % r)
    why = [ln for ln in NG.error_log().splitlines()
           if "[error]" in ln and "while sending request" in ln][:1]
    eq(got, [413] * 10, "statuses of 1.5 MiB bodies through nginx (a 502: kouan "
       "answered and closed before nginx had sent the whole body; %s)" % why)
    # nothing was lodged, and the next request is fine
    r = NG.call("GET", "/v1/healthz")
    eq(r.status, 200, "healthz after 413")


def test_long_poll_through_nginx():
    r = NG.call("GET", "/v1/events?after=0&limit=1000", token=T["trader"])
    eq(r.status, 200, "feed: %r" % r)
    cursor = r.json["cursor"]
    while r.json["events"]:
        cursor = r.json["cursor"]
        r = NG.call("GET", "/v1/events?after=%s&limit=1000" % cursor, token=T["trader"])
    out = {}

    def poll():
        t0 = time.monotonic()
        try:
            out["resp"] = NG.call("GET", "/v1/events?after=%s&wait=5" % cursor,
                                  token=T["trader"], timeout=20)
        except Exception as e:  # noqa: BLE001
            out["error"] = e
        out["took"] = time.monotonic() - t0

    th = threading.Thread(target=poll)
    th.start()
    time.sleep(0.7)  # let it wait
    r = lodge(NG, T["trader"], laptops(bill_of_lading="NGINX-LP-1"), "nginx-longpoll-1")
    eq(r.status, 201, "lodge while polling: %r" % r)
    th.join(30)
    check(not th.is_alive(), "long-poll did not return")
    check("error" not in out, "long-poll failed: %r" % out.get("error"))
    p = out["resp"]
    eq(p.status, 200, "long-poll through nginx: %r" % p)
    got = {e["declaration_number"] for e in p.json["events"]}
    check(r.json["number"] in got, "long-poll answer lacks %s: %r" % (r.json["number"], p))
    # With PostgreSQL every server is woken by NOTIFY; with SQLite shared by
    # two processes only the server that committed wakes at once, the other
    # finds the events when its wait ends.
    if k.PG:
        check(out["took"] < 4, "long-poll took %.1fs: not woken" % out["took"])
    else:
        check(out["took"] < 8, "long-poll took %.1fs" % out["took"])


def test_failover_after_sigkill():
    B.kill9()
    for i in range(10):
        r = NG.call("GET", "/v1/declarations/" + T["number"], token=T["trader"])
        eq(r.status, 200, "GET %d through nginx after SIGKILL of B: %r" % (i, r))
        r = NG.call("GET", "/v1/healthz")
        eq(r.status, 200, "healthz %d after SIGKILL of B: %r" % (i, r))
    retried = 0
    numbers = {}
    for i in range(6):
        key = "nginx-failover-%d" % i
        body = laptops(bill_of_lading="NGINX-FO-%d" % i)
        r = lodge(NG, T["trader"], body, key)
        if r.status == 502:
            retried += 1
            r = lodge(NG, T["trader"], body, key)
        eq(r.status, 201, "lodge %s after SIGKILL of B: %r" % (key, r))
        numbers[key] = r.json["number"]
        again = lodge(NG, T["trader"], body, key)
        eq(again.status, 201, "replay %s: %r" % (key, again))
        eq(again.json["number"], r.json["number"], "replayed number of " + key)
    eq(len(set(numbers.values())), 6, "one declaration per key")
    # exactly one declaration for each bill of lading
    mine = A.all_declarations(T["trader"])
    for i in range(6):
        bl = "NGINX-FO-%d" % i
        found = [d["number"] for d in mine if d["bill_of_lading"] == bl]
        eq(found, [numbers["nginx-failover-%d" % i]], "declarations with bill of lading " + bl)
    if retried:
        sys.stderr.write("%d POST(s) answered 502 and were retried with their key\n" % retried)


def test_stop_cleanly():
    rc = NG.stop()
    eq(rc, 0, "nginx exit status (error log: %s)" % NG.error_log()[-3000:])
    A.stop()
    crit = [ln for ln in NG.error_log().splitlines() if "[emerg]" in ln or "[crit]" in ln]
    eq(crit, [], "nginx emergencies")


if __name__ == "__main__":
    if not os.path.exists(NGINX):
        print("nginx is not installed (scripts/install-deps.sh)")
        print("0 passed, 1 failed")
        sys.exit(1)
    run_tests([
        test_start,
        test_healthz,
        test_login_token_works_on_both_servers,
        test_lodge_decide_same_as_direct,
        test_requests_spread_over_both_servers,
        test_long_poll_through_nginx,
        test_failover_after_sigkill,
        # last: a failure here takes servers out of nginx's rotation
        test_body_over_max_body_gets_kouans_413,
        test_stop_cleanly,
    ])
