#!/usr/bin/env python3
"""
test_flow.py - the life of declarations end to end, against a real kouan
server, with real clients (the kouan CLI and the curl binary).

What it checks:
  * lodging: one declaration with `kouan declare FILE` (trader), one with
    curl (broker); numbers are office+year+1+sequence, gap-free after the
    demo's; both get parallel customs and quarantine tasks.
  * parallel tasks: customs and quarantine are decided by different officers
    with different clients (CLI and curl) in either order; the declaration
    is released exactly once, only when the second agency clears; decisions
    made at the same moment still release exactly once; the broker, with
    no general guarantee, orders the payment of its duties first (202,
    reported) and they count once its bank answers that it paid them.
  * the timeline (GET /v1/declarations/N/events and `kouan events N`, which
    agree) shows lodged, accepted, task.opened per agency, assessed, the decisions in
    the order they were made, released; with RFC 3339 microsecond times that
    never go backwards, increasing cursors, and the right actors.
  * the signed release notice verifies with `kouan verify-notice` and the key
    from GET /v1/release-key; a tampered notice, a tampered signature or
    another key fail (exit 1).
  * after release: a decision (409), a withdrawal (409) or a correction (409)
    change nothing (the declaration and its events are byte-for-byte equal).
  * return for correction: PUT reopens only the returned task when the
    correction does not touch what the other (cleared) agency acts on; a
    correction of the goods reopens the cleared quarantine task too; the
    office cannot change on a correction; then release.
  * withdrawal before release closes pending tasks; later decide/withdraw
    answer 409 and change nothing; no release notice.
  * event feed: GET /v1/events?after=C&wait=5 returns when another client
    lodges, before the wait runs out; the cursor resumes without repeats and
    in order (paged or not, HTTP or `kouan events --after`); a declarant's
    feed never shows another organisation's events; an officer's feed never
    shows declarations without a task for the agency.
  * idempotency via curl: same key + same body -> same number, second answer
    has Idempotent-Replayed: true and the same bytes; a different body ->
    409 naming header:Idempotency-Key; keys are per organisation.
  * every thread but the main one blocks SIGINT and SIGTERM (so a stop is
    always taken by the main thread's sigwait, never by a thread whose
    default action would end the server at once).
  * the server then stops cleanly (exit 0, no sanitizer report).

Run: KOUAN_BIN=/work/main/build-test/kouan python3 tests/e2e/test_flow.py
"""
import base64
import json
import os
import signal
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kouan_e2e import (DEMO_USCC, KOUAN_BIN, Server, apples, check,  # noqa: E402
                       check_problem, check_times, eq, events_of, laptops, manifest_line,
                       run_tests, utc_now)

S = Server("flow")
T = {}        # tokens by user
N = {}        # declaration numbers by label
KEYS = [0]


def key(prefix="flow"):
    KEYS[0] += 1
    return "%s-%d-%d" % (prefix, os.getpid(), KEYS[0])


def write_json(name, obj):
    path = os.path.join(S.dir, name)
    with open(path, "w") as f:
        json.dump(obj, f)
    return path


def lodge(org, body, k=None):
    manifest_line(S, body)  # the carrier manifested the goods first
    r = S.call("POST", "/v1/declarations", body, token=T[org],
               headers={"Idempotency-Key": k or key()})
    eq(r.status, 201, "lodge: %r" % r)
    return r.json["number"]


def get(number, who="analyst"):
    r = S.call("GET", "/v1/declarations/" + number, token=T[who])
    eq(r.status, 200, "GET %s as %s: %r" % (number, who, r))
    return r.json


def tasks_by_agency(view):
    return {t["agency"]: t for t in view["tasks"]}


# Every decision an officer takes carries its reason (a document check says
# what was checked); these helpers give one when a test does not.
CHECKED = "documents checked"


def decide_cli(number, agency, decision, reason=CHECKED, who=None):
    args = ["decide", number, agency, decision]
    if reason:
        args += ["--reason", reason]
    return S.cli(*args, token=T[who or agency])


def decide_curl(number, agency, decision, reason=CHECKED, who=None):
    body = {"decision": decision}
    if reason:
        body["reason"] = reason
    return S.curl("POST", "/v1/declarations/%s/tasks/%s/decision" % (number, agency),
                  body, token=T[who or agency])


def released_events(number):
    return [e for e in events_of(S, number, T["analyst"]) if e["type"] == "declaration.released"]


# --------------------------------------------------------------------------

