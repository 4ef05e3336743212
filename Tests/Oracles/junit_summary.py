#!/usr/bin/env python3
"""Reads a JUnit XML file with junitparser (an independent consumer) and prints, as JSON, per
testsuite: its declared counts and the names of its testcases by result kind."""
import json
import sys

from junitparser import Error, Failure, JUnitXml, Skipped

xml = JUnitXml.fromfile(sys.argv[1])
suites = {}
for suite in xml:
    cases = {"failure": [], "error": [], "skipped": [], "passed": []}
    for case in suite:
        kinds = [type(r) for r in case.result]
        kind = ("failure" if Failure in kinds else "error" if Error in kinds
                else "skipped" if Skipped in kinds else "passed")
        cases[kind].append(case.name)
    suites[suite.name] = {
        "tests": suite.tests, "failures": suite.failures, "errors": suite.errors,
        "skipped": suite.skipped, "cases": cases,
        "properties": {p.name: p.value for p in suite.properties()},
    }
print(json.dumps(suites, sort_keys=True))
