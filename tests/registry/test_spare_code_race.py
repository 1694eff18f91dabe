"""The last spare 住民票コード under load (issue 15, item 4): approvals racing for a stock that
runs out get ``resident_code.no_stock`` — the same answer as without load — not ``busy``
or a server error.  PostgreSQL only: there the picks skip rows locked by other approvals."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, transaction

from jumin.core.errors import DomainError
from jumin.registry.models import SpareResidentCode
from jumin.registry.numbers import take_spare_resident_code
from tests.registry.conftest import fill_spare_codes

pytestmark = pytest.mark.django_db(transaction=True)


def _race(workers: int, *, holder_fails: bool = False) -> tuple[list[str], list[str]]:
    """``workers`` approvals at once, each holding its transaction a moment after the pick;
    (codes taken, error codes).  With ``holder_fails`` the first to take a code rolls back."""
    barrier = threading.Barrier(workers)
    taken: list[str] = []
    refused: list[str] = []
    lock = threading.Lock()
    first = threading.Event()

    class _RollbackError(Exception):
        pass

    def approve(worker: int) -> None:
        try:
            barrier.wait(timeout=10)
            with transaction.atomic():
                code = take_spare_resident_code(f"{worker:05d}00001")
                time.sleep(0.5)  # the rest of the approval: the code is locked, not yet committed
                if holder_fails and not first.is_set():
                    first.set()
                    raise _RollbackError
                with lock:
                    taken.append(code)
        except _RollbackError:
            pass
        except DomainError as error:
            with lock:
                refused.append(error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(w,)) for w in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return taken, refused


@pytest.fixture
def one_code_left() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the race needs PostgreSQL (row locks with SKIP LOCKED)")
    SpareResidentCode.objects.all().delete()
    fill_spare_codes(1)


@pytest.mark.spec("4.3.1", partial=True)
@pytest.mark.usefixtures("one_code_left")
def test_the_last_code_goes_to_one_approval_the_others_hear_no_stock() -> None:
    taken, refused = _race(5)
    assert len(taken) == 1
    assert refused == ["resident_code.no_stock"] * 4
    assert not SpareResidentCode.objects.filter(assigned_to="").exists()


@pytest.mark.spec("4.3.1", partial=True)
@pytest.mark.usefixtures("one_code_left")
def test_a_code_released_by_a_failed_approval_goes_to_a_waiting_one() -> None:
    taken, refused = _race(3, holder_fails=True)
    assert len(taken) == 1
    assert refused == ["resident_code.no_stock"]
