"""Maintenance commands of the register."""

import pytest
from django.core.management import call_command

from jumin.accounts.models import User
from jumin.audit.models import OperationLog
from jumin.registry.models import Resident
from tests.registry.conftest import final, move_in_data

pytestmark = pytest.mark.django_db


def test_rebuild_projection_command(counter: User, reviewer: User, capsys: pytest.CaptureFixture[str]) -> None:
    final("move_in", move_in_data(), counter, reviewer)
    before = list(Resident.objects.values_list("atena_no", "history_no", "household_no"))
    call_command("rebuild_projection")
    assert "1人分を作り直しました" in capsys.readouterr().out
    assert list(Resident.objects.values_list("atena_no", "history_no", "household_no")) == before
    assert OperationLog.objects.filter(action="registry.rebuild_projection").exists()
