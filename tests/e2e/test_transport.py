#!/usr/bin/env python3
"""
test_transport.py - the transport side on real servers (issue 9): two kouan
servers on one database (PostgreSQL, or one SQLite file), a carrier, the
agencies, a trader and the terminal, all over HTTP.

What it checks:
  * one vessel call: the arrival report, cleared by the four agencies in
    parallel (through both servers at once), the entry permission signed
    and verified with `kouan verify-notice`; an advance declaration lodged
    before the manifest waits for it; the original manifest matches it; the
    vessel arrives; the agencies clear it and it is released; the tally; the
    containers discharged; the released one gated out; the second
    container, whose declaration is still open, refused at the gate with the
    reason, and the attempt on the record (and on that declaration's
    timeline); the timeline runs from conveyance.arrived to
    container.gated_out;
  * bad input, each a 4xx naming the field and leaving the declarations and
    the event feed as they were: packages that differ from the manifest
    line, a weight beyond the tolerance, an unknown bill, a bill already
    declared, a container with a bad check digit (in a declaration and in
    a manifest), a port office that does not serve the port, a unit that
    is not the commodity's legal unit, and the amendment of a manifest
    after the conveyance departed;
  * concurrency: lodgings of one bill through both servers at once make one
    claim (the others 409 naming the holder); a declaration lodged through
    one server while the manifest bringing its line is lodged through the
    other is matched whichever commits first.

Run: KOUAN_BIN=... python3 tests/e2e/test_transport.py (add
KOUAN_TEST_STORE=postgres KOUAN_TEST_PG_STATE=FILE for PostgreSQL).
"""
import datetime
import json
import os
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kouan_e2e import (Server, apples, check, check_problem, eq, events_of,  # noqa: E402
                       fresh_consignment, laptops, run_tests)

A = Server("transport-a")
B = Server("transport-b")
T = {}
V = {}
USERS = ("trader", "customs", "quarantine", "border", "maritime", "terminal", "carrier",
         "analyst")
CALL = "2|9321378|047E|CNNSA"
AGENCIES = ("border", "maritime", "customs", "quarantine")


def at(hours):
    t = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=hours)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def vessel(kind, voyage="047E", **over):
    b = {"kind": kind, "transport_mode": "2", "carrier": "COSCO SHIPPING Lines",
         "vessel": {"imo": "9321378", "name": "COSCO SHIPPING ARIES", "call_sign": "VRBK7",
                    "flag": "HK", "voyage": voyage},
         "port": "CNNSA", "port_office": "5167", "berth": "NS-P2-07", "crew": 24,
         "passengers": 0}
    if kind == "arrival":
        b.update(last_port="USLAX", expected_arrival=at(-3))
    else:
        b.update(next_port="CNYTN", expected_departure=at(1))
    b.update(over)
    return b


def on_voyage(body, voyage="047E"):
    body["conveyance"] = {"name": "COSCO SHIPPING ARIES", "voyage": voyage, "imo": "9321378"}
    body.update(port_office="5167", entry_port="CNNSA")
    return body


def line_of(body):
    return {"bill_of_lading": body["bill_of_lading"],
            "consignor": {"name": "Valle Central Fruit", "country": "CL"},
            "consignee": {"name": "Haitong Import and Export",
                          "uscc": body["consignee_uscc"]},
            "goods_description": body["items"][0]["description"], "packages": body["packages"],
            "package_kind": "CT", "gross_weight_kg": body["gross_weight_kg"],
            "containers": [{"number": c, "seals": ["SL-" + c[4:]]}
                           for c in body.get("containers", [])]}


def manifest(bills, voyage="047E"):
    return {"kind": "original", "transport_mode": "2",
            "conveyance": {"name": "COSCO SHIPPING ARIES", "voyage": voyage, "imo": "9321378"},
            "port": "CNNSA", "carrier": "COSCO SHIPPING Lines", "bills": bills}


KEYS = [0]


def post(srv, path, body, who, status):
    KEYS[0] += 1
    r = srv.call("POST", path, body, token=T[who],
                 headers={"Idempotency-Key": "tr-%d-%d" % (os.getpid(), KEYS[0])})
    eq(r.status, status, "POST %s as %s: %r" % (path, who, r))
    return r.json


def decide(srv, path, agency, decision="cleared"):
    r = srv.call("POST", path, {"decision": decision, "reason": "checked"}, token=T[agency])
    eq(r.status, 200, "%s decides %s: %r" % (agency, path, r))
    return r.json


