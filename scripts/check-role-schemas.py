#!/usr/bin/env python3
"""Cross-checks EduQL's role schemas with a real client library, graphql-core.

  check-role-schemas.py query
      prints the standard introspection query.
  check-role-schemas.py check FOLDER QUERIES
      for every FOLDER/<role>.json (an introspection result), builds the client schema and
      validates every document under QUERIES; prints {role: {document: [errors]}} as JSON.
"""
import json
import pathlib
import sys

from graphql import build_client_schema, get_introspection_query, parse, validate


def check(folder: pathlib.Path, queries: pathlib.Path) -> dict:
    documents = sorted(p for p in queries.rglob("*.graphql") if p.name != "schema.graphql")
    results = {}
    for introspection in sorted(folder.glob("*.json")):
        schema = build_client_schema(json.loads(introspection.read_text())["data"])
        results[introspection.stem] = {
            str(document.relative_to(queries)): [error.message for error in validate(schema, parse(document.read_text()))]
            for document in documents
        }
    return results


if __name__ == "__main__":
    if sys.argv[1:] == ["query"]:
        print(get_introspection_query(descriptions=True))
    elif len(sys.argv) == 4 and sys.argv[1] == "check":
        print(json.dumps(check(pathlib.Path(sys.argv[2]), pathlib.Path(sys.argv[3]))))
    else:
        sys.exit(__doc__)
