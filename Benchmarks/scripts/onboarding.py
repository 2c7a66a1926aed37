#!/usr/bin/env python3
"""Onboarding's benchmark (run through `scripts/bench --onboarding`).

On the bench data set (the cluster under .data-bench that scripts/bench uses): exports one
municipality and the whole region with `eduql export`, and makes one school of about 1,000
learners from the municipality's files (the bench data's schools have 231 learners at most: the
largest schools' staff, classes, learners, guardians and timetable become one school's, each
school's classes under letters of their own),
imports each into a new, empty database of the same cluster with `eduql import` (the school
with a dry run first), timing each run and reading the importer's peak resident memory (the
import streams its CSV files, so the municipality and the region should need about the same),
then rolls the imported region over into the next academic year with `eduql rollover`, and
checks that a second import of the region changes nothing. Prints a Markdown report for
Benchmarks/RESULTS.md.
"""
import csv
import datetime
import os
import platform
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench import ROOT, bench_data, run  # noqa: E402


def timed(command, env):
    """Runs `command`; its wall time in seconds and its output."""
    started = time.monotonic()
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    output, errors = process.communicate()
    elapsed = time.monotonic() - started
    if process.returncode != 0:
        sys.exit(f"`{' '.join(command)}` failed ({process.returncode}):\n{output[-3000:]}\n{errors[-3000:]}")
    return elapsed, output


def measured(command, env):
    """As `timed`, with the peak resident memory from GNU time (MiB)."""
    with tempfile.NamedTemporaryFile(prefix="eduql-time-", suffix=".txt") as report:
        elapsed, output = timed(["/usr/bin/time", "-f", "%M", "-o", report.name] + command, env)
        peak = int(open(report.name).read().split()[-1]) / 1024
    return elapsed, peak, output


def read_sheet(folder, name):
    """The header and rows of an exported sheet (UTF-8 with a BOM, `;`-separated)."""
    with open(os.path.join(folder, name + ".csv"), encoding="utf-8-sig", newline="") as file:
        rows = list(csv.reader(file, delimiter=";"))
    return rows[0], [dict(zip(rows[0], row)) for row in rows[1:]]