def test_start_and_logins():
    S.start()
    # the CLI's login prints the token; use it for the trader
    r = S.cli("login", "trader", "--password-stdin", stdin=b"trader-demo-2026\n")
    eq(r.returncode, 0, "kouan login exit (%s)" % r.stderr)
    tok = r.stdout.strip()
    check(tok and " " not in tok, "kouan login printed %r" % r.stdout)
    T["trader"] = tok
    bad = S.cli("login", "trader", "--password-stdin", stdin=b"wrong-password\n")
    eq(bad.returncode, 1, "kouan login with a wrong password exit")
    # curl for the broker
    st, _, js, _ = S.curl("POST", "/v1/sessions",
                          {"username": "broker", "password": "broker-demo-2026"})
    eq(st, 201, "curl login")
    T["broker"] = js["token"]
    for u in ("trader2", "customs", "quarantine", "analyst", "terminal", "bank"):
        T[u] = S.login(u)
    me = S.call("GET", "/v1/me", token=T["trader"])
    eq(me.json["organisation"], DEMO_USCC["trader"], "trader's organisation")


def test_lodge_cli_and_curl():
    before = len(S.all_declarations(T["analyst"]))
    body_a, body_b = apples("trader"), apples("broker")
    manifest_line(S, body_a)
    manifest_line(S, body_b)
    path = write_json("apples-cli.json", body_a)
    r = S.cli("declare", path, "--key", key("cli"), token=T["trader"])
    eq(r.returncode, 0, "kouan declare exit (stderr %s)" % r.stderr)
    a = r.json
    check(a is not None, "kouan declare printed no JSON: %r" % r.stdout)
    st, hdrs, b, _ = S.curl("POST", "/v1/declarations", body_b,
                            token=T["broker"], headers=["Idempotency-Key: " + key("curl")])
    eq(st, 201, "curl lodge status")
    eq(hdrs.get("location"), "/v1/declarations/" + b["number"], "Location header")
    check("idempotent-replayed" not in hdrs, "first lodge must not say replayed")
    for view, org in ((a, "trader"), (b, "broker")):
        year = view["lodged_at"][:4]
        eq(view["status"], "accepted", "status after lodging")
        eq(view["version"], 1, "version")
        eq(view["direction"], "import", "direction")
        eq(view["organisation"], DEMO_USCC[org], "organisation")
        eq(view["released_at"], None, "released_at")
        eq(view["number"][:9], "5167" + year + "1", "number prefix")
        tk = tasks_by_agency(view)
        eq(sorted(tk), ["customs", "quarantine"], "agencies")
        for t in tk.values():
            eq(t["status"], "open", "task status")
            eq(t["decided_at"], None, "decided_at")
        eq(view["totals"]["goods_value"], "33300.00", "goods value 18000 x 1.85")
        eq(view["totals"]["currency"], "USD", "currency")
    # the demo holds 5167 import sequence 1; these are 2 and 3 (gap-free)
    eq(int(a["number"][9:]), 2, "sequence of the CLI declaration")
    eq(int(b["number"][9:]), 3, "sequence of the curl declaration")
    N["A"], N["B"] = a["number"], b["number"]
    eq(len(S.all_declarations(T["analyst"])), before + 2, "analyst's count")


def test_parallel_tasks_release_once():
    A, B = N["A"], N["B"]
    # A: customs first (CLI), then quarantine (curl)
    r = decide_cli(A, "customs", "cleared")
    eq(r.returncode, 0, "kouan decide customs (stderr %s)" % r.stderr)
    eq(r.json["status"], "accepted", "status with one agency cleared")
    tk = tasks_by_agency(r.json)
    eq(tk["customs"]["status"], "cleared", "customs task")
    eq(tk["customs"]["decided_by"], "customs", "decided_by")
    eq(tk["quarantine"]["status"], "open", "quarantine still open")
    rn = S.call("GET", "/v1/declarations/%s/release-notice" % A, token=T["trader"])
    check_problem(rn, 404, "not-found")
    st, _, js, _ = decide_curl(A, "quarantine", "cleared")
    eq(st, 200, "curl decide quarantine")
    eq(js["status"], "released", "status after both cleared")
    check(js["released_at"] is not None, "released_at set")
    # B: the broker has no general guarantee, so it pays B's duties and taxes
    # first (exactly what the assessment says is due): it orders the payment
    # from its bank (curl), which pays it; then quarantine (CLI) and customs
    # (curl), whose decision releases it
    due = S.call("GET", "/v1/declarations/%s/assessment" % B,
                 token=T["broker"]).json["taxes"]["due"]
    eq(due, "47064.81", "B's duties and taxes (docs/money.md example 1)")
    st, _, js, _ = S.curl("POST", "/v1/declarations/%s/payments" % B,
                          {"bank": DEMO_USCC["bank"], "bank_reference": "ICBC-FLOW-B-1",
                           "amount": due}, token=T["broker"])
    eq(st, 202, "curl orders B's payment")
    eq((js["status"], js["paid_at"], js["declaration_status"]), ("reported", None, "accepted"),
       "reported, awaiting the bank")
    st, _, js, _ = S.curl("POST", "/v1/payments/ICBC-FLOW-B-1/answer",
                          {"outcome": "paid", "amount": due, "paid_at": utc_now()},
                          token=T["bank"])
    eq(st, 200, "curl: the bank pays B")
    eq((js["status"], js["declaration_status"]), ("paid", "accepted"),
       "paid, still waiting for the agencies")
    r = decide_cli(B, "quarantine", "cleared")
    eq(r.returncode, 0, "kouan decide quarantine (stderr %s)" % r.stderr)
    eq(r.json["status"], "accepted", "status with one agency cleared")
    st, _, js, _ = decide_curl(B, "customs", "cleared")
    eq(st, 200, "curl decide customs")
    eq(js["status"], "released", "B released")
    for n, org in ((A, "trader"), (B, "broker")):
        r = S.cli("status", n, token=T[org])
        eq(r.returncode, 0, "kouan status")
        eq(r.json["status"], "released", "kouan status shows released")
        eq([t["status"] for t in r.json["tasks"]], ["cleared", "cleared"], "tasks")
        eq(len(released_events(n)), 1, "exactly one declaration.released for " + n)


