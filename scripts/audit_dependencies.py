"""``make security``: pip-audit of the installed dependencies.

Fails on any known vulnerability.  When the vulnerability database cannot be reached (a
closed network that mirrors only the package index), it says so plainly instead of
reporting a clean result it did not check."""

from __future__ import annotations

import json
import subprocess
import sys


def main() -> int:
    frozen = subprocess.run(
        [sys.executable, "-m", "pip", "freeze", "--exclude-editable"], capture_output=True, text=True, check=True
    ).stdout
    result = subprocess.run(
        [sys.executable, "-m", "pip_audit", "--format", "json", "--progress-spinner", "off", "-r", "/dev/stdin"],
        input=frozen,
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        print(f"pip-audit did not run: {result.stderr.strip()[:500]}")
        return 1
    dependencies = report.get("dependencies", [])
    vulnerable = [d for d in dependencies if d.get("vulns")]
    audited = [d for d in dependencies if "skip_reason" not in d]
    for dependency in vulnerable:
        ids = ", ".join(v["id"] for v in dependency["vulns"])
        print(f"VULNERABLE {dependency['name']} {dependency['version']}: {ids}")
    if vulnerable:
        return 1
    if not audited:
        print(
            f"pip-audit: the vulnerability database was not reachable from this network; "
            f"{len(dependencies)} dependencies were NOT audited. Run `make security` where pypi.org is reachable."
        )
        return 0
    print(f"pip-audit: {len(audited)} dependencies audited, no known vulnerabilities.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
