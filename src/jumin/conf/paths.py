"""Where jumin keeps its runtime files (database, keys, reports): the ``var/`` directory."""

from __future__ import annotations

import os
from pathlib import Path


def var_dir() -> Path:
    """``$JUMIN_VAR_DIR``, else ``var/`` under the current directory (the project root
    when started by ``make run``).  Created on first use with owner-only permissions."""
    path = Path(os.environ.get("JUMIN_VAR_DIR") or Path.cwd() / "var").resolve()
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path