def expect_timeline(number, org, first, second, money):
    ev_http = events_of(S, number, T[org])
    r = S.cli("events", number, token=T[org])
    eq(r.returncode, 0, "kouan events N")
    eq(r.json["events"], ev_http, "kouan events N agrees with GET .../events")
    eq(r.json["status"], "released", "status in the timeline")
    # customs sees the same timeline, and the lanes the declarant is not shown
    ev_customs = events_of(S, number, T["customs"])
    lanes = None
    for e in ev_customs:
        if e["type"] == "declaration.assessed":
            lanes = e["data"].pop("lanes", None)
            e["data"].pop("rules_version", None)
    eq(ev_customs, ev_http, "customs sees the same timeline")
    # no profile configured: both agencies drew yellow (document check by an
    # officer); the officer sees the lanes, the declarant does not
    eq(lanes, {"customs": "yellow", "quarantine": "yellow"}, "lanes customs sees")
    # the duties are assessed before the lanes; ordered and paid by the
    # bank before the decisions (B), or taken at release by the declarant's
    # general guarantee (A)
    types = [e["type"] for e in ev_http]
    eq(types, ["declaration.lodged", "declaration.accepted", "task.opened", "task.opened",
               "declaration.matched", "duties.assessed", "declaration.assessed"]
       + (["duties.payment_reported", "duties.paid"] if money == "paid" else [])
       + ["task.cleared", "task.cleared", "declaration.released"]
       + (["guarantee.drawn"] if money == "guarantee" else []),
       "event types of " + number)
    of = lambda t: [e for e in ev_http if e["type"] == t]
    eq(sorted(e["agency"] for e in of("task.opened")), ["customs", "quarantine"],
       "task.opened agencies")
    eq(of("declaration.matched")[0]["call"], "2|9321378|046E|CNNSA", "matched on its call")
    eq(sorted(of("declaration.assessed")[0]["data"]), ["declaration_version"],
       "no lanes shown to the declarant")
    decisions = of("task.cleared")
    eq([e["agency"] for e in decisions], [first, second], "decision order")
    for e in ev_http:
        eq(e["declaration_number"], number, "event number")
    lodged, accepted = ev_http[0], ev_http[1]
    eq((lodged["actor"], lodged["actor_role"]), (org, "declarant"), "lodged actor")
    eq(sorted(accepted["data"]["agencies"]), ["customs", "quarantine"], "accepted agencies")
    for e in ev_http:
        if e["type"] in ("declaration.lodged", "task.cleared", "duties.payment_reported",
                         "duties.paid"):
            continue
        eq((e["actor"], e["actor_role"]), ("kouan", "system"), "system step actor for " + e["type"])
    for e in decisions:
        eq((e["actor"], e["actor_role"]), (e["agency"], e["agency"]), "officer actor")
    for e in of("duties.payment_reported"):
        eq((e["actor"], e["actor_role"]), (org, "declarant"), "who ordered the payment")
    for e in of("duties.paid"):
        eq((e["actor"], e["actor_role"]), ("bank", "bank"), "the bank that paid")
    check_times(ev_http)
    view = get(number)
    eq(of("declaration.released")[0]["at"], view["released_at"],
       "released event time = released_at")
    eq(ev_http[0]["at"], view["lodged_at"], "lodged event time = lodged_at")
    tk = tasks_by_agency(view)
    eq(decisions[0]["at"], tk[first]["decided_at"], "first decision time")
    eq(decisions[1]["at"], tk[second]["decided_at"], "second decision time")


def test_events_timeline():
    expect_timeline(N["A"], "trader", "customs", "quarantine", "guarantee")
    expect_timeline(N["B"], "broker", "quarantine", "customs", "paid")


