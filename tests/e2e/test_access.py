#!/usr/bin/env python3
"""
test_access.py - who may see and do what, against a fresh kouan server
(demo data only).

What it checks:
  * every non-public route (from GET /openapi.json) answers 401 (problem+json,
    WWW-Authenticate: Bearer) with no token, with a made-up token, with a
    real token altered by one character, with an over-long token, with
    Basic credentials and with an empty Bearer; the refused writes changed
    nothing;
  * the public routes (healthz, openapi.json, release-key, ui-settings,
    POST /v1/sessions) answer without a token; a wrong password and an unknown user get the
    same 401;
  * a declarant cannot read another organisation's declaration (404, the
    same problem as a number that does not exist), its events or its release
    notice, cannot find it in its list, cannot withdraw or correct it (404,
    unchanged);
  * an officer cannot decide another agency's task (403) nor read another
    agency's worklist; declarants, the port operator and the analyst cannot
    decide at all (403); nothing changed;
  * a quarantine officer cannot see a customs-only declaration (404 like a
    missing one; not listed; no events), a maritime officer sees fuel oil but
    not apples;
  * a revoked token (DELETE /v1/sessions/current -> 204) answers 401
    afterwards, also to the CLI; the user's other session still works;
  * the port operator lists and reads only released declarations and its
    feed holds only declaration.released events;
  * role limits: admin-only and declarant-only routes answer 403 to others;
  * the server then stops cleanly (exit 0, no sanitizer report).

Run: KOUAN_BIN=/work/main/build-test/kouan python3 tests/e2e/test_access.py
"""
import base64
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kouan_e2e import (DEMO_USCC, Server, apples, check, check_problem,  # noqa: E402
                       eq, events_of, laptops, manifest_line, run_tests, tshirts_export)

S = Server("access")
T = {}
D = {}        # demo declaration numbers by office

PUBLIC = {("GET", "/v1/healthz"), ("GET", "/openapi.json"), ("GET", "/v1/release-key"),
          ("GET", "/v1/ui-settings"), ("POST", "/v1/sessions"),
          # the published port fee catalogues (公示)
          ("GET", "/v1/fees"), ("GET", "/v1/fees/{id}"),
          # a buyer's question about their year, with their ID and an order
          ("GET", "/v1/cbec/quota")}
# routes of the spine that the served document must list (the API tests
# check that it lists exactly the router's routes)
CORE_ROUTES = [
    ("GET", "/v1/healthz"), ("GET", "/openapi.json"), ("GET", "/v1/release-key"),
    ("POST", "/v1/sessions"),
    ("DELETE", "/v1/sessions/current"), ("GET", "/v1/me"),
    ("GET", "/v1/reference"), ("GET", "/v1/reference/{list}"),
    ("GET", "/v1/reference/{list}/{code}"), ("PUT", "/v1/reference/{list}/{code}"),
    ("DELETE", "/v1/reference/{list}/{code}"),
    ("POST", "/v1/declarations"), ("GET", "/v1/declarations"),
    ("GET", "/v1/declarations/{number}"), ("PUT", "/v1/declarations/{number}"),
    ("POST", "/v1/declarations/{number}/withdrawal"),
    ("GET", "/v1/declarations/{number}/events"),
    ("GET", "/v1/declarations/{number}/release-notice"),
    ("POST", "/v1/declarations/{number}/tasks/{agency}/decision"),
    ("GET", "/v1/tasks"), ("GET", "/v1/events"),
    ("POST", "/v1/organisations"), ("GET", "/v1/organisations"),
    ("POST", "/v1/users"), ("GET", "/v1/users"),
]
MISSING = None   # a well-formed number that does not exist


def routes():
    """(method, path template, public) from /openapi.json: public when its
    security list is empty."""
    r = S.call("GET", "/openapi.json")
    eq(r.status, 200, "GET /openapi.json")
    paths = (r.json or {}).get("paths") or {}
    out = []
    for p, ops in paths.items():
        for m, op in ops.items():
            if m.upper() not in ("GET", "PUT", "POST", "DELETE", "PATCH"):
                continue
            public = isinstance(op, dict) and op.get("security") == []
            out.append((m.upper(), p, public))
    listed = {(m, p) for m, p, _ in out}
    lacking = [mp for mp in CORE_ROUTES if mp not in listed]
    check(not lacking, "openapi.json lacks routes of the API: %r" % lacking)
    return out


