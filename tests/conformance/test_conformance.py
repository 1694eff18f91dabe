"""The conformance data and report."""

import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from jumin.conformance.report import load_results, render
from jumin.conformance.sections import all_sections


def test_sections_cover_the_standard() -> None:
    sections = all_sections()
    assert len(sections) > 190
    assert sections["1.1.13"].status == "M"
    assert sections["1.1.8/X"].status == "X"  # みなし生年月日
    assert sections["3.5"].status == "X"  # 住民異動不受理
    assert {s.status for s in sections.values()} == {"M", "O", "M/O", "X"}


def _results(tmp_path: Path, engine: str, tests: dict[str, dict[str, object]]) -> Path:
    path = tmp_path / f"spec-results-{engine}.json"
    path.write_text(json.dumps({"engine": engine, "tests": tests}), encoding="utf-8")
    return path


def test_report_statuses(tmp_path: Path) -> None:
    paths = [
        _results(
            tmp_path,
            "sqlite",
            {
                "t.py::a[1]": {"sections": ["1.1.13"], "partial": [], "outcome": "passed"},
                "t.py::a[2]": {"sections": ["1.1.13"], "partial": [], "outcome": "passed"},
                "t.py::b": {"sections": ["2.1.2"], "partial": ["2.1.2"], "outcome": "passed"},
                "t.py::c": {"sections": ["1.1.11/X"], "partial": [], "outcome": "passed"},
                "t.py::d": {"sections": ["5.2"], "partial": [], "outcome": "skipped"},
            },
        ),
        _results(tmp_path, "postgresql", {"t.py::e": {"sections": ["1.3.6"], "partial": [], "outcome": "failed"}}),
    ]
    evidence, engines = load_results(paths)
    text = render(evidence, engines)
    assert engines == ["postgresql", "sqlite"]
    rows = {line.split(" | ")[0].lstrip("| "): line for line in text.splitlines() if line.startswith("| ")}
    assert "✔ テスト合格 — tested (1)" in rows["1.1.13"]
    assert "◐ 一部実装" in rows["2.1.2"]
    assert "実装しない — not built（不実装を確認するテスト 1件）" in rows["1.1.11/X"]
    assert "テスト未実行" in rows["5.2"]
    assert "✘ テスト失敗" in rows["1.3.6"]
    assert "未実装 — not yet built" in rows["1.1.1"]
    assert "未実装（任意）" in rows["1.1.2/O"]
    assert "実装しない — not built" in rows["3.5"]


def test_command_writes_the_document(tmp_path: Path) -> None:
    path = _results(tmp_path, "sqlite", {"t.py::a": {"sections": ["1.3.6"], "outcome": "passed"}})
    output = tmp_path / "conformance.md"
    call_command("conformance", str(path), "--output", str(output))
    assert "✔ テスト合格" in output.read_text(encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("conformance", str(tmp_path / "missing.json"))


def test_unknown_sections_fail_the_collection(pytester: pytest.Pytester) -> None:
    pytester.makeconftest('pytest_plugins = ["jumin.conformance.pytest_plugin"]')
    pytester.makeini("[pytest]\nmarkers =\n    spec: spec sections\n")
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.spec("99.9")
        def test_x():
            pass
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:django")
    assert result.ret != 0
    result.stderr.fnmatch_lines(["*unknown sections: 99.9*"])


def test_plugin_records_outcomes(pytester: pytest.Pytester, tmp_path: Path) -> None:
    pytester.makeconftest('pytest_plugins = ["jumin.conformance.pytest_plugin"]')
    pytester.makeini("[pytest]\nmarkers =\n    spec: spec sections\n")
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.spec("1.1.13")
        def test_pass():
            pass

        @pytest.mark.spec("1.3.6", partial=True)
        def test_fail():
            assert False

        @pytest.mark.spec("5.2")
        def test_skip():
            pytest.skip("later")
        """
    )
    report = tmp_path / "out.json"
    pytester.runpytest_subprocess("-p", "no:django", "--spec-report", str(report))
    tests = json.loads(report.read_text(encoding="utf-8"))["tests"]
    outcomes = {nodeid.split("::")[1]: entry["outcome"] for nodeid, entry in tests.items()}
    assert outcomes == {"test_pass": "passed", "test_fail": "failed", "test_skip": "skipped"}
    assert next(e for n, e in tests.items() if n.endswith("test_fail"))["partial"] == ["1.3.6"]
