"""The ``jumin`` command: Django's management commands with jumin's settings.

``jumin migrate``, ``jumin runserver``, ``jumin bench …``, ``jumin seed-demo`` …  A hyphen in
the command name is the same as an underscore.  Settings default to the development
settings, except for ``jumin serve`` and ``jumin worker``, which default to the production
settings; ``DJANGO_SETTINGS_MODULE`` chooses others.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path

# In a source checkout the simulators of the national side (``peers/``) sit next to ``src/``:
# the bench scenarios and ``jumin demo-cards`` use them, so ``jumin`` finds them without PYTHONPATH.
_CHECKOUT = Path(__file__).resolve().parents[2]

# The long-running production processes: their settings default to production's.
PRODUCTION_COMMANDS = ("serve", "worker")


def main(argv: Sequence[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    if (_CHECKOUT / "peers" / "__init__.py").is_file() and str(_CHECKOUT) not in sys.path:
        sys.path.append(str(_CHECKOUT))
    if args and not args[0].startswith("-"):
        args[0] = args[0].replace("-", "_")
    production = bool(args) and args[0] in PRODUCTION_COMMANDS
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jumin.settings.production" if production else "jumin.settings.dev")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["jumin", *args])


if __name__ == "__main__":  # pragma: no cover
    main()