def test_release_notice_verifies():
    A = N["A"]
    r = S.call("GET", "/v1/declarations/%s/release-notice" % A, token=T["trader"])
    eq(r.status, 200, "release notice: %r" % r)
    rk = S.call("GET", "/v1/release-key")
    eq(rk.status, 200, "release key")
    pk = rk.json["public_key"]
    eq(rk.json["algorithm"], "Ed25519", "algorithm")
    eq(r.json["public_key"], pk, "notice names the same public key")
    eq(r.json["key_id"], rk.json["key_id"], "key id")
    eq(r.json["algorithm"], "Ed25519", "notice algorithm")
    notice = json.loads(r.json["notice"])
    view = get(A)
    eq(notice["declaration_number"], A, "notice number")
    eq(notice["released_at"], view["released_at"], "notice released_at")
    eq(sorted(notice["agencies_cleared"]), ["customs", "quarantine"], "agencies cleared")
    eq(notice["consignee_uscc"], DEMO_USCC["trader"], "consignee")
    eq(notice["containers"], view["declaration"]["containers"], "containers")
    eq(notice["port"], "CNNSA", "port")
    # the terminal (port operator) may read a released declaration's notice
    rt = S.call("GET", "/v1/declarations/%s/release-notice" % A, token=T["terminal"])
    eq(rt.status, 200, "terminal reads the notice")
    eq(rt.json["signature"], r.json["signature"], "same signature for everyone")

    good = write_json("notice.json", r.json)
    v = S.cli("verify-notice", good, "--public-key", pk)
    eq(v.returncode, 0, "verify-notice of the real notice (stderr %s)" % v.stderr)
    check(A in v.stdout, "verify-notice names the declaration: %r" % v.stdout)

    bad = dict(r.json)
    tampered = dict(notice)
    tampered["packages"] = notice["packages"] + 1
    bad["notice"] = json.dumps(tampered, sort_keys=True, separators=(",", ":"))
    check(bad["notice"] != r.json["notice"], "tampering changed nothing")
    v = S.cli("verify-notice", write_json("tampered.json", bad), "--public-key", pk)
    eq(v.returncode, 1, "verify-notice of a tampered notice")
    check("NOT" in v.stderr, "tampered notice message: %r" % v.stderr)

    bad = dict(r.json)
    sig = bytearray(base64.b64decode(r.json["signature"]))
    sig[0] ^= 1
    bad["signature"] = base64.b64encode(bytes(sig)).decode()
    v = S.cli("verify-notice", write_json("badsig.json", bad), "--public-key", pk)
    eq(v.returncode, 1, "verify-notice with a tampered signature")

    other = base64.b64encode(bytes(range(32))).decode()
    v = S.cli("verify-notice", good, "--public-key", other)
    eq(v.returncode, 1, "verify-notice with another key")


def test_nothing_changes_after_release():
    A = N["A"]
    before = S.call("GET", "/v1/declarations/" + A, token=T["analyst"])
    ev_before = events_of(S, A, T["analyst"])
    st, _, js, _ = decide_curl(A, "customs", "return", reason="too late")
    eq(st, 409, "decide after release (curl)")
    eq(js["type"], "urn:kouan:problem:conflict", "problem type")
    r = decide_cli(A, "quarantine", "reject", reason="too late as well")
    eq(r.returncode, 1, "kouan decide after release exit")
    check("409" in r.stderr, "kouan decide prints the 409: %r" % r.stderr)
    w = S.call("POST", "/v1/declarations/%s/withdrawal" % A, {"reason": "changed my mind"},
               token=T["trader"])
    check_problem(w, 409, "conflict")
    c = S.call("PUT", "/v1/declarations/" + A, apples("trader", remarks="late fix"),
               token=T["trader"])
    check_problem(c, 409, "conflict")
    after = S.call("GET", "/v1/declarations/" + A, token=T["analyst"])
    eq(after.text, before.text, "declaration unchanged after refused changes")
    eq(events_of(S, A, T["analyst"]), ev_before, "events unchanged")


