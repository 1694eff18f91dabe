"""``jumin bench SCENARIO [--residents N] [--param KEY=VALUE …] [--json]`` and ``jumin bench --list``."""

from __future__ import annotations

import json
import platform
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.test.utils import override_settings
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from jumin.bench_harness import REGISTRY, Context


class Command(BaseCommand):
    help = "性能を測定します（1行1項目の JSON: scenario, metric, value, unit）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("scenarios", nargs="*", help="scenario names (see --list)")
        parser.add_argument("--list", action="store_true", help="list the scenarios")
        parser.add_argument("--residents", type=int, default=None, help="scale of the scenario")
        parser.add_argument("--seed", type=int, default=1, help="random seed (results are deterministic)")
        parser.add_argument("--json", action="store_true", help="print JSON lines only")
        parser.add_argument(
            "--param", action="append", default=[], metavar="KEY=VALUE", help="a scenario's own setting (see --list)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["list"] or not options["scenarios"]:
            for item in sorted(REGISTRY.values(), key=lambda s: s.name):
                self.stdout.write(f"{item.name:<22} {item.description} (default --residents {item.default_residents})")
                for key, (default, meaning) in item.params.items():
                    self.stdout.write(f"{'':<24}--param {key}={default}: {meaning}")
            return
        unknown = [name for name in options["scenarios"] if name not in REGISTRY]
        if unknown:
            raise CommandError(f"unknown scenario: {', '.join(unknown)} (jumin bench --list)")
        if options["param"] and len(options["scenarios"]) > 1:
            raise CommandError("--param applies to one scenario: run them one by one")
        try:
            params = {name: REGISTRY[name].resolve_params(options["param"]) for name in options["scenarios"]}
        except ValueError as wrong:
            raise CommandError(str(wrong)) from wrong
        console = Console(stderr=True)
        if not options["json"]:
            console.print(f"engine={connection.vendor} python={platform.python_version()}")
        # DEBUG records every SQL statement in memory and slows each query: measure without it.
        with override_settings(DEBUG=False):
            for name in options["scenarios"]:
                self._run(REGISTRY[name], params[name], options, console)

    def _run(self, item: Any, params: dict[str, str], options: dict[str, Any], console: Console) -> None:
        residents = options["residents"] or item.default_residents
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, console=console, transient=True, disable=options["json"]) as progress:
            ctx = Context(
                residents=residents, seed=options["seed"], engine=connection.vendor, progress=progress, params=params
            )
            figures = list(item.func(ctx))
        if options["json"]:
            for figure in figures:
                line = {**figure.as_dict(), "engine": ctx.engine, "residents": residents}
                self.stdout.write(json.dumps(line, ensure_ascii=False))
            return
        table = Table(title=f"{item.name} (--residents {residents}, {ctx.engine})")
        for column in ("metric", "value", "unit"):
            table.add_column(column, justify="right" if column == "value" else "left")
        for figure in figures:
            table.add_row(figure.metric, f"{figure.value:,}", figure.unit)
        Console().print(table)
