#!/usr/bin/env python3
"""
test_statistics.py - clearance-time statistics on real servers: two kouan
servers on one database (PostgreSQL, or one SQLite file), the demo's
declarations, curl and the CLI.

What it checks:
  * GET /v1/statistics/clearance counts, per direction, exactly the
    released declarations the declaration list shows as released (every
    period, every dimension), and on both servers the same figures;
  * a declaration lodged and cleared through server A shows in server B's
    next answer (B follows the feed A wrote), and its lodgement-to-release
    total is the time between the two events of its timeline;
  * Accept: text/csv (curl) answers the stages table as CSV
    (text/csv; charset=utf-8), format=csv&table=targets the targets;
  * a bad parameter is a 400 naming it; a trader and an officer get 403,
    no token 401;
  * `kouan report clearance` prints the report (per direction, the total,
    the targets, the stages, the slowest stage), `--csv targets` the CSV
    table, `--json` the answer; a bad value exits 1 naming the parameter,
    an unknown option exits 2, a trader exits 1 (forbidden);
  * the servers stop cleanly.

Run: KOUAN_BIN=... python3 tests/e2e/test_statistics.py (add
KOUAN_TEST_STORE=postgres KOUAN_TEST_PG_STATE=FILE for PostgreSQL).
"""
import datetime
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kouan_e2e import (Server, check, check_problem, eq, events_of, laptops,  # noqa: E402
                       manifest_line, run_tests)

A = Server("stats-a")
B = Server("stats-b")
T = {}
PATH = "/v1/statistics/clearance"


def test_start():
    A.start()
    B.share(A).start()
    for user in ("trader", "customs", "analyst", "admin"):
        T[user] = A.login(user)


def released_by_direction(srv):
    out = {"import": 0, "export": 0}
    for d in srv.all_declarations(T["analyst"], "status=released"):
        out["import" if d["number"][8] == "1" else "export"] += 1
    return out


def declarations(answer, direction):
    return answer[direction]["declarations"] if direction in answer else 0


def test_counts_match_the_released_declarations_on_both_servers():
    want = released_by_direction(A)
    check(want["import"] + want["export"] > 0, "the demo has released declarations")
    for srv in (A, B):
        r = srv.call("GET", PATH, token=T["analyst"])
        eq(r.status, 200, "statistics: %r" % r)
        for d in ("import", "export"):
            eq(declarations(r.json, d), want[d], "%s declarations on %s" % (d, srv.dir))
            eq(r.json[d]["total"]["count"], want[d], "%s totals" % d)
    a = A.call("GET", PATH + "?outliers=0", token=T["admin"]).json
    b = B.call("GET", PATH + "?outliers=0", token=T["admin"]).json
    eq(a, b, "both servers give the same figures")


def seconds(at):
    return int(datetime.datetime.strptime(at[:19], "%Y-%m-%dT%H:%M:%S")
               .replace(tzinfo=datetime.timezone.utc).timestamp())


def test_one_server_sees_what_the_other_wrote():
    before = B.call("GET", PATH + "?direction=import&office=5100", token=T["analyst"]).json
    n0 = before["import"]["declarations"]
    body = laptops()
    manifest_line(A, body)
    r = A.call("POST", "/v1/declarations", body, token=T["trader"],
               headers={"Idempotency-Key": "stats-e2e-1"})
    eq(r.status, 201, "lodge: %r" % r)
    number = r.json["number"]
    r = A.call("POST", "/v1/declarations/%s/tasks/customs/decision" % number,
               {"decision": "cleared", "reason": "invoice checked"}, token=T["customs"])
    eq(r.status, 200, "clear: %r" % r)
    after = B.call("GET", PATH + "?direction=import&office=5100&outliers=100",
                   token=T["analyst"]).json
    eq(after["import"]["declarations"], n0 + 1, "B counts the declaration A released")
    # its own total: lodgement to release (no arrival was recorded for the flight)
    ev = events_of(A, number, T["analyst"])
    lodged = [e["at"] for e in ev if e["type"] == "declaration.lodged"][0]
    released = [e["at"] for e in ev if e["type"] == "declaration.released"][0]
    mine = B.call("GET", PATH + "?direction=import&office=5100&total=declaration&from="
                  + lodged[:19] + "Z", token=T["analyst"]).json
    eq(mine["import"]["declarations"], 1, "only it was lodged since")
    eq(mine["import"]["total"]["max_s"], seconds(released) - seconds(lodged),
       "its total is lodgement to release")