def test_return_correct_reopens_only_returned_task():
    orig = apples("trader", bill_of_lading="COSU-RET-1")
    C = lodge("trader", orig)
    N["C"] = C
    r = decide_cli(C, "quarantine", "cleared")
    eq(r.returncode, 0, "quarantine clears")
    q_decided = tasks_by_agency(r.json)["quarantine"]["decided_at"]
    st, _, js, _ = decide_curl(C, "customs", "return",
                               reason="freight missing from the invoice")
    eq(st, 200, "customs returns")
    eq(js["status"], "returned", "declaration returned")
    tk = tasks_by_agency(js)
    eq((tk["customs"]["status"], tk["customs"]["decision"], tk["customs"]["reason"]),
       ("returned", "return", "freight missing from the invoice"), "customs task")
    eq(tk["quarantine"]["status"], "cleared", "quarantine stays cleared")
    # neither agency can decide now
    st, _, _, _ = decide_curl(C, "customs", "cleared")
    eq(st, 409, "customs decides a returned task")
    st, _, _, _ = decide_curl(C, "quarantine", "cleared")
    eq(st, 409, "quarantine decides an already cleared task")
    # the office is part of the number: a correction cannot change it
    moved = dict(orig, declaration_office="5141")
    p = S.call("PUT", "/v1/declarations/" + C, moved, token=T["trader"])
    check_problem(p, 400, "invalid-request", ["/declaration_office"])
    # another organisation cannot correct it
    p = S.call("PUT", "/v1/declarations/" + C,
               dict(orig, declarant_uscc=DEMO_USCC["broker"], consignee_uscc=DEMO_USCC["broker"]),
               token=T["broker"])
    check_problem(p, 404, "not-found")
    eq(get(C)["version"], 1, "version after refused corrections")
    # a correction that only touches freight (not what quarantine acts on)
    fixed = dict(orig, freight="1200.00", remarks="freight added")
    p = S.call("PUT", "/v1/declarations/" + C, fixed, token=T["trader"])
    eq(p.status, 200, "correction: %r" % p)
    eq(p.json["version"], 2, "version after correction")
    eq(p.json["status"], "accepted", "status after correction")
    eq(p.json["declaration"]["freight"], "1200.00", "corrected body")
    tk = tasks_by_agency(p.json)
    eq((tk["customs"]["status"], tk["customs"]["decided_at"], tk["customs"]["decision"]),
       ("open", None, None), "customs task reopened")
    eq((tk["quarantine"]["status"], tk["quarantine"]["decided_by"],
        tk["quarantine"]["decided_at"]), ("cleared", "quarantine", q_decided),
       "quarantine task untouched")
    ev = events_of(S, C, T["trader"])
    types = [(e["type"], e["agency"]) for e in ev]
    # the corrected version is claimed and matched again, then assessed
    # again: duties, then risk
    eq(types[5:], [("duties.assessed", None), ("declaration.assessed", None),
                   ("task.cleared", "quarantine"),
                   ("task.returned", "customs"), ("declaration.returned", None),
                   ("declaration.corrected", None), ("declaration.matched", None),
                   ("task.reopened", "customs"),
                   ("duties.assessed", None), ("declaration.assessed", None)],
       "events around the correction")
    eq(ev[-3]["data"]["version"], 2, "reopened for version 2")
    eq(ev[-2]["data"]["version"], 2, "duties assessed again, version 2")
    eq(ev[-1]["data"]["declaration_version"], 2, "assessed again, version 2")
    eq(ev[-5]["actor"], "trader", "corrected by the trader")
    check_times(ev)
    r = decide_cli(C, "customs", "cleared")
    eq(r.returncode, 0, "customs clears the correction")
    eq(r.json["status"], "released", "released after correction")
    eq(len(released_events(C)), 1, "one release")
    rn = S.call("GET", "/v1/declarations/%s/release-notice" % C, token=T["trader"])
    eq(rn.status, 200, "notice of the corrected declaration")
    pk = S.call("GET", "/v1/release-key").json["public_key"]
    v = S.cli("verify-notice", write_json("notice-c.json", rn.json), "--public-key", pk)
    eq(v.returncode, 0, "notice of the corrected declaration verifies")


def test_correction_of_goods_reopens_cleared_task():
    orig = apples("trader", bill_of_lading="COSU-RET-2")
    D = lodge("trader", orig)
    eq(decide_cli(D, "quarantine", "cleared").returncode, 0, "quarantine clears")
    st, _, js, _ = decide_curl(D, "customs", "return", reason="quantity is wrong")
    eq((st, js["status"]), (200, "returned"), "customs returns")
    body = json.loads(json.dumps(orig))
    body["items"][0]["quantity"] = "17000"
    p = S.call("PUT", "/v1/declarations/" + D, body, token=T["trader"])
    eq(p.status, 200, "correction: %r" % p)
    tk = tasks_by_agency(p.json)
    eq((tk["customs"]["status"], tk["quarantine"]["status"]), ("open", "open"),
       "both tasks open after a goods correction")
    ev = events_of(S, D, T["analyst"])
    reopened = [e["agency"] for e in ev if e["type"] == "task.reopened"]
    eq(sorted(reopened), ["customs", "quarantine"], "both reopened")
    eq(decide_cli(D, "quarantine", "cleared").json["status"], "accepted", "one cleared")
    st, _, js, _ = decide_curl(D, "customs", "cleared")
    eq((st, js["status"]), (200, "released"), "released")
    eq(len(released_events(D)), 1, "one release")


