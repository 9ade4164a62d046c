#!/usr/bin/env python3
"""
test_simulate.py - `kouan simulate`: a port's declarations on a virtual
clock through the real kouan, in a throw-away database.

What it checks:
  * the same scenario and seed give the same figures, exactly (two runs);
  * with agencies working one after the other (parallel off) the import
    median is longer than with both working at once, everything else the
    same, and the report says by how much;
  * office hours make it longer still;
  * a scenario with a wrong setting is refused (exit 2) naming it, an
    unknown setting too; no temporary database is left behind.

(It needs no server and no PostgreSQL: a simulation always runs on its own
SQLite file.)

Run: KOUAN_BIN=... python3 tests/e2e/test_simulate.py
"""
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kouan_e2e import KOUAN_BIN, check, eq, run_tests, sanitizer_report  # noqa: E402

DIR = tempfile.mkdtemp(prefix="kouan-e2e-simulate-")
BASE = {"seed": 11, "days": 3, "declarations_per_day": 20,
        "officers": {"customs": 2, "quarantine": 2},
        "review_minutes": {"customs": 30, "quarantine": 30},
        "automatic_release": False}


def scenario(name, **over):
    s = dict(BASE)
    s.update(over)
    path = os.path.join(DIR, name + ".json")
    with open(path, "w") as f:
        json.dump(s, f)
    return path


def simulate(*args):
    env = dict(os.environ)
    env["TMPDIR"] = DIR
    r = subprocess.run([KOUAN_BIN, "simulate"] + list(args), env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=600)
    r.stdout = r.stdout.decode("utf-8", "replace")
    r.stderr = r.stderr.decode("utf-8", "replace")
    check(sanitizer_report(r.stderr) is None, "sanitizer report: " + r.stderr)
    return r


def figures(*paths):
    r = simulate(*paths, "--json")
    eq(r.returncode, 0, "simulate exit: " + r.stderr)
    return json.loads(r.stdout)


def test_same_seed_same_figures():
    p = scenario("parallel")
    one, two = figures(p), figures(p)
    eq(one, two, "two runs of one scenario")
    check(one[0]["declarations"] > 40, "declarations lodged: %r" % one[0]["declarations"])
    eq(one[0]["import"]["total"]["count"], one[0]["declarations"], "every one released")
    check(not glob.glob(os.path.join(DIR, "kouan-simulate-*")), "temporary databases removed")


def test_serial_is_slower_and_the_report_says_by_how_much():
    p, s = scenario("parallel"), scenario("serial", parallel=False)
    runs = figures(p, s)
    par, ser = runs[0]["import"]["total"], runs[1]["import"]["total"]
    eq(runs[0]["declarations"], runs[1]["declarations"], "the same arrivals in both runs")
    check(ser["median_s"] > par["median_s"],
          "serial median %d s against parallel %d s" % (ser["median_s"], par["median_s"]))
    r = simulate(p, s)
    eq(r.returncode, 0, "report: " + r.stderr)
    line = [ln for ln in r.stdout.splitlines() if "total median" in ln][0]
    d = ser["median_s"] - par["median_s"]
    want = "+%dh%02dm (%+.1f%%)" % (d // 3600, d % 3600 // 60, 100.0 * d / par["median_s"])
    check(want in line, "%r in %r" % (want, line))
    check("serial, no automatic release, 7x24" in r.stdout, "run described: " + r.stdout)
    o = figures(scenario("office", parallel=False, office_hours=True))
    check(o[0]["import"]["total"]["median_s"] > ser["median_s"], "office hours are slower")


def test_bad_scenarios():
    r = simulate(scenario("bad", days=0))
    eq(r.returncode, 2, "days 0")
    check("/days" in r.stderr, "names /days: " + r.stderr)
    r = simulate(scenario("unknown", inspectors=3))
    eq(r.returncode, 2, "unknown setting")
    check("/inspectors is not a scenario setting" in r.stderr, r.stderr)
    r = simulate(os.path.join(DIR, "missing.json"))
    eq(r.returncode, 2, "a missing file")


def test_clean_up():
    shutil.rmtree(DIR)


if __name__ == "__main__":
    run_tests([test_same_seed_same_figures, test_serial_is_slower_and_the_report_says_by_how_much,
               test_bad_scenarios, test_clean_up])
