"""``jumin bench reconciliation`` at small N: the differences found equal those planted
(the simulator runs as a separate process).  No timing is asserted."""

import json

import pytest
from django.core.management import call_command

from jumin.jukinet.models import IdentityRecord, Telegram


@pytest.mark.spec("7.1.1.2")
@pytest.mark.django_db
def test_reconciliation_bench_finds_exactly_what_was_planted(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("bench", "reconciliation", "--residents", "40", "--json")
    figures = {line["metric"]: line["value"] for line in map(json.loads, capsys.readouterr().out.splitlines())}
    assert figures["initial_load_records"] == IdentityRecord.objects.count() >= 40
    assert figures["records"] == IdentityRecord.objects.count()
    for kind in ("only_at_cs", "only_at_prefecture", "differs"):
        assert figures[f"planted_{kind}"] == figures[f"found_{kind}"] == 3
    assert figures["peak_rss"] > 0 and figures["wall"] > 0
    assert not Telegram.objects.exists()