def clear_in_parallel(report_id):
    """The four agencies decide at once, half through each server."""
    results = {}

    def one(i, agency):
        srv = (A, B)[i % 2]
        path = "/v1/conveyance-reports/%d/tasks/%s/decision" % (report_id, agency)
        results[agency] = srv.call("POST", path, {"decision": "cleared",
                                                  "reason": "report checked"},
                                   token=T[agency])

    ths = [threading.Thread(target=one, args=(i, a)) for i, a in enumerate(AGENCIES)]
    for th in ths:
        th.start()
    for th in ths:
        th.join(60)
    eq(sorted(r.status for r in results.values()), [200] * 4, "four decisions")
    return results


def test_start():
    A.start()
    B.share(A).start()
    for u in USERS:
        T[u] = A.login(u)


def test_one_vessel_call():
    # the arrival report, cleared in parallel, and the permission
    r = post(A, "/v1/conveyance-reports", vessel("arrival"), "carrier", 201)
    rid = V["report"] = r["id"]
    eq((r["call"], r["permission"]), (CALL, "pending"), "the call, pending")
    eq(sorted(t["agency"] for t in r["tasks"]), sorted(AGENCIES), "a task per agency")
    clear_in_parallel(rid)
    rep = B.call("GET", "/v1/conveyance-reports/%d" % rid, token=T["terminal"]).json
    eq(rep["permission"], "granted", "entry permitted")
    p = A.call("GET", "/v1/conveyance-reports/%d/permission" % rid, token=T["terminal"])
    eq(p.status, 200, "the permission: %r" % p)
    eq(json.loads(p.json["notice"])["kind"], "kouan.entry-permission.v1", "its kind")
    path = os.path.join(A.dir, "permission.json")
    with open(path, "w") as f:
        json.dump(p.json, f)
    pk = A.call("GET", "/v1/release-key").json["public_key"]
    v = A.cli("verify-notice", path, "--public-key", pk)
    eq(v.returncode, 0, "kouan verify-notice checks the permission: " + v.stderr)

    # an advance declaration before the manifest: it waits
    first = on_voyage(apples())
    d1 = post(B, "/v1/declarations", first, "trader", 201)["number"]
    V["d1"], V["first"] = d1, first
    m = A.call("GET", "/v1/declarations/%s/match" % d1, token=T["trader"]).json
    eq(m["match"], "waiting", "waiting for its line")
    # the carrier's original manifest brings its line: matched
    # (laptops in a container on the same vessel: customs alone acts)
    second = laptops(transport_mode="2", declaration_office="5167", containers=[""],
                     advance=False)
    fresh_consignment(second)
    on_voyage(second)
    V["second"] = second
    r = post(A, "/v1/manifests", manifest([line_of(first), line_of(second)]), "carrier", 201)
    V["manifest"] = r["id"]
    eq(r["late"], False, "lodged before the arrival")
    # told by bill: the carrier sees no declaration numbers
    eq([(d["bill_of_lading"], d["match"], d["released"]) for d in r["declarations"]],
       [(first["bill_of_lading"], "matched", False)], "the advance declaration matched")
    check(d1 not in json.dumps(r), "no declaration number in the carrier's answer")
    # the second goods, declared now, match at once
    d2 = V["d2"] = post(A, "/v1/declarations", second, "trader", 201)["number"]
    eq(A.call("GET", "/v1/declarations/%s/match" % d2, token=T["customs"]).json["match"],
       "matched", "matched at lodging")
    # the vessel arrives
    r = B.call("POST", "/v1/conveyance-reports/%d/arrival" % rid, {}, token=T["carrier"])
    eq(r.status, 200, "arrival recorded: %r" % r)
    # the agencies clear the first declaration: released
    for agency in ("customs", "quarantine"):
        view = decide(A, "/v1/declarations/%s/tasks/%s/decision" % (d1, agency), agency)
    eq(view["status"], "released", "the first released")
    # the tally, the discharge of both containers
    tally = {"kind": "discharge", "transport_mode": "2",
             "conveyance": first["conveyance"], "port": "CNNSA",
             "bills": [{"bill_of_lading": b["bill_of_lading"], "packages": b["packages"],
                        "containers": [{"number": c, "seals": ["SL-" + c[4:]],
                                        "condition": "sound"} for c in b["containers"]]}
                       for b in (first, second)]}
    r = A.call("POST", "/v1/tally-reports", tally, token=T["terminal"])
    eq((r.status, r.json["differences"]), (201, []), "the tally agrees: %r" % r)
    for c in first["containers"] + second["containers"]:
        r = B.call("POST", "/v1/gate/containers/%s/events" % c, {"event": "discharged"},
                   token=T["terminal"])
        eq(r.status, 201, "discharged %s: %r" % (c, r))
    # the released container goes out
    c1 = first["containers"][0]
    g = A.call("GET", "/v1/gate/containers/%s" % c1, token=T["terminal"]).json
    eq((g["allowed"], g["missing"], g["call"]), (True, [], CALL), "the gate lets it out")
    r = B.call("POST", "/v1/gate/containers/%s/events" % c1, {"event": "gated_out"},
               token=T["terminal"])
    eq(r.status, 201, "gated out: %r" % r)
    # the second, whose declaration is open, is refused with the reason
    c2 = second["containers"][0]
    g = A.call("GET", "/v1/gate/containers/%s" % c2, token=T["terminal"]).json
    want = ("declaration %s of bill %s is accepted, not released; waiting for customs"
            % (d2, second["bill_of_lading"]))
    eq((g["allowed"], [(m["kind"], m["subject"], m["text"]) for m in g["missing"]]),
       (False, [("release", d2, want)]), "the gate says why")
    r = A.call("POST", "/v1/gate/containers/%s/events" % c2, {"event": "gated_out"},
               token=T["terminal"])
    check_problem(r, 409, "conflict")
    eq(r.json["missing"][0]["text"], want, "the refusal names what is missing")
    ev = [e["type"] for e in events_of(B, d2, T["customs"])]
    check("container.gate_refused" in ev, "the attempt is on its timeline: %r" % ev)
    check("container.gated_out" not in ev, "and it did not go out")
    # the first declaration's timeline: from the arrival of its goods to
    # their gate-out, each step with its time
    ev = events_of(A, d1, T["trader"])
    types = [e["type"] for e in ev]
    for t in ("declaration.awaiting_manifest", "declaration.matched", "declaration.released",
              "container.discharged", "container.gated_out"):
        check(t in types, "%s on the timeline: %r" % (t, types))
    check(types.index("declaration.released") < types.index("container.gated_out"),
          "released before it went out")
    call_ev = A.call("GET", "/v1/calls/events?call=%s" % CALL.replace("|", "%7C"),
                     token=T["analyst"]).json["events"]
    call_types = [e["type"] for e in call_ev]
    for t in ("conveyance.reported", "conveyance.entry_permitted", "manifest.lodged",
              "conveyance.arrived", "tally.reported", "container.discharged",
              "container.gated_out", "container.gate_refused"):
        check(t in call_types, "%s on the call's timeline: %r" % (t, call_types))
    arrived = [e["at"] for e in call_ev if e["type"] == "conveyance.arrived"][0]
    out = [e["at"] for e in call_ev if e["type"] == "container.gated_out"][0]
    check(arrived <= out, "arrival before gate-out")


