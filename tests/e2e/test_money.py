#!/usr/bin/env python3
"""
test_money.py - money end to end: real servers (two on one database for
the guarantee's ceiling), curl and the offline admin tool.

What it checks:
  * a declaration's assessment is shown with every step, to the fen (the
    declarations here are in yuan, so the figures do not move with the
    month's exchange rate: 18,000 kg of apples at 13.1392 CNY, CIF:
    value 236,505.60, duty 10 % 23,650.56, VAT 9 % of 260,156.16 =
    23,414.05, due 47,064.61);
  * a payment of the wrong amount is refused (400 on /amount, naming the
    amount due) and changes nothing; the right amount releases; the same
    bank reference again is the same payment;
  * the demo trader's release draws its general guarantee, and its payment
    restores it;
  * two servers releasing at once against one guarantee never take it past
    its ceiling: of six releases worth 145,600.00 each against 450,000.00,
    exactly three go through; the others wait for payment, saying why;
  * the fee catalogue is public (no token); a fee outside it is refused;
  * a refund for an import, or for an export whose conveyance has not
    departed, is refused with the reason, and nothing is recorded;
  * `kouan admin tariff-load FILE` loads a version offline, both running
    servers compute with it (neither reads the tables' stamp at every use
    on PostgreSQL: they hear of the load), and a bad file is refused with
    the field at fault.

Run: KOUAN_BIN=... python3 tests/e2e/test_money.py (add
KOUAN_TEST_STORE=postgres KOUAN_TEST_PG_STATE=FILE for PostgreSQL).
"""
import json
import os
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kouan_e2e import (DEMO_USCC, KOUAN_BIN, Server, apples, check, check_problem,  # noqa: E402
                       eq, laptops, manifest_line, run_tests, sanitizer_report, utc_now)

A = Server("money-a")
B = Server("money-b")
T = {}
N = {}
CLEARED = {"decision": "cleared", "reason": "documents checked"}


def test_start():
    A.start()
    B.share(A).start()
    for user in ("trader", "trader2", "broker", "customs", "quarantine", "border",
                 "terminal", "admin", "analyst", "tax"):
        T[user] = A.login(user)


def lodge(srv, body, who, key):
    manifest_line(srv, body)  # the carrier manifested the goods first
    r = srv.call("POST", "/v1/declarations", body, token=T[who],
                 headers={"Idempotency-Key": key})
    eq(r.status, 201, "lodge %s: %r" % (key, r))
    return r.json["number"]


def decide(srv, number, agency):
    r = srv.call("POST", "/v1/declarations/%s/tasks/%s/decision" % (number, agency), CLEARED,
                 token=T[agency])
    eq(r.status, 200, "%s decides %s: %r" % (agency, number, r))
    return r.json


def status(number):
    return A.call("GET", "/v1/declarations/" + number, token=T["analyst"]).json["status"]


def cny_apples(org, bill):
    body = apples(org, bill_of_lading=bill, currency="CNY")
    body["items"][0]["unit_price"] = "13.1392"
    return body


def events(number):
    return A.call("GET", "/v1/declarations/%s/events" % number,
                  token=T["analyst"]).json["events"]


def test_assessment_shown():
    n = N["pay"] = lodge(A, cny_apples("trader2", "MONEY-E2E-1"), "trader2", "money-1")
    r = A.call("GET", "/v1/declarations/%s/assessment" % n, token=T["trader2"])
    eq(r.status, 200, "assessment: %r" % r)
    eq(r.json["status"], "assessed", "status")
    a = r.json["assessment"]
    eq(a["exchange_rate"]["cny_per_unit"], "1", "CNY needs no rate")
    item = a["items"][0]
    eq(item["customs_value_cny"], "236505.60", "customs value")
    eq(item["tariff"]["version"], "CN-2026", "tariff version")
    eq(item["duty"]["computation"], "236505.60 x 10% = 23650.56", "duty")
    eq(item["duty"]["reason"][:13], "MFN rate 10%:", "why the MFN rate")
    eq(item["vat"]["computation"], "260156.16 x 9% = 23414.05", "VAT")
    eq(a["total_due"], "47064.61", "total due")
    eq(r.json["taxes"]["outstanding"], "47064.61", "outstanding")
    # another trader, and an agency without a say on duties, cannot read it
    eq(A.call("GET", "/v1/declarations/%s/assessment" % n, token=T["trader"]).status, 404,
       "another trader")
    eq(A.call("GET", "/v1/declarations/%s/assessment" % n, token=T["quarantine"]).status, 403,
       "quarantine")
    eq(B.call("GET", "/v1/declarations/%s/assessment" % n, token=T["customs"]).status, 200,
       "customs on the other server")


