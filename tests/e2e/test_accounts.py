#!/usr/bin/env python3
"""
test_accounts.py - accounts that can be stopped and an audit that can be
trusted, on real servers: two servers A and B on one database (PostgreSQL
with KOUAN_TEST_STORE=postgres, else one SQLite file), and a third, C, that
hashes passwords at the production cost.

What it checks:
  * a token issued through B works on A; the admin disables its user
    through A and the token is refused at once on both servers; enabled
    again, a new login works;
  * failed logins counted through A make B answer 429 with Retry-After
    (the count is in the database);
  * a storm: 32 clients send 100 wrong passwords for one user of C (whose
    password hash costs what production's does) while another process
    polls healthz; only the first few passwords are checked (401: at most
    5, and one more per second the storm lasts), the rest are refused
    unchecked (429, or 503 when every hashing turn is taken), each with
    Retry-After; then, one at a time as told, after the 8th failure even
    the right password waits; only the checked ones are audited; the healthz
    latencies and the server's peak memory are printed (figures, not
    assertions: the machine is shared);
  * `kouan admin user-disable`, `user-enable`, `password-reset` (from
    standard input), `tokens-revoke` and `user-unlock` on the database
    while the servers run; their audit records name the operating system
    user (os:NAME) and the source "local";
  * `kouan login` on a terminal asks for the password without echoing it;
    `kouan password` changes one's own password from standard input;
  * the client address: B trusts 127.0.0.1 as a proxy and records the
    address in X-Forwarded-For; A does not, and records 127.0.0.1;
  * the auditor reads the log through either server; after 48 logins at
    once through both servers `kouan audit verify` finds it intact (one
    chain), then names the row an UPDATE in the database altered, the row a
    DELETE removed, and with --head the rows cut off the end.

Run: KOUAN_BIN=... python3 tests/e2e/test_accounts.py (add
KOUAN_TEST_STORE=postgres KOUAN_TEST_PG_STATE=FILE for PostgreSQL).
"""
import json
import os
import pty
import re
import select
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
import pwd

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kouan_e2e import (KOUAN_BIN, PG, Server, check, eq, psql,  # noqa: E402
                       run_tests, sanitizer_report)

A = Server("accounts-a")
B = Server("accounts-b", extra_args=["--trusted-proxies", "127.0.0.1"])
C = Server("accounts-c", extra_args=["--pwhash", "interactive"])
T = {}
OS_USER = "os:" + pwd.getpwuid(os.geteuid()).pw_name


def sql(srv, statement):
    """Run one statement on a server's database directly, as someone with
    access to the database (not to kouan) would."""
    if PG:
        psql(srv.db, statement)
    else:
        con = sqlite3.connect(srv.db, timeout=10)
        with con:
            con.execute(statement)
        con.close()