def state():
    decls = A.all_declarations(T["analyst"])
    _, cursor = A.feed(T["analyst"])
    return len(decls), cursor


def test_bad_input_changes_nothing():
    first, second = V["first"], V["second"]
    before = state()
    goods = on_voyage(apples(advance=False, bill_of_lading="E2E-BAD-LINE-1"))
    bill = line_of(goods)

    def declaration(**over):
        return dict(goods, **over)

    # the line for these
    r = A.call("PUT", "/v1/manifests/%d" % V["manifest"],
               manifest([line_of(first), line_of(second), bill]), token=T["carrier"])
    eq(r.status, 200, "the carrier adds a line: %r" % r)
    before = state()
    cases = [
        ("packages differ", declaration(packages=first["packages"] + 1), 400, "/packages",
         "packages must match exactly"),
        ("weight beyond the tolerance", declaration(gross_weight_kg="21000.000"), 400,
         "/gross_weight_kg", "a difference of up to 5.0 %"),
        ("unknown bill", declaration(bill_of_lading="E2E-NOT-ON-IT"), 400, "/bill_of_lading",
         "no manifest of this call has a line for bill E2E-NOT-ON-IT"),
        ("bill declared already", dict(first, advance=False), 409, "/bill_of_lading",
         "is already declared on declaration " + V["d1"]),
        ("bad container check digit", declaration(containers=["CSQU3054384"]), 400,
         "/containers/0", "check"),
        ("port office elsewhere", declaration(port_office="5301"), 400, "/port_office",
         "does not serve the entry port CNNSA"),
        ("unit not legal", declaration(items=[dict(first["items"][0], unit="007")]), 400,
         "/items/0/unit", "is not a legal unit of commodity 0808100000"),
    ]
    for name, body, status, field, text in cases:
        KEYS[0] += 1
        r = B.call("POST", "/v1/declarations", body, token=T["trader"],
                   headers={"Idempotency-Key": "bad-%d" % KEYS[0]})
        check_problem(r, status, None, None, exact=False)
        check(any(e["field"] == field and text in e["problem"] for e in r.json["errors"]),
              "%s: %s names %s (%s): %r" % (name, status, field, text, r.json))
    bad = manifest([dict(bill, containers=[{"number": "CSQU3054384", "seals": ["S1"]}])],
                   voyage="048E")
    r = A.call("POST", "/v1/manifests", bad, token=T["carrier"],
               headers={"Idempotency-Key": "bad-manifest-1"})
    check_problem(r, 400, "invalid-request", ["/bills/0/containers/0/number"])
    eq(state(), before, "nothing changed")

    # after the departure the manifest is closed
    r = post(A, "/v1/conveyance-reports", vessel("departure"), "carrier", 201)
    clear_in_parallel(r["id"])
    d = B.call("POST", "/v1/conveyance-reports/%d/departure" % r["id"], {}, token=T["carrier"])
    eq(d.status, 200, "departed: %r" % d)
    before = state()
    r = A.call("PUT", "/v1/manifests/%d" % V["manifest"],
               manifest([line_of(first), line_of(second)]), token=T["carrier"])
    check_problem(r, 409, "conflict")
    check("departed" in r.json["detail"], r.json["detail"])
    eq(state(), before, "nothing changed")


