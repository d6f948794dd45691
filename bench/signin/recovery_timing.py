#!/usr/bin/env python3
"""How long account recovery takes to answer for an ID number that has an
account and for one that has none, asked alternately (with the right date
of birth for the real one), so that a difference would show. Standard
library only. Prints one JSON line: the medians and p90s in milliseconds,
and whether every answer was the same redirect.

usage: recovery_timing.py BASE ROUNDS
"""
import http.client
import json
import statistics
import sys
import time
import urllib.parse

CSRF = "benchrecoveryxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
REAL = ("12345678", "1985-03-14")
UNKNOWN = ("99999999", "1985-03-14")


def ask(base, who, n):
    u = urllib.parse.urlparse(base)
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=30, source_address=(f"127.0.2.{n % 250 + 1}", 0))
    body = urllib.parse.urlencode(
        {"csrf": CSRF, "account_type": "citizen", "id_number": who[0], "date_of_birth": who[1]})
    headers = {"Cookie": f"__Host-tims_csrf={CSRF}", "Content-Type": "application/x-www-form-urlencoded"}
    c.connect()
    start = time.perf_counter()
    c.request("POST", "/sso/recover", body=body, headers=headers)
    r = c.getresponse()
    r.read()
    took = (time.perf_counter() - start) * 1000
    answer = (r.status, r.getheader("location"))
    c.close()
    return took, answer


def main():
    base, rounds = sys.argv[1], int(sys.argv[2])
    times = {"real": [], "unknown": []}
    answers = set()
    for n in range(rounds):
        for name, who in (("real", REAL), ("unknown", UNKNOWN)):
            took, answer = ask(base, who, 2 * n + (name == "unknown"))
            times[name].append(took)
            answers.add(answer)
    q = lambda xs, p: sorted(xs)[min(len(xs) - 1, int(p / 100 * len(xs)))]
    print(json.dumps({
        "rounds": rounds,
        "real_p50_ms": round(statistics.median(times["real"]), 2),
        "unknown_p50_ms": round(statistics.median(times["unknown"]), 2),
        "real_p90_ms": round(q(times["real"], 90), 2),
        "unknown_p90_ms": round(q(times["unknown"], 90), 2),
        "answers": sorted(str(a) for a in answers),
    }))


if __name__ == "__main__":
    main()