def test_withdrawal_before_release():
    E = lodge("broker", apples("broker", bill_of_lading="COSU-WD-1"))
    eq(decide_cli(E, "customs", "cleared").returncode, 0, "customs clears")
    bad = S.call("POST", "/v1/declarations/%s/withdrawal" % E, {"why": "x"}, token=T["broker"])
    check_problem(bad, 400, "invalid-request", ["/why"])
    other = S.call("POST", "/v1/declarations/%s/withdrawal" % E, {"reason": "not mine"},
                   token=T["trader"])
    check_problem(other, 404, "not-found")
    w = S.call("POST", "/v1/declarations/%s/withdrawal" % E, {"reason": "order cancelled"},
               token=T["broker"])
    eq(w.status, 200, "withdraw: %r" % w)
    eq(w.json["status"], "withdrawn", "status")
    tk = tasks_by_agency(w.json)
    eq((tk["customs"]["status"], tk["quarantine"]["status"]), ("cleared", "closed"),
       "pending task closed, cleared one kept")
    ev = events_of(S, E, T["broker"])
    eq([(e["type"], e["agency"]) for e in ev[-2:]],
       [("task.closed", "quarantine"), ("declaration.withdrawn", None)], "withdrawal events")
    eq(ev[-1]["data"].get("reason"), "order cancelled", "withdrawal reason")
    eq((ev[-1]["actor"], ev[-1]["actor_role"]), ("broker", "declarant"), "withdrawn by")
    check_times(ev)
    snap = S.call("GET", "/v1/declarations/" + E, token=T["analyst"]).text
    st, _, js, _ = decide_curl(E, "quarantine", "cleared")
    eq(st, 409, "decide after withdrawal")
    w2 = S.call("POST", "/v1/declarations/%s/withdrawal" % E, token=T["broker"])
    check_problem(w2, 409, "conflict")
    rn = S.call("GET", "/v1/declarations/%s/release-notice" % E, token=T["broker"])
    check_problem(rn, 404, "not-found")
    eq(S.call("GET", "/v1/declarations/" + E, token=T["analyst"]).text, snap, "unchanged")
    eq(events_of(S, E, T["broker"]), ev, "events unchanged")
    # withdrawal without a body is fine too
    F = lodge("broker", laptops("broker"))
    w = S.call("POST", "/v1/declarations/%s/withdrawal" % F, token=T["broker"])
    eq((w.status, w.json["status"]), (200, "withdrawn"), "withdraw without a body")