def fill(path):
    vals = {"number": D["5167"], "list": "countries", "code": "CN", "agency": "customs"}
    return re.sub(r"\{(\w+)\}", lambda m: vals.get(m.group(1), "x"), path)


def body_for(method, path):
    if method not in ("POST", "PUT"):
        return None
    if path.endswith("/decision"):
        return {"decision": "cleared", "reason": "documents checked"}
    if path.startswith("/v1/declarations"):
        return apples("trader")
    if path.startswith("/v1/reference"):
        return {"name_en": "Changed"}
    if path == "/v1/organisations":
        return {"uscc": "91440101MA5ADMN826", "name": "x", "kind": "trader"}
    if path == "/v1/users":
        return {"username": "mallory", "password": "mallory-password-1",
                "role": "admin", "organisation": "91440101MA5ADMN826"}
    return {}


def snapshot():
    a = T["analyst"]
    return {
        "decls": S.call("GET", "/v1/declarations?limit=500", token=a).text,
        "feed": S.call("GET", "/v1/events?limit=1000", token=a).text,
        "ref": S.call("GET", "/v1/reference/countries/CN", token=a).text,
        "users": S.call("GET", "/v1/users", token=T["admin"]).text,
        "orgs": S.call("GET", "/v1/organisations", token=T["admin"]).text,
    }


def same_as_missing(method, path, number, who, what, body=None):
    """`method path` (with {n}) on `number` as `who` answers the same 404 as
    on a number that does not exist (only `instance` differs)."""
    r = S.call(method, path.format(n=number), body, token=T[who])
    check_problem(r, 404, "not-found")
    miss = S.call(method, path.format(n=MISSING), body, token=T[who])
    check_problem(miss, 404, "not-found")
    a, b = dict(r.json), dict(miss.json)
    a.pop("instance")
    b.pop("instance")
    eq(a, b, "%s: 404 differs from a missing number's" % what)


# --------------------------------------------------------------------------

def test_start():
    global MISSING
    S.start()
    for u in ("trader", "broker", "trader2", "customs", "quarantine", "border", "maritime",
              "terminal", "analyst", "admin"):
        T[u] = S.login(u)
    for d in S.all_declarations(T["analyst"]):
        D[d["number"][:4]] = d["number"]
    eq(sorted(D), ["5100", "5141", "5167", "5301", "5316", "5338"], "demo declarations")
    # the demo's laptops at Baiyun: released by kouan (a demo database's
    # draws are the same every time; test_risk checks them)
    eq(S.call("GET", "/v1/declarations/" + D["5141"], token=T["customs"]).json["status"],
       "released", "the demo laptops")
    MISSING = D["5167"][:9] + "999999999"
    S.base = snapshot()


def test_no_token_401_on_every_private_route():
    rs = routes()
    private = [(m, p) for m, p, pub in rs if not pub]
    check(len(private) >= 20, "only %d private routes found" % len(private))
    real = T["trader"]
    altered = real[:-1] + ("A" if real[-1] != "A" else "B")
    variants = [
        ("no token", None),
        ("made-up token", {"Authorization": "Bearer kt_thisisnotarealtokenatall0000000000000"}),
        ("altered token", {"Authorization": "Bearer " + altered}),
        ("over-long token", {"Authorization": "Bearer " + "k" * 5000}),
        ("Basic credentials", {"Authorization": "Basic " + base64.b64encode(
            b"trader:trader-demo-2026").decode()}),
        ("empty Bearer", {"Authorization": "Bearer "}),
        ("token without scheme", {"Authorization": real}),
    ]
    bad = []
    for m, p in private:
        path = fill(p)
        body = body_for(m, p)
        for name, hdr in variants:
            h = dict(hdr or {})
            if m == "POST" and p == "/v1/declarations":
                h["Idempotency-Key"] = "access-401"
            r = S.call(m, path, body, headers=h)
            try:
                check_problem(r, 401, "unauthenticated")
                check((r.header("www-authenticate") or "").startswith("Bearer"),
                      "no WWW-Authenticate: Bearer")
            except AssertionError as e:
                bad.append("%s %s (%s): %s" % (m, path, name, e))
    check(not bad, "%d refusals wrong:\n  " % len(bad) + "\n  ".join(bad[:20]))
    eq(snapshot(), S.base, "state after the refused requests")


