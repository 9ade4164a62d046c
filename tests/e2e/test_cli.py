#!/usr/bin/env python3
"""
test_cli.py - the kouan binary as an operator and a client use it.

What it checks:
  * `kouan --help` lists every subcommand, and `kouan SUB --help` answers
    with a usage text and exit 0 for each of them; an unknown subcommand or
    a bad setting exits 2 with a message naming it;
  * `kouan admin` works offline on the database while the server runs:
    org-create (a bad USCC check digit is refused, exit 2, naming /uscc),
    user-create (the password from standard input or a file, never the
    command line: --password is refused, exit 2; a weak or common password
    is refused naming /password; an unknown organisation, or a role that
    does not fit the organisation's kind, is refused), token-create (the
    token it prints works against the server; at most 720 hours), orgs and
    users list what was created; a duplicate organisation exits 1 "an
    organisation with this USCC exists";
  * the client's exit codes: 0 on success, 1 when the server refuses (the
    problem and its field printed on stderr), 2 on a usage error, 3 when no
    server answers;
  * `kouan login` prints a token that works, reading the password from
    standard input or a file (a password as an argument is refused, exit
    2; with neither and no terminal it says how to give one);
    `kouan status` lists the declarations the user may see;
  * settings from a configuration file and from the environment are used
    by `kouan serve` (port from KOUAN_PORT is overridden by --port);
  * a password in a PostgreSQL database URL is never printed: `kouan init`
    names the database as "user:***@" and "password=***", whether it cannot
    reach it or has made it ready;
  * the carrier's and the terminal's commands: `kouan report` and
    `kouan manifest` lodge (and `--amend` amends; a no-op amendment exits
    1), `kouan gate` exits 0 when a container may pass and 1 with what is
    missing on stderr, `kouan gate-event` records yard events and exits 1
    when the gate refuses (the attempt on the call's timeline);
  * `kouan serve` runs with glibc's per-thread cache of freed blocks set
    larger (GLIBC_TUNABLES, set by restarting itself), unless the operator
    set GLIBC_TUNABLES, which it keeps;
  * the server stops cleanly (exit 0, no sanitizer report).

Run: KOUAN_BIN=/work/main/build-test/kouan python3 tests/e2e/test_cli.py
"""
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kouan_e2e import (KOUAN_BIN, PG, Server, check, eq, laptops,  # noqa: E402
                       new_database, pg_admin, run_tests, sanitizer_report)

S = Server("cli")
SUBCOMMANDS = ["serve", "init", "demo", "admin", "audit", "login", "password", "declare",
               "status", "decide", "events", "verify-notice", "report", "manifest", "gate",
               "gate-event", "simulate"]