def test_simultaneous_decisions_release_once():
    for i in range(3):
        G = lodge("trader", apples("trader", bill_of_lading="COSU-RACE-%d" % i))
        env = dict(os.environ, KOUAN_URL=S.url, KOUAN_TOKEN=T["customs"])
        p1 = subprocess.Popen([KOUAN_BIN, "decide", G, "customs", "cleared", "--reason",
                               CHECKED], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        res = {}
        th = threading.Thread(target=lambda: res.update(q=decide_curl(G, "quarantine", "cleared")))
        th.start()
        out, err = p1.communicate(timeout=60)
        th.join(60)
        eq(p1.returncode, 0, "CLI decision (stderr %s)" % err.decode())
        eq(res["q"][0], 200, "curl decision")
        statuses = sorted([json.loads(out)["status"], res["q"][2]["status"]])
        eq(statuses, ["accepted", "released"], "exactly one of the two released it")
        eq(get(G)["status"], "released", "released")
        eq(len(released_events(G)), 1, "exactly one declaration.released")


def test_event_feed_longpoll():
    _, cursor = S.feed(T["analyst"])
    result = {}

    def poll():
        t0 = time.monotonic()
        r = S.call("GET", "/v1/events?after=%s&wait=5" % cursor, token=T["analyst"], timeout=30)
        result["elapsed"] = time.monotonic() - t0
        result["r"] = r

    th = threading.Thread(target=poll)
    th.start()
    time.sleep(0.5)            # let the poll reach its wait
    check(th.is_alive(), "the long-poll answered before anything happened: %r" % result.get("r"))
    r = S.cli("declare", write_json("feed.json", apples("trader", bill_of_lading="FEED-1")),
              token=T["trader"])
    eq(r.returncode, 0, "lodge during the long-poll")
    H = r.json["number"]
    th.join(30)
    check(not th.is_alive(), "the long-poll did not return")
    pr = result["r"]
    eq(pr.status, 200, "long-poll status")
    sys.stderr.write("long-poll returned after %.2fs\n" % result["elapsed"])
    check(result["elapsed"] < 4.8,
          "long-poll did not return before its 5 s wait ran out (%.2fs)" % result["elapsed"])
    got = pr.json["events"]
    check(got, "long-poll returned no events")
    eq(got[0]["type"], "declaration.lodged", "first new event")
    eq({e["declaration_number"] for e in got}, {H}, "only the new declaration's events")
    cursors = [int(e["cursor"]) for e in got]
    eq(cursors, sorted(set(cursors)), "cursors increase")
    check(cursors[0] > int(cursor), "events after the cursor")
    eq(pr.json["cursor"], got[-1]["cursor"], "cursor is the last event's")
    # resume: the rest of the lodging (if any) then the next decision, no repeats
    eq(decide_cli(H, "customs", "cleared").returncode, 0, "decision")
    more, c2 = S.feed(T["analyst"], after=pr.json["cursor"])
    check(more and more[-1]["type"] == "task.cleared", "decision in the feed: %r" % more)
    seen = [int(e["cursor"]) for e in got + more]
    eq(seen, sorted(set(seen)), "no repeats, in order across resumes")
    again = S.call("GET", "/v1/events?after=%s" % c2, token=T["analyst"])
    eq((again.json["events"], again.json["cursor"]), ([], c2), "nothing after the end")
    # paging with a small limit gives the same feed as one big page
    whole, _ = S.feed(T["analyst"])
    paged, _ = S.feed(T["analyst"], limit=3)
    eq([e["cursor"] for e in paged], [e["cursor"] for e in whole], "paged feed = whole feed")
    allc = [int(e["cursor"]) for e in whole]
    eq(allc, sorted(set(allc)), "whole feed in order without repeats")
    # the CLI resumes from a cursor the same way
    mid = whole[len(whole) // 2]["cursor"]
    r = S.cli("events", "--after", mid, token=T["analyst"])
    eq(r.returncode, 0, "kouan events --after")
    lines = [json.loads(x) for x in r.stdout.splitlines() if x.strip()]
    # one page (at most 500 events, the demo's parcels make more) and the
    # cursor to resume from on standard error
    rest = [e["cursor"] for e in whole if int(e["cursor"]) > int(mid)][:500]
    eq([e["cursor"] for e in lines], rest, "kouan events --after resumes the feed")
    check(("cursor %s" % rest[-1]) in r.stderr, "the cursor to resume from: %r" % r.stderr)


def test_feed_isolation():
    own = lodge("trader2", laptops("trader2", bill_of_lading="T2-OWN-1"))
    mine = {d["number"] for d in S.all_declarations(T["trader2"])}
    check(own in mine, "trader2 lists its own declaration")
    ev2, c2 = S.feed(T["trader2"])
    check(any(e["declaration_number"] == own for e in ev2), "trader2 sees its own events")
    stray = [e for e in ev2 if e["declaration_number"] not in mine]
    eq(stray, [], "trader2's feed shows other organisations' events")
    trader_nums = {d["number"] for d in S.all_declarations(T["trader"])}
    evt, _ = S.feed(T["trader"])
    check(any(e["declaration_number"] == N["A"] for e in evt), "trader sees A's events")
    stray = [e for e in evt if e["declaration_number"] not in trader_nums]
    eq(stray, [], "trader's feed shows other organisations' events")
    check(N["B"] not in {e["declaration_number"] for e in evt}, "trader sees broker's B")
    # a declarant's long-poll is not woken with another organisation's events
    result = {}

    def poll():
        result["r"] = S.call("GET", "/v1/events?after=%s&wait=3" % c2, token=T["trader2"],
                             timeout=30)

    th = threading.Thread(target=poll)
    th.start()
    time.sleep(0.3)
    lodge("trader", apples("trader", bill_of_lading="FEED-2"))
    th.join(30)
    eq((result["r"].status, result["r"].json["events"], result["r"].json["cursor"]),
       (200, [], c2), "trader2's long-poll after trader lodged")
    # an officer's feed holds only declarations with a task for the agency
    evq, _ = S.feed(T["quarantine"])
    laptops_demo = [d["number"] for d in S.all_declarations(T["analyst"])
                    if d["number"].startswith("5141")]
    check(laptops_demo, "no customs-only declarations to test with")
    leak = [e for e in evq if e["declaration_number"] in laptops_demo]
    eq(leak, [], "quarantine's feed shows customs-only declarations")
    # (and the calls' own events, which name no declaration)
    evq = [e for e in evq if e["declaration_number"] is not None]
    check(evq and all(e["agency"] in (None, "quarantine", "customs") for e in evq),
          "quarantine feed")


def test_idempotency_with_curl():
    before = len(S.all_declarations(T["analyst"]))
    k = key("idem")
    body = apples("trader", bill_of_lading="IDEM-1")
    st1, h1, j1, raw1 = S.curl("POST", "/v1/declarations", body, token=T["trader"],
                               headers=["Idempotency-Key: " + k])
    eq(st1, 201, "first lodge")
    check("idempotent-replayed" not in h1, "first answer is not a replay")
    st2, h2, j2, raw2 = S.curl("POST", "/v1/declarations", body, token=T["trader"],
                               headers=["Idempotency-Key: " + k])
    eq(st2, 201, "replayed status")
    eq(h2.get("idempotent-replayed"), "true", "Idempotent-Replayed header")
    eq(j2["number"], j1["number"], "same number")
    eq(raw2, raw1, "the replay is the same answer")
    # the same JSON with its members in another order is the same body
    reordered = json.dumps(dict(reversed(list(body.items()))))
    st3, h3, j3, _ = S.curl("POST", "/v1/declarations", reordered, token=T["trader"],
                            headers=["Idempotency-Key: " + k, "Content-Type: application/json"])
    eq((st3, h3.get("idempotent-replayed"), j3["number"]), (201, "true", j1["number"]),
       "reordered body replays")
    changed = apples("trader", bill_of_lading="IDEM-1", freight="1.00")
    st4, _, j4, _ = S.curl("POST", "/v1/declarations", changed, token=T["trader"],
                           headers=["Idempotency-Key: " + k])
    eq(st4, 409, "same key, different body")
    eq(j4["type"], "urn:kouan:problem:conflict", "problem type")
    eq([e["field"] for e in j4["errors"]], ["header:Idempotency-Key"], "problem field")
    # keys are per organisation: the broker's same key is a new declaration
    # (of its own consignment)
    st5, h5, j5, _ = S.curl("POST", "/v1/declarations", apples("broker", bill_of_lading="IDEM-2"),
                            token=T["broker"], headers=["Idempotency-Key: " + k])
    eq(st5, 201, "broker with the same key")
    check("idempotent-replayed" not in h5, "not a replay for another org")
    check(j5["number"] != j1["number"], "a new number for the broker")
    eq(int(j5["number"][9:]), int(j1["number"][9:]) + 1, "next sequence")
    eq(len(S.all_declarations(T["analyst"])), before + 2, "declarations added")
    eq(get(j1["number"])["declaration"]["freight"], "0", "stored body is the first one")


def test_same_key_at_the_same_moment():
    before = len(S.all_declarations(T["analyst"]))
    k = key("race")
    body = apples("trader", bill_of_lading="IDEM-RACE")
    results = []
    lock = threading.Lock()
    go = threading.Event()

    def post():
        go.wait()
        r = S.call("POST", "/v1/declarations", body, token=T["trader"],
                   headers={"Idempotency-Key": k})
        with lock:
            results.append(r)

    ths = [threading.Thread(target=post) for _ in range(6)]
    for th in ths:
        th.start()
    go.set()
    for th in ths:
        th.join(60)
    eq(sorted(r.status for r in results), [201] * 6, "statuses of six identical posts")
    eq(len({r.json["number"] for r in results}), 1, "one number for one key")
    eq(sorted(r.header("idempotent-replayed") or "-" for r in results),
       ["-"] + ["true"] * 5, "exactly one original answer, five replays")
    eq(len(S.all_declarations(T["analyst"])), before + 1, "one declaration lodged")


def test_only_the_main_thread_takes_the_stop_signals():
    # A SIGTERM is handled by one thread of the process, any that does not
    # block it. The main thread waits for it (sigwait); a thread that did
    # not block it would take it instead, and the default action would end
    # the server at once, without finishing the requests in flight (exit
    # -15, not 0). Every other thread, those started while the server
    # opens its database and its services included, must block SIGINT and
    # SIGTERM.
    check(S.healthy(), "healthy")
    pid = S.proc.pid
    stop_bits = (1 << (signal.SIGINT - 1)) | (1 << (signal.SIGTERM - 1))
    tasks = os.listdir("/proc/%d/task" % pid)
    check(len(tasks) > 2, "the server runs several threads")
    open_to_stop = []
    for tid in tasks:
        if int(tid) == pid:
            continue
        try:
            with open("/proc/%d/task/%s/status" % (pid, tid)) as f:
                status = dict(line.rstrip("\n").split(":\t", 1) for line in f if ":\t" in line)
        except FileNotFoundError:
            continue  # ended meanwhile
        if int(status["SigBlk"], 16) & stop_bits != stop_bits:
            open_to_stop.append("%s (%s)" % (tid, status.get("Name", "?")))
    eq(open_to_stop, [], "threads that would take SIGINT or SIGTERM")


def test_stops_cleanly_during_a_long_poll():
    check(S.healthy(), "healthy before stopping")
    _, cursor = S.feed(T["analyst"])
    result = {}

    def poll():
        try:
            result["r"] = S.call("GET", "/v1/events?after=%s&wait=20" % cursor,
                                 token=T["analyst"], timeout=40)
        except (OSError, Exception) as e:  # noqa: BLE001 - a closed connection is fine
            result["e"] = e

    th = threading.Thread(target=poll)
    th.start()
    time.sleep(0.5)
    check(th.is_alive(), "the long-poll did not wait")
    t0 = time.monotonic()
    S.stop()                      # exit 0, no sanitizer report
    took = time.monotonic() - t0
    th.join(30)
    check(not th.is_alive(), "the long-poll still hangs after the server stopped")
    check(took < 10, "stopping took %.1fs with a long-poll waiting" % took)
    if "r" in result:
        eq((result["r"].status, result["r"].json["events"]), (200, []),
           "the waiting long-poll's answer at shutdown")


if __name__ == "__main__":
    run_tests([
        test_start_and_logins,
        test_lodge_cli_and_curl,
        test_parallel_tasks_release_once,
        test_events_timeline,
        test_release_notice_verifies,
        test_nothing_changes_after_release,
        test_return_correct_reopens_only_returned_task,
        test_correction_of_goods_reopens_cleared_task,
        test_withdrawal_before_release,
        test_simultaneous_decisions_release_once,
        test_event_feed_longpoll,
        test_feed_isolation,
        test_idempotency_with_curl,
        test_same_key_at_the_same_moment,
        test_only_the_main_thread_takes_the_stop_signals,
        test_stops_cleanly_during_a_long_poll,
    ])
