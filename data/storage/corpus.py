#!/usr/bin/env python3
"""corpus.py - write varied declaration bodies in kouan's canonical form
(compact JSON, sorted keys) for training the declaration dictionary of
data/storage (see README.md): every field drawn from the reference lists
in data/reference or at random, so that the dictionary learns the form
(field names, code lists, number shapes), not any one declaration.

usage: corpus.py SEED COUNT OUTDIR
"""
import json
import os
import random
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")


def entries(name):
    with open(os.path.join(ROOT, "data", "reference", name + ".json"), encoding="utf-8") as f:
        return json.load(f)["entries"]


COMMODITIES = entries("commodities")
PORTS = [p for p in entries("ports") if p.get("customs_office")]
DOCUMENTS = [d["code"] for d in entries("document_types")]
INCOTERMS = [i["code"] for i in entries("incoterms")]
TRADE_MODES = [t["code"] for t in entries("trade_modes")]
COUNTRIES = "US VN AU NZ CL DE FR JP KR TH MY ID BR TR IT ES NL GB CA MX IN PE ZA NO".split()
CURRENCIES = "USD EUR JPY AUD GBP HKD KRW CNY".split()
CARRIERS = "COSU MAEU MSCU OOLU EGLV HLCU CMAU ONEY YMLU ZIMU".split()
VESSELS = ["COSCO SHIPPING ARIES", "MAERSK ESSEN", "MSC GULSUN", "OOCL HONG KONG",
           "EVER GIVEN", "CMA CGM MARCO POLO", "ONE APUS", "HMM ALGECIRAS"]
WORDS = ("cartons bags bales frozen fresh dried assorted parts for machines grade A "
         "premium bulk retail packs of 12 kg cotton steel plastic 20 ft 40 ft").split()


def decimal(lo, hi, places):
    v = random.uniform(lo, hi)
    text = f"{v:.{places}f}".rstrip("0").rstrip(".") if places else str(int(v))
    return text or "0"


def uscc():
    return "9144" + "".join(random.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(14))


def declaration():
    port = random.choice(PORTS)
    office = port["customs_office"]
    country = random.choice(COUNTRIES)
    sea = random.random() < 0.7
    items = []
    for _ in range(random.choice([1, 1, 1, 2, 2, 3, 5])):
        c = random.choice(COMMODITIES)
        items.append({"description": f"{c['name_zh']} {c['name_en'][:40]} "
                                     + " ".join(random.sample(WORDS, 3)),
                      "hs_code": c["code"], "origin_country": random.choice([country, random.choice(COUNTRIES)]),
                      "quantity": decimal(1, 50000, random.choice([0, 0, 3])), "unit": c["unit"],
                      "unit_price": decimal(0.1, 5000, 2)})
    d = {"bill_of_lading": random.choice(CARRIERS) + str(random.randrange(10**9, 10**10)),
         "consignee_uscc": uscc(), "currency": random.choice(CURRENCIES),
         "declarant_uscc": uscc(), "declaration_office": office,
         "departure_country": country, "direction": random.choice(["import"] * 4 + ["export"]),
         "documents": [{"number": f"{random.choice(['INV', 'PL', 'CO', 'PC'])}-{random.randrange(10**6)}",
                        "type": t} for t in random.sample(DOCUMENTS, random.randint(1, 4))],
         "entry_port": port["code"], "freight": decimal(0, 5000, 2),
         "gross_weight_kg": decimal(1, 30000, 3), "incoterm": random.choice(INCOTERMS),
         "insurance": decimal(0, 500, 2), "items": items, "packages": random.randint(1, 3000),
         "port_office": office, "trade_mode": random.choice(TRADE_MODES),
         "trading_country": country, "transport_mode": "2" if sea else random.choice("345")}
    if sea:
        d["containers"] = [random.choice(CARRIERS) + str(random.randrange(10**6, 10**7))
                           for _ in range(random.randint(1, 4))]
        d["conveyance"] = {"imo": str(random.randrange(9000000, 9999999)),
                           "name": random.choice(VESSELS), "voyage": f"{random.randrange(1000):03d}E"}
    else:
        d["conveyance"] = {"name": f"CZ{random.randrange(1000, 9999)}", "voyage": "202611" + f"{random.randrange(1, 31):02d}"}
    if random.random() < 0.3:
        d["advance"] = True
    return d


def main():
    seed, count, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    random.seed(seed)
    os.makedirs(out, exist_ok=True)
    for i in range(count):
        with open(os.path.join(out, f"{i:05d}.json"), "w", encoding="utf-8") as f:
            f.write(json.dumps(declaration(), sort_keys=True, separators=(",", ":"), ensure_ascii=False))


if __name__ == "__main__":
    main()