def test_wrong_amount_refused_right_amount_releases():
    n = N["pay"]
    decide(A, n, "customs")
    decide(B, n, "quarantine")
    eq(status(n), "accepted", "waits for payment")
    held = [e for e in events(n) if e["type"] == "declaration.release_held"]
    eq(held[-1]["data"], {"waiting_for": "payment",
                          "reason": "awaiting payment of 47064.61 CNY: no general guarantee "
                                    "is on file"}, "release held")
    body = {"bank_reference": "ICBC-E2E-0001", "amount": "47000.00", "paid_at": utc_now()}
    r = A.call("POST", "/v1/declarations/%s/payments" % n, body, token=T["trader2"])
    check_problem(r, 400, "invalid-request", ["/amount"])
    eq(r.json["errors"][0]["problem"],
       "must equal the amount due, 47064.61 CNY; 47000.00 CNY was offered (partial and "
       "excess payments are refused)", "the amount due is named")
    eq(status(n), "accepted", "nothing changed")
    body["amount"] = "47064.61"
    r = B.call("POST", "/v1/declarations/%s/payments" % n, body, token=T["trader2"])
    eq(r.status, 201, "paid: %r" % r)
    eq(r.json["declaration_status"], "released", "released by the payment")
    eq(status(n), "released", "released")
    r = A.call("POST", "/v1/declarations/%s/payments" % n, body, token=T["trader2"])
    eq(r.status, 200, "the same payment again")
    eq(r.header("idempotent-replayed"), "true", "replayed")
    body["bank_reference"] = "ICBC-E2E-0002"
    r = A.call("POST", "/v1/declarations/%s/payments" % n, body, token=T["trader2"])
    check_problem(r, 409, None, ["/amount"])
    types = [e["type"] for e in events(n)]
    eq(types.count("duties.paid"), 1, "one payment on the timeline")
    eq(types.count("declaration.released"), 1, "released once")


def test_guarantee_path():
    g = A.call("GET", "/v1/guarantees", token=T["trader"]).json["guarantees"]
    eq(len(g), 1, "the demo trader's guarantee")
    number, before = g[0]["number"], g[0]["drawn"]
    n = lodge(A, cny_apples("trader", "MONEY-E2E-2"), "trader", "money-2")
    decide(A, n, "customs")
    decide(B, n, "quarantine")
    eq(status(n), "released", "released against the guarantee")
    drawn = [e for e in events(n) if e["type"] == "guarantee.drawn"]
    eq(drawn[0]["data"]["guarantee"], number, "drawn on")
    eq(drawn[0]["data"]["amount"], "47064.61", "amount drawn")
    after = A.call("GET", "/v1/guarantees/" + number, token=T["trader"]).json
    eq(round(float(after["drawn"]) - float(before), 2), 47064.61, "drawn down")
    r = A.call("POST", "/v1/declarations/%s/payments" % n,
               {"bank_reference": "BOC-E2E-0001", "amount": "47064.61",
                "paid_at": utc_now()}, token=T["trader"])
    eq(r.status, 201, "paid after release: %r" % r)
    eq(r.json["guarantee_restored"], "47064.61", "restored")
    eq(A.call("GET", "/v1/guarantees/" + number, token=T["trader"]).json["drawn"], before,
       "back to what it was")