def test_public_routes_without_token():
    rs = routes()
    public = {(m, p) for m, p, pub in rs if pub}
    eq(public, PUBLIC, "public routes")
    r = S.call("GET", "/v1/healthz")
    eq((r.status, r.json["status"]), (200, "ok"), "healthz")
    r = S.call("GET", "/openapi.json")
    eq(r.status, 200, "openapi")
    check(isinstance(r.json, dict), "openapi.json is a JSON object")
    r = S.call("GET", "/v1/release-key")
    eq(r.status, 200, "release key")
    eq(len(base64.b64decode(r.json["public_key"])), 32, "public key length")
    r = S.call("POST", "/v1/sessions", {"username": "broker", "password": "broker-demo-2026"})
    eq(r.status, 201, "login")
    eq((r.json["token_type"], r.json["user"]["role"], r.json["user"]["organisation"]),
       ("Bearer", "declarant", DEMO_USCC["broker"]), "session")
    wrong = S.call("POST", "/v1/sessions", {"username": "broker", "password": "nope"})
    check_problem(wrong, 401, "unauthenticated")
    nouser = S.call("POST", "/v1/sessions", {"username": "nobody", "password": "nope"})
    check_problem(nouser, 401, "unauthenticated")
    eq(wrong.json, nouser.json, "wrong password and unknown user answer alike")


def test_declarant_cannot_see_other_org():
    own = S.call("POST", "/v1/declarations", laptops("trader2", bill_of_lading="T2-ACC-1"),
                 token=T["trader2"], headers={"Idempotency-Key": "acc-t2-1"})
    eq(own.status, 201, "trader2 lodges its own")
    T2 = own.json["number"]
    S.base = snapshot()
    for n in D.values():      # all demo declarations are the trader's
        eq(S.call("GET", "/v1/declarations/" + n, token=T["trader"]).status, 200, "owner reads")
        for who in ("trader2", "broker"):
            same_as_missing("GET", "/v1/declarations/{n}", n, who, "%s reads %s" % (who, n))
            same_as_missing("GET", "/v1/declarations/{n}/events", n, who,
                            "%s reads events of %s" % (who, n))
            same_as_missing("GET", "/v1/declarations/{n}/release-notice", n, who,
                            "%s reads notice of %s" % (who, n))
    # the released laptops' notice is there for its owner
    eq(S.call("GET", "/v1/declarations/%s/release-notice" % D["5141"], token=T["trader"]).status,
       200, "owner reads the release notice")
    for who, mine in (("trader2", {T2}), ("broker", set())):
        for q in ("", "status=released", "status=accepted", "status=returned"):
            got = {d["number"] for d in S.all_declarations(T[who], q)}
            check(not (got & set(D.values())), "%s lists the trader's declarations (%s)" % (who, q))
            check(got <= mine, "%s lists %r" % (who, got - mine))
        evs, _ = S.feed(T[who])
        check({e["declaration_number"] for e in evs} <= mine, "%s's feed leaks" % who)
    check(T2 in {d["number"] for d in S.all_declarations(T["trader2"])}, "trader2 lists its own")
    # writes on another organisation's declaration: 404, nothing changes
    same_as_missing("POST", "/v1/declarations/{n}/withdrawal", D["5167"], "trader2",
                    "withdrawal by another org", {"reason": "mine now"})
    # the demo T-shirts (5301) are returned to the trader for correction
    eq(S.call("GET", "/v1/declarations/" + D["5301"], token=T["trader"]).json["status"],
       "returned", "demo 5301 status")
    same_as_missing("PUT", "/v1/declarations/{n}", D["5301"], "trader2",
                    "correction by another org", tshirts_export("trader2"))
    eq(snapshot(), S.base, "state after another org's attempts")


def test_officer_cannot_decide_other_agency():
    apples_n = D["5167"]
    cases = [
        ("quarantine", "customs", 403), ("customs", "quarantine", 403),
        ("border", "customs", 403), ("maritime", "quarantine", 403),
        ("trader", "customs", 403), ("terminal", "customs", 403),
        ("analyst", "customs", 403), ("admin", "quarantine", 403),
    ]
    for who, agency, want in cases:
        r = S.call("POST", "/v1/declarations/%s/tasks/%s/decision" % (apples_n, agency),
                   {"decision": "cleared", "reason": "documents checked"}, token=T[who])
        check_problem(r, want, "forbidden")
    # worklists: only one's own agency
    r = S.call("GET", "/v1/tasks?agency=customs", token=T["quarantine"])
    check_problem(r, 403, "forbidden")
    r = S.call("GET", "/v1/tasks", token=T["trader"])
    check_problem(r, 403, "forbidden")
    r = S.call("GET", "/v1/tasks", token=T["quarantine"])
    eq(r.status, 200, "own worklist")
    eq({t.get("agency", "quarantine") for t in r.json["tasks"]} <= {"quarantine"}, True,
       "quarantine worklist agencies")
    eq(snapshot(), S.base, "state after refused decisions")