def kouan(*args, stdin=None):
    r = subprocess.run([KOUAN_BIN] + [str(a) for a in args], input=stdin,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
    r.stdout = r.stdout.decode("utf-8", "replace")
    r.stderr = r.stderr.decode("utf-8", "replace")
    check(sanitizer_report(r.stderr) is None, "sanitizer report: " + r.stderr)
    return r


def admin(*args, stdin=None):
    return kouan("admin", *args, "--db", A.db, "--pwhash", "min", *A.key_args, stdin=stdin)


def records(srv, query):
    r = srv.call("GET", "/v1/audit?limit=1000&" + query, token=T["auditor"])
    eq(r.status, 200, "audit: %r" % r)
    return r.json["records"]


def test_start():
    A.start()
    B.share(A).start()
    C.start()
    T["admin"] = A.login("admin")
    T["auditor"] = B.login("auditor")


def test_a_disabled_users_token_is_refused_at_once_everywhere():
    tok = B.login("trader")
    eq(A.call("GET", "/v1/me", token=tok).status, 200, "B's token works on A")
    r = A.call("POST", "/v1/users/trader/disable", {"reason": "audit of the broker account"},
               token=T["admin"])
    eq(r.status, 200, "disable through A: %r" % r)
    check(r.json["disabled"] is True, "disabled")
    for srv in (A, B):
        r = srv.call("GET", "/v1/me", token=tok)
        eq(r.status, 401, "the disabled user's token on %s" % srv.dir)
        r = srv.call("POST", "/v1/sessions", {"username": "trader",
                                              "password": "trader-demo-2026"})
        eq(r.status, 401, "the disabled user cannot log in")
    r = B.call("POST", "/v1/users/trader/enable", token=T["admin"])
    eq(r.status, 200, "enable through B: %r" % r)
    eq(A.call("GET", "/v1/me", token=tok).status, 401, "the old token stays revoked")
    tok = A.login("trader")
    eq(B.call("GET", "/v1/me", token=tok).status, 200, "a new login works")
    acts = [x["action"] for x in records(A, "target=trader&action=user.*")]
    eq(acts, ["user.created", "user.disabled", "user.enabled"], "audited")


def test_failures_counted_on_one_server_hold_on_the_other():
    for _ in range(5):
        r = A.call("POST", "/v1/sessions", {"username": "broker", "password": "not-it-at-all"})
        eq(r.status, 401, "a wrong password through A")
    r = B.call("POST", "/v1/sessions", {"username": "broker", "password": "broker-demo-2026"})
    eq(r.status, 429, "the next one through B waits: %r" % r)
    check(int(r.header("retry-after")) >= 1, "Retry-After %r" % r.header("retry-after"))
    eq(r.json["type"], "urn:kouan:problem:too-many-requests", "problem type")
    time.sleep(int(r.header("retry-after")) + 0.1)
    eq(B.call("POST", "/v1/sessions", {"username": "broker",
                                       "password": "broker-demo-2026"}).status,
       201, "after the wait, the right password works")


# GET /v1/healthz every 5 ms until told to stop on standard input; prints
# the latencies (seconds) as JSON. Any answer but 200 fails it.
PROBER = r"""
import http.client, json, select, sys, time
port = int(sys.argv[1])
lat = []
print("ready", flush=True)
while not select.select([sys.stdin], [], [], 0.005)[0]:
    t = time.monotonic()
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    c.request("GET", "/v1/healthz")
    r = c.getresponse()
    r.read()
    c.close()
    lat.append(time.monotonic() - t)
    if r.status != 200:
        sys.exit("healthz answered %d" % r.status)
print(json.dumps(lat))
"""


def peak_kib(srv):
    with open("/proc/%d/status" % srv.proc.pid) as f:
        m = re.search(r"VmHWM:\s+(\d+) kB", f.read())
    return int(m.group(1)) if m else -1


def test_a_storm_of_wrong_passwords_is_throttled_and_healthz_stays_quick():
    admin_c = C.login("admin")
    r = C.call("POST", "/v1/users", {"username": "storm.target", "role": "declarant",
                                     "password": "harbour-lantern-7731",
                                     "organisation": "91440101MA59TRAD00"}, token=admin_c)
    eq(r.status, 201, "a user hashed at the production cost: %r" % r)
    t0 = time.monotonic()
    eq(C.call("POST", "/v1/sessions", {"username": "storm.target",
                                       "password": "harbour-lantern-7731"}).status, 201,
       "its login")
    one_hash = time.monotonic() - t0
    mem_before = peak_kib(C)
    answers = []
    lock = threading.Lock()
    todo = list(range(100))

    def attacker():
        while True:
            with lock:
                if not todo:
                    return
                todo.pop()
            r = C.call("POST", "/v1/sessions", {"username": "storm.target",
                                                "password": "wrong-guess-%d" % len(todo)},
                       timeout=60)
            with lock:
                answers.append((r.status, r.header("retry-after")))

    # healthz is probed from a process of its own, so that the attackers'
    # threads do not hold up its clock: first alone, for a baseline, then
    # during the storm
    def start_prober():
        p = subprocess.Popen([sys.executable, "-c", PROBER, str(C.port)],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
        check(p.stdout.readline().strip() == b"ready", "the prober started")
        return p

    def stop_prober(p):
        out, err = p.communicate(b"stop\n", timeout=60)
        check(p.returncode == 0, "the prober: " + err.decode())
        return sorted(json.loads(out))

    prober = start_prober()
    time.sleep(1.5)
    quiet = stop_prober(prober)
    prober = start_prober()
    threads = [threading.Thread(target=attacker) for _ in range(32)]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    storm = time.monotonic() - t0
    lat = stop_prober(prober)
    counts = {}
    for status, _ in answers:
        counts[status] = counts.get(status, 0) + 1
    def figures(x):
        return "%d probes, median %.1f ms, p95 %.1f ms, max %.1f ms" % (
            len(x), statistics.median(x) * 1000, x[int(len(x) * 0.95)] * 1000, x[-1] * 1000)

    sys.stderr.write(
        "storm: 100 wrong passwords from 32 clients in %.2fs, one hash %.0f ms; answers %s; "
        "healthz alone: %s; during the storm: %s (median %.1fx); server peak memory %d MiB "
        "before, %d MiB after; %d cores, load average %.1f\n"
        % (storm, one_hash * 1000, json.dumps(counts, sort_keys=True), figures(quiet),
           figures(lat), statistics.median(lat) / statistics.median(quiet),
           mem_before // 1024, peak_kib(C) // 1024, os.cpu_count(), os.getloadavg()[0]))
    eq(len(answers), 100, "every attempt answered")
    check(set(counts) <= {401, 429, 503}, "only 401, 429 and 503: %r" % counts)
    # at most five checked at once, and one more for each second of waiting
    # the storm outlived; every other attempt refused without a check: 429
    # once five have failed, 503 while every hashing turn is taken
    checked = counts.get(401, 0)
    check(1 <= checked <= 5 + int(storm) + 1, "passwords checked: %r" % counts)
    eq(counts.get(429, 0) + counts.get(503, 0), 100 - checked, "refused unchecked")
    for status, retry in answers:
        if status in (429, 503):
            check(retry is not None and int(retry) >= 1, "Retry-After on %d" % status)
    # then one at a time, as told: after the 8th failure the name waits 8 s,
    # long enough for even a slow machine to show the right password waiting
    while checked < 8:
        r = C.call("POST", "/v1/sessions", {"username": "storm.target",
                                            "password": "one-more-guess"}, timeout=60)
        if r.status == 401:
            checked += 1
        else:
            check(r.status in (429, 503), "after the storm: %r" % r)
            time.sleep(int(r.header("retry-after")))
    r = C.call("POST", "/v1/sessions", {"username": "storm.target",
                                        "password": "harbour-lantern-7731"})
    eq(r.status, 429, "eight failures: even the right password waits")
    check(1 <= int(r.header("retry-after")) <= 8, "Retry-After %r" % r.header("retry-after"))
    # every checked failure is in the audit log, none of the refusals
    failed = C.call("GET", "/v1/audit?action=session.failed&target=storm.target&limit=1000",
                    token=C.login("auditor"))
    eq(len(failed.json["records"]), checked, "audited failures")


def test_offline_administration_is_audited_under_the_os_user():
    tok = A.login("maritime")
    r = admin("user-disable", "--username", "maritime")
    eq(r.returncode, 2, "a reason is required")
    check("--reason is required" in r.stderr, r.stderr)
    r = admin("user-disable", "--username", "maritime", "--reason", "left the agency")
    eq(r.returncode, 0, "user-disable: " + r.stderr)
    eq(r.stdout.strip(), "disabled maritime", "said")
    eq(B.call("GET", "/v1/me", token=tok).status, 401, "refused on B at once")
    r = admin("user-disable", "--username", "maritime", "--reason", "again")
    eq(r.returncode, 1, "already disabled")
    check("maritime is already disabled" in r.stderr, r.stderr)
    eq(admin("user-enable", "--username", "maritime").returncode, 0, "user-enable")
    r = admin("password-reset", "--username", "maritime", "--password-stdin",
              stdin=b"password123\n")
    eq(r.returncode, 2, "a common password")
    r = admin("password-reset", "--username", "maritime", "--password-stdin",
              stdin=b"tidal-beacon-3390\n")
    eq(r.returncode, 0, "password-reset: " + r.stderr)
    r = A.call("POST", "/v1/sessions", {"username": "maritime", "password": "tidal-beacon-3390"})
    eq(r.status, 201, "the new password logs in")
    r = admin("tokens-revoke", "--username", "maritime")
    eq(r.returncode, 0, "tokens-revoke")
    eq(r.stdout.strip(), "revoked 1 token of maritime", "said")
    r = admin("user-unlock", "--username", "maritime")
    eq(r.returncode, 1, "nothing to unlock")
    check("maritime is not locked" in r.stderr, r.stderr)
    recs = records(A, "target=maritime&actor=" + OS_USER)
    eq([x["action"] for x in recs],
       ["user.disabled", "user.enabled", "user.password_reset", "tokens.revoked"],
       "offline acts")
    for x in recs:
        eq(x["source"], "local", "source of an offline act")
        eq(x["actor_role"], "admin", "role of an offline act")


def test_login_prompts_without_echo_and_password_changes_itself():
    pid, fd = pty.fork()
    if pid == 0:
        env = dict(os.environ, KOUAN_URL=A.url)
        os.execve(KOUAN_BIN, [KOUAN_BIN, "login", "border"], env)
    out = b""
    deadline = time.monotonic() + 30
    while b"Password: " not in out and time.monotonic() < deadline:
        if select.select([fd], [], [], 0.5)[0]:
            out += os.read(fd, 1024)
    check(b"Password: " in out, "the prompt: %r" % out)
    os.write(fd, b"border-demo-2026\n")
    while time.monotonic() < deadline:
        try:
            chunk = os.read(fd, 1024)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    _, status = os.waitpid(pid, 0)
    eq(os.WEXITSTATUS(status), 0, "kouan login on a terminal: %r" % out)
    check(b"border-demo-2026" not in out, "the password was echoed: %r" % out)
    token = re.search(rb"kt_[A-Za-z0-9_-]{43}", out)
    check(token, "a token printed: %r" % out)
    tok = token.group(0).decode()
    other = A.login("border")
    r = A.cli("password", "--password-stdin", token=tok,
              stdin=b"border-demo-2026\nsignal-mast-8842\n")
    eq(r.returncode, 0, "kouan password: " + r.stderr)
    eq(A.call("GET", "/v1/me", token=tok).status, 200, "the token used still works")
    eq(A.call("GET", "/v1/me", token=other).status, 401, "the other token is revoked")
    eq(B.login("border", "signal-mast-8842") != "", True, "the new password logs in")
    r = A.cli("password", "--password-stdin", token=tok,
              stdin=b"wrong-one-here\nanother-good-one-4471\n")
    eq(r.returncode, 1, "a wrong current password")
    check("/current_password: is not your current password" in r.stderr, r.stderr)


def test_client_address_through_a_trusted_proxy():
    for srv in (A, B):
        r = srv.call("POST", "/v1/sessions",
                     {"username": "analyst", "password": "analyst-demo-2026"},
                     headers={"X-Forwarded-For": "198.51.100.23, 203.0.113.77"})
        eq(r.status, 201, "login")
    recs = records(A, "actor=analyst&action=session.created")
    eq([x["source"] for x in recs[-2:]], ["127.0.0.1", "203.0.113.77"],
       "A ignores X-Forwarded-For; B trusts 127.0.0.1 and reads it from the right")


def verify(*extra):
    return kouan("audit", "verify", "--db", A.db, *A.key_args, *extra)


def test_audit_verify_finds_what_was_changed_in_the_database():
    # first, logins through both servers at once: their records join one
    # chain, one transaction after another
    users = ["trader", "broker", "customs", "quarantine", "analyst", "terminal", "admin",
             "auditor"]
    errors = []

    def logins(i):
        for k in range(6):
            srv = (A, B)[(i + k) % 2]
            for _ in range(20):  # a 503 says: every hashing turn is taken, retry
                r = srv.call("POST", "/v1/sessions",
                             {"username": users[i], "password": users[i] + "-demo-2026"})
                if r.status != 503:
                    break
                time.sleep(int(r.header("retry-after")))
            if r.status != 201:
                errors.append(r)

    threads = [threading.Thread(target=logins, args=(i,)) for i in range(len(users))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    eq(errors, [], "concurrent logins")
    r = verify()
    eq(r.returncode, 0, "intact: " + r.stdout + r.stderr)
    check(r.stdout.startswith("audit log intact: "), r.stdout)
    head = A.call("GET", "/v1/audit/head", token=T["auditor"]).json
    check(("head row %d, hash %s" % (head["last_id"], head["hash"])) in r.stdout, r.stdout)
    n = head["last_id"]
    eq(B.call("GET", "/v1/audit/head", token=T["auditor"]).json, head, "the same head on B")
    # the public key from the API verifies as well as the key file
    pk = A.call("GET", "/v1/release-key").json["public_key"]
    r = kouan("audit", "verify", "--db", A.db, "--public-key", pk)
    eq(r.returncode, 0, "with --public-key: " + r.stderr)
    # an UPDATE made directly in the database
    victim = n - 3
    sql(A, "UPDATE audit_log SET data = '{\"reason\":\"nothing to see\"}' WHERE id = %d" % victim)
    r = verify()
    eq(r.returncode, 1, "altered")
    check(("row %d was altered: its content no longer gives its hash" % victim) in r.stderr,
          r.stderr)
    check(("the first at row %d" % victim) in r.stdout, r.stdout)
    # a DELETE as well: both are named, the first first
    sql(A, "DELETE FROM audit_log WHERE id = %d" % (n - 1))
    r = verify()
    eq(r.returncode, 1, "deleted")
    check(("row %d is missing (deleted)" % (n - 1)) in r.stderr, r.stderr)
    check(r.stderr.index("row %d was altered" % victim) < r.stderr.index("is missing"),
          "in order: " + r.stderr)
    # the last rows cut off with the head moved back: only a head kept
    # elsewhere shows it
    sql(A, "DELETE FROM audit_log WHERE id >= %d" % (n - 1))
    sql(A, "UPDATE audit_head SET last_id = %d, hash = (SELECT hash FROM audit_log WHERE id = %d)"
        % (n - 2, n - 2))
    r = verify("--head", "%d:%s" % (n, head["hash"]))
    eq(r.returncode, 1, "cut off")
    check(("rows %d to %d are missing at the end" % (n - 1, n)) in r.stderr, r.stderr)
    r = verify("--head", "bad")
    eq(r.returncode, 2, "a malformed head")


def test_stops_cleanly():
    for srv in (A, B, C):
        srv.stop()


if __name__ == "__main__":
    run_tests([
        test_start,
        test_a_disabled_users_token_is_refused_at_once_everywhere,
        test_failures_counted_on_one_server_hold_on_the_other,
        test_a_storm_of_wrong_passwords_is_throttled_and_healthz_stays_quick,
        test_offline_administration_is_audited_under_the_os_user,
        test_login_prompts_without_echo_and_password_changes_itself,
        test_client_address_through_a_trusted_proxy,
        test_audit_verify_finds_what_was_changed_in_the_database,
        test_stops_cleanly,
    ])