def write_sheet(folder, name, header, rows):
    with open(os.path.join(folder, name + ".csv"), "w", encoding="utf-8-sig", newline="") as file:
        writer = csv.writer(file, delimiter=";", lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows([[row[column] for column in header] for row in rows])


def one_school(municipality, folder, learners=1000):
    """Files of one school of at least `learners` learners, made from the largest schools of a
    municipality's export: their people, classes and timetable moved to the first of them, the
    classes of the n-th school lettered with the n-th letter. The number of its learners."""
    os.makedirs(folder)
    _, organizations = read_sheet(municipality, "organizations")
    _, everyone = read_sheet(municipality, "learners")
    schools = [o["id"] for o in organizations if o["kind"] == "school" and not o["parent_id"]]
    sizes = {school: sum(1 for learner in everyone if learner["organization_id"] == school) for school in schools}
    chosen = []
    for school in sorted(schools, key=lambda school: -sizes[school]):
        if sum(sizes[s] for s in chosen) >= learners:
            break
        chosen.append(school)
    target = chosen[0]
    letters = "АБВГДЕЖИКЛМН"
    for name in ["municipalities", "years", "subjects"]:
        write_sheet(folder, name, *read_sheet(municipality, name))
    header, rows = read_sheet(municipality, "organizations")
    write_sheet(folder, "organizations", header, [row for row in rows if row["id"] == target])
    kept = {}
    for name in ["staff", "classes", "learners"]:
        header, rows = read_sheet(municipality, name)
        rows = [row for row in rows if row["organization_id"] in chosen]
        for row in rows:
            if name == "classes" and row["kind"] == "class":
                row["letter"] = letters[chosen.index(row["organization_id"])]
                row["name"] = row["grade"] + row["letter"]
            row["organization_id"] = target
        kept[name] = {row["id"] for row in rows}
        write_sheet(folder, name, header, rows)
    header, links = read_sheet(municipality, "guardian_links")
    links = [link for link in links if link["learner_id"] in kept["learners"]]
    write_sheet(folder, "guardian_links", header, links)
    guardians = {link["guardian_id"] for link in links}
    header, rows = read_sheet(municipality, "guardians")
    write_sheet(folder, "guardians", header, [row for row in rows if row["id"] in guardians])
    for name in ["enrollments", "teaching_assignments", "timetable"]:
        header, rows = read_sheet(municipality, name)
        write_sheet(folder, name, header, [row for row in rows if row["class_id"] in kept["classes"]])
    return len(kept["learners"])


def main():
    args, cluster = bench_data()
    code = cluster.psql("SELECT code FROM eduql.regions WHERE id = 1")
    municipality = cluster.psql("""SELECT municipality_id FROM eduql.learners WHERE region_id = 1 GROUP BY 1
                                   ORDER BY count(*) DESC, municipality_id LIMIT 1""")
    credentials = cluster.credentials()
    work = tempfile.mkdtemp(prefix="eduql-onboarding-")

    def export(name, scope):
        folder = os.path.join(work, name)
        elapsed, _ = timed([args.eduql, "export", "--region", "1", "--out", folder] + scope, cluster.env)
        return folder, elapsed

    def empty_database(name):
        """A new database of the same cluster, migrated, with an empty region of the same code; its env."""
        cluster.psql(f"DROP DATABASE IF EXISTS {name}", user="postgres")
        cluster.psql(f"CREATE DATABASE {name} OWNER eduql_owner", user="postgres")
        url = f"postgres://eduql_owner:{credentials['owner']}@127.0.0.1:{args.pg_port}/{name}?sslmode=disable"
        env = dict(cluster.env, DATABASE_URL=url, EDUQL_OWNER_DATABASE_URL=url, LOG_LEVEL="error")
        run([args.eduql, "migrate"], env=env)
        run([args.eduql, "region", "create", "--code", code, "--name", "bench"], env=env)
        return env

    def rows(output):
        # The last line: "imported: N created, N updated, N unchanged" (or the dry run's).
        return output.strip().splitlines()[-1]

    results = []
    try:
        municipality_folder, municipality_exported = export("municipality", ["--municipality", municipality])
        folder = os.path.join(work, "school")
        learners = one_school(municipality_folder, folder)
        env = empty_database("onboarding_school")
        dry, dry_peak, dry_output = measured([args.eduql, "import", "--region", "1", "--dry-run", folder], env)
        real, real_peak, real_output = measured([args.eduql, "import", "--region", "1", folder], env)
        results.append((f"one school ({learners} learners, from the municipality's largest schools): dry run ({rows(dry_output)})",
                        dry, dry_peak, "dry run + import ≤ 10 s"))
        results.append((f"one school: import ({rows(real_output)})", real, real_peak, f"together {dry + real:.1f} s"))

        for name, scope in [("municipality", ["--municipality", municipality]), ("region", [])]:
            folder, exported = (municipality_folder, municipality_exported) if name == "municipality" else export(name, scope)
            learners = int(run(["wc", "-l", os.path.join(folder, "learners.csv")]).split()[0]) - 1
            env = empty_database(f"onboarding_{name}")
            elapsed, peak, output = measured([args.eduql, "import", "--region", "1", folder], env)
            results.append((f"{name} ({learners} learners): export", exported, None, "—"))
            results.append((f"{name}: import ({rows(output)})", elapsed, peak, "region ≤ 10 min, memory flat across sizes"))
        again, again_peak, again_output = measured([args.eduql, "import", "--region", "1", folder], env)
        results.append((f"region: the same files again ({rows(again_output)})", again, again_peak, "nothing changes"))
        year = run(["psql", "-X", "-A", "-t", "-h", "127.0.0.1", "-p", str(args.pg_port), "-U", "eduql_owner", "-d", "onboarding_region",
                               "-c", "SELECT name FROM eduql.academic_years ORDER BY starts_on DESC LIMIT 1"],
                              env=dict(os.environ, PGPASSWORD=credentials["owner"])).strip()
        start = int(year[:4]) + 1
        run(["psql", "-X", "-q", "-h", "127.0.0.1", "-p", str(args.pg_port), "-U", "eduql_owner", "-d", "onboarding_region", "-c",
             f"INSERT INTO eduql.academic_years (region_id, name, starts_on, ends_on) VALUES (1, '{start}/{start + 1}', '{start}-09-01', '{start + 1}-08-31')"],
            env=dict(os.environ, PGPASSWORD=credentials["owner"]))
        elapsed, peak, output = measured([args.eduql, "rollover", "--region", "1", "--from", year, "--to", f"{start}/{start + 1}",
                                          "--order", "bench", "--override", "the bench data has no year marks", "--copy-assignments"], env)
        organizations = len([line for line in output.splitlines() if line.startswith("organization ")])
        results.append((f"region: rollover {year} → {start}/{start + 1} ({organizations} organizations)", elapsed, peak, "≤ 2 min"))
    finally:
        for name in ["onboarding_school", "onboarding_municipality", "onboarding_region"]:
            cluster.psql(f"DROP DATABASE IF EXISTS {name}", user="postgres")
        run(["rm", "-rf", work])

    commit = run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"]).strip()
    machine = f"{platform.node()}: {os.cpu_count()} cores, {os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') // 2**30} GiB"
    print(f"## {datetime.date.today().isoformat()} · onboarding · commit {commit} · {machine} · "
          f"{cluster.psql('SHOW server_version')}")
    print()
    print("Release build, `eduql export` / `eduql import` / `eduql rollover` on the bench data set, each import into a new empty database")
    print("of the same cluster; wall time of the whole command, peak resident memory of the eduql process (GNU time).")
    print()
    print("| run | seconds | peak RSS (MiB) | target |")
    print("|---|---:|---:|---|")
    for name, seconds, peak, target in results:
        print(f"| {name} | {seconds:.1f} | {'—' if peak is None else f'{peak:.0f}'} | {target} |")


if __name__ == "__main__":
    main()
