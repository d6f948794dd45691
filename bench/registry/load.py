#!/usr/bin/env python3
"""Load benchmark data into a tims database that `tims serve` has already
created (schema and demo data): N vehicles for the inquiry benchmark, and
P bench people (sign-on accounts and registry parties), each owning two
vehicles, for the transfer benchmark.

    load.py --sqlite data/tims.db --vehicles 1000000 --people 1000
    load.py --sql --vehicles 2000 --people 1000 | psql URL     # PostgreSQL

Bench people are citizens with ID numbers 70000000 + i and phones
+2547010xxxxx, and the demo password; their sign-on accounts copy the demo
citizen's password hash, so no hashing happens here. Registration numbers
run KAA 000A, KAA 001A, ... in a fixed order; vehicles of bench people
come first so the transfer benchmark knows them: person i owns the vehicles
numbered 2i and 2i + 1. It prints the first few registration numbers and a
summary on stderr.
"""
import argparse
import sqlite3
import string
import sys
import time

LETTERS = string.ascii_uppercase
DEMO_ID = "12345678"


def reg_no(n: int) -> str:
    """The n-th private registration number: K + two letters, three digits, a
    letter, from KEA 000A on (the demo data uses KA*, KC* and KD*)."""
    n += 4 * 26 * 26 * 1000
    digits = n % 1000
    n //= 1000
    last = LETTERS[n % 26]
    n //= 26
    second = LETTERS[n % 26]
    n //= 26
    first = LETTERS[n % 26]
    if n >= 26:
        raise ValueError("too many vehicles for the private series")
    return f"K{first}{second} {digits:03d}{last}"


def vin(n: int) -> str:
    return f"BNCH{n:013d}"


MAKES = [("Toyota", "Axio", 1490), ("Nissan", "Note", 1198), ("Mazda", "Demio", 1348), ("Subaru", "Forester", 1995),
         ("Toyota", "Prado", 2982), ("Honda", "Fit", 996), ("Mercedes-Benz", "E 300", 2996), ("Isuzu", "D-Max", 2499)]
COLOURS = ["White", "Silver", "Black", "Blue", "Red", "Grey"]


def person(i: int):
    return f"{70000000 + i}", f"+2547010{i:05d}", f"Bench Person {i}"


def rows(args, pw_hash, now):
    """Yield (table, columns, values) rows in load order."""
    for i in range(args.people):
        idn, phone, name = person(i)
        yield ("sso_accounts",
               "id, account_type, id_number, full_name, phone, phone_verified_at, password_hash, sms_alerts, created_at, updated_at",
               (f"bench-acct-{i}", "citizen", idn, name, phone, now, pw_hash, 1, now, now))
        yield ("reg_parties", "id, kind, doc_type, doc_number, name, phone, sms_alerts, created_at, updated_at",
               (f"bench-party-{i}", "person", "citizen", idn, name, phone, 1, now, now))
    owners = max(1, args.owners)
    for n in range(args.vehicles):
        make, model, cc = MAKES[n % len(MAKES)]
        yield ("reg_vehicles",
               "id, reg_no, chassis_no, engine_no, make, model, body, colour, year, class, engine_cc, trailer_wheels, "
               "logbook_serial, status, version, created_at, updated_at",
               (f"bench-veh-{n}", reg_no(n), vin(n), f"BE{n:09d}", make, model, "Saloon", COLOURS[n % len(COLOURS)],
                2005 + n % 20, "motor_vehicle", cc, None, f"BL{n:09d}", "active", 0, now, now))
        if n < 2 * args.people:
            owner = f"bench-party-{n // 2}"
        else:
            owner = f"bench-owner-{n % owners}"
        yield ("reg_vehicle_owners", "vehicle_id, party_id, role, since", (f"bench-veh-{n}", owner, "owner", now))


def other_owners(args, now):
    for k in range(max(1, args.owners)):
        yield ("reg_parties", "id, kind, doc_type, doc_number, name, phone, sms_alerts, created_at, updated_at",
               (f"bench-owner-{k}", "person", "citizen", f"{80000000 + k}", f"Owner {k}", None, 0, now, now))


def sql_literal(v):
    if v is None:
        return "NULL"
    if isinstance(v, int):
        return str(v)
    return "'" + str(v).replace("'", "''") + "'"


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sqlite", help="path of the SQLite database to load")
    p.add_argument("--sql", action="store_true", help="print portable SQL instead (for psql)")
    p.add_argument("--vehicles", type=int, default=1_000_000)
    p.add_argument("--people", type=int, default=1000)
    p.add_argument("--owners", type=int, default=100_000, help="other owners the rest of the vehicles belong to")
    p.add_argument("--password-hash", help="the demo citizen's hash (read from the SQLite file when not given)")
    args = p.parse_args()
    if args.vehicles < 2 * args.people:
        sys.exit("--vehicles must be at least twice --people")
    now = int(time.time() * 1000)
    started = time.time()
    if args.sqlite:
        db = sqlite3.connect(args.sqlite, isolation_level=None)
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = NORMAL")
        pw_hash = args.password_hash or db.execute(
            "SELECT password_hash FROM sso_accounts WHERE id_number = ?", (DEMO_ID,)).fetchone()[0]
        db.execute("BEGIN")
        batch = {}
        def flush():
            for (table, cols), vals in batch.items():
                marks = ", ".join("?" for _ in cols.split(","))
                db.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", vals)
            batch.clear()
        count = 0
        for table, cols, vals in list(other_owners(args, now)):
            batch.setdefault((table, cols), []).append(vals)
        for table, cols, vals in rows(args, pw_hash, now):
            batch.setdefault((table, cols), []).append(vals)
            count += 1
            if count % 50_000 == 0:
                flush()
        flush()
        db.execute("COMMIT")
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        db.execute("ANALYZE")
        db.close()
    elif args.sql:
        if not args.password_hash:
            sys.exit("--sql needs --password-hash")
        out = sys.stdout
        out.write("BEGIN;\n")
        pending = {}
        def flush_sql():
            for (table, cols), vals in pending.items():
                out.write(f"INSERT INTO {table} ({cols}) VALUES\n")
                out.write(",\n".join("(" + ", ".join(sql_literal(v) for v in r) + ")" for r in vals))
                out.write(";\n")
            pending.clear()
        count = 0
        for table, cols, vals in other_owners(args, now):
            pending.setdefault((table, cols), []).append(vals)
        flush_sql()
        for table, cols, vals in rows(args, args.password_hash, now):
            pending.setdefault((table, cols), []).append(vals)
            count += 1
            if count % 5_000 == 0:
                flush_sql()
        flush_sql()
        out.write("COMMIT;\nANALYZE;\n")
    else:
        sys.exit("give --sqlite PATH or --sql")
    print(f"loaded {args.vehicles} vehicles and {args.people} bench people in {time.time() - started:.1f} s; "
          f"first registration numbers: {reg_no(0)}, {reg_no(1)}, last: {reg_no(args.vehicles - 1)}", file=sys.stderr)


if __name__ == "__main__":
    main()
