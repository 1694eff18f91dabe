"""照会抑止 (standard spec 3.1): may this operator look at this person now?

Decided per person for the 照会 process, from the blocks of process ``inquiry`` on the person or
on their household:

* an **error-level** block in effect refuses (``protection.inquiry_blocked``); a 一時解除 lifts
  it until the release expires;
* an **alert-level** block refuses until the operator gives a reason
  (:func:`give_alert_reason`: written to the decision log and the operation log); the reason
  then holds for :data:`ALERT_HOLD` for that operator and that person.  A linked system (API
  key) cannot give one: for it an alert stays a refusal (``protection.inquiry_alert``).

The readers call :func:`require` before reading a person (person screen, 除票 look-up, entry
screens, ``GET /api/v1/residents/…``); lists (search results, 本人確認情報検索, household
members) call :func:`decisions` and keep the row with only its 宛名番号.  A household screen is
refused by a household-level block (:func:`require_household`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from django.utils import timezone

from jumin.accounts.principal import Principal
from jumin.audit.services import record_access
from jumin.core.errors import DomainError
from jumin.protection import services
from jumin.protection.models import Block, Process, ProtectionDecision
from jumin.protection.rules import blocks_touching_many, household_blocks

ALERT_HOLD = timedelta(minutes=30)
ALLOW, ALERT, REFUSE = "allow", "alert", "refuse"
VIEW = "accounts.view_resident"
BLOCKED, ALERTED = "protection.inquiry_blocked", "protection.inquiry_alert"


@dataclass
class InquiryDecision:
    outcome: str  # allow | alert | refuse
    code: str = ""  # protection.inquiry_blocked | protection.inquiry_alert
    messages: list[str] = field(default_factory=list)
    block_ids: list[int] = field(default_factory=list)

    @property
    def allowed(self) -> bool:
        return self.outcome == ALLOW


class InquiryBlockedError(DomainError):
    """The person (or household) may not be looked at: 403 on screens and in the API."""

    def __init__(self, decision: InquiryDecision, atena_no: str = "", household_no: str = "") -> None:
        super().__init__(decision.code, " ".join(decision.messages))
        self.decision = decision
        self.atena_no = atena_no
        self.household_no = household_no


def _held(principal: Principal, atena_no: str, alerts: list[Block]) -> bool:
    """Has this operator given a reason for every alert block on this person in the last 30 min?"""
    if principal.user is None:
        return False
    since = timezone.now() - ALERT_HOLD
    given = set(
        ProtectionDecision.objects.filter(
            action="block.alert_passed",
            by=principal.user,
            block__in=alerts,
            at__gte=since,
            details__process=Process.INQUIRY,
            details__atena_no=atena_no,
        ).values_list("block_id", flat=True)
    )
    return given >= {b.pk for b in alerts}


def _decide(principal: Principal, atena_no: str, blocks: list[Block]) -> InquiryDecision:
    now = timezone.now()
    touching = [b for b in blocks if b.in_effect(now)]
    errors = [b for b in touching if b.level == Block.Level.ERROR]
    alerts = [b for b in touching if b.level == Block.Level.ALERT]
    if errors:
        return InquiryDecision(
            REFUSE,
            BLOCKED,
            ["照会抑止（エラー）が設定されているため、この住民は照会できません。"],
            [b.pk for b in errors],
        )
    if alerts and not _held(principal, atena_no, alerts):
        message = (
            "照会抑止（アラート）が設定されています。照会の理由を記録すると照会できます。"
            if principal.system is None
            else "照会抑止（アラート）が設定されています。連携システムからは照会できません。"
        )
        return InquiryDecision(ALERT, ALERTED, [message], [b.pk for b in alerts])
    return InquiryDecision(ALLOW)


def decisions(
    principal: Principal,
    atena_nos: Iterable[str],
    households: Mapping[str, str] | None = None,
    *,
    purpose: str = "protection.inquiry",
) -> dict[str, InquiryDecision]:
    """The 照会 decision of each person; a refusal or an alert is access-logged (it discloses
    that the person is blocked).  ``households``: their 世帯番号, when the caller has them."""
    numbers = [n for n in dict.fromkeys(atena_nos) if n]
    if not numbers or not principal.has_perm(VIEW):
        return {}  # nothing to decide (a caller without 照会 is refused by the query itself)
    blocks = blocks_touching_many(numbers, Process.INQUIRY, households=households)
    found = {n: _decide(principal, n, blocks[n]) if blocks[n] else InquiryDecision(ALLOW) for n in numbers}
    stopped = [n for n, d in found.items() if not d.allowed]
    if stopped:
        record_access(purpose=purpose, persons=stopped, action="check", criteria={"process": Process.INQUIRY})
    return found


def require(principal: Principal, atena_no: str, *, purpose: str = "protection.inquiry") -> None:
    """Raise :class:`InquiryBlockedError` unless the person may be looked at now."""
    decision = decisions(principal, [atena_no], purpose=purpose).get(atena_no)
    if decision is not None and not decision.allowed:
        raise InquiryBlockedError(decision, atena_no=atena_no)


def require_household(principal: Principal, household_no: str) -> None:
    """A household-level 照会 block refuses the household screen (a member's own block hides
    only that member's row)."""
    blocks = household_blocks(household_no, Process.INQUIRY)
    if not blocks or not principal.has_perm(VIEW):
        return
    decision = _decide(principal, household_no, blocks)
    if not decision.allowed:
        record_access(purpose="protection.inquiry", persons=[], action="check", criteria={"household_no": household_no})
        raise InquiryBlockedError(decision, household_no=household_no)


class Guard:
    """照会抑止 as the register's inquiry guard (``jumin.registry.hooks.inquiry_guard``)."""

    @staticmethod
    def require(principal: Principal, atena_no: str, *, purpose: str) -> None:
        require(principal, atena_no, purpose=purpose)

    @staticmethod
    def require_household(principal: Principal, household_no: str) -> None:
        require_household(principal, household_no)

    @staticmethod
    def hidden(
        principal: Principal, atena_nos: Iterable[str], households: Mapping[str, str] | None, *, purpose: str
    ) -> set[str]:
        return {n for n, d in decisions(principal, atena_nos, households, purpose=purpose).items() if not d.allowed}


GUARD = Guard()


def give_alert_reason(principal: Principal, atena_no: str, reason: str, *, household_no: str = "") -> list[Block]:
    """The operator records why they look at a person (or, with ``household_no``, a household)
    under an alert-level 照会 block; it holds 30 minutes for this operator and this person.
    Logged in the decision log and the operation log.  A linked system cannot give one."""
    if principal.user is None:
        raise DomainError("auth.forbidden", "連携システムからは照会の理由を記録できません。")
    if not principal.has_perm(VIEW):
        raise DomainError("auth.forbidden", "この情報を照会する権限がありません。")
    if household_no:
        return services.pass_household_inquiry_alert(household_no.strip(), by=principal.user, reason=reason)
    return services.proceed_past_alert(Process.INQUIRY, atena_no.strip(), by=principal.user, reason=reason)