def test_officer_sees_only_own_agency():
    lap, apl, fuel = D["5141"], D["5167"], D["5338"]
    eq(S.call("GET", "/v1/declarations/" + lap, token=T["customs"]).status, 200, "customs: laptops")
    eq(S.call("GET", "/v1/declarations/" + apl, token=T["quarantine"]).status, 200,
       "quarantine: apples")
    same_as_missing("GET", "/v1/declarations/{n}", lap, "quarantine",
                    "quarantine reads customs-only laptops")
    same_as_missing("GET", "/v1/declarations/{n}/events", lap, "quarantine",
                    "quarantine reads laptops' events")
    listed = {d["number"] for d in S.all_declarations(T["quarantine"])}
    check(apl in listed and lap not in listed, "quarantine's list: %r" % listed)
    eq(S.call("GET", "/v1/declarations/" + fuel, token=T["maritime"]).status, 200,
       "maritime: fuel oil")
    same_as_missing("GET", "/v1/declarations/{n}", apl, "maritime", "maritime reads apples")
    listed = {d["number"] for d in S.all_declarations(T["maritime"])}
    eq(listed, {fuel}, "maritime's list")
    listed = {d["number"] for d in S.all_declarations(T["border"])}
    eq(listed, {D["5301"]}, "border's list (only the road export)")
    evs, _ = S.feed(T["quarantine"])
    check(evs and lap not in {e["declaration_number"] for e in evs}, "quarantine feed leaks")
    # a quarantine decision on a customs-only declaration: 404, not 409/200
    same_as_missing("POST", "/v1/declarations/{n}/tasks/quarantine/decision", lap,
                    "quarantine", "quarantine decides laptops", {"decision": "cleared", "reason": "documents checked"})


def test_revoked_token():
    t1 = S.login("trader")
    t2 = S.login("trader")
    eq(S.call("GET", "/v1/me", token=t1).status, 200, "fresh token works")
    r = S.call("DELETE", "/v1/sessions/current", token=t1)
    eq(r.status, 204, "revoke")
    eq(r.text, "", "204 has no body")
    check_problem(S.call("GET", "/v1/me", token=t1), 401, "unauthenticated")
    check_problem(S.call("DELETE", "/v1/sessions/current", token=t1), 401, "unauthenticated")
    check_problem(S.call("GET", "/v1/declarations", token=t1), 401, "unauthenticated")
    r = S.call("POST", "/v1/declarations", apples("trader"), token=t1,
               headers={"Idempotency-Key": "revoked-1"})
    check_problem(r, 401, "unauthenticated")
    c = S.cli("status", token=t1)
    eq(c.returncode, 1, "CLI with a revoked token")
    check("401" in c.stderr, "CLI prints the 401: %r" % c.stderr)
    eq(S.call("GET", "/v1/me", token=t2).status, 200, "the other session still works")
    eq(S.cli("status", token=t2).returncode, 0, "CLI with the other session")
    eq(snapshot(), S.base, "nothing lodged with the revoked token")


