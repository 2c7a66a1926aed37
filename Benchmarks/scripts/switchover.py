#!/usr/bin/env python3
"""Patroni switchovers under a mixed load (`scripts/bench --switchover`): a Patroni cluster of two
PostgreSQL 15 nodes and one etcd member on loopback (`scripts/patroni-cluster`), the demo data
migrated and seeded on the leader, and one server naming both members in `EDUQL_DATABASE_HOSTS`.
Two teachers' mark writers and eight readers (the parent diary) run while `patronictl switchover`
moves the leader back and forth. For each switchover: how long no read and no write was
answered, how many requests were refused (503 with Retry-After) and whether any other answer
came; at the end, every acknowledged mark and every answered request's audit event is looked
for on the last primary, and its audit chain is walked.

    switchover.py --eduql PATH [--switchovers 3]
"""
import argparse
import http.client
import json
import os
import secrets
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402

SCRIPT = os.path.join(bench.ROOT, "scripts", "patroni-cluster")
METRICS_TOKEN = "bench-switchover-metrics-token"


class PatroniCluster:
    """The cluster `scripts/patroni-cluster` starts, with EduQL's roles and database on it."""

    def __init__(self, directory):
        out = bench.run([sys.executable, SCRIPT, "start", directory, "--owner", str(os.getpid())])
        self.info = json.loads(out.strip().splitlines()[-1])
        self.directory = directory
        self.owner, self.server = secrets.token_hex(16), secrets.token_hex(16)
        self.ports = [self.info["nodes"][name]["port"] for name in ("node1", "node2")]
        leader = self.ports[0]
        for role, password, attributes in (("eduql_owner", self.owner, "BYPASSRLS"), ("eduql_app", self.server, "NOBYPASSRLS")):
            self.psql(leader, f"CREATE ROLE {role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE {attributes} PASSWORD '{password}'", "postgres")
        self.psql(leader, "CREATE DATABASE eduql OWNER eduql_owner", "postgres")
        self.env = dict(os.environ, EDUQL_DATA_DIR=directory,
                        DATABASE_URL=f"postgres://eduql_app:{self.server}@127.0.0.1:{leader}/eduql",
                        EDUQL_OWNER_DATABASE_URL=f"postgres://eduql_owner:{self.owner}@127.0.0.1:{leader}/eduql",
                        EDUQL_DATABASE_HOSTS=",".join(f"127.0.0.1:{port}" for port in self.ports))

    def psql(self, port, sql, user="eduql_owner", database=None):
        password = {"postgres": self.info["superuser"], "eduql_owner": getattr(self, "owner", ""), "eduql_app": getattr(self, "server", "")}[user]
        return bench.run(["psql", "-X", "-q", "-A", "-t", "-h", "127.0.0.1", "-p", str(port), "-U", user,
                          "-d", database or ("postgres" if user == "postgres" else "eduql"), "-c", sql],
                         env=dict(os.environ, PGPASSWORD=password)).strip()

    def leader(self):
        for port in self.ports:
            if self.psql(port, "SELECT pg_is_in_recovery()", "postgres") == "f":
                return port
        return None

    def switchover(self, leader, candidate):
        bench.run(["patronictl", "-c", os.path.join(self.directory, "node1.yml"), "switchover",
                   "--leader", leader, "--candidate", candidate, "--force"])

    def stop(self):
        bench.run([sys.executable, SCRIPT, "stop", self.directory], check=False)