def test_two_servers_never_pass_the_ceiling():
    # the broker's guarantee takes three releases of 145,600.00, not four
    r = A.call("POST", "/v1/guarantees",
               {"organisation": DEMO_USCC["broker"], "number": "G-E2E-CEILING",
                "ceiling": "450000.00", "valid_from": "2026-01-01",
                "valid_until": "2099-12-31"}, token=T["customs"])
    eq(r.status, 201, "guarantee registered: %r" % r)
    numbers = []
    for i in range(6):
        body = laptops("broker", bill_of_lading="CEIL-%d" % i, currency="CNY",
                       incoterm="CIF", freight="0", insurance="0")
        body["items"][0]["unit_price"] = "2800.00"
        numbers.append(lodge(A if i % 2 else B, body, "broker", "ceil-%d" % i))
    due = A.call("GET", "/v1/declarations/%s/assessment" % numbers[0],
                 token=T["broker"]).json["taxes"]["due"]
    eq(due, "145600.00", "VAT 13 % of 1,120,000.00")
    results = {}

    def clear(srv, number):
        r = srv.call("POST", "/v1/declarations/%s/tasks/customs/decision" % number, CLEARED,
                     token=T["customs"])
        results[number] = (r.status, r.json and r.json.get("status"))

    threads = [threading.Thread(target=clear, args=(A if i % 2 else B, n))
               for i, n in enumerate(numbers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    eq(sorted(s for s, _ in results.values()), [200] * 6, "every decision taken")
    released = [n for n in numbers if status(n) == "released"]
    eq(len(released), 3, "releases against the guarantee")
    g = A.call("GET", "/v1/guarantees/G-E2E-CEILING", token=T["broker"]).json
    eq(g["drawn"], "436800.00", "three draws")
    eq(g["available"], "13200.00", "left")
    for n in numbers:
        if n in released:
            continue
        held = [e for e in events(n) if e["type"] == "declaration.release_held"]
        eq(held[-1]["data"]["reason"],
           "awaiting payment of 145600.00 CNY: guarantee G-E2E-CEILING has 13200.00 CNY "
           "left of its 450000.00 CNY ceiling; 145600.00 CNY is needed", "why it waits")


def test_fee_catalogue_public_and_only_its_items():
    r = A.call("GET", "/v1/fees?port=CNNSA")
    eq(r.status, 200, "no token needed: %r" % r)
    eq(r.json["catalogues"][0]["id"], "CNNSA-2026", "Nansha's catalogue")
    r = A.call("GET", "/v1/fees/CNNSA-2026")
    eq(len(r.json["items"]), 12, "twelve items")
    n = N["pay"]
    r = A.call("POST", "/v1/declarations/%s/charges" % n, {"code": "DOC-FEE", "quantity": "1"},
               token=T["terminal"])
    check_problem(r, 400, "invalid-request", ["/code"])
    eq(r.json["errors"][0]["problem"],
       "'DOC-FEE' is not in the published fee catalogue CNNSA-2026 of CNNSA; only catalogue "
       "items may be charged", "the reason")
    r = B.call("POST", "/v1/declarations/%s/charges" % n, {"code": "THC-20", "quantity": "1"},
               token=T["terminal"])
    eq(r.status, 201, "a catalogue item: %r" % r)
    r = A.call("GET", "/v1/declarations/%s/charges" % n, token=T["trader2"])
    eq((len(r.json["charges"]), r.json["trader_total"]), (1, "850.00"),
       "the declarant sees its charges")


def test_refunds_refused_for_import_and_before_departure():
    imp = N["pay"]
    r = A.call("POST", "/v1/refunds",
               {"declaration_number": imp,
                "items": [{"hs_code": "0808100000", "quantity": "18000",
                           "fob_value_cny": "236505.60"}]}, token=T["trader2"])
    check_problem(r, 409, None, ["/declaration_number"])
    eq(r.json["errors"][0]["problem"], "is an import declaration: refunds are for exports",
       "an import")
    export = {
        "direction": "export", "declaration_office": "5301", "port_office": "5301",
        "declarant_uscc": DEMO_USCC["trader"], "consignee_uscc": DEMO_USCC["trader"],
        "trade_mode": "0110", "transport_mode": "4",
        "conveyance": {"name": "YUE Z H2286", "voyage": "20261122-02"},
        "bill_of_lading": "HG-MONEY-E2E-1", "trading_country": "HK",
        "destination_country": "HK", "exit_port": "CNHUG", "incoterm": "FOB",
        "currency": "CNY", "packages": 320, "gross_weight_kg": "2880.000",
        "items": [{"hs_code": "6109100000", "description": "Cotton knitted T-shirts",
                   "quantity": "9600", "unit": "011", "unit_price": "26.00",
                   "origin_country": "CN"}],
        "documents": [{"type": "invoice", "number": "HT-EX-2026-0413"}]}
    n = lodge(A, export, "trader", "money-export")
    decide(A, n, "customs")
    decide(B, n, "border")
    eq(status(n), "released", "an export pays nothing here")
    r = B.call("POST", "/v1/refunds",
               {"declaration_number": n,
                "items": [{"hs_code": "6109100000", "quantity": "9600",
                           "fob_value_cny": "249600.00"}]}, token=T["trader"])
    check_problem(r, 409, None, ["/declaration_number"])
    eq(r.json["errors"][0]["problem"], "has not left: its conveyance has not departed yet",
       "not departed")
    eq(A.call("GET", "/v1/refunds", token=T["tax"]).json["applications"], [],
       "nothing recorded")


def admin(*args):
    r = subprocess.run([KOUAN_BIN, "admin"] + list(args) + ["--db", A.db] + A.key_args,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
    err = r.stderr.decode("utf-8", "replace")
    check(sanitizer_report(err) is None, "sanitizer report from kouan admin: " + err)
    return r.returncode, r.stdout.decode(), err


def test_admin_loads_a_tariff_file():
    path = os.path.join(A.dir, "amendment.json")
    with open(path, "w") as f:
        json.dump({"id": "CN-E2E-1", "effective_from": "2099-01-01", "kind": "amendment",
                   "lines": [{"code": "0808100000", "description": "Fresh apples",
                              "mfn": {"percent": "8"}, "vat_percent": "9",
                              "export_refund_percent": "9"}]}, f)
    line = "/v1/tariff/lines/0808100000?date=2099-01-02"
    for srv in (A, B):
        r = srv.call("GET", line, token=T["analyst"])
        eq(r.status, 200, "the line before the load: %r" % r)
        check(r.json["version"]["id"] != "CN-E2E-1", "not loaded yet: %r" % r.json)
    rc, out, err = admin("tariff-load", path)
    eq(rc, 0, "tariff-load: %s" % err)
    check(out.startswith("loaded CN-E2E-1: 1 added"), "printed %r" % out)
    versions = [v["id"] for v in A.call("GET", "/v1/tariff/versions",
                                        token=T["analyst"]).json["versions"]]
    check("CN-E2E-1" in versions, "the server sees it: %r" % versions)
    # both servers built their tables before the load; each computes with
    # the new version once it hears of it (PostgreSQL: the load's
    # announcement, milliseconds; SQLite: the stamp read at each use)
    for name, srv in (("A", A), ("B", B)):
        deadline = time.monotonic() + 10
        while True:
            r = srv.call("GET", line, token=T["analyst"])
            eq(r.status, 200, "the line after the load: %r" % r)
            if r.json["version"]["id"] == "CN-E2E-1":
                break
            check(time.monotonic() < deadline,
                  "%s still computes with %r 10 s after the load" % (name, r.json["version"]))
            time.sleep(0.02)
        eq(r.json["line"]["mfn"], {"percent": "8"}, "the amended line: %r" % r.json)
    rc, out, err = admin("tariff-load", path)
    eq(rc, 1, "loaded twice")
    check("/id is taken: tariff version CN-E2E-1 is loaded already" in err, err)
    with open(path, "w") as f:
        json.dump({"id": "CN-E2E-2", "effective_from": "2099-02-01", "kind": "amendment",
                   "lines": [{"code": "0808100000", "mfn": {"percent": "8"},
                              "vat_percent": "0.09", "export_refund_percent": "9"}]}, f)
    rc, out, err = admin("tariff-load", path)
    eq(rc, 1, "refused")
    check("/lines/0/vat_percent" in err, err)


def test_stop():
    B.stop()
    A.stop()


if __name__ == "__main__":
    run_tests([test_start, test_assessment_shown, test_wrong_amount_refused_right_amount_releases,
               test_guarantee_path, test_two_servers_never_pass_the_ceiling,
               test_fee_catalogue_public_and_only_its_items,
               test_refunds_refused_for_import_and_before_departure,
               test_admin_loads_a_tariff_file, test_stop])
