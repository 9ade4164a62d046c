#!/usr/bin/env python3
"""
test_risk.py - risk-based clearance against real servers: two kouan
servers on one database (SQLite file or PostgreSQL), the real curl binary
and the kouan CLI.

What it checks:
  * an admin publishes a new rule-set version through server A with curl; a
    rule with an error is refused with its line and column;
  * a customs officer sets Guangzhou customs' (5100) profile to green through
    A; a laptop declaration lodged with `kouan declare` through server B is
    assessed with the new version and released at once, by kouan: its
    timeline shows declaration.assessed, task.cleared and
    declaration.released with actor kouan, and no officer;
  * a rule of the new version that selects red (US apples for quarantine)
    opens the joint inspection for a declaration lodged through B;
  * the explanation (GET /v1/declarations/N/risk) is the same on both
    servers and names the rule line; a declarant may not read it (403);
  * preview of a text over past declarations counts the red lanes it would
    give, through either server, and changes nothing;
  * the demo comes out the same every time: a second demo database, made
    apart, draws the same for the demo's laptops at Baiyun (2.4 % random
    inspection), which kouan released on both;
  * both servers stop cleanly (exit 0, no sanitizer report).

Run: KOUAN_BIN=... python3 tests/e2e/test_risk.py (add KOUAN_TEST_STORE=postgres
KOUAN_TEST_PG_STATE=FILE for PostgreSQL).
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kouan_e2e import (Server, apples, check, eq, laptops, manifest_line,  # noqa: E402
                       run_tests)

A = Server("risk-a")
B = Server("risk-b")
C = Server("risk-demo")  # a demo database of its own
T = {}
V = {}

RULES = ('# test rule set\n'
         'when hs starts "0808" and origin = "US" then quarantine red 100% reason "fire blight"\n'
         'when hs starts "8471" and value_cny > 50000000 then customs red 100% reason "very high value"\n')


def test_start():
    A.start()
    B.share(A).start()
    for u in ("trader", "customs", "quarantine", "analyst", "admin"):
        T[u] = A.login(u)


def test_publish_rules_with_curl():
    bad = {"text": RULES + 'when hs starts "84" then customs crimson 5%\n'}
    status, _, body, _ = A.curl("POST", "/v1/risk/rules", bad, token=T["admin"])
    eq(status, 400, "a bad rule set")
    eq(body["rule_error"]["line"], 4, "error line")
    check(body["rule_error"]["column"] > 20, "error column %r" % body["rule_error"])
    status, _, body, _ = A.curl("POST", "/v1/risk/rules",
                                {"text": RULES, "effective_from": "2026-01-01T00:00:00Z",
                                 "note": "e2e"}, token=T["admin"])
    eq(status, 201, "publish: %r" % body)
    V["rules"] = body["version"]
    check(V["rules"] >= 2, "a new version after the demo's")
    for srv in (A, B):
        eq(srv.call("GET", "/v1/risk/rules", token=T["customs"]).json["in_force"], V["rules"],
           "the new version is in force on every server")
    r = A.call("PUT", "/v1/risk/profiles/5100/customs",
               {"random_percent": "0", "base_lane": "green"}, token=T["customs"])
    eq(r.status, 200, "customs sets 5100's profile: %r" % r)


def test_green_release_by_kouan_through_the_other_server():
    path = os.path.join(B.dir, "laptops.json")
    body = laptops(bill_of_lading="RISK-GREEN-1")
    manifest_line(A, body)  # the airline manifested the goods
    with open(path, "w") as f:
        json.dump(body, f)
    r = B.cli("declare", path, token=T["trader"])
    eq(r.returncode, 0, "kouan declare: " + r.stderr)
    n = r.json["number"]
    eq(r.json["status"], "released", "released at once")
    ev = B.call("GET", "/v1/declarations/%s/events" % n, token=T["analyst"]).json["events"]
    types = [e["type"] for e in ev]
    # duties assessed before the lanes; the demo trader's general guarantee
    # takes them at release (docs/money.md)
    eq(types, ["declaration.lodged", "declaration.accepted", "task.opened",
               "declaration.matched", "duties.assessed", "declaration.assessed",
               "task.cleared", "declaration.released", "guarantee.drawn"], "timeline")
    eq(ev[5]["data"]["rules_version"], V["rules"], "assessed with the new version")
    eq(ev[5]["data"]["lanes"], {"customs": "green"}, "lanes")
    for e in ev[1:]:
        eq((e["actor"], e["actor_role"]), ("kouan", "system"), "no officer: " + e["type"])


def test_red_rule_opens_the_inspection():
    body = apples(bill_of_lading="RISK-RED-1", trading_country="US", departure_country="US")
    for item in body["items"]:
        item["origin_country"] = "US"
    r = B.call("POST", "/v1/declarations", body, token=T["trader"],
               headers={"Idempotency-Key": "risk-red-1"})
    eq(r.status, 201, "lodge: %r" % r)
    n = V["red"] = r.json["number"]
    tasks = {t["agency"]: t["status"] for t in r.json["tasks"]}
    eq(tasks["quarantine"], "inspecting", "quarantine drew red")
    insp = A.call("GET", "/v1/declarations/%s/inspection" % n, token=T["trader"])
    eq(insp.status, 200, "the joint inspection is open: %r" % insp)
    status, _, a, _ = A.curl("GET", "/v1/declarations/%s/risk" % n, token=T["quarantine"])
    eq(status, 200, "explanation through curl")
    b = B.call("GET", "/v1/declarations/%s/risk" % n, token=T["analyst"]).json
    eq(a, b, "the same explanation on both servers")
    hit = [h for h in a["outcome"]["rules_hit"] if h["agency"] == "quarantine"]
    eq([(h["line"], h["selected"]) for h in hit], [(2, True)], "the rule that hit")
    eq(A.call("GET", "/v1/declarations/%s/risk" % n, token=T["trader"]).status, 403,
       "declarants do not read risk explanations")


def test_preview_counts_and_changes_nothing():
    before = len(A.all_declarations(T["analyst"]))
    for srv in (A, B):
        r = srv.call("POST", "/v1/risk/rules/preview",
                     {"text": 'when origin = "US" then quarantine red 100%\n',
                      "from": "2026-01-01T00:00:00Z"}, token=T["quarantine"])
        eq(r.status, 200, "preview: %r" % r)
        check(r.json["lanes"]["quarantine"]["red"] >= 2,
              "the demo's and this test's US apples: %r" % r.json["lanes"])
    eq(len(A.all_declarations(T["analyst"])), before, "preview changed nothing")


def test_the_demo_draws_the_same_every_time():
    C.start()
    draws = []
    for srv in (A, C):
        laptops_ = [d["number"] for d in srv.all_declarations(srv.login("analyst"))
                    if d["number"].startswith("5141")]
        eq(len(laptops_), 1, "the demo's laptops at Baiyun")
        n = laptops_[0]
        token = srv.login("customs")
        eq(srv.call("GET", "/v1/declarations/" + n, token=token).json["status"], "released",
           "released by kouan")
        risk = srv.call("GET", "/v1/declarations/%s/risk" % n, token=token).json
        draws.append(risk["outcome"]["agencies"]["customs"]["random"])
    eq(draws[0]["rate"], "2.4", "Baiyun's random inspection rate")
    eq(draws[0]["selected"], False, "not drawn")
    # a random secret per database would make these differ (one chance in
    # a million of the same draw)
    eq(draws[1], draws[0], "the same draw in both demo databases")


def test_stop():
    A.stop()
    B.stop()
    C.stop()


if __name__ == "__main__":
    run_tests([
        test_start,
        test_publish_rules_with_curl,
        test_green_release_by_kouan_through_the_other_server,
        test_red_rule_opens_the_inspection,
        test_preview_counts_and_changes_nothing,
        test_the_demo_draws_the_same_every_time,
        test_stop,
    ])
