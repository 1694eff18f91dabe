"""The 法務省通知 screen and ``jumin immigration pull|send`` (spec 4.5.6, 4.5.7): permissions,
the access log, and what the batch does without a link."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from peers.immigration import RunningSimulator

from jumin.accounts.models import Terminal, User
from jumin.audit.models import AccessLog
from jumin.immigration.inbound import receive_notice
from tests.conftest import device_cookie, log_in, make_operator
from tests.registry.conftest import final
from tests.registry.test_foreign_movements import article_data, foreigner

pytestmark = pytest.mark.django_db


def _client(terminal: Terminal, user: User) -> Client:
    client = Client()
    client.cookies["jumin_terminal"] = device_cookie(terminal)
    return log_in(client, user)


@pytest.mark.spec("4.5.6")
def test_the_list_needs_view_resident_and_is_access_logged(terminal: Terminal) -> None:
    receive_notice({"notice_id": "MOJ-1", "kind": "status", "effective_on": "2026-11-25", "residence_card_no": "bad"})
    batch = _client(terminal, make_operator("batch", "運用 担当", roles=("バッチ運用",)))
    assert batch.get("/immigration/").status_code == 403
    reviewer = _client(terminal, make_operator("shinsa", "平方 一郎", roles=("審査・決裁",)))
    page = reviewer.get("/immigration/?show=errors").content.decode()
    assert "MOJ-1" in page and "在留カード等の番号の形式が正しくありません。" in page and "今すぐ受信・送信" not in page
    assert reviewer.post("/immigration/run/").status_code == 403
    assert "受信した法務省通知はありません" not in reviewer.get("/immigration/?show=nonsense").content.decode()
    assert AccessLog.objects.filter(purpose="法務省通知受信一覧（4.5.6）").count() == 2


@pytest.mark.spec("4.5.7")
def test_the_commands_fail_clearly_without_a_link_and_run_with_one(
    key_dir: Any, ministry: RunningSimulator, settings: Any
) -> None:
    out = StringIO()
    call_command("immigration", "pull", stdout=out)
    call_command("immigration", "send", stdout=out)
    assert "法務省通知: 受信 0 件" in out.getvalue() and "市町村通知: 送信 0 件" in out.getvalue()
    ministry.book.down = True
    with pytest.raises(CommandError, match="法務省通知を受信できませんでした（http_503）"):
        call_command("immigration", "pull", stdout=out)
    settings.JUMIN_IMMIGRATION_URL = ""
    for action in ("pull", "send"):
        with pytest.raises(CommandError, match="JUMIN_IMMIGRATION_URL"):
            call_command("immigration", action, stdout=out)


@pytest.mark.spec("6.1", partial=True)
def test_the_periodic_report_counts_the_month(counter: User, reviewer: User, key_dir: Any) -> None:
    final("article_30_46", article_data(foreigner()), counter, reviewer)  # 異動日 R8.11.20
    final(
        "article_30_47",
        article_data(foreigner(name_alphabet="LE VAN C", residence_card_no="CD12345678EF")),
        counter,
        reviewer,
    )
    out = StringIO()
    call_command("immigration", "report", "--month", "2026-11", stdout=out)
    text = out.getvalue()
    assert "（2026年11月分）" in text
    assert "住居地届出\t中長期在留者\t法第30条の46転入\t1" in text
    assert "住居地届出\t中長期在留者\t法第30条の47届出\t1" in text
    out = StringIO()
    call_command("immigration", "report", "--month", "2026-10", stdout=out)
    assert "住居地届出\t" not in out.getvalue()
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("immigration", "report", "--month", "R8.11", stdout=out)