class Load:
    """Requests on keep-alive connections, each answer noted with its time."""

    def __init__(self, port):
        self.port = port
        self.lock = threading.Lock()
        self.answers = []  # (time, write, status, retry_after, request_id, graphql_errors)
        self.acknowledged = []  # (lesson, learner, value)
        self.stop = threading.Event()

    def request(self, connection, body, token):
        try:
            connection.request("POST", "/graphql", json.dumps(body), {"content-type": "application/json", "authorization": "Bearer " + token})
            reply = connection.getresponse()
            text = reply.read()
            return reply.status, reply.getheader("Retry-After") is not None, reply.getheader("X-Request-Id"), b'"errors"' in text, connection
        except (OSError, http.client.HTTPException):
            connection.close()
            return 0, False, None, True, http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)

    def reader(self, body, token):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        while not self.stop.is_set():
            status, retry_after, request_id, errors, connection = self.request(connection, body, token)
            with self.lock:
                self.answers.append((time.monotonic(), False, status, retry_after, request_id, errors))
            time.sleep(0.01)

    def writer(self, pairs, token):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        for index, (lesson, learner) in enumerate(pairs):
            if self.stop.is_set():
                break
            value = 2 + index % 4
            body = {"query": f'mutation {{ recordMarks(lessonId: "{lesson}", marks: [{{ learnerId: "{learner}", value: {value} }}]) {{ value }} }}'}
            status, retry_after, request_id, errors, connection = self.request(connection, body, token)
            with self.lock:
                self.answers.append((time.monotonic(), True, status, retry_after, request_id, errors))
                if status == 200 and not errors:
                    self.acknowledged.append((lesson, learner, value))
            time.sleep(0.02)


