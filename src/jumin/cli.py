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

# The long-running production processes: their settings default to production's.
PRODUCTION_COMMANDS = ("serve", "worker")


def main(argv: Sequence[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and not args[0].startswith("-"):
        args[0] = args[0].replace("-", "_")
    production = bool(args) and args[0] in PRODUCTION_COMMANDS
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jumin.settings.production" if production else "jumin.settings.dev")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["jumin", *args])


if __name__ == "__main__":  # pragma: no cover
    main()
