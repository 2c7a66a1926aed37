#!/usr/bin/env python3
"""The statistical forms' benchmark (run through `scripts/bench --forms`).

On the bench data set (the cluster under .data-bench that scripts/bench uses), in PostgreSQL as
the server's role (`eduql_app`, under row-level security) with the tenancy the server would
set, timed by psql: ОО-1 computed for the region's largest school (five times; the median and
the slowest), every organization's form of the region computed once (ОО-1 for the schools,
85-К for the kindergartens) with the region's tenancy, and the region's consolidated ОО-1 over
them once accepted (the statement `consolidatedStatisticalForm` runs). HTTP and the GraphQL
layer are not in these numbers. Prints a Markdown report for Benchmarks/RESULTS.md.
"""
import datetime
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench import ROOT, bench_data, run  # noqa: E402


def timings(cluster, script):
    """Runs a psql script as the server's role; the milliseconds psql's \\timing printed, in order."""
    with tempfile.NamedTemporaryFile("w", prefix="eduql-forms-", suffix=".sql", delete=False) as file:
        file.write("\\timing on\n" + script)
    env = dict(os.environ, PGPASSWORD=cluster.credentials()["server"])
    output = run(["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", str(cluster.pg_port), "-U", "eduql_app",
                  "-d", "eduql", "-f", file.name], env=env)
    os.unlink(file.name)
    return [float(value) for value in re.findall(r"Time: ([0-9.]+) ms", output)]


def main():
    args, cluster = bench_data()
    today = datetime.date.today()
    # The forms of the bench data's academic year: ОО-1 as of its 20 September, 85-К as of 31 December.
    year = int(cluster.psql("SELECT extract(year FROM max(starts_on))::int FROM eduql.academic_years WHERE region_id = 1"))
    school, municipality, learners = cluster.psql(f"""
        SELECT o.id, o.municipality_id, count(*) FROM eduql.organizations o JOIN eduql.enrollments e ON e.organization_id = o.id
        WHERE o.region_id = 1 AND o.kind = 'school' AND e.status = 'active' GROUP BY o.id ORDER BY 3 DESC, 1 LIMIT 1""").split("|")
    organizations = cluster.psql("SELECT count(*) FROM eduql.organizations WHERE region_id = 1 AND kind IN ('school', 'kindergarten') AND status = 'active'")
    region_learners = cluster.psql("SELECT count(*) FROM eduql.learners WHERE region_id = 1")
    cluster.psql("DELETE FROM eduql.form_reports WHERE region_id = 1")

    tenancy = "SELECT set_config('eduql.region_id', '1', false), set_config('eduql.municipality_id', '{m}', false), set_config('eduql.organization_id', '{o}', false);\n"
    one = timings(cluster, tenancy.format(m=municipality, o=school)
                  + "".join(f"SELECT eduql.compute_form('OO-1', '2024', {school}, DATE '{year}-09-20');\n" for _ in range(5)))[1:]
    every = timings(cluster, tenancy.format(m="", o="") + f"""
        SELECT count(eduql.compute_form(CASE o.kind WHEN 'school' THEN 'OO-1' ELSE '85-K' END, '2024', o.id,
                                         CASE o.kind WHEN 'school' THEN DATE '{year}-09-20' ELSE DATE '{year}-12-31' END))
        FROM eduql.organizations o WHERE o.region_id = 1 AND o.kind IN ('school', 'kindergarten') AND o.status = 'active';
        """)[1:]
    problems = cluster.psql("SELECT count(*) FROM eduql.form_reports WHERE region_id = 1 AND problems <> '[]'")
    cluster.psql("UPDATE eduql.form_reports SET status = 'accepted' WHERE region_id = 1")
    statement = f"""
        SELECT count(*) FROM (SELECT c.section, c.row_number, c.column_number, sum(c.value) FROM eduql.form_reports r
        JOIN eduql.form_report_cells c ON c.report_id = r.id WHERE r.form = 'OO-1' AND extract(year FROM r.reporting_date) = {year}
        AND r.status = 'accepted' AND r.region_id = eduql.current_region_id() AND c.region_id = eduql.current_region_id() GROUP BY 1, 2, 3) x;
        """
    # Right after every form was computed the planner's statistics still say the cells' table is
    # small (autovacuum has not analyzed it yet); then once they are fresh, as autovacuum leaves them.
    cold = timings(cluster, tenancy.format(m="", o="") + statement * 3)[1:]
    cluster.psql("ANALYZE eduql.form_reports; ANALYZE eduql.form_report_cells")
    consolidated = timings(cluster, tenancy.format(m="", o="") + statement * 3)[1:]
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, text=True, capture_output=True).stdout.strip()
    print(f"""## Statistical forms — {today.isoformat()}, commit {commit}

Machine: {platform.machine()}, {os.cpu_count()} cores, {platform.platform()}. Bench data: region 1, {region_learners} learners,
{organizations} active schools and kindergartens; the forms of its academic year {year}/{year + 1}. Measured in PostgreSQL as the server's role under row-level security
(`Benchmarks/scripts/forms.py`), without HTTP.

| what | target | measured |
| --- | --- | --- |
| ОО-1 of the largest school ({learners} learners), computed with its ratios | ≤ 200 ms | median {statistics.median(one):.0f} ms, slowest {max(one):.0f} ms (5 runs) |
| every organization's form of the region ({organizations}) | ≤ 2 min | {every[0] / 1000:.1f} s ({problems} with a failed ratio) |
| the region's consolidated ОО-1, statistics as autovacuum keeps them | ≤ 5 s | median {statistics.median(consolidated):.0f} ms (3 runs) |
| the same right after every form was computed (statistics not yet refreshed) | ≤ 5 s | median {statistics.median(cold):.0f} ms (3 runs) |
""")


if __name__ == "__main__":
    main()
