"""The ``jumin`` command: Django's management commands with jumin's settings.

``jumin migrate``, ``jumin runserver``, ``jumin bench …``, ``jumin seed-demo`` …  A hyphen in
the command name is the same as an underscore.  Settings default to the development
settings; production sets ``DJANGO_SETTINGS_MODULE=jumin.settings.production``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jumin.settings.dev")
    if args and not args[0].startswith("-"):
        args[0] = args[0].replace("-", "_")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["jumin", *args])


if __name__ == "__main__":  # pragma: no cover
    main()
