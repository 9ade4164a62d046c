#!/usr/bin/env python3
"""
test_cbec.py - cross-border e-commerce on two kouan servers sharing one
database (docs/cbec.md): a buyer's annual quota counted by both at once.

What it checks:
  * the payment and the waybill of twenty orders of one buyer, each
    4,900.00 CNY, are filed; then their twenty orders arrive at the same
    moment, ten through server A and ten through server B, each completing
    its match: exactly five are accepted (5 x 4,900.00 = 24,500.00, a sixth
    would pass 26,000.00), fifteen are refused for retail with the annual
    limit's reason, and the buyer's year reads 24,500.00 on both servers;
  * a document for an order filed through A is matched by its partner
    arriving through B (pending documents are in the store, not in one
    server's memory);
  * the refused parcels hold no list entry number.

Run: KOUAN_BIN=... python3 tests/e2e/test_cbec.py (add
KOUAN_TEST_STORE=postgres KOUAN_TEST_PG_STATE=FILE for PostgreSQL).
"""
import os
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kouan_e2e import Server, check, eq, run_tests  # noqa: E402

A = Server("cbec-a")
B = Server("cbec-b")
T = {}
PLATFORM = "91440101MA5EBP0YGL"
SELLER = "91440101MA5EBC0HK1"
PAYCO = "91440101MA5EPAY0H2"
COURIER = "91440101MA5ELG01TQ"
BUYER = "440106199003071231"
N = 20


def order(no, price="4900"):
    total = price + ".00"
    return {"platform_code": PLATFORM, "platform_name": "云购全球",
            "enterprise_code": SELLER, "enterprise_name": "意大利皮具",
            "order_no": no, "mode": "9610", "customs_office": "5141",
            "buyer_name": "李娜", "buyer_id_number": BUYER, "buyer_phone": "13900139000",
            "consignee_name": "李娜", "consignee_phone": "13900139000",
            "consignee_address": "广州市白云区机场路1号", "goods_value": total,
            "freight": "0", "discount": "0", "tax_withheld": "0", "actual_paid": total,
            "lines": [{"item_name": "皮革手提包", "hs_code": "4202210000", "unit": "007",
                       "origin_country": "IT", "quantity": "1", "unit_price": price,
                       "total": total}]}


def payment(no, amount="4900.00"):
    return {"payment_code": PAYCO, "payment_name": "粤通支付", "transaction_no": "T-" + no,
            "platform_code": PLATFORM, "order_no": no, "payer_name": "李娜",
            "payer_id_number": BUYER, "amount_paid": amount,
            "paid_at": "2026-11-23T09:30:59+08:00"}


def waybill(no):
    return {"logistics_code": COURIER, "logistics_name": "南沙速运", "waybill_no": "W-" + no,
            "platform_code": PLATFORM, "order_no": no, "consignee_name": "李娜",
            "consignee_phone": "13900139000", "consignee_address": "广州市白云区机场路1号",
            "gross_weight": "1.2", "packages": 1}


def test_start():
    A.start()
    B.share(A).start()
    for user in ("platform", "payment", "courier", "customs"):
        T[user] = A.login(user)


def test_partners_meet_across_servers():
    no = "E2E-ACROSS-1"
    r = A.call("POST", "/v1/cbec/payments", payment(no, "300.00"), token=T["payment"])
    eq(r.status, 201, "payment through A: %r" % r)
    eq(r.json["status"], "pending", "waits for its partners")
    r = B.call("POST", "/v1/cbec/waybills", waybill(no), token=T["courier"])
    eq(r.status, 201, "waybill through B: %r" % r)
    r = A.call("POST", "/v1/cbec/orders", order(no, "300"), token=T["platform"])
    eq(r.status, 201, "order through A: %r" % r)
    check(r.json["status"] in ("held", "released"), "matched: %r" % r)
    check(r.json["number"], "a list entry number")


def test_quota_counted_once_by_two_servers():
    nos = ["E2E-RACE-%02d" % i for i in range(N)]
    # the buyer used 300.00 in the order above: five of 4,900.00 still fit
    for no in nos:
        eq(A.call("POST", "/v1/cbec/payments", payment(no), token=T["payment"]).status, 201,
           "payment " + no)
        eq(B.call("POST", "/v1/cbec/waybills", waybill(no), token=T["courier"]).status, 201,
           "waybill " + no)
    results = {}
    start = threading.Barrier(N)

    def send(i, no):
        srv = A if i % 2 == 0 else B
        start.wait()
        results[no] = srv.call("POST", "/v1/cbec/orders", order(no), token=T["platform"],
                               timeout=120)

    threads = [threading.Thread(target=send, args=(i, no)) for i, no in enumerate(nos)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    accepted = [no for no, r in results.items() if r.status == 201]
    refused = [no for no, r in results.items() if r.status == 409]
    eq(len(accepted) + len(refused), N, "every order answered 201 or 409: %r" %
       {no: r.status for no, r in results.items()})
    eq(len(accepted), 5, "five orders fit in the year")
    for no in refused:
        r = results[no]
        check("26,000.00 CNY annual limit" in r.json["detail"], "the reason: %r" % r)
        eq(r.json["parcel"]["status"], "refused", "refused parcel " + no)
        eq(r.json["parcel"]["number"], None, "no list entry for " + no)
    for srv in (A, B):
        q = srv.call("GET", "/v1/cbec/quota?id_number=%s&platform=%s&order_no=%s"
                     % (BUYER, PLATFORM, accepted[0]))
        eq(q.status, 200, "the buyer asks: %r" % q)
        eq(q.json["used"], "24800.00", "used: 300.00 + 5 x 4,900.00")
        eq(q.json["remaining"], "1200.00", "remaining")


def test_stop():
    B.stop()
    A.stop()


if __name__ == "__main__":
    run_tests([test_start, test_partners_meet_across_servers,
               test_quota_counted_once_by_two_servers, test_stop])
