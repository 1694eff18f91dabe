"""pytest plugin: ``@pytest.mark.spec("1.1.13")`` tags a test with the sections it proves.

``@pytest.mark.spec("2.1.2", partial=True)`` says the test proves only part of the
section (e.g. the search key, while the search screen is still to come); a section
whose passing tests are all partial is reported as partly built.

Unknown section ids fail the collection.  With ``--spec-report FILE`` (or
``$JUMIN_SPEC_REPORT``) the outcome of every tagged test is written to FILE as JSON;
``jumin conformance`` turns those files into docs/conformance.md."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from jumin.conformance.sections import all_sections


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--spec-report",
        default=os.environ.get("JUMIN_SPEC_REPORT"),
        help="write the outcome of spec-tagged tests to this JSON file",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(SpecRecorder(config.getoption("--spec-report")), "jumin-spec-recorder")


def sections_of(item: pytest.Item) -> list[str]:
    return [str(arg) for mark in item.iter_markers("spec") for arg in mark.args]


def partial_sections_of(item: pytest.Item) -> list[str]:
    return [str(arg) for mark in item.iter_markers("spec") if mark.kwargs.get("partial") for arg in mark.args]


class SpecRecorder:
    def __init__(self, target: str | None) -> None:
        self.target = target
        self.results: dict[str, dict[str, object]] = {}

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        known = all_sections()
        unknown = sorted({s for item in items for s in sections_of(item) if s not in known})
        if unknown:
            raise pytest.UsageError(f"@pytest.mark.spec names unknown sections: {', '.join(unknown)}")
        self.results = {
            item.nodeid: {"sections": sections_of(item), "partial": partial_sections_of(item), "outcome": "not run"}
            for item in items
            if sections_of(item)
        }

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        entry = self.results.get(report.nodeid)
        if entry is None:
            return
        if report.failed:
            entry["outcome"] = "failed"
        elif report.skipped and entry["outcome"] != "failed":
            entry["outcome"] = "skipped"
        elif report.when == "call" and report.passed and entry["outcome"] == "not run":
            entry["outcome"] = "passed"

    def pytest_sessionfinish(self) -> None:
        if not self.target:
            return
        url = os.environ.get("JUMIN_DATABASE_URL", "")
        engine = "postgresql" if url.startswith(("postgres", "pgsql")) else "sqlite"
        path = Path(self.target)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"engine": engine, "tests": self.results}, ensure_ascii=False, indent=1))