def run(*args, env=None, timeout=120, stdin=None):
    e = dict(os.environ)
    e.update(env or {})
    r = subprocess.run([KOUAN_BIN] + [str(a) for a in args], env=e, input=stdin,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
    r.stdout = r.stdout.decode("utf-8", "replace")
    r.stderr = r.stderr.decode("utf-8", "replace")
    check(sanitizer_report(r.stderr) is None, "sanitizer report: " + r.stderr)
    return r


def test_start():
    S.start()


def test_help_for_every_subcommand():
    r = run("--help")
    eq(r.returncode, 0, "kouan --help exit")
    for sub in SUBCOMMANDS:
        check(sub in r.stdout, "kouan --help lists %s" % sub)
        h = run(sub, "--help")
        eq(h.returncode, 0, "kouan %s --help exit" % sub)
        check("Usage: kouan %s" % sub in h.stdout, "usage of %s: %r" % (sub, h.stdout[:200]))
    # the server's options are offered by the commands that talk to one
    check("--url URL" in run("status", "--help").stdout, "status offers --url")
    h = run("verify-notice", "--help").stdout
    check("--url" not in h and "--token" not in h and "needs no server" in h,
          "verify-notice works offline: %r" % h)
    r = run("frobnicate")
    eq(r.returncode, 2, "unknown subcommand exit")
    check("unknown command 'frobnicate'" in r.stderr, r.stderr)
    r = run("serve", "--db", S.db, "--colour", "red")
    eq(r.returncode, 2, "unknown setting exit")
    check("unknown setting 'colour'" in r.stderr, r.stderr)
    r = run("serve", "--db", S.db, "--port", "99999")
    eq(r.returncode, 2, "bad port exit")
    check("'port'" in r.stderr, r.stderr)


def admin(*args, stdin=None):
    return run("admin", *args, "--db", S.db, "--pwhash", "min", *S.key_args, stdin=stdin)


def test_admin_creates_organisations_users_and_tokens():
    r = admin("org-create", "--uscc", "91350100M000100Y44", "--name", "Fuzhou Trading",
              "--kind", "trader")
    eq(r.returncode, 2, "bad USCC exit")
    check("/uscc" in r.stderr and "check digit" in r.stderr, r.stderr)
    r = admin("org-create", "--uscc", "91350100M000100Y43", "--name", "Fuzhou Trading",
              "--kind", "trader")
    eq(r.returncode, 0, "org-create exit: " + r.stderr)
    r = admin("org-create", "--uscc", "91350100M000100Y43", "--name", "Again",
              "--kind", "trader")
    eq(r.returncode, 1, "duplicate org exit")
    check("an organisation with this USCC exists" in r.stderr, r.stderr)
    r = admin("user-create", "--username", "fz.clerk", "--password", "a-long-password",
              "--role", "declarant", "--org", "91350100M000100Y43")
    eq(r.returncode, 2, "a password on the command line")
    check("not taken on the command line" in r.stderr, r.stderr)
    r = admin("user-create", "--username", "fz.clerk", "--password-stdin",
              "--role", "declarant", "--org", "91350100M000100Y43", stdin=b"short\n")
    eq(r.returncode, 2, "weak password exit")
    check("/password must be at least 10 characters" in r.stderr, r.stderr)
    r = admin("user-create", "--username", "fz.clerk", "--password-stdin",
              "--role", "declarant", "--org", "91350100M000100Y43", stdin=b"Password2026!\n")
    eq(r.returncode, 2, "common password exit")
    check("/password is one of the most common passwords" in r.stderr, r.stderr)
    r = admin("user-create", "--username", "fz.clerk", "--password-stdin",
              "--role", "declarant", "--org", "91350100M000100Y43", stdin=b"")
    eq(r.returncode, 2, "no password exit")
    check("no password was given" in r.stderr, r.stderr)
    r = admin("user-create", "--username", "fz.clerk", "--role", "declarant",
              "--org", "91350100M000100Y43", stdin=b"harbour-lantern-7731\n")
    eq(r.returncode, 2, "no terminal, no option")
    check("--password-file FILE or --password-stdin" in r.stderr, r.stderr)
    r = admin("user-create", "--username", "fz.clerk", "--password-stdin",
              "--role", "declarant", "--org", "91440101MA5ADMN826",
              stdin=b"harbour-lantern-7731\n")
    eq(r.returncode, 1, "a declarant in an office")
    check("/role the role declarant is for an organisation of kind trader or broker; "
          "91440101MA5ADMN826 is of kind office" in r.stderr, r.stderr)
    pwfile = os.path.join(S.dir, "fz.password")
    with open(pwfile, "w") as f:
        f.write("harbour-lantern-7731\n")
    os.chmod(pwfile, 0o600)
    r = admin("user-create", "--username", "fz.other", "--password-file", pwfile,
              "--role", "declarant", "--org", "91350100M000100Y43")
    eq(r.returncode, 0, "user-create exit: " + r.stderr)
    r = admin("user-create", "--username", "fz.ghost", "--password-file", pwfile,
              "--role", "declarant", "--org", "91110000600037341L")
    eq(r.returncode, 1, "unknown organisation exit")
    check("/organisation" in r.stderr, r.stderr)
    r = admin("token-create", "--username", "fz.other", "--ttl-hours", "721")
    eq(r.returncode, 2, "a token for more than 30 days")
    check("--ttl-hours must be 1 to 720" in r.stderr, r.stderr)
    r = admin("token-create", "--username", "fz.other", "--ttl-hours", "2")
    eq(r.returncode, 0, "token-create exit: " + r.stderr)
    token = r.stdout.strip()
    check(token.startswith("kt_"), "token %r" % token)
    me = S.call("GET", "/v1/me", token=token)
    eq(me.status, 200, "the admin-made token works")
    eq(me.json["organisation"], "91350100M000100Y43", "token's organisation")
    r = admin("token-create", "--username", "nobody")
    eq(r.returncode, 1, "token for an unknown user")
    orgs = json.loads(admin("orgs").stdout)
    check(any(o["uscc"] == "91350100M000100Y43" for o in orgs), "orgs lists the new one")
    users = json.loads(admin("users").stdout)
    check(any(u["username"] == "fz.other" and u["organisation"] == "91350100M000100Y43"
              for u in users), "users lists the new one")


def test_client_exit_codes():
    r = S.cli("login", "trader", "trader-demo-2026")
    eq(r.returncode, 2, "a password as an argument")
    check("not taken on the command line" in r.stderr, r.stderr)
    r = S.cli("login", "trader", stdin=b"trader-demo-2026\n")
    eq(r.returncode, 2, "no terminal and no option")
    check("--password-file FILE or --password-stdin" in r.stderr, r.stderr)
    token = S.cli("login", "trader", "--password-stdin",
                  stdin=b"trader-demo-2026\n").stdout.strip()
    check(token.startswith("kt_"), "login prints a token")
    r = S.cli("status", token=token)
    eq(r.returncode, 0, "status exit")
    check(len(r.json["declarations"]) >= 5, "status lists the demo declarations")
    path = os.path.join(S.dir, "bad.json")
    with open(path, "w") as f:
        json.dump({"direction": "import"}, f)
    r = S.cli("declare", path, token=token)
    eq(r.returncode, 1, "refused declaration exit")
    check("/currency: is required" in r.stderr, r.stderr)
    r = S.cli("decide", "516720261000000001", token=token)
    eq(r.returncode, 2, "usage error exit")
    # an option's value goes escaped: it cannot add parameters of its own
    r = S.cli("events", "--after", "5&limit=1", token=token)
    eq(r.returncode, 1, "a cursor that is not one")
    check("query:after: must be a cursor" in r.stderr, r.stderr)
    # an argument names one thing: escaped, never cut short
    r = S.cli("status", "516720261000000001/events", token=token)
    eq(r.returncode, 1, "a number with a path in it")
    check("an encoded slash (%2F) is not accepted" in r.stderr, r.stderr)
    r = S.cli("status", "516720261000000001", token=token)
    eq(r.returncode, 0, "the number alone: " + r.stderr)
    r = S.cli("manifest", path, "--amend", "1" * 20, token=token)
    eq(r.returncode, 2, "an id longer than any")
    # nothing given is passed over in silence: a second file, a misspelt
    # option, an option without its value
    r = S.cli("manifest", path, "other.json", token=token)
    eq(r.returncode, 2, "two manifests")
    check("kouan manifest: other.json is one argument too many" in r.stderr, r.stderr)
    r = S.cli("events", "--folow", token=token)
    eq(r.returncode, 2, "a misspelt option")
    check("kouan events: --folow is not an option of this command" in r.stderr, r.stderr)
    r = S.cli("decide", "516720261000000001", "customs", "cleared", "--reason", token=token)
    eq(r.returncode, 2, "--reason without its text")
    check("kouan decide: --reason needs a value" in r.stderr, r.stderr)
    r = S.cli("status", "516720261000000001", "516720261000000002", token=token)
    eq(r.returncode, 2, "two numbers")
    r = S.cli("login", "trader", "--password-stdin", stdin=b"wrong-password\n")
    eq(r.returncode, 1, "wrong password exit")
    # a port nobody listens on
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    r = run("status", "--url", "http://127.0.0.1:%d" % port, "--token", token)
    eq(r.returncode, 3, "unreachable server exit")


def test_settings_from_file_and_environment():
    conf = os.path.join(S.dir, "kouan.conf")
    with open(conf, "w") as f:
        f.write("# test settings\nlisten = 127.0.0.1\nport = 1\naccess-log = off\n")
    other = Server("cli-conf")
    other.init_demo()
    # the file says port 1, the environment 2, the flag 0 (any): the flag wins
    other.extra_args = ["--config", conf, "--port", "0", "--pwhash", "min"]
    os.environ["KOUAN_PORT"] = "2"
    try:
        other.start()
    finally:
        del os.environ["KOUAN_PORT"]
    check(other.port not in (1, 2), "the flag overrides the file and environment")
    check(other.healthy(), "healthy")
    other.stop()
    other.cleanup()


def test_a_database_password_is_never_printed():
    secret = "e2e-secret-word"
    # unreachable: the error names the database, its password hidden
    r = run("init", "--db", "postgresql://kouan:%s@127.0.0.1:1/kouan?connect_timeout=5"
            "&password=%s" % (secret, secret), "--release-key", os.path.join(S.dir, "x.key"))
    check(r.returncode != 0, "init on an unreachable database: exit %d" % r.returncode)
    check("cannot open the database postgresql://kouan:***@127.0.0.1:1/kouan"
          "?connect_timeout=5&password=***" in r.stderr, "stderr: %r" % r.stderr)
    check(secret not in r.stdout + r.stderr, "the password printed: %r" % (r.stdout + r.stderr))
    if not PG:
        return
    # reachable (the test cluster trusts its local users and ignores it)
    db, name = new_database()
    r = run("init", "--db", db + "&password=" + secret, "--pwhash", "min", "--release-key",
            os.path.join(S.dir, "pg.key"))
    eq(r.returncode, 0, "init: %s" % r.stderr)
    check("&password=*** is ready" in r.stdout, "stdout: %r" % r.stdout)
    check(secret not in r.stdout + r.stderr, "the password printed: %r" % (r.stdout + r.stderr))
    pg_admin("DROP DATABASE IF EXISTS %s WITH (FORCE)" % name)


def test_demo_prints_credentials_that_log_in():
    d = tempfile.mkdtemp(prefix="kouan-e2e-demo-")
    pgname = None
    if PG:
        db, pgname = new_database()
    else:
        db = os.path.join(d, "demo.db")
    out_path = os.path.join(d, "stdout")
    with open(out_path, "wb") as out, open(os.path.join(d, "stderr"), "wb") as err:
        proc = subprocess.Popen([KOUAN_BIN, "demo", "--db", db, "--port", "0",
                                 "--release-key", os.path.join(d, "release.key"),
                                 "--pwhash", "min", "--access-log", "off"],
                                stdout=out, stderr=err, stdin=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        text = ""
        while time.monotonic() < deadline:
            with open(out_path) as f:
                text = f.read()
            if "Log in:" in text:
                break
            check(proc.poll() is None, "kouan demo exited early: " + text)
            time.sleep(0.05)
        m = re.search(r"serving (http://127\.0\.0\.1:\d+)/", text)
        check(m, "no URL printed: %r" % text)
        url = m.group(1)
        creds = re.findall(r"^  (\S+) +(\S+) +(\S+)$", text, re.M)
        eq(len(creds), 23, "twenty-three demo users printed")
        for user, password, role in creds:
            req = urllib.request.Request(url + "/v1/sessions", method="POST",
                                         data=json.dumps({"username": user,
                                                          "password": password}).encode(),
                                         headers={"Content-Type": "application/json"})
            with urllib.request.urlopen(req, timeout=30) as resp:
                body = json.loads(resp.read())
            eq(resp.status, 201, "login of " + user)
            eq(body["user"]["role"], role, "role of " + user)
        check(text.count("Demo declaration ") == 6, "six demo declarations lodged")
    finally:
        proc.send_signal(signal.SIGTERM)
        rc = proc.wait(timeout=60)
    eq(rc, 0, "kouan demo exit after SIGTERM")
    with open(os.path.join(d, "stderr")) as f:
        check(sanitizer_report(f.read()) is None, "sanitizer report from kouan demo")
    if pgname:
        pg_admin("DROP DATABASE %s WITH (FORCE)" % pgname)
    shutil.rmtree(d)  # the database, its release key and the output


def test_declare_several_files():
    """`kouan declare A B C --key K`: through the batch endpoint, 100 at a
    time, each file lodged under K-n and answered on its own, a refusal's
    fields pointing into its file; run again, nothing is lodged twice.
    A file that cannot be read or is not JSON stops it with nothing sent."""
    token = S.cli("login", "trader", "--password-stdin",
                  stdin=b"trader-demo-2026\n").stdout.strip()
    good = [write("many-%03d.json" % i, laptops()) for i in range(101)]
    wrong = laptops()
    wrong["items"][0]["hs_code"] = "8471300001"
    bad = write("many-wrong.json", wrong)
    files = good[:50] + [bad] + good[50:]  # 102 files: two batches, the refusal in the first
    lodged = S.cli("status", token=token).json["declarations"]

    r = S.cli("declare", *files, "--key", "e2e-many", token=token)
    eq(r.returncode, 1, "one refused: " + r.stderr[-500:])
    eq((r.json["accepted"], r.json["refused"], r.json["not_sent"]), (101, 1, 0), "counts")
    eq([x["file"] for x in r.json["results"]], files, "each result named by its file, in order")
    refusal = r.json["results"][50]
    eq(refusal["status"], 400, "the wrong commodity code")
    eq([e["field"] for e in refusal["problem"]["errors"]], ["/items/0/hs_code"],
       "the field as it is in the file")
    check("kouan: %s: 400 " % bad in r.stderr and "  /items/0/hs_code: " in r.stderr,
          "the refusal told on stderr: " + r.stderr)
    numbers = [x["number"] for x in r.json["results"] if x["status"] == 201]
    eq(len(set(numbers)), 101, "a number each")
    check(not any(x.get("replayed") for x in r.json["results"]), "nothing replayed yet")
    after = S.cli("status", token=token).json["declarations"]
    check(len(after) >= min(100, len(lodged) + 101), "lodged: %d listed" % len(after))

    # the same command again: every accepted file replayed, none lodged twice
    r2 = S.cli("declare", *files, "--key", "e2e-many", token=token)
    eq(r2.returncode, 1, "still refused")
    eq([x.get("number") for x in r2.json["results"]],
       [x.get("number") for x in r.json["results"]], "the same numbers")
    check(all(x["replayed"] for x in r2.json["results"] if x["status"] == 201), "replayed")
    # the n-th file's key is KEY-n: the last file alone under e2e-many-102
    r3 = S.cli("declare", files[101], "--key", "e2e-many-102", token=token)
    eq(r3.returncode, 0, "replayed alone: " + r3.stderr)
    eq(r3.json["number"], r.json["results"][101]["number"], "the same declaration")

    # nothing sent when a file is unreadable or not JSON
    broken = os.path.join(S.dir, "many-broken.json")
    with open(broken, "w") as f:
        f.write('{"direction": ')
    fresh = write("many-fresh.json", laptops())
    r = S.cli("declare", fresh, broken, os.path.join(S.dir, "absent.json"),
              "--key", "e2e-fresh", token=token)
    eq(r.returncode, 2, "usage exit")
    check("%s is not JSON: line 1" % broken in r.stderr, r.stderr)
    check("cannot read %s" % os.path.join(S.dir, "absent.json") in r.stderr, r.stderr)
    r = S.cli("declare", fresh, "--key", "e2e-fresh", token=token)
    eq(r.returncode, 0, "the fresh file was not lodged before: " + r.stderr)
    eq(r.json["version"], 1, "lodged now, first version")
    r = S.cli("declare", fresh, good[0], "--key", "two words", token=token)
    eq(r.returncode, 2, "a key the server would refuse")
    check("--key must be 1 to 120 printable ASCII characters" in r.stderr, r.stderr)
    r = S.cli("declare", fresh, "--key", token=token)
    eq(r.returncode, 2, "--key without its value")
    r = S.cli("declare", fresh, "-", "--key", "e2e-stdin", token=token, stdin=b"{}")
    eq(r.returncode, 2, "standard input among several files")
    check("'-' (standard input) is for one declaration alone" in r.stderr, r.stderr)


def write(name, obj):
    path = os.path.join(S.dir, name)
    with open(path, "w") as f:
        json.dump(obj, f, ensure_ascii=False)
    return path


def test_carrier_and_terminal_commands():
    """`kouan report`, `kouan manifest` (lodge and amend), `kouan gate`
    (exit 0 when the container may pass, 1 with what is missing on stderr)
    and `kouan gate-event` (a refusal exits 1 and is on the record)."""
    carrier = S.cli("login", "carrier", "--password-stdin",
                 stdin=b"carrier-demo-2026\n").stdout.strip()
    terminal = S.cli("login", "terminal", "--password-stdin",
                  stdin=b"terminal-demo-2026\n").stdout.strip()
    trader = S.cli("login", "trader", "--password-stdin",
                stdin=b"trader-demo-2026\n").stdout.strip()
    conv = {"name": "COSCO SHIPPING ARIES", "voyage": "061E", "imo": "9321378"}
    line = {"bill_of_lading": "COSU6291831001", "consignor": {"name": "Tokyo Tableware"},
            "consignee": {"name": "Haitong", "uscc": "91440101MA59TRAD00"},
            "goods_description": "Plastic tableware sets", "packages": 600,
            "package_kind": "CT", "gross_weight_kg": "12800.000",
            "containers": [{"number": "BMOU5523109", "seals": ["SL-1"]}]}
    man = {"kind": "original", "transport_mode": "2", "conveyance": conv, "port": "CNNSA",
           "carrier": "COSCO SHIPPING Lines", "bills": [line]}
    path = write("manifest.json", man)
    r = S.cli("manifest", path, "--key", "cli-manifest-1", token=carrier)
    eq(r.returncode, 0, "kouan manifest: " + r.stderr)
    mid = r.json["id"]
    eq((r.json["version"], r.json["bills"]), (1, 1), "version 1, one bill")
    r = S.cli("manifest", path, "--amend", str(mid), token=carrier)
    eq(r.returncode, 1, "an amendment that changes nothing is refused")
    check("changes nothing" in r.stderr, r.stderr)
    line["containers"][0]["seals"] = ["SL-2"]
    r = S.cli("manifest", write("manifest2.json", man), "--amend", str(mid), token=carrier)
    eq((r.returncode, r.json["version"]), (0, 2), "amended: " + r.stderr)
    r = S.cli("manifest", path, token=trader)
    eq(r.returncode, 1, "a trader lodges no manifest")
    report = {"kind": "arrival", "transport_mode": "2", "carrier": "COSCO SHIPPING Lines",
              "vessel": {"imo": "9321378", "name": "COSCO SHIPPING ARIES", "call_sign": "VRBK7",
                         "flag": "HK", "voyage": "061E"},
              "port": "CNNSA", "port_office": "5167", "last_port": "USLAX",
              "expected_arrival": "2026-01-01T00:00:00Z", "crew": 24, "passengers": 0}
    r = S.cli("report", write("report.json", report), token=carrier)
    eq((r.returncode, r.json["permission"]), (0, "pending"), "kouan report: " + r.stderr)
    for agency in ("border", "maritime", "customs", "quarantine"):
        ok = S.call("POST", "/v1/conveyance-reports/%d/tasks/%s/decision" % (r.json["id"], agency),
                    {"decision": "cleared", "reason": "checked"}, token=S.login(agency))
        eq(ok.status, 200, "%s clears the report" % agency)
    # the tableware declared, matched and released
    decl = {"direction": "import", "declaration_office": "5167", "port_office": "5167",
            "declarant_uscc": "91440101MA59TRAD00", "consignee_uscc": "91440101MA59TRAD00",
            "trade_mode": "0110", "transport_mode": "2", "conveyance": conv,
            "bill_of_lading": "COSU6291831001", "trading_country": "JP",
            "departure_country": "JP", "entry_port": "CNNSA", "incoterm": "CIF",
            "currency": "USD", "packages": 600, "gross_weight_kg": "12800.000",
            "containers": ["BMOU5523109"],
            "items": [{"hs_code": "3924100000", "description": "Plastic tableware sets",
                       "quantity": "12000", "unit": "035", "unit_price": "3.20",
                       "origin_country": "JP"}]}
    r = S.cli("declare", write("tableware.json", decl), token=trader)
    eq(r.returncode, 0, "declared: " + r.stderr)
    n = r.json["number"]
    r = S.cli("decide", n, "customs", "cleared", "--reason", "documents checked",
              token=S.login("customs"))
    eq((r.returncode, r.json["status"]), (0, "released"), "released: " + r.stderr)
    # at the gate
    r = S.cli("gate", "BMOU5523109", token=terminal)
    eq(r.returncode, 1, "not before it is discharged")
    check("missing order: container BMOU5523109 has not been discharged" in r.stderr, r.stderr)
    eq(S.cli("gate-event", "BMOU5523109", "discharged", token=terminal).returncode, 0,
       "discharged")
    r = S.cli("gate", "BMOU5523109", token=terminal)
    eq((r.returncode, r.json["allowed"]), (0, True), "it may go: " + r.stderr)
    eq(S.cli("gate-event", "BMOU5523109", "gated_out", token=terminal).returncode, 0,
       "gated out")
    # the demo's apples are not released: refused, with the reason, on record
    r = S.cli("gate", "COSU8001236", token=terminal)
    eq(r.returncode, 1, "the apples may not go")
    check("missing release: declaration 5167" in r.stderr and "is accepted, not released"
          in r.stderr, r.stderr)
    r = S.cli("gate-event", "COSU8001236", "gated_out", token=terminal)
    eq(r.returncode, 1, "gate-out refused")
    check("missing release:" in r.stderr, r.stderr)
    ev = S.call("GET", "/v1/calls/events?call=2%7C9321378%7C046E%7CCNNSA",
                token=terminal).json["events"]
    check(any(e["type"] == "container.gate_refused" and e["data"]["container"] == "COSU8001236"
              for e in ev), "the refused attempt is on the call's timeline")
    eq(S.cli("gate", "NOT-A-BOX", token=terminal).returncode, 2, "usage error")


def environment_of(pid):
    """The environment a process was started with (what exec gave it)."""
    with open("/proc/%d/environ" % pid, "rb") as f:
        pairs = [v.split(b"=", 1) for v in f.read().split(b"\0") if b"=" in v]
    return {k.decode(): v.decode() for k, v in pairs}


def test_the_server_keeps_more_freed_blocks_per_thread():
    # what the process was started with: a setenv in the running process
    # would not show here, only a start with it set
    eq(environment_of(S.proc.pid).get("GLIBC_TUNABLES"), "glibc.malloc.tcache_count=200",
       "the server's GLIBC_TUNABLES")
    check(S.healthy(), "healthy after the restart with the setting")
    with open("/proc/%d/comm" % S.proc.pid) as f:
        eq(f.read().strip(), "kouan", "the process's name after the restart")
    other = Server("cli-tunables")
    os.environ["GLIBC_TUNABLES"] = "glibc.malloc.tcache_count=7"
    try:
        other.start()
    finally:
        del os.environ["GLIBC_TUNABLES"]
    eq(environment_of(other.proc.pid).get("GLIBC_TUNABLES"), "glibc.malloc.tcache_count=7",
       "an operator's own GLIBC_TUNABLES is kept")
    check(other.healthy(), "healthy")
    other.stop()
    other.cleanup()


def test_stops_cleanly():
    check(S.healthy(), "healthy")
    S.stop()


if __name__ == "__main__":
    run_tests([
        test_start,
        test_help_for_every_subcommand,
        test_admin_creates_organisations_users_and_tokens,
        test_client_exit_codes,
        test_settings_from_file_and_environment,
        test_a_database_password_is_never_printed,
        test_demo_prints_credentials_that_log_in,
        test_carrier_and_terminal_commands,
        test_declare_several_files,
        test_the_server_keeps_more_freed_blocks_per_thread,
        test_stops_cleanly,
    ])