def longest_gap(times, start, end):
    """The longest stretch within [start, end] with no answer at all."""
    points = [start] + sorted(t for t in times if start <= t <= end) + [end]
    return max(b - a for a, b in zip(points, points[1:]))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--eduql", required=True)
    parser.add_argument("--switchovers", type=int, default=3)
    args = parser.parse_args()
    directory = tempfile.mkdtemp(prefix="eduql-bench-patroni-")
    os.chmod(directory, 0o755)
    cluster = PatroniCluster(directory + "/cluster")
    server = None
    try:
        bench.run([args.eduql, "migrate"], env=cluster.env)
        bench.run([args.eduql, "seed", "--scale", "demo"], env=cluster.env)
        leader = cluster.ports[0]
        cluster.psql(leader, "UPDATE eduql.regions SET journal_edit_days = 60")
        accounts = json.load(open(os.path.join(directory, "cluster", "demo-accounts.json")))
        password = {a["login"]: a["password"] for a in accounts if "login" in a}
        rows = cluster.psql(leader, """
            SELECT u.login || ' ' || l.id || ' ' || e.learner_id
            FROM eduql.users u JOIN eduql.lessons l ON l.teacher_id = u.staff_id
            JOIN eduql.enrollments e ON e.class_id = l.class_id AND e.status = 'active'
            WHERE u.login IN ('teacher') AND l.held_on BETWEEN current_date - 50 AND current_date
              AND NOT EXISTS (SELECT 1 FROM eduql.marks m WHERE m.lesson_id = l.id AND m.learner_id = e.learner_id)
            ORDER BY l.held_on DESC, l.id, e.learner_id""").splitlines()
        pairs = [tuple(int(x) for x in row.split()[1:]) for row in rows]
        server = bench.Server(args.eduql, cluster, bench.free_port(), "on",
                              {"EDUQL_METRICS_TOKEN": METRICS_TOKEN})
        def token(login):
            return bench.post(server.url + "/auth/login", {"login": login, "password": password[login]})["token"]
        teacher, parent = token("teacher"), token("parent")
        diary = {"query": open(os.path.join(bench.ROOT, "queries", "parent", "diary-week.graphql")).read()}
        child = bench.post(server.url + "/graphql", {"query": "{ learners(first: 1) { edges { node { id } } } }"}, parent)["data"]["learners"]["edges"][0]["node"]["id"]
        monday = time.time() - 86400 * time.localtime().tm_wday
        diary["variables"] = {"learnerId": child, "from": time.strftime("%Y-%m-%d", time.localtime(monday)),
                              "to": time.strftime("%Y-%m-%d", time.localtime(monday + 6 * 86400))}
        load = Load(int(server.url.rsplit(":", 1)[1]))
        threads = [threading.Thread(target=load.reader, args=(diary, parent)) for _ in range(8)]
        half = len(pairs) // 2
        threads += [threading.Thread(target=load.writer, args=(pairs[:half], teacher)), threading.Thread(target=load.writer, args=(pairs[half:], teacher))]
        for thread in threads:
            thread.start()
        windows = []
        names = {cluster.ports[0]: "node1", cluster.ports[1]: "node2"}
        time.sleep(5)
        for _ in range(args.switchovers):
            current = cluster.leader()
            other = [p for p in cluster.ports if p != current][0]
            started = time.monotonic()
            cluster.switchover(names[current], names[other])
            returned = time.monotonic()
            time.sleep(8)
            windows.append((started, returned, time.monotonic()))
        load.stop.set()
        for thread in threads:
            thread.join()
        answers = load.answers
        report = []
        for number, (started, returned, end) in enumerate(windows, 1):
            inside = [a for a in answers if started <= a[0] <= end]
            reads = [a[0] for a in inside if not a[1] and a[2] == 200 and not a[5]]
            writes = [a[0] for a in inside if a[1] and a[2] == 200 and not a[5]]
            refused = sum(1 for a in inside if a[2] == 503 and a[3])
            other = sum(1 for a in inside if not (a[2] == 200 and not a[5]) and not (a[2] == 503 and a[3]))
            back = min((t for t in writes if t >= returned), default=None)
            report.append({"switchover": number, "patronictl_s": round(returned - started, 2),
                           "reads_longest_gap_s": round(longest_gap(reads, started, end), 2),
                           "writes_longest_gap_s": round(longest_gap(writes, started, end), 2),
                           "writes_back_after_patronictl_s": None if back is None else round(back - returned, 2),
                           "refused_503": refused, "other_failures": other})
        final = cluster.leader()
        acknowledged = load.acknowledged
        stored = set(cluster.psql(final, "SELECT lesson_id || '/' || learner_id || '/' || value FROM eduql.marks").split())
        lost = [a for a in acknowledged if f"{a[0]}/{a[1]}/{a[2]}" not in stored]
        answered = [a[4] for a in answers if a[2] == 200 and a[4]]
        with tempfile.NamedTemporaryFile("w", delete=False) as ids:
            ids.write("\n".join(answered))
        cluster.psql(final, "CREATE TABLE IF NOT EXISTS public.bench_answered (request_id text)")
        bench.run(["psql", "-X", "-q", "-h", "127.0.0.1", "-p", str(final), "-U", "eduql_owner", "-d", "eduql",
                   "-c", f"\\copy public.bench_answered FROM '{ids.name}'"], env=dict(os.environ, PGPASSWORD=cluster.owner))
        os.unlink(ids.name)
        missing = int(cluster.psql(final, "SELECT count(*) FROM public.bench_answered b WHERE NOT EXISTS "
                                          "(SELECT 1 FROM eduql.audit_events e WHERE e.request_id = b.request_id)"))
        chain = cluster.psql(final, "SELECT checked || ' ' || coalesce(broken_seq::text, 'intact') FROM eduql.audit_check(true)")
        print(f"Patroni switchovers under load: 8 readers (the parent diary) and 2 mark writers on one server "
              f"naming both members in EDUQL_DATABASE_HOSTS; demo data; etcd, both PostgreSQL nodes, the server and "
              f"the load on this one machine ({os.cpu_count()} cores).\n")
        print("| switchover | patronictl s | reads' longest gap s | writes' longest gap s | writes back after patronictl s | refused 503 | other failures |")
        print("| --- | --- | --- | --- | --- | --- | --- |")
        for row in report:
            print(f"| {row['switchover']} | {row['patronictl_s']} | {row['reads_longest_gap_s']} | {row['writes_longest_gap_s']} | "
                  f"{row['writes_back_after_patronictl_s']} | {row['refused_503']} | {row['other_failures']} |")
        print(f"\n{len(answers)} requests; {len(acknowledged)} writes acknowledged, {len(lost)} of them lost; "
              f"{len(answered)} answered, {missing} of them without an audit event; the audit chain: {chain} "
              f"(events walked, and intact or the first broken one).")
    finally:
        if server:
            server.stop()
        cluster.stop()


if __name__ == "__main__":
    main()
