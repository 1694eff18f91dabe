"""What a planner returns: the :class:`Plan` of a movement, its :class:`PlannedItem` s and the
:class:`Issue` s (errors: cannot proceed; alerts: warn, may proceed)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from jumin.registry.models import Movement
from jumin.registry.snapshots import Snapshot, display_name

ERROR = "error"
ALERT = "alert"
NEW_ATENA = "新規宛名"
NEW_HOUSEHOLD = "新規世帯"
# ``Movement.ex_officio_record`` key: the received characters a reviewer must confirm before 本登録
# (「文字確認が必要」, 住基ネット統一文字 of what we receive, docs/jukinet.md)
CHARACTER_CHECK = "character_check"


@dataclass(frozen=True)
class Issue:
    code: str
    message: str
    level: str = ERROR
    atena_no: str = ""  # the person the issue is about (as entered)
    related_atena_no: str = ""  # another record it names as data (the 除票 of a 再転入), never parsed from the text
    person_name: str = ""  # the name of the person ``atena_no`` as planned, for the screen to name them


@dataclass
class PlannedItem:
    atena_no: str
    base_history_no: int | None
    snapshot: Snapshot


@dataclass
class Plan:
    kind: str
    reason: str
    initiation: str
    effective_text: str = ""
    effective_sort: date | None = None
    notified_on: date | None = None
    requested_on: date | None = None
    notifier: str = ""
    remark: str = ""
    items: list[PlannedItem] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    cancels: Movement | None = None
    households: set[str] = field(default_factory=set)
    ex_officio_record: dict[str, Any] = field(default_factory=dict)
    new_numbers: int = 0

    def new_atena_no(self) -> str:
        """A placeholder; the real 宛名番号 is numbered when the movement is stored."""
        self.new_numbers += 1
        return f"{NEW_ATENA}{self.new_numbers}"

    def new_household_no(self) -> str:
        self.new_numbers += 1
        return f"{NEW_HOUSEHOLD}{self.new_numbers}"

    def error(self, code: str, message: str, atena_no: str = "", related_atena_no: str = "") -> None:
        self.issues.append(Issue(code, message, ERROR, atena_no, related_atena_no))

    def alert(self, code: str, message: str, atena_no: str = "") -> None:
        issue = Issue(code, message, ALERT, atena_no)
        if issue not in self.issues:
            self.issues.append(issue)

    @property
    def errors(self) -> list[Issue]:
        return self._named([i for i in self.issues if i.level == ERROR])

    @property
    def alerts(self) -> list[Issue]:
        return self._named([i for i in self.issues if i.level == ALERT])

    def _named(self, issues: list[Issue]) -> list[Issue]:
        """The issues with the name of the person each is about (issue 17: errors name the person)."""
        names = {item.atena_no: display_name(item.snapshot) for item in self.items}
        return [replace(i, person_name=names.get(i.atena_no, "")) if i.atena_no else i for i in issues]


Planner = Callable[[dict[str, Any]], "Plan"]
"""A planner: the entered data (a dict, from a form or the API) to a :class:`Plan`."""

Preparer = Callable[[dict[str, Any]], dict[str, Any]]