def test_one_bill_one_claim_across_servers():
    body = on_voyage(apples(), voyage="049E")
    results = []
    lock = threading.Lock()
    go = threading.Event()

    def lodge(i):
        go.wait()
        r = (A, B)[i % 2].call("POST", "/v1/declarations", body, token=T["trader"],
                               headers={"Idempotency-Key": "claim-%d-%d" % (os.getpid(), i)})
        with lock:
            results.append(r)

    ths = [threading.Thread(target=lodge, args=(i,)) for i in range(8)]
    for th in ths:
        th.start()
    go.set()
    for th in ths:
        th.join(60)
    eq(sorted(r.status for r in results), [201] + [409] * 7, "one claim")
    won = [r.json["number"] for r in results if r.status == 201][0]
    for r in results:
        if r.status == 409:
            check(any(e["field"] == "/bill_of_lading" and won in e["problem"]
                      for e in r.json["errors"]), "told who holds it: %r" % r.json)


def test_match_whichever_commits_first():
    for i in range(6):
        voyage = "05%dE" % i
        body = on_voyage(apples(), voyage=voyage)
        res = {}

        def declare():
            KEYS[0] += 1
            res["d"] = A.call("POST", "/v1/declarations", body, token=T["trader"],
                              headers={"Idempotency-Key": "race-d-%d-%d" % (os.getpid(), i)})

        def manifest_it():
            res["m"] = B.call("POST", "/v1/manifests", manifest([line_of(body)], voyage),
                              token=T["carrier"],
                              headers={"Idempotency-Key": "race-m-%d-%d" % (os.getpid(), i)})

        ths = [threading.Thread(target=declare), threading.Thread(target=manifest_it)]
        for th in ths:
            th.start()
        for th in ths:
            th.join(60)
        eq((res["d"].status, res["m"].status), (201, 201), "both lodged")
        n = res["d"].json["number"]
        m = A.call("GET", "/v1/declarations/%s/match" % n, token=T["trader"]).json
        eq(m["match"], "matched", "matched whatever the order (round %d)" % i)
        matched = [e for e in events_of(B, n, T["trader"]) if e["type"] == "declaration.matched"]
        eq(len(matched), 1, "one match (round %d)" % i)


def test_stop():
    B.stop()
    A.stop()


if __name__ == "__main__":
    run_tests([
        test_start,
        test_one_vessel_call,
        test_bad_input_changes_nothing,
        test_one_bill_one_claim_across_servers,
        test_match_whichever_commits_first,
        test_stop,
    ])
