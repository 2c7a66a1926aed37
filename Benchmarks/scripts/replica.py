#!/usr/bin/env python3
"""The parent diary with a streaming replica against the primary alone, on the bench data
(`scripts/bench --replica`): a standby of the bench cluster made once with `pg_basebackup -R`
(kept in `.data-bench-replica`), two servers over the same primary — one reading from the
standby too — and interleaved rounds of the diary rotating over the bench parents and weeks,
each server's read split by endpoint from its metrics.

    replica.py --eduql PATH [--data-dir .data-bench] [--pg-port 5434]
"""
import datetime
import json
import os
import random
import re
import subprocess
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402

SECONDS, ROUNDS, CONNECTIONS = 20, 3, 16
REPLICA_PORT = 5436
METRICS_TOKEN = "bench-replica-metrics-token"


def as_postgres(command):
    return ["/usr/sbin/runuser", "-u", "postgres", "--"] + command if os.geteuid() == 0 else command


def standby(cluster):
    """The standby's data folder, made from the bench cluster once, and started."""
    folder = os.path.join(bench.ROOT, ".data-bench-replica")
    data = os.path.join(folder, "pg")
    binaries = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True).stdout.strip() or "/usr/lib/postgresql/15/bin"
    if not os.path.exists(os.path.join(data, "PG_VERSION")):
        os.makedirs(folder, exist_ok=True)
        os.chmod(folder, 0o755)
        os.makedirs(data, mode=0o700)
        if os.geteuid() == 0:
            subprocess.run(["chown", "postgres:postgres", data], check=True)
        superuser = cluster.credentials()["superuser"]
        print("making the standby (pg_basebackup of the bench data)…", file=sys.stderr)
        bench.run(as_postgres([binaries + "/pg_basebackup", "-d", f"host=127.0.0.1 port={cluster.pg_port} user=postgres",
                               "-D", data, "-R", "-X", "stream", "-c", "fast"]), env=dict(os.environ, PGPASSWORD=superuser))
    status = subprocess.run(as_postgres([binaries + "/pg_ctl", "status", "-D", data]), capture_output=True)
    if status.returncode != 0:
        bench.run(as_postgres([binaries + "/pg_ctl", "start", "-w", "-t", "300", "-D", data, "-l", os.path.join(data, "server.log"),
                               "-o", f"-p {REPLICA_PORT} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c hot_standby=on "
                                     "-c archive_mode=off"]))
    return binaries, data


def metric(server, name, label):
    request = urllib.request.Request(server.url + "/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    text = urllib.request.urlopen(request, timeout=10).read().decode()
    line = next((l for l in text.splitlines() if l.startswith(name + "{") and label in l), None)
    return float(line.rsplit(" ", 1)[1]) if line else 0.0


def main():
    args, cluster = bench.bench_data()
    accounts_file = os.path.join(args.data_dir, "bench-accounts.json")
    bench.run([args.eduql, "bench", "accounts", "--password", bench.PASSWORD, "--output", accounts_file], env=cluster.env)
    accounts = [a for a in json.load(open(accounts_file)) if a["role"] == "parent"]
    binaries, data = standby(cluster)
    server_password = cluster.credentials()["server"]
    replica_url = f"postgres://eduql_app:{server_password}@127.0.0.1:{REPLICA_PORT}/eduql"
    alone = bench.Server(args.eduql, cluster, bench.free_port(), "on", {"EDUQL_METRICS_TOKEN": METRICS_TOKEN})
    paired = bench.Server(args.eduql, cluster, bench.free_port(), "on",
                          {"EDUQL_METRICS_TOKEN": METRICS_TOKEN, "EDUQL_REPLICA_URLS": replica_url})
    sessions = {a["login"]: bench.post(alone.url + "/auth/login", {"login": a["login"], "password": bench.PASSWORD})["token"] for a in accounts}
    first_day, last_day = cluster.psql("SELECT min(held_on), max(held_on) FROM eduql.lessons").split("|")
    start = datetime.date.fromisoformat(first_day)
    start -= datetime.timedelta(days=start.weekday())
    weeks = max(1, (datetime.date.fromisoformat(last_day) - start).days // 7)
    document = open(os.path.join(bench.ROOT, "queries", bench.DOCUMENTS["diary"])).read()
    rng = random.Random(1)
    lines = []
    for account in accounts:
        monday = start + datetime.timedelta(days=7 * rng.randrange(weeks))
        lines.append((sessions[account["login"]], {"query": document, "variables": {
            "learnerId": str(account["learnerId"]), "from": monday.isoformat(), "to": (monday + datetime.timedelta(days=6)).isoformat()}}))
    # Wait until the paired server takes the standby, then warm both up.
    for _ in range(300):
        if metric(paired, "eduql_replica_healthy", "replica1") == 1:
            break
        time.sleep(0.1)
    for server in (alone, paired):
        bench.wrk(server.url, lines, 5, CONNECTIONS, "warm-up")
    results = {"alone": [], "paired": []}
    before = {endpoint: metric(paired, "eduql_reads_total", f'"{endpoint}"') for endpoint in ("primary", "replica1")}
    for _ in range(ROUNDS):
        for name, server in (("alone", alone), ("paired", paired)):
            results[name].append(bench.wrk(server.url, lines, SECONDS, CONNECTIONS, f"diary, {name}"))
    after = {endpoint: metric(paired, "eduql_reads_total", f'"{endpoint}"') for endpoint in ("primary", "replica1")}
    lag = metric(paired, "eduql_replica_lag_seconds", "replica1")
    cpu = os.cpu_count()
    print(f"Diary, rotating over {len(lines)} parents and {weeks} weeks, {CONNECTIONS} connections, {ROUNDS} interleaved rounds of {SECONDS} s, "
          f"{cpu} cores; the primary, the standby and both servers on this one machine.\n")
    print("| server | req/s (median) | p50 ms | p99 ms | reads on the replica |")
    print("| --- | --- | --- | --- | --- |")
    for name in ("alone", "paired"):
        rows = results[name]
        share = ""
        if name == "paired":
            served = {k: after[k] - before[k] for k in after}
            share = f"{100 * served['replica1'] / max(1, sum(served.values())):.0f} %"
        print(f"| {'primary alone' if name == 'alone' else 'primary + 1 replica'} | {bench.median([r['rate'] for r in rows]):.0f} | "
              f"{bench.median([r['p50'] for r in rows]):.1f} | {bench.median([r['p99'] for r in rows]):.1f} | {share} |")
    ratio = bench.median([r["rate"] for r in results["paired"]]) / bench.median([r["rate"] for r in results["alone"]])
    print(f"\nwith a replica ÷ alone: {ratio:.2f}; the replica's last measured lag {lag:.3f} s")
    bench.run(as_postgres([binaries + "/pg_ctl", "stop", "-D", data, "-m", "fast"]))


if __name__ == "__main__":
    try:
        main()
    finally:
        for server in bench.SERVERS:
            server.stop()