def test_port_operator_sees_released_only():
    """A terminal sees the released declarations at its own port (the demo
    terminal works at Nansha), and of them only what a release notice
    says."""
    t = T["terminal"]
    # laptops flown into Baiyun are released, but not at the terminal's port
    same_as_missing("GET", "/v1/declarations/{n}", D["5141"], "terminal",
                    "terminal reads a release at another port")
    eq([d["number"] for d in S.all_declarations(t)], [D["5100"]],
       "the demo's one release at Nansha (tableware declared at Guangzhou Customs)")
    # a customs-only import through Nansha, cleared by customs
    body = laptops(declaration_office="5167", port_office="5167", entry_port="CNNSA",
                   bill_of_lading="NSA-TERMINAL-1", transport_mode="2",
                   conveyance={"name": "COSCO SHIPPING ARIES", "voyage": "046E",
                               "imo": "9321378"},
                   containers=["CSQU3054383"])
    manifest_line(S, body)  # on the carrier's manifest of the call
    r = S.call("POST", "/v1/declarations", body, token=T["trader"],
               headers={"Idempotency-Key": "terminal-sees-1"})
    eq(r.status, 201, "lodged at Nansha: %r" % (r.json,))
    n = r.json["number"]
    same_as_missing("GET", "/v1/declarations/{n}", n, "terminal", "terminal reads unreleased")
    r = S.call("POST", "/v1/declarations/%s/tasks/customs/decision" % n,
               {"decision": "cleared", "reason": "documents checked"}, token=T["customs"])
    eq(r.json["status"], "released", "customs clears it")
    lst = S.all_declarations(t)
    eq([d["number"] for d in lst], sorted([D["5100"], n]), "the terminal's list")
    for line in lst:
        eq(sorted(line), ["bill_of_lading", "number", "port", "released_at", "status"],
           "a list line says no more than a notice")
    eq(S.all_declarations(t, "status=accepted"), [], "accepted filter")
    r = S.call("GET", "/v1/declarations/" + n, token=t)
    eq(r.status, 200, "released at its port")
    eq(sorted(r.json), ["agencies_cleared", "bill_of_lading", "containers", "direction",
                        "number", "port", "released_at", "status", "transport_mode"],
       "notice-level view: the release notice's fields, how the goods leave, no goods")
    eq((r.json["containers"], r.json["agencies_cleared"], r.json["port"]),
       (["CSQU3054383"], ["customs"], "CNNSA"), "notice-level facts")
    eq(S.call("GET", "/v1/declarations/%s/release-notice" % n, token=t).status, 200,
       "release notice")
    for part in ("/events", "/versions/1", "/inspection"):
        same_as_missing("GET", "/v1/declarations/{n}" + part, n, "terminal",
                        "terminal reads the details " + part)
    for k in ("5167", "5301", "5316", "5338"):
        same_as_missing("GET", "/v1/declarations/{n}", D[k], "terminal",
                        "terminal reads unreleased " + D[k])
    evs, _ = S.feed(t)
    eq([(e["type"], e["declaration_number"]) for e in evs if e["declaration_number"]],
       [("declaration.released", D["5100"]), ("declaration.released", n)],
       "terminal feed: releases at its port")
    calls = {e["call"] for e in evs if not e["declaration_number"]}
    eq(calls, {"2|9321378|046E|CNNSA"}, "terminal feed: the calls at its port, no others")
    check_problem(S.call("GET", "/v1/tasks", token=t), 403, "forbidden")
    S.base = snapshot()  # what this test lodged is part of the state from here


def test_role_limits():
    check_problem(S.call("POST", "/v1/declarations", apples("trader"), token=T["customs"],
                         headers={"Idempotency-Key": "role-1"}), 403, "forbidden")
    check_problem(S.call("POST", "/v1/declarations", apples("trader"), token=T["analyst"],
                         headers={"Idempotency-Key": "role-2"}), 403, "forbidden")
    check_problem(S.call("PUT", "/v1/declarations/" + D["5301"], tshirts_export("trader"),
                         token=T["customs"]), 403, "forbidden")
    for who in ("trader", "customs", "analyst", "terminal"):
        check_problem(S.call("GET", "/v1/users", token=T[who]), 403, "forbidden")
        check_problem(S.call("GET", "/v1/organisations", token=T[who]), 403, "forbidden")
        check_problem(S.call("PUT", "/v1/reference/countries/CN", {"name_en": "x"},
                             token=T[who]), 403, "forbidden")
        check_problem(S.call("DELETE", "/v1/reference/countries/CN", token=T[who]), 403,
                      "forbidden")
    eq(S.call("GET", "/v1/users", token=T["admin"]).status, 200, "admin lists users")
    eq(len(S.all_declarations(T["analyst"])), 8,
       "analyst sees all (6 demo + trader2's + the one released at Nansha)")
    r = S.call("DELETE", "/v1/declarations/" + D["5167"], token=T["trader"])
    check_problem(r, 405, "method-not-allowed")
    check("GET" in (r.header("allow") or ""), "Allow header %r" % r.header("allow"))
    eq(snapshot(), S.base, "state after refused role actions")


def test_stops_cleanly():
    check(S.healthy(), "healthy")
    S.stop()


if __name__ == "__main__":
    run_tests([
        test_start,
        test_no_token_401_on_every_private_route,
        test_public_routes_without_token,
        test_declarant_cannot_see_other_org,
        test_officer_cannot_decide_other_agency,
        test_officer_sees_only_own_agency,
        test_revoked_token,
        test_port_operator_sees_released_only,
        test_role_limits,
        test_stops_cleanly,
    ])
