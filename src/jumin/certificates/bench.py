"""Scenario ``certificate_pdf``: a 4-person 世帯連記式 住民票の写し (DESIGN.md §7: p95 ≤ 80 ms).

Two figures per run: the renderer alone (content → PDF bytes), and the whole issue as the
counter does it (rules, 支援措置 check, reads, 発行番号, render, signature, 交付履歴, print and
access logs) on the configured database.  Runs in a transaction that is rolled back."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import replace
from datetime import date

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from jumin.accounts.models import User
from jumin.accounts.principal import Principal
from jumin.audit.context import acting_as
from jumin.bench_fixtures import bench_operators, move_in_data, stock_spare_codes
from jumin.bench_harness import (
    Context,
    Figure,
    latency_figures,
    scenario,
    sql_floor_figures,
    statement_figure,
    time_calls,
)
from jumin.certificates import services
from jumin.certificates.models import Certifier
from jumin.certificates.render import render
from jumin.registry.services import approve_movement, enter_movement


def _family() -> str:
    """A 4-person household moved in and approved; returns the head's 宛名番号."""
    counter, reviewer = bench_operators()
    stock_spare_codes(10)
    movement = enter_movement("move_in", move_in_data(990_001), by=counter)
    approve_movement(movement, by=reviewer)
    head = movement.items.order_by("id").values_list("atena_no", flat=True)[0]
    return str(head)


@scenario(
    "certificate_pdf",
    "住民票の写し（世帯連記式・4人）のPDF: 描画のみと交付全体（規則・採番・署名・交付履歴）; --residents = 通数",
    default_residents=200,
)
def certificate_pdf(ctx: Context) -> Iterable[Figure]:
    with transaction.atomic(), acting_as(channel="batch", place="BENCH", terminal="BENCH-1", operator="bench"):
        head = _family()
        Certifier.objects.create(
            role=Certifier.Role.MAYOR,
            title="上尾市長",
            name="上尾　太郎",
            valid_from=date(2000, 1, 1),
            seal_text="上尾市長之印",
        )
        clerk = User.objects.create_user(username="bench-clerk", display_name="ベンチ 交付")
        clerk.groups.set(Group.objects.filter(name="証明書交付"))
        principal = Principal(user=User.objects.get(pk=clerk.pk))
        request = services.IssueRequest(
            kind="copy",
            atena_no=head,
            route="self",
            requester_name="ベンチ",
            requester_atena_no=head,
            id_document="mynumber_card",
            layout="household",
            items=("head_relationship",),
        )
        issued: list[int] = []
        issue_sql: list[int] = []
        issue_db: list[float] = []
        whole = time_calls(
            lambda: issued.append(services.issue(principal, request).issuances[0].pages),
            ctx.residents,
            ctx,
            "交付",
            issue_sql,
            issue_db,
        )
        printable = services.validate(request)
        today = timezone.localdate()
        target = services._target(principal, request, today)
        document = services._document(request, target, printable, services._persons(request, target, printable), today)
        document = replace(document, verification="http://127.0.0.1:8000/verify/?n=20261127&s=" + "A" * 86)
        pages = 0

        def draw() -> None:
            nonlocal pages
            pages += render(document).pages

        started = time.perf_counter()
        alone = time_calls(draw, ctx.residents, ctx, "描画")
        seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    yield from latency_figures("certificate_pdf", "render_4_persons", alone)
    yield from latency_figures("certificate_pdf", "issue_4_persons", whole)
    yield statement_figure("certificate_pdf", "issue_4_persons", issue_sql)
    yield from sql_floor_figures("certificate_pdf", "issue_4_persons", issue_db)
    yield Figure("certificate_pdf", "pages_per_second", round(pages / seconds, 1), "pages/s")
    yield Figure("certificate_pdf", "pages_per_copy", issued[0] if issued else 0, "pages")
