#!/usr/bin/env python3
"""The real people beside the flood: once a second a different bench person
signs in (password, then the SMS code read from the development SMS list,
then the code) from an address of their own, while /healthz is asked every 100 ms
from a third address and the server's memory is sampled. Standard library
only. Prints one JSON line of figures.

With --known, each person first signs in once before the flood, so that
during it they sign in from a browser the account knows (as most people
do, from their own phone).

usage: person.py BASE SERVER_PID SECONDS PEOPLE READY_FILE [--known]
"""
import http.client
import json
import re
import sys
import threading
import time
import urllib.parse

PASSWORD = "kenya-demo-1"
CSRF = "benchpersonxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"


def person(i):
    # As bench/registry/load.py makes them.
    return f"{70000000 + i}", f"+2547010{i:05d}"


class Conn:
    """One browser: its own connection from `source`, and its cookies."""

    def __init__(self, base, source):
        u = urllib.parse.urlparse(base)
        self.host, self.port, self.source = u.hostname, u.port, source
        self.cookies = {"__Host-tims_csrf": CSRF}

    def request(self, method, path, form=None):
        c = http.client.HTTPConnection(self.host, self.port, timeout=30, source_address=(self.source, 0))
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urllib.parse.urlencode({"csrf": CSRF, **form})
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        c.request(method, path, body=body, headers=headers)
        r = c.getresponse()
        data = r.read()
        for h, v in r.getheaders():
            if h.lower() == "set-cookie":
                k, _, rest = v.partition("=")
                self.cookies[k] = rest.split(";", 1)[0]
        c.close()
        return r.status, data


def code_for(conn, phone, seen):
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        status, data = conn.request("GET", "/sso/dev/sms.json?to=" + urllib.parse.quote(phone))
        if status == 200:
            msgs = json.loads(data)
            if len(msgs) > seen:
                m = re.search(r"\b(\d{6})\b", msgs[0]["body"])
                if m:
                    return m.group(1)
        time.sleep(0.05)
    raise RuntimeError(f"no code reached {phone}")


def sign_in(base, i, cookies=None):
    idn, phone = person(i)
    # Each person from a network of their own, as real people are.
    b = Conn(base, f"127.0.1.{i % 250 + 1}")
    b.cookies.update({k: v for k, v in (cookies or {}).items() if k != "__Host-tims_session"})
    _, data = b.request("GET", "/sso/dev/sms.json?to=" + urllib.parse.quote(phone))
    seen = len(json.loads(data))
    start = time.monotonic()
    status, body = b.request("POST", "/sso/signin", {"account_type": "citizen", "id_number": idn, "password": PASSWORD})
    if status != 303:
        return time.monotonic() - start, f"password step answered {status}: {body[:200]!r}", b.cookies
    code = code_for(b, phone, seen)
    status, body = b.request("POST", "/sso/signin/code", {"code": code})
    took = time.monotonic() - start
    if status != 303:
        return took, f"code step answered {status}: {body[:200]!r}", b.cookies
    status, _ = b.request("GET", "/sso/")
    known = "__Host-tims_device" in b.cookies
    return took, None if status == 200 and known else f"account page answered {status}, device cookie {known}", b.cookies


def main():
    base, pid, seconds, people, ready_file = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
    devices = {}
    if "--known" in sys.argv[6:]:
        for i in range(people):
            _, failure, cookies = sign_in(base, i)
            if failure:
                sys.exit(f"warm-up sign-in of person {i}: {failure}")
            devices[i] = cookies
    # Tell the script the flood may start (it waits for this file).
    with open(ready_file, "w") as f:
        f.write("ready\n")
    stop = threading.Event()
    health = {"asked": 0, "ok": 0, "worst_ms": 0.0}
    memory = {"peak_rss_kb": 0}

    def healthz():
        h = Conn(base, "127.0.0.3")
        while not stop.is_set():
            t = time.monotonic()
            try:
                status, _ = h.request("GET", "/healthz")
            except OSError:
                status = 0
            health["asked"] += 1
            health["ok"] += status == 200
            health["worst_ms"] = max(health["worst_ms"], (time.monotonic() - t) * 1000)
            stop.wait(0.1)

    def rss():
        while not stop.is_set():
            try:
                with open(f"/proc/{pid}/status") as f:
                    for line in f:
                        if line.startswith("VmRSS:"):
                            memory["peak_rss_kb"] = max(memory["peak_rss_kb"], int(line.split()[1]))
            except OSError:
                pass
            stop.wait(0.1)

    threads = [threading.Thread(target=healthz), threading.Thread(target=rss)]
    for t in threads:
        t.start()
    results, failures = [], []
    begin = time.monotonic()
    i = 0
    while time.monotonic() - begin < seconds and i < people:
        due = begin + i
        time.sleep(max(0.0, due - time.monotonic()))
        try:
            took, failure, _ = sign_in(base, i, devices.get(i))
        except Exception as e:  # a failed sign-in is a figure, not a crash
            took, failure = float("nan"), f"{type(e).__name__}: {e}"
        results.append(took)
        if failure:
            failures.append(f"person {i}: {failure}")
        i += 1
    stop.set()
    for t in threads:
        t.join()
    ok = sorted(r for r in results if r == r)
    pct = lambda p: ok[min(len(ok) - 1, int(round(p / 100 * (len(ok) - 1))))] * 1000 if ok else float("nan")
    print(json.dumps({
        "sign_ins": len(results), "failed": len(failures), "failures": failures[:5],
        "p50_ms": round(pct(50), 1), "p99_ms": round(pct(99), 1), "max_ms": round(ok[-1] * 1000, 1) if ok else None,
        "healthz_asked": health["asked"], "healthz_ok": health["ok"], "healthz_worst_ms": round(health["worst_ms"], 1),
        "peak_rss_kb": memory["peak_rss_kb"],
    }))


if __name__ == "__main__":
    main()