def test_csv():
    status, headers, _, text = A.curl("GET", PATH + "?direction=import", token=T["analyst"],
                                      headers=["Accept: text/csv"])
    eq(status, 200, "csv status")
    eq(headers.get("content-type"), "text/csv; charset=utf-8", "csv content type")
    check(text.startswith("direction,stage,party,count,sum_s,mean_s,median_s,p90_s,p95_s,"
                          "max_s\r\n"), "csv header: %r" % text[:120])
    check("\r\nimport,total,," in text, "the total line: %r" % text)
    r = A.call("GET", PATH + "?format=csv&table=targets&target_export=18h,1h",
               token=T["analyst"])
    eq(r.status, 200, "targets csv")
    lines = r.text.split("\r\n")
    eq(lines[0], "direction,target_s,count,within,share", "targets header")
    check(any(ln.startswith("export,3600,") for ln in lines), "the 1 h target: %r" % lines)


def test_refusals():
    r = A.call("GET", PATH + "?direction=sideways&tz=%2B20:00", token=T["analyst"])
    check_problem(r, 400, fields=["query:direction", "query:tz"])
    r = A.call("GET", PATH + "?port=CNNSA&colour=red", token=T["analyst"])
    check_problem(r, 400, fields=["query:colour"])
    eq(A.call("GET", PATH, token=T["trader"]).status, 403, "a trader")
    eq(A.call("GET", PATH, token=T["customs"]).status, 403, "an officer")
    eq(A.call("GET", PATH).status, 401, "no token")


def test_cli_report():
    r = A.cli("report", "clearance", "--target-import", "40h,2h", token=T["analyst"])
    eq(r.returncode, 0, "report: " + r.stderr)
    for text in ("Imports:", "Exports:", "total: median", "within 40h00m:",
                 "within 2h00m:", "stage", "slowest stage:", "lodged by hour"):
        check(text in r.stdout, "%r in the report:\n%s" % (text, r.stdout))
    r = A.cli("report", "clearance", "--direction", "export", "--csv", "targets",
              "--target-export", "18h", token=T["analyst"])
    eq(r.returncode, 0, "report --csv: " + r.stderr)
    lines = r.stdout.split("\r\n")
    eq(lines[0], "direction,target_s,count,within,share", "csv from the CLI")
    check(lines[1].startswith("export,64800,"), "the export target: %r" % lines)
    r = A.cli("report", "clearance", "--json", "--direction", "import", token=T["admin"])
    eq(r.returncode, 0, "report --json")
    check(r.json is not None and "import" in r.json and "export" not in r.json,
          "the JSON answer: %r" % r.stdout[:200])
    r = A.cli("report", "clearance", "--direction", "inward", token=T["analyst"])
    eq(r.returncode, 1, "a bad value exits 1")
    check("query:direction" in r.stderr, "names the parameter: %r" % r.stderr)
    r = A.cli("report", "clearance", "--colour", "red", token=T["analyst"])
    eq(r.returncode, 2, "an unknown option exits 2")
    r = A.cli("report", "clearance", token=T["trader"])
    eq(r.returncode, 1, "a trader is refused")
    r = A.cli("report", "clearance", "--help")
    eq(r.returncode, 0, "help")
    check("Usage: kouan report clearance" in r.stdout, "usage: %r" % r.stdout[:100])


def test_stop():
    for srv in (B, A):
        srv.stop()


if __name__ == "__main__":
    run_tests([test_start, test_counts_match_the_released_declarations_on_both_servers,
               test_one_server_sees_what_the_other_wrote, test_csv, test_refusals,
               test_cli_report, test_stop])
