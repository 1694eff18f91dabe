"""Invariants of the register under random sequences of movements (spec 1.2.1, 4.0.8, 4.6).

A hypothesis state machine enters random movements of every kind through the services —
転入 (also 再転入 of a person who moved out, ``reentry_of``), 法第30条の46転入・法第30条の47届出,
転居, 世帯分離, 世帯合併, 世帯変更, 世帯主変更, 転出, 出生, 死亡, 失踪, 職権修正・軽微な修正・
誤記修正, 旧氏, 通称, 帰化・国籍取得, 国籍喪失, 住民票コードの変更請求, 改製 and 異動の取消し —
approves most of them at once by a second operator, leaves some as 仮登録 and later approves
or discards them.  個人番号 movements ask the J-LIS simulator of ``peers/jlis`` over real HTTP
(a fresh national book per example).  After every step it checks:

(a) every current resident belongs to exactly one active household; every active household
    has at least one current member and at most one head; the household-common items
    (住所, 世帯主氏名) are the same in every member's record and in the household;
(b) history rows are never changed (every row seen is compared field by field) and the
    履歴番号 of each person run 1..n without gaps.  A 改製 writes TWO consecutive rows per
    person in one movement (消除「改製」 then 記載「改製」, the same 宛名番号); every other
    movement writes one row per person;
(c) the projection equals the latest history row of each person, and — in a rule of its
    own, not after every step, because it is slow — ``rebuild_projection()`` leaves it
    unchanged;
(d) after a cancellation, each cancelled person's record equals the record before the
    cancelled movement (every item of the snapshot; a person the movement created is
    removed instead);
(e) 宛名番号 and 世帯番号 carry a valid M11 check digit and are never issued twice; a 再転入
    keeps the 宛名番号 of the 除票.  住民票コード are valid, taken from the spare-code stock,
    never shared by two persons, and a person's code changes only by a 住民票コードの変更請求
    row (to a code never seen before, drawn from the stock at 本登録) or by a cancellation
    row (back to the code of the restored record, see (d)).  Every 個人番号 on a row opens to a
    valid number (check digit) whose look-up key is the row's; no two current residents share
    one; a person's number changes only by a 個人番号 movement or a cancellation;
(f) provisional data never shows through: the projection changes only when a movement is
    approved (the machine keeps its own copy of the expected projection), a pending
    movement's new persons have no Resident, ResidentHistory, OutboxMessage or 住民票コード,
    and every code taken from the stock is on a history row (a pending 住民票コードの変更
    takes none);
(g) 住民種別 changes only by a 帰化・国籍取得 or 国籍喪失 row (or a cancellation of one), and
    every row carries only the items of its kind: a Japanese record has every foreign-only
    item (法30条の45) blank, a foreign record every Japanese-only item (本籍・筆頭者・旧氏).

Refusals are predicted from the machine's own model, not taken from the services: a
cancellation must be refused exactly when a later movement of one of its persons stands (a
改製 is never cancellable: its 消除 row is always followed by its 記載 row), or when the
restored records would break (a) in a household as it is now; an approval must be refused
(``movement.stale``) exactly when one of its persons has a newer history row, or when writing
it would break (a) in a household that changed since the 仮登録; a 住民票コードの職権記載 for a
person who has a code is refused.  Everything else must be accepted.

Cases the machine draws only in a restricted form, because a planner refuses them:

* a 再転入 by an ordinary 転入 of a foreign resident who came in with a 上陸許可証 enters the
  card number (legitimately: an ordinary 転入 of a 中長期在留者 needs the card).

The machine found, and the planners were fixed for: a correction of a foreign resident who
came in with a 上陸許可証 (no 在留カード yet) was refused whatever it corrected; a 世帯変更
into a household without head gave every mover his own name as 世帯主氏名 (and a mover made
head left the members without the new head's name, two movers could both be made head);
世帯合併 and 世帯変更 compared only the 住所 text, so households with another 方書 or 番地 were
accepted and then could never be approved.  All are now drawn: the last as a predicted
refusal (``household.address_differs``).

Each example runs inside a savepoint of the test's transaction and rolls it back at the end,
so every example starts from an empty register (the history rows are append-only by
triggers; a rollback is not a DELETE, so the purge gate is not needed).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, ClassVar

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test
from peers.jlis import RunningSimulator, running
from peers.jlis.server import NumberIssuer

from jumin.accounts.models import User
from jumin.conf.domain import era_table, m11_remainder_one_policy, resident_code_formula
from jumin.core.check_digits import (
    individual_number_check_digit,
    is_valid_resident_code,
    validate_individual_number,
    validate_m11,
)
from jumin.core.errors import DomainError
from jumin.core.relationship import HEAD
from jumin.core.uncertain_date import Pattern, parse_uncertain_date
from jumin.linkage.models import OutboxMessage
from jumin.registry.keys import search_keys
from jumin.registry.models import (
    EditLease,
    Household,
    Movement,
    MovementItem,
    NationalityKind,
    Resident,
    ResidentHistory,
    SpareResidentCode,
    Status,
)
from jumin.registry.numbers import individual_number_lookup, open_individual_number
from jumin.registry.planning.foreign import FOREIGN_ONLY, JAPANESE_ONLY
from jumin.registry.services import (
    MovementRejectedError,
    approve_movement,
    discard_movement,
    enter_movement,
    rebuild_projection,
)
from jumin.registry.snapshots import Snapshot, display_name, snapshot_of
from tests.conftest import make_operator

# Alerts are warnings the operator may accept; the machine accepts them all.
ACKNOWLEDGED = (
    "household.no_head",
    "household.head_by_ex_officio",
    "household.headless",
    "move_in.possible_reentry",
    "date.non_calendar",
    "movement.pending_household",
)
ADDRESS_FIELDS = ("address", "postcode", "address_code", "banchi", "katagaki")
HOUSEHOLD_ADDRESS_FIELDS = ("address", "postcode", "address_code", "katagaki")  # Household keeps no 番地
SURNAMES = (("上尾", "アゲオ"), ("平方", "ヒラカタ"), ("原市", "ハライチ"), ("大石", "オオイシ"))
GIVEN_NAMES = (("太郎", "タロウ"), ("一郎", "イチロウ"), ("花子", "ハナコ"), ("陽向", "ヒナタ"))
NON_HEAD = ("妻", "夫", "子", "子の子", "父", "母", "兄", "妹", "子（子の妻）", "妻（未届）", "縁故者", "同居人")
CHILD = ("子", "子の子")
# Uncertain and 戸籍-only births, in 和暦 (Japanese residents) and the same in 西暦 (foreign residents).
UNCERTAIN_BIRTHS = {"昭和55年頃": "1980年頃", "昭和40年3月上旬": "1965年3月上旬", "平成3年2月29日": "1991年2月29日"}
SEIREKI_BIRTHS = {seireki: wareki for wareki, seireki in UNCERTAIN_BIRTHS.items()}
ADDRESSES = (
    {"address": "埼玉県上尾市本町三丁目1番1号", "postcode": "3620014", "katagaki": "コーポ上尾 203号室"},
    {"address": "埼玉県上尾市原市1番地", "postcode": "3620021"},
    {"address": "埼玉県上尾市平方2番地", "postcode": "3620059", "banchi": "2番地"},
    {"address": "埼玉県上尾市大石3番地", "postcode": "3620001", "katagaki": "大石ハイツ 101"},
)
EXTERNAL = {"address": "東京都千代田区千代田1番1号", "postcode": "1000001"}
MOVED_OUT = ("国内転出", "国外転出")  # 消除事由 of a person who may come back (再転入)
ARTICLE_CATEGORIES = ("mid_long_term", "special_permanent", "temporary_refuge", "provisional_stay")
CODE_REASONS = ("resident_code_change_request", "resident_code_ex_officio_record")
KIND_REASONS = ("naturalization_add", "nationality_loss_add")
NUMBER_REASONS = (
    "individual_number_ex_officio_record",
    "individual_number_change_request",
    "individual_number_ex_officio_correction",
)
NUMBER_ITEMS = ("individual_number_ct", "individual_number_lookup")

Item = tuple[str, int | None, Snapshot]  # (宛名番号, base 履歴番号, proposed snapshot)


def _today() -> date:
    return timezone.localdate()


def _recent(days: int) -> str:
    return (_today() - timedelta(days=days)).isoformat()


def _row_fields(row: ResidentHistory) -> dict[str, Any]:
    return {f.attname: getattr(row, f.attname) for f in ResidentHistory._meta.concrete_fields}


def _first_bases(items: list[Item]) -> dict[str, int | None]:
    """The 履歴番号 each person's first item is based on (a 改製 has two items per person)."""
    bases: dict[str, int | None] = {}
    for atena_no, base, _ in items:
        bases.setdefault(atena_no, base)
    return bases


def _birth_in(snap: Snapshot, japanese: bool) -> dict[str, str]:
    """The 生年月日 to enter when the 住民種別 changes: an exact date or 年月日不詳 converts by
    itself; any other form must be written again in the other calendar (1.1.9)."""
    if parse_uncertain_date(snap["birth_text"], era_table()).pattern in (Pattern.EXACT, Pattern.UNKNOWN):
        return {}
    return {"birth": (SEIREKI_BIRTHS if japanese else UNCERTAIN_BIRTHS)[snap["birth_text"]]}


@dataclass
class Pending:
    movement: Movement
    kind: str
    items: list[Item]
    basis: dict[str, dict[str, Snapshot]]  # the households it was planned on, as they were


class RegisterMachine(RuleBasedStateMachine):
    counter: ClassVar[User]
    reviewer: ClassVar[User]
    jlis: ClassVar[RunningSimulator]

    def __init__(self) -> None:
        super().__init__()
        self.jlis.server.issuer = NumberIssuer()  # the national book starts empty with the register
        self.savepoint = transaction.savepoint()
        assert not Resident.objects.exists() and not ResidentHistory.objects.exists()
        assert not Movement.objects.exists() and not Household.objects.exists()
        self.model: dict[str, Snapshot] = {}  # the projection as it must be: changed by 本登録 only
        self.history_no: dict[str, int] = {}
        self.rows: dict[int, dict[str, Any]] = {}  # every history row seen, all fields
        self.row_snapshots: dict[tuple[str, int], Snapshot] = {}
        self.pending: dict[int, Pending] = {}
        self.final: list[Movement] = []
        self.issued_atena: set[str] = set()
        self.issued_households: set[str] = set()
        self.seen_codes: set[str] = set()  # every 住民票コード on a history row
        self.discarded: set[str] = set()  # new persons of discarded 仮登録
        self.serial = 0

    def teardown(self) -> None:
        transaction.savepoint_rollback(self.savepoint)

    # -- the machine's view of the register ---------------------------------------------------

    def households(self) -> dict[str, list[str]]:
        """Current members of each household, from the expected projection."""
        result: dict[str, list[str]] = defaultdict(list)
        for atena_no, snap in sorted(self.model.items()):
            if snap["status"] == Status.CURRENT:
                result[snap["household_no"]].append(atena_no)
        return dict(result)

    def has_head(self, household_no: str) -> bool:
        return any(self.model[a]["is_head"] for a in self.households().get(household_no, []))

    def head_name(self, household_no: str) -> str:
        heads = [self.model[a] for a in self.households().get(household_no, []) if self.model[a]["is_head"]]
        return display_name(heads[0]) if heads else ""

    def of_kind(self, kind: str) -> list[str]:
        return sorted(
            a for a, s in self.model.items() if s["status"] == Status.CURRENT and s["nationality_kind"] == kind
        )

    def same_address_pairs(self) -> list[tuple[str, str]]:
        """(household, other household) whose 住所 reads the same (their 方書・番地 may differ)."""
        households = self.households()
        return [
            (h, o)
            for h in sorted(households)
            for o in sorted(households)
            if h != o and self.model[households[h][0]]["address"] == self.model[households[o][0]]["address"]
        ]

    def same_dwelling(self, household_no: str, other: str) -> bool:
        """Every address item alike; otherwise 世帯合併・世帯変更 are refused (another dwelling)."""
        first, second = self.households()[household_no][0], self.households()[other][0]
        return all(self.model[first][f] == self.model[second][f] for f in ADDRESS_FIELDS)

    def moved_out(self, kind: str | None = None) -> list[str]:
        """除票 of persons who moved out (may come back by 再転入)."""
        return sorted(
            a
            for a, s in self.model.items()
            if s["status"] == Status.REMOVED
            and s["removal_reason"] in MOVED_OUT
            and (kind is None or s["nationality_kind"] == kind)
        )

    def households_of(self, items: list[Item]) -> set[str]:
        """The households a movement's persons leave or enter."""
        numbers = {proposed["household_no"] for _, _, proposed in items}
        bases = _first_bases(items)
        return numbers | {self.row_snapshots[(a, base)]["household_no"] for a, base in bases.items() if base}

    def household_state(self, household_nos: set[str]) -> dict[str, dict[str, Snapshot]]:
        households = self.households()
        return {h: {a: dict(self.model[a]) for a in households.get(h, [])} for h in sorted(household_nos)}

    def conflict(self, records: dict[str, Snapshot], household_nos: set[str]) -> bool:
        """Would writing ``records`` break invariant (a) in one of the households?"""
        for household_no in household_nos:
            members = [
                s
                for a, s in self.model.items()
                if s["status"] == Status.CURRENT and s["household_no"] == household_no and a not in records
            ]
            members += [
                s for s in records.values() if s["status"] == Status.CURRENT and s["household_no"] == household_no
            ]
            heads = [m for m in members if m["is_head"]]
            head_name = display_name(heads[0]) if heads else ""
            addresses = {tuple(m[name] for name in ADDRESS_FIELDS) for m in members}
            if len(heads) > 1 or any(m["head_name"] != head_name for m in members) or len(addresses) > 1:
                return True
        return False

    def next_serial(self) -> int:
        self.serial += 1
        return self.serial

    # -- drawing data ---------------------------------------------------------------------------

    def draw_person(self, data: st.DataObject, relationship: str) -> dict[str, Any]:
        surname, furigana_surname = data.draw(st.sampled_from(SURNAMES), label="surname")
        given_name, furigana_given_name = data.draw(st.sampled_from(GIVEN_NAMES), label="given name")
        foreign = data.draw(st.integers(0, 5), label="foreign?") == 0
        uncertain = ("年月日不詳", *SEIREKI_BIRTHS) if foreign else (*UNCERTAIN_BIRTHS, "年月日不詳")
        birth = data.draw(
            st.one_of(
                st.dates(date(1925, 1, 1), _today() - timedelta(days=1)).map(date.isoformat), st.sampled_from(uncertain)
            ),
            label="birth",
        )
        person: dict[str, Any] = {
            "birth": birth,
            "sex": data.draw(st.sampled_from(("1", "2")), label="sex"),
            "relationship": relationship,
        }
        if data.draw(st.booleans(), label="individual number?"):
            body = f"{9_000_000_000 + self.next_serial() * 7:011d}"
            person["individual_number"] = body + individual_number_check_digit(body)
        if foreign:
            person.update(self.draw_foreign_items(data, ("mid_long_term", "special_permanent")), birth=birth)
            return person
        person.update(
            surname=surname,
            given_name=given_name,
            furigana_surname=furigana_surname,
            furigana_given_name=furigana_given_name,
        )
        honseki_kind = data.draw(st.sampled_from(("address", "address", "none", "unknown")), label="honseki kind")
        person["honseki_kind"] = honseki_kind
        if honseki_kind == "address":
            person.update(honseki="埼玉県上尾市本町一丁目1番地", koseki_head=f"{surname}\u3000{given_name}")
        return person

    def draw_foreign_items(self, data: st.DataObject, categories: tuple[str, ...]) -> dict[str, Any]:
        """A foreign resident's items of 法30条の45, with card numbers never used before."""
        serial = self.next_serial()
        person: dict[str, Any] = {
            "nationality_kind": "foreign",
            "name_alphabet": f"SMITH JOHN {serial}",
            "nationality": data.draw(st.sampled_from(("米国", "英国", "ベトナム")), label="nationality"),
            "birth": data.draw(st.sampled_from(("1990-05-01", "年月日不詳", *SEIREKI_BIRTHS)), label="birth"),
            "sex": data.draw(st.sampled_from(("1", "2")), label="sex"),
        }
        category = data.draw(st.sampled_from(categories), label="category")
        person["residence_category"] = category
        if category == "special_permanent":
            person["special_permanent_cert_no"] = f"SP{serial:08d}AB"
        elif category == "mid_long_term":
            person.update(
                residence_status="技術・人文知識・国際業務",
                period_of_stay="3年",
                stay_expires_on=(_today() + timedelta(days=700)).isoformat(),
                residence_card_no=f"AB{serial:08d}CD",
            )
            if "temporary_refuge" in categories and data.draw(st.integers(0, 3), label="landing permit?") == 0:
                person.update(residence_card_no="", landing_permit_move_in=True)  # 上陸許可証による転入
        else:  # 一時庇護許可者・仮滞在許可者
            person["landing_period"] = "2026年11月20日から2027年5月19日まで"
        return person

    def draw_relationships(self, data: st.DataObject, atena_nos: list[str], *, head: bool) -> dict[str, str]:
        """New 続柄 for members forming a household (one head) or joining one (no head)."""
        relationships = {a: data.draw(st.sampled_from(NON_HEAD), label="relationship") for a in atena_nos}
        if head:
            relationships[data.draw(st.sampled_from(atena_nos), label="new head")] = HEAD
        return relationships

    def draw_household(self, data: st.DataObject, candidates: list[str], label: str = "household") -> str:
        """Often a household a pending movement was planned on, so that movements interleave."""
        planned_on = [h for p in self.pending.values() for h in sorted(self.households_of(p.items)) if h in candidates]
        choices = st.sampled_from(candidates)
        if planned_on:
            choices = st.one_of(st.sampled_from(planned_on), choices)
        return data.draw(choices, label=label)

    def draw_members(
        self, data: st.DataObject, *, minimum: int = 1, proper: bool = False, kind: str | None = None
    ) -> tuple[str, list[str]]:
        """Some current members of one household (of one 住民種別 if ``kind``)."""

        def eligible(members: list[str]) -> list[str]:
            return [a for a in members if kind is None or self.model[a]["nationality_kind"] == kind]

        households = self.households()
        candidates = sorted(
            h for h, m in households.items() if len(m) >= minimum + int(proper) and len(eligible(m)) >= minimum
        )
        household_no = self.draw_household(data, candidates)
        members = households[household_no]
        most = len(members) - 1 if proper else len(members)
        chosen = data.draw(
            st.lists(st.sampled_from(eligible(members)), min_size=1, max_size=most, unique=True), label="members"
        )
        return household_no, sorted(chosen)

    def draw_one(self, data: st.DataObject, kind: str | None = None) -> str:
        return self.draw_members(data, kind=kind)[1][0]

    def draw_effective(self, data: st.DataObject, most: int = 10) -> str:
        return _recent(data.draw(st.integers(0, most), label="days ago"))

    # -- entering and approving -------------------------------------------------------------------

    def enter(
        self,
        data: st.DataObject,
        kind: str,
        payload: dict[str, Any],
        *,
        new_households: int = 0,
        expect: Callable[[list[Item]], None] | None = None,
    ) -> None:
        known_households = (
            self.issued_households | set(self.households()) | {s["household_no"] for s in self.model.values()}
        )
        try:
            movement = enter_movement(kind, payload, by=self.counter, acknowledged=ACKNOWLEDGED)
        except MovementRejectedError as error:
            # A person of a waiting movement is refused at entry, naming it (not at approval).
            if error.issues and all(
                i.code == "movement.pending_person" and i.atena_no in self.waiting_persons() for i in error.issues
            ):
                event(f"refused at entry: {kind} on a person of a waiting movement")
                return
            issues = [(i.code, i.message) for i in error.issues]
            raise AssertionError(f"valid {kind} refused: {issues}") from error
        items = [(i.atena_no, i.base_history_no, dict(i.proposed)) for i in movement.items.order_by("id")]
        # ... and so no existing person is ever in two waiting movements
        assert not {a for a, base, _ in items if base is not None} & self.waiting_persons(), kind
        # (e) new 宛名番号 / 世帯番号 are fresh and valid; existing persons keep theirs.
        previous: dict[str, int] = {}
        for atena_no, base, proposed in items:
            assert proposed["atena_no"] == atena_no
            if base is None:
                validate_m11(atena_no, m11_remainder_one_policy())
                assert atena_no not in self.issued_atena and atena_no not in self.model
                self.issued_atena.add(atena_no)
            elif atena_no in previous:  # (b) a 改製's second row follows its first
                assert kind == "rebuild" and base == previous[atena_no] + 1, (kind, atena_no)
            else:
                assert base == self.history_no[atena_no]
            previous[atena_no] = base or 0
        fresh = {p["household_no"] for _, _, p in items} - known_households
        assert len(fresh) == new_households, (kind, fresh)
        for household_no in fresh:
            validate_m11(household_no, m11_remainder_one_policy(), label="世帯番号")
        self.issued_households |= fresh
        if expect is not None:
            expect(items)
        pending = Pending(movement, kind, items, self.household_state(self.households_of(items)))
        self.pending[movement.pk] = pending
        if data.draw(st.integers(0, 2), label="leave as 仮登録?") > 0:
            self.approve(pending)

    def waiting_persons(self) -> set[str]:
        return {a for p in self.pending.values() for a, base, _ in p.items if base is not None}

    def approve(self, pending: Pending) -> None:
        movement = pending.movement
        stale = [a for a, base in _first_bases(pending.items).items() if self.history_no.get(a) != base]
        # A household it was planned on may have changed since (same operator, no lease conflict).
        households = self.households_of(pending.items)
        changed = self.conflict({a: p for a, _, p in pending.items}, households)
        if changed and not stale:  # a plan fits the households it was planned on
            assert self.household_state(households) != pending.basis, f"{pending.kind} planned inconsistently"
        if stale or changed:  # refused; nothing is written and the movement stays 仮登録
            with pytest.raises(DomainError) as info:
                approve_movement(movement, by=self.reviewer)
            assert info.value.code == "movement.stale"
            assert Movement.objects.get(pk=movement.pk).state == Movement.State.PROVISIONAL
            event(f"approval refused: {'person' if stale else 'household'} changed")
            return
        rows = approve_movement(movement, by=self.reviewer)
        event(f"approved: {pending.kind}")
        del self.pending[movement.pk]
        movement.refresh_from_db()
        assert movement.state == Movement.State.FINAL
        assert not EditLease.objects.filter(movement=movement).exists()
        assert len(rows) == len(pending.items)
        for (atena_no, base, proposed), row in zip(pending.items, rows, strict=True):
            assert row.atena_no == atena_no and row.history_no == (base or 0) + 1
            expected = {k: v for k, v in proposed.items() if not k.startswith("_")}  # e.g. a 改製 row's own reason
            if not expected["resident_code"] and expected["status"] == Status.CURRENT:
                # (e) taken from the stock at 本登録: a code no row ever carried
                assert row.resident_code and row.resident_code not in self.seen_codes, atena_no
                expected["resident_code"] = row.resident_code
            assert snapshot_of(row) == expected
            if movement.cancels_id is not None:
                self.check_cancelled(atena_no, base, row)
            self.model[atena_no] = expected
            self.history_no[atena_no] = row.history_no
            self.rows[row.pk] = _row_fields(ResidentHistory.objects.get(pk=row.pk))
            self.row_snapshots[(atena_no, row.history_no)] = snapshot_of(row)
            self.seen_codes.add(row.resident_code)
        self.final.append(movement)

    def check_cancelled(self, atena_no: str, base: int | None, row: ResidentHistory) -> None:
        """(d) the restored record is the record before the cancelled movement, item for item."""
        assert base is not None
        restored = snapshot_of(row)
        if base == 1:
            # The cancelled movement created the person: there is no earlier record, so the
            # person becomes a 除票 with the items the movement recorded; only the removal
            # items (status, 消除事由, 消除日) differ from that row.
            assert row.restores_history_no is None
            assert restored["status"] == Status.REMOVED and restored["removal_reason"] == "異動の取消し"
            created = self.row_snapshots[(atena_no, 1)]
            removal = {"status", "removal_reason", "removed_text", "removed_sort"}
            assert {k: v for k, v in restored.items() if k not in removal} == {
                k: v for k, v in created.items() if k not in removal
            }
            return
        assert row.restores_history_no == base - 1
        assert restored == self.row_snapshots[(atena_no, base - 1)]

    def refused(self, kind: str, payload: dict[str, Any], codes: set[str]) -> None:
        """A movement the machine predicts to be refused with exactly ``codes``; nothing written."""
        with pytest.raises(MovementRejectedError) as info:
            enter_movement(kind, payload, by=self.counter, acknowledged=ACKNOWLEDGED)
        # a person of a waiting movement is refused for that too (planning.pending)
        assert {i.code for i in info.value.issues} - {"movement.pending_person"} == codes
        event(f"refused: {kind}")

    # -- rules: movements -------------------------------------------------------------------------

    def draw_newcomers(self, data: st.DataObject, size: int, head: bool, *, article: bool) -> list[dict[str, Any]]:
        """The persons of a 転入: new ones, or 再転入 of a person who moved out (the 除票's items
        are the defaults; only the 続柄 — and for a 30条の46 転入 the new card — are entered)."""
        relationships = [data.draw(st.sampled_from(NON_HEAD), label="relationship") for _ in range(size)]
        if head:
            relationships[0] = HEAD
        returning = self.moved_out("foreign" if article else None)
        persons = []
        for relationship in relationships:
            if returning and data.draw(st.integers(0, 2), label="再転入?") == 0:
                atena_no = data.draw(st.sampled_from(returning), label="reentry of")
                returning.remove(atena_no)
                person: dict[str, Any] = {"reentry_of": atena_no, "relationship": relationship}
                old = self.model[atena_no]
                if article:  # the new 在留カード of the new stay
                    person.update(self.draw_foreign_items(data, ("mid_long_term",)))
                    del person["birth"], person["sex"], person["name_alphabet"]
                elif old["residence_category"] == "mid_long_term" and not old["residence_card_no"]:
                    # came in with a 上陸許可証; an ordinary 転入 needs the 在留カード issued since
                    person["residence_card_no"] = f"RC{self.next_serial():08d}AB"
                persons.append(person)
            elif article:
                persons.append({**self.draw_foreign_items(data, ARTICLE_CATEGORIES), "relationship": relationship})
            else:
                persons.append(self.draw_person(data, relationship))
        return persons

    def expect_reentries(self, persons: list[dict[str, Any]]) -> Callable[[list[Item]], None]:
        def check(items: list[Item]) -> None:
            returning = [p["reentry_of"] for p in persons if "reentry_of" in p]
            by_person = {a: (base, proposed) for a, base, proposed in items}
            for atena_no in returning:  # (e) the same 宛名番号 and 住民票コード, a new row
                base, proposed = by_person[atena_no]
                assert base == self.history_no[atena_no] and proposed["status"] == Status.CURRENT
                assert proposed["resident_code"] == self.model[atena_no]["resident_code"]
            if returning:
                event("再転入")

        return check

    def draw_destination(self, data: st.DataObject, payload: dict[str, Any]) -> tuple[bool, bool]:
        """Into a new household at one of the addresses, or joining an existing one; returns
        (joins, the newcomers bring a head)."""
        households = self.households()
        join = bool(households) and data.draw(st.booleans(), label="join?")
        if join:
            headless = sorted(h for h in households if not self.has_head(h))
            prefer_headless = data.draw(st.booleans(), label="into a household without head?")
            if headless and prefer_headless:
                household_no = data.draw(st.sampled_from(headless), label="joins")
            else:
                household_no = self.draw_household(data, sorted(households), label="joins")
            payload["household"] = {"mode": "join", "household_no": household_no}
            return True, not self.has_head(household_no) and data.draw(st.booleans(), label="head joins?")
        payload["address"] = data.draw(st.sampled_from(ADDRESSES), label="address")
        return False, data.draw(st.integers(0, 5), label="headless?") > 0

    @rule(data=st.data())
    def move_in(self, data: st.DataObject) -> None:
        size = data.draw(st.integers(1, 4), label="persons")
        payload: dict[str, Any] = {
            "reason": data.draw(st.sampled_from(("domestic_move_in", "abroad_move_in")), label="reason"),
            "effective": self.draw_effective(data),
            "previous_address": EXTERNAL,
        }
        join, head = self.draw_destination(data, payload)
        payload["persons"] = persons = self.draw_newcomers(data, size, head, article=False)
        self.enter(data, "move_in", payload, new_households=0 if join else 1, expect=self.expect_reentries(persons))

    @rule(data=st.data())
    def foreign_move_in(self, data: st.DataObject) -> None:
        """法第30条の46転入 / 法第30条の47届出: a 転入 of foreign residents (4.5.1, 4.5.2)."""
        kind = data.draw(st.sampled_from(("article_30_46", "article_30_47")), label="article")
        days = data.draw(st.integers(0, 10), label="days ago")
        payload: dict[str, Any] = {"effective": _recent(days)}
        if kind == "article_30_46" and data.draw(st.booleans(), label="from abroad?"):
            payload["previous_address"] = {"address": "アメリカ合衆国"}
        if kind == "article_30_47" and data.draw(st.booleans(), label="address set earlier?"):
            payload["address_set"] = _recent(days + data.draw(st.integers(0, 300), label="lived here since"))
        join, head = self.draw_destination(data, payload)
        payload["persons"] = persons = self.draw_newcomers(data, data.draw(st.integers(1, 3)), head, article=True)

        def expect(items: list[Item]) -> None:
            self.expect_reentries(persons)(items)
            for _, _, proposed in items[-len(persons) :]:
                assert proposed["nationality_kind"] == NationalityKind.FOREIGN
                assert proposed["residence_category"] in ARTICLE_CATEGORIES
                assert proposed["foreign_resident_since_sort"] == payload["effective"]

        self.enter(data, kind, payload, new_households=0 if join else 1, expect=expect)

    @precondition(lambda self: self.households())
    @rule(data=st.data())
    def relocate(self, data: st.DataObject) -> None:
        household_no, movers = self.draw_members(data)
        whole = movers == self.households()[household_no]
        others = sorted(h for h in self.households() if h != household_no)
        modes = ["new"] + (["same"] if whole else []) + (["join"] if others else [])
        mode = data.draw(st.sampled_from(modes), label="mode")
        payload: dict[str, Any] = {"atena_nos": movers, "effective": self.draw_effective(data)}
        if mode == "join":
            target = self.draw_household(data, others, label="target")
            payload["destination"] = {"mode": "join", "household_no": target}
            payload["relationships"] = self.draw_relationships(data, movers, head=False)
        else:
            address = data.draw(st.sampled_from(ADDRESSES), label="address")
            payload["destination"] = {"mode": mode, "address": address}
            if mode == "new":
                payload["relationships"] = self.draw_relationships(data, movers, head=True)
        self.enter(data, "relocation", payload, new_households=int(mode == "new"))

    @precondition(lambda self: any(len(m) >= 2 for m in self.households().values()))
    @rule(data=st.data())
    def split(self, data: st.DataObject) -> None:
        _, movers = self.draw_members(data, proper=True)
        payload = {
            "atena_nos": movers,
            "effective": self.draw_effective(data),
            "relationships": self.draw_relationships(data, movers, head=True),
        }
        self.enter(data, "household_split", payload, new_households=1)

    @precondition(lambda self: self.same_address_pairs())
    @rule(data=st.data())
    def merge(self, data: st.DataObject) -> None:
        """世帯合併 (4.1.4.1): a whole household joins another at the same address."""
        source, target = data.draw(st.sampled_from(self.same_address_pairs()), label="merges into")
        members = self.households()[source]
        relationships = self.draw_relationships(data, members, head=False)
        payload = {
            "household_no": source,
            "into_household_no": target,
            "effective": self.draw_effective(data),
            "relationships": relationships,
        }
        if not self.same_dwelling(source, target):
            self.refused("household_merge", payload, {"household.address_differs"})
            return
        head_name = self.head_name(target)

        def expect(items: list[Item]) -> None:
            assert sorted(a for a, _, _ in items) == members
            for atena_no, _, proposed in items:
                assert proposed["household_no"] == target and proposed["head_name"] == head_name
                assert proposed["relationship"] == relationships[atena_no] and not proposed["is_head"]

        self.enter(data, "household_merge", payload, expect=expect)

    @precondition(lambda self: self.same_address_pairs())
    @rule(data=st.data())
    def change_household(self, data: st.DataObject) -> None:
        """世帯変更 (4.1.4.1): some members move into another household at the same address."""
        source, target = data.draw(st.sampled_from(self.same_address_pairs()), label="moves into")
        movers = sorted(
            data.draw(st.lists(st.sampled_from(self.households()[source]), min_size=1, unique=True), label="movers")
        )
        headless = not self.has_head(target)
        relationships = self.draw_relationships(
            data, movers, head=headless and data.draw(st.booleans(), label="a mover becomes head?")
        )
        payload = {
            "atena_nos": movers,
            "into_household_no": target,
            "effective": self.draw_effective(data),
            "relationships": relationships,
        }
        if not self.same_dwelling(source, target):
            self.refused("household_change", payload, {"household.address_differs"})
            return
        if len(movers) > 1 and data.draw(st.integers(0, 5), label="two heads?") == 0:
            self.refused(
                "household_change", {**payload, "relationships": dict.fromkeys(movers, HEAD)}, {"household.two_heads"}
            )
            return
        new_head = [a for a in movers if relationships[a] == HEAD]
        head_name = display_name(self.model[new_head[0]]) if new_head else self.head_name(target)
        members = self.households()[target]

        def expect(items: list[Item]) -> None:
            for atena_no in movers:
                proposed = next(p for a, _, p in items if a == atena_no)
                assert proposed["household_no"] == target and proposed["head_name"] == head_name
                assert proposed["relationship"] == relationships[atena_no]
            if new_head:  # the members of the household without head follow (世帯主氏名)
                assert {a: p["head_name"] for a, _, p in items if a in members} == dict.fromkeys(members, head_name)

        self.enter(data, "household_change", payload, expect=expect)

    @precondition(lambda self: any(len(m) >= 2 or not self.has_head(h) for h, m in self.households().items()))
    @rule(data=st.data())
    def change_head(self, data: st.DataObject) -> None:
        """世帯主変更 with every member's 続柄 re-set (4.1.4.2)."""
        households = self.households()
        candidates = sorted(h for h, m in households.items() if len(m) >= 2 or not self.has_head(h))
        household_no = self.draw_household(data, candidates)
        members = households[household_no]
        new_head = data.draw(st.sampled_from([a for a in members if not self.model[a]["is_head"]]), label="new head")
        relationships = {a: data.draw(st.sampled_from(NON_HEAD), label="relationship") for a in members}
        relationships[new_head] = HEAD
        payload = {"household_no": household_no, "effective": self.draw_effective(data), "relationships": relationships}

        def expect(items: list[Item]) -> None:
            assert sorted(a for a, _, _ in items) == members
            name = display_name(self.model[new_head])
            for atena_no, _, proposed in items:
                assert proposed["is_head"] == (atena_no == new_head) and proposed["head_name"] == name

        self.enter(data, "head_change", payload, expect=expect)

    @precondition(lambda self: self.households())
    @rule(data=st.data())
    def move_out(self, data: st.DataObject) -> None:
        _, movers = self.draw_members(data)
        payload = {
            "atena_nos": movers,
            "reason": data.draw(st.sampled_from(("domestic_move_out", "abroad_move_out"))),
            "effective": _recent(data.draw(st.integers(-14, 10), label="days ago")),  # may be planned ahead
            "destination": {"address": "東京都港区芝公園4丁目2番8号", "postcode": "1050011"},
        }
        self.enter(data, "move_out", payload)

    @precondition(lambda self: self.households())
    @rule(data=st.data())
    def birth(self, data: st.DataObject) -> None:
        household_no = self.draw_household(data, sorted(self.households()))
        child = self.draw_person(data, data.draw(st.sampled_from(CHILD)))
        child["birth"] = self.draw_effective(data)
        child.pop("individual_number", None)
        self.enter(data, "birth", {"household_no": household_no, "person": child})

    @precondition(lambda self: self.households())
    @rule(data=st.data())
    def death(self, data: st.DataObject) -> None:
        _, persons = self.draw_members(data)
        effective = data.draw(st.one_of(st.integers(0, 10).map(_recent), st.just("年月日不詳")), label="died")
        self.enter(data, "death", {"atena_nos": persons[:1], "effective": effective})

    @precondition(lambda self: self.households())
    @rule(data=st.data())
    def disappearance(self, data: st.DataObject) -> None:
        """失踪 (4.2.2.2): 職権消除 of one person; the others of the household stay."""
        atena_no = self.draw_one(data)
        effective = data.draw(st.one_of(st.integers(0, 3000).map(_recent), st.just("昭和55年頃")), label="deemed")

        def expect(items: list[Item]) -> None:
            assert items[0][0] == atena_no and items[0][2]["removal_reason"] == "失踪宣告"

        self.enter(data, "disappearance", {"atena_no": atena_no, "effective": effective}, expect=expect)

    @precondition(lambda self: self.households())
    @rule(data=st.data())
    def correction(self, data: st.DataObject) -> None:
        """職権修正・軽微な修正・誤記修正 (4.2.3): the head's new name is every member's 世帯主氏名;
        an address item corrected by a 軽微な修正 is every member's."""
        atena_no = self.draw_one(data)
        snap = self.model[atena_no]
        kind = data.draw(st.sampled_from(("ex_officio", "minor", "clerical")), label="correction")
        japanese = snap["nationality_kind"] == NationalityKind.JAPANESE
        options = ["birth", "sex", "notes"]
        options += ["surname", "given_name", "honseki"] if japanese else ["name_alphabet", "nationality"]
        if snap["residence_category"] == "mid_long_term":
            options.append("residence_status")
        if kind == "minor":
            options += ["katagaki", "banchi"]
        chosen = data.draw(st.lists(st.sampled_from(options), min_size=1, unique=True), label="items")
        changes: dict[str, Any] = {}
        births = (*UNCERTAIN_BIRTHS, "年月日不詳") if japanese else (*SEIREKI_BIRTHS, "年月日不詳")
        for item in chosen:
            if item == "surname":
                changes["surname"], changes["furigana_surname"] = data.draw(st.sampled_from(SURNAMES))
            elif item == "given_name":
                changes["given_name"], changes["furigana_given_name"] = data.draw(st.sampled_from(GIVEN_NAMES))
            elif item == "birth":
                changes["birth"] = data.draw(st.sampled_from(("1970-07-07", *births)), label="birth")
            elif item == "sex":
                changes["sex"] = "2" if snap["sex"] == "1" else "1"
            elif item == "honseki":
                changes.update(honseki_kind="address", honseki="埼玉県上尾市平方1番地", koseki_head=display_name(snap))
            elif item == "name_alphabet":
                changes["name_alphabet"] = f"SMITH JANE {self.next_serial()}"
            elif item == "nationality":
                changes["nationality"] = data.draw(st.sampled_from(("米国", "英国", "韓国")), label="nationality")
            elif item == "residence_status":
                changes["residence_status"] = data.draw(st.sampled_from(("家族滞在", "留学")), label="status")
            elif item == "notes":
                changes["notes"] = f"備考 {self.next_serial()}"
            else:  # 方書・番地 (住居表示の実施など)
                changes[item] = data.draw(st.sampled_from(("", "新館 5号室", "3番地1")), label=item)
        household = self.households()[snap["household_no"]]
        follows = snap["is_head"] or "katagaki" in changes or "banchi" in changes

        def expect(items: list[Item]) -> None:
            assert items[0][0] == atena_no
            assert {a for a, _, _ in items} <= (set(household) if follows else {atena_no})
            for name in ("katagaki", "banchi"):
                if name in changes:
                    assert {p[name] for _, _, p in items} == {changes[name]}

        payload = {"correction": kind, "atena_no": atena_no, "changes": changes}
        self.enter(data, "correction", payload, expect=expect)

    @precondition(lambda self: self.of_kind(NationalityKind.JAPANESE))
    @rule(data=st.data())
    def former_surname(self, data: st.DataObject) -> None:
        """旧氏の記載・変更・削除 (1.1.7): Japanese residents only."""
        atena_no = self.draw_one(data, NationalityKind.JAPANESE)
        recorded = bool(self.model[atena_no]["former_surname"])
        action = data.draw(st.sampled_from(("change", "delete") if recorded else ("record",)), label="action")
        surname, furigana = data.draw(st.sampled_from(SURNAMES), label="former surname")
        payload = {"atena_no": atena_no, "action": action}
        if action != "delete":
            payload.update(former_surname=surname, former_surname_furigana=furigana)

        def expect(items: list[Item]) -> None:
            assert [(a, p["former_surname"]) for a, _, p in items] == [(atena_no, payload.get("former_surname", ""))]

        self.enter(data, "former_surname", payload, expect=expect)

    @precondition(lambda self: self.of_kind(NationalityKind.FOREIGN))
    @rule(data=st.data())
    def alias(self, data: st.DataObject) -> None:
        """通称の記載・削除 (1.1.7): foreign residents only; the history of 通称 only grows."""
        atena_no = self.draw_one(data, NationalityKind.FOREIGN)
        before = self.model[atena_no]
        action = "delete" if before["alias"] else "record"
        payload = {"atena_no": atena_no, "action": action, "alias": f"山田 {self.next_serial()}", "alias_furigana": ""}

        def expect(items: list[Item]) -> None:
            ((_, _, proposed),) = items
            assert proposed["alias"] == (payload["alias"] if action == "record" else "")
            assert len(proposed["alias_history"]) == len(before["alias_history"]) + (action == "record")

        self.enter(data, "alias", payload, expect=expect)

    @precondition(lambda self: self.of_kind(NationalityKind.FOREIGN))
    @rule(data=st.data())
    def naturalization(self, data: st.DataObject) -> None:
        """帰化・国籍取得 (4.5.3, 4.5.4): the record of the same 宛名番号 becomes Japanese (g)."""
        kind = data.draw(st.sampled_from(("naturalization", "nationality_acquisition")), label="kind")
        _, chosen = self.draw_members(data, kind=NationalityKind.FOREIGN)
        persons = []
        for atena_no in chosen:
            surname, furigana_surname = data.draw(st.sampled_from(SURNAMES), label="surname")
            given_name, furigana_given_name = data.draw(st.sampled_from(GIVEN_NAMES), label="given name")
            persons.append(
                {
                    "atena_no": atena_no,
                    "surname": surname,
                    "given_name": given_name,
                    "furigana_surname": furigana_surname,
                    "furigana_given_name": furigana_given_name,
                    "honseki_kind": "address",
                    "honseki": "埼玉県上尾市本町三丁目1番地",
                    "koseki_head": f"{surname}\u3000{given_name}",
                    **_birth_in(self.model[atena_no], japanese=True),
                }
            )
        # not before the day they became foreign residents (naturalization.before_foreign_since)
        since = [self.model[a]["foreign_resident_since_sort"] for a in chosen]
        latest = max((date.fromisoformat(s) for s in since if s), default=_today() - timedelta(days=10))
        payload = {"effective": self.draw_effective(data, (_today() - latest).days), "persons": persons}

        def expect(items: list[Item]) -> None:
            for atena_no, _, proposed in items:
                if atena_no in chosen:
                    assert proposed["nationality_kind"] == NationalityKind.JAPANESE
                    assert proposed["resident_code"] == self.model[atena_no]["resident_code"]

        self.enter(data, kind, payload, expect=expect)

    @precondition(lambda self: self.of_kind(NationalityKind.JAPANESE))
    @rule(data=st.data())
    def nationality_loss(self, data: st.DataObject) -> None:
        """国籍喪失 (4.5.5): the record of the same 宛名番号 becomes foreign (g)."""
        _, chosen = self.draw_members(data, kind=NationalityKind.JAPANESE)
        persons = []
        for atena_no in chosen:
            person: dict[str, Any] = {"atena_no": atena_no, **_birth_in(self.model[atena_no], japanese=False)}
            person["nationality"] = data.draw(st.sampled_from(("米国", "英国")), label="nationality")
            if data.draw(st.booleans(), label="alphabet name?"):
                person["name_alphabet"] = f"AGEO TARO {self.next_serial()}"
            if data.draw(st.booleans(), label="category entered?"):  # else 国籍喪失による経過滞在者
                items = self.draw_foreign_items(data, ("mid_long_term", "special_permanent"))
                person.update(
                    {k: v for k, v in items.items() if k not in ("nationality_kind", "birth", "sex", "name_alphabet")}
                )
            persons.append(person)
        payload = {"effective": self.draw_effective(data), "persons": persons}

        def expect(items: list[Item]) -> None:
            for atena_no, _, proposed in items:
                if atena_no in chosen:
                    assert proposed["nationality_kind"] == NationalityKind.FOREIGN and not proposed["honseki"]

        self.enter(data, "nationality_loss", payload, expect=expect)

    @precondition(lambda self: self.households())
    @rule(data=st.data())
    def resident_code(self, data: st.DataObject) -> None:
        """住民票コードの変更請求 (住基法30条の4): the new code is taken at 本登録 (e), (f).  A
        職権記載 for a person who has a code is refused (every current resident has one here)."""
        atena_no = self.draw_one(data)
        action = data.draw(st.sampled_from(("change_request", "change_request", "ex_officio_record")), label="action")
        payload = {"atena_no": atena_no, "action": action, "notifier": "本人"}
        if action == "ex_officio_record":
            self.refused("resident_code", payload, {"resident_code.exists"})
            return

        def expect(items: list[Item]) -> None:
            ((_, _, proposed),) = items
            assert proposed == {**self.model[atena_no], "resident_code": ""}

        self.enter(data, "resident_code", payload, expect=expect)

    @precondition(lambda self: self.households())
    @rule(data=st.data())
    def individual_number(self, data: st.DataObject) -> None:
        """個人番号の職権記載・変更請求・職権修正 (4.4, 番号法7条): the number comes from the J-LIS
        simulator; refusals are predicted from the model and from what the national book holds
        (a number typed in at a 転入 is unknown to it, as is a 住民票コード changed since)."""
        atena_no = self.draw_one(data)
        action = data.draw(
            st.sampled_from(("ex_officio_record", "change_request", "ex_officio_correction")), label="number action"
        )
        payload = {"atena_no": atena_no, "action": action, "notifier": "本人"}
        held = self.model[atena_no]["individual_number_lookup"]
        code = self.model[atena_no]["resident_code"]
        if action == "ex_officio_record" and held:
            self.refused("individual_number", payload, {"individual_number.exists"})
            return
        if action != "ex_officio_record" and not held:
            self.refused("individual_number", payload, {"individual_number.none"})
            return
        if action != "ex_officio_record" and self.jlis.issuer.number_of(code) is None:
            self.refused("individual_number", payload, {"number_service.unknown_code"})
            return

        def expect(items: list[Item]) -> None:
            ((_, _, proposed),) = items
            number = self.jlis.issuer.number_of(code)
            assert number is not None and proposed["individual_number_lookup"] == individual_number_lookup(number)
            assert proposed["individual_number_lookup"] != held
            assert open_individual_number(proposed["individual_number_ct"], atena_no) == number
            rest = {k: v for k, v in proposed.items() if k not in NUMBER_ITEMS}
            assert rest == {k: v for k, v in self.model[atena_no].items() if k not in NUMBER_ITEMS}

        self.enter(data, "individual_number", payload, expect=expect)

    @precondition(lambda self: self.households())
    @rule(data=st.data())
    def rebuild_record(self, data: st.DataObject) -> None:
        """改製 (1.1.4): two rows per person, the 除票 of the 原票 and the new record (b)."""
        _, persons = self.draw_members(data)
        payload = {"atena_nos": persons, "remark": "改製"}

        def expect(items: list[Item]) -> None:
            assert [a for a, _, _ in items] == [a for a in persons for _ in range(2)]
            for (atena_no, _, removed), (_, _, rebuilt) in zip(items[::2], items[1::2], strict=True):
                before = self.model[atena_no]
                assert removed["status"] == Status.REMOVED and removed["removal_reason"] == "改製"
                assert rebuilt["rebuild_no"] == before["rebuild_no"] + 1 and rebuilt["rebuilt_on"] == _recent(0)
                same = {k: v for k, v in rebuilt.items() if k not in ("rebuild_no", "rebuilt_on", "_reason")}
                assert same == {k: v for k, v in before.items() if k not in ("rebuild_no", "rebuilt_on")}

        self.enter(data, "rebuild", payload, expect=expect)

    @precondition(lambda self: self.final)
    @rule(data=st.data())
    def cancel(self, data: st.DataObject) -> None:
        recent = st.sampled_from(self.final[-2:])  # mostly one of the latest: those can be cancelled
        original = data.draw(st.one_of(recent, recent, st.sampled_from(self.final)), label="cancels")
        persons = sorted({a for a, _ in original.history_rows.values_list("atena_no", "history_no")})
        wanted = data.draw(st.one_of(st.just([]), st.lists(st.sampled_from(persons), min_size=1, unique=True)))
        rows = [
            (a, n) for a, n in original.history_rows.values_list("atena_no", "history_no") if not wanted or a in wanted
        ]
        later = sorted({a for a, n in rows if self.history_no[a] != n})  # a 改製's 消除 row: always
        payload = {"movement_no": original.movement_no, "atena_nos": sorted(wanted)}
        if later:  # a later movement of the same person stands: refused, nothing written
            with pytest.raises(MovementRejectedError) as info:
                enter_movement("cancellation", payload, by=self.counter, acknowledged=ACKNOWLEDGED)
            refused = {i.atena_no for i in info.value.issues if i.code == "cancel.later_movement"}
            assert refused == set(later)
            assert {i.code for i in info.value.issues} <= {
                "cancel.later_movement",
                "cancel.household_changed",
                "movement.pending_person",
            }
            event("cancellation refused: a later movement")
            return
        restored = {a: self.before(a, n) for a, n in rows}
        households = {self.model[a]["household_no"] for a in restored} | {s["household_no"] for s in restored.values()}
        if self.conflict(restored, households):  # the households changed since: refused
            with pytest.raises(MovementRejectedError) as info:
                enter_movement("cancellation", payload, by=self.counter, acknowledged=ACKNOWLEDGED)
            assert {i.code for i in info.value.issues} - {"movement.pending_person"} == {"cancel.household_changed"}
            event("cancellation refused: the household changed")
            return
        event(f"cancels: {original.kind}")
        self.enter(data, "cancellation", payload)

    def before(self, atena_no: str, history_no: int) -> Snapshot:
        """The record a cancellation of row ``history_no`` restores (a created person: removed)."""
        if history_no == 1:
            return {**self.row_snapshots[(atena_no, 1)], "status": Status.REMOVED}
        return self.row_snapshots[(atena_no, history_no - 1)]

    # -- rules: 仮登録 -----------------------------------------------------------------------------

    @precondition(lambda self: self.pending)
    @rule(data=st.data())
    def approve_pending(self, data: st.DataObject) -> None:
        self.approve(self.pending[data.draw(st.sampled_from(sorted(self.pending)), label="approves")])

    @precondition(lambda self: self.pending)
    @rule(data=st.data())
    def discard_pending(self, data: st.DataObject) -> None:
        pending = self.pending.pop(data.draw(st.sampled_from(sorted(self.pending)), label="discards"))
        by = data.draw(st.sampled_from((self.counter, self.reviewer)), label="by")
        discard_movement(pending.movement, by=by)
        self.discarded |= {a for a, base, _ in pending.items if base is None}
        pending.movement.refresh_from_db()
        assert pending.movement.state == Movement.State.DISCARDED
        assert not EditLease.objects.filter(movement=pending.movement).exists()
        with pytest.raises(DomainError):
            approve_movement(pending.movement, by=self.reviewer)

    # -- rules: rebuild ---------------------------------------------------------------------------

    @rule()
    def rebuild(self) -> None:
        """(c) the projection can always be rebuilt from history and nothing changes."""

        def residents() -> dict[str, tuple[Snapshot, int, str | None]]:
            return {
                r.atena_no: (snapshot_of(r), r.history_no, r.household.household_no if r.household else None)
                for r in Resident.objects.select_related("household")
            }

        def households() -> dict[str, tuple[Any, ...]]:
            return {
                h.household_no: (
                    h.is_active,
                    h.head_atena_no,
                    h.head_name,
                    *(getattr(h, f) for f in HOUSEHOLD_ADDRESS_FIELDS),
                )
                for h in Household.objects.all()
            }

        before, before_households = residents(), households()
        assert rebuild_projection() == len(before)
        assert residents() == before
        assert households() == before_households

    # -- invariants -------------------------------------------------------------------------------

    @invariant()
    def register_is_consistent(self) -> None:
        residents = {r.atena_no: r for r in Resident.objects.all()}
        households = {h.household_no: h for h in Household.objects.all()}
        history = list(ResidentHistory.objects.select_related("movement").order_by("atena_no", "history_no"))
        self.check_projection(residents, history)
        self.check_history(history)
        self.check_households(residents, households)
        self.check_numbers(residents, households, history)
        self.check_provisional_invisible(history)
        self.check_kinds(history)

    def check_projection(self, residents: dict[str, Resident], history: list[ResidentHistory]) -> None:
        """(c) and (f): the projection is the latest history row and changed by 本登録 only."""
        assert set(residents) == set(self.model)
        latest = {row.atena_no: row for row in history}
        assert set(latest) == set(residents)
        for atena_no, resident in residents.items():
            assert snapshot_of(resident) == self.model[atena_no], atena_no
            assert resident.history_no == self.history_no[atena_no] == latest[atena_no].history_no
            assert snapshot_of(resident) == snapshot_of(latest[atena_no]), atena_no
        for record in [*residents.values(), *history]:  # every record can be found by its reading
            keys = search_keys(record.furigana_surname, record.furigana_given_name, record.name_alphabet)
            assert (record.name_key, record.given_name_key) == keys, record.atena_no

    def check_history(self, history: list[ResidentHistory]) -> None:
        """(b) append-only: every row seen is unchanged; 履歴番号 1..n without gaps; two rows of
        one person in one movement only for a 改製 (消除 then 記載)."""
        assert {row.pk for row in history} == set(self.rows)
        numbers: dict[str, list[int]] = defaultdict(list)
        per_movement: dict[tuple[int, str], list[str]] = defaultdict(list)
        for row in history:
            assert _row_fields(row) == self.rows[row.pk], (row.atena_no, row.history_no)
            numbers[row.atena_no].append(row.history_no)
            per_movement[(row.movement_id, row.atena_no)].append(row.reason)
        for atena_no, seen in numbers.items():
            assert seen == list(range(1, len(seen) + 1)), atena_no
        for reasons in per_movement.values():
            assert len(reasons) == 1 or reasons == ["rebuild_remove", "rebuild_add"], reasons

    def check_households(self, residents: dict[str, Resident], households: dict[str, Household]) -> None:
        """(a) one active household per current resident; members, head, common items."""
        members: dict[str, list[Resident]] = defaultdict(list)
        for resident in residents.values():
            assert resident.is_head == (resident.relationship == HEAD), resident.atena_no
            if resident.status == Status.CURRENT:
                household = households.get(resident.household_no)
                assert household is not None and household.is_active, resident.atena_no
                assert resident.household_id == household.pk
                members[resident.household_no].append(resident)
        for household_no, household in households.items():
            current = members.get(household_no, [])
            assert household.is_active == bool(current), household_no
            heads = [m for m in current if m.is_head]
            assert len(heads) <= 1, f"{household_no} has {len(heads)} heads"
            assert household.head_atena_no == (heads[0].atena_no if heads else "")
            head_name = heads[0].name if heads else ""
            assert household.head_name == head_name
            for member in current:
                assert member.head_name == head_name, (household_no, member.atena_no, member.head_name, head_name)
                for name in ADDRESS_FIELDS:
                    assert getattr(member, name) == getattr(current[0], name), (household_no, member.atena_no, name)
                for name in HOUSEHOLD_ADDRESS_FIELDS:
                    assert getattr(member, name) == getattr(household, name), (household_no, member.atena_no, name)

    def check_numbers(
        self, residents: dict[str, Resident], households: dict[str, Household], history: list[ResidentHistory]
    ) -> None:
        """(e) 宛名番号, 世帯番号 and 住民票コード."""
        policy = m11_remainder_one_policy()
        for atena_no in residents:
            validate_m11(atena_no, policy)
        for household_no in set(households) | {row.household_no for row in history}:
            validate_m11(household_no, policy, label="世帯番号")
        codes = [r.resident_code for r in residents.values() if r.resident_code]
        assert len(codes) == len(set(codes))
        assigned = dict(SpareResidentCode.objects.exclude(assigned_to="").values_list("code", "assigned_to"))
        for resident in residents.values():
            if resident.status == Status.CURRENT:
                assert resident.resident_code, resident.atena_no
        previous: dict[str, str] = {}
        for row in history:  # ordered by person, then 履歴番号
            if row.resident_code:
                assert is_valid_resident_code(row.resident_code, resident_code_formula())
                assert assigned.get(row.resident_code) == row.atena_no  # never passes to another person
            if row.atena_no in previous and row.resident_code != previous[row.atena_no]:
                # changed only by a 住民票コード movement or a cancellation (which restores, (d))
                assert row.reason in CODE_REASONS or row.movement.cancels_id is not None, (row.atena_no, row.reason)
            previous[row.atena_no] = row.resident_code
        assert set(assigned.values()) <= set(residents)
        self.check_individual_numbers(residents, history)
        # (f) every code taken from the stock is on a history row: a 仮登録 takes none
        assert set(assigned) == {row.resident_code for row in history if row.resident_code} == self.seen_codes - {""}

    def check_individual_numbers(self, residents: dict[str, Resident], history: list[ResidentHistory]) -> None:
        """(e) 個人番号: valid, sealed to its look-up key, unique among current residents, changed
        only by a 個人番号 movement or a cancellation."""
        current = [r.individual_number_lookup for r in residents.values() if r.status == Status.CURRENT]
        assert len([k for k in current if k]) == len({k for k in current if k})
        previous: dict[str, str] = {}
        for row in history:  # ordered by person, then 履歴番号
            if row.individual_number_ct:
                number = open_individual_number(row.individual_number_ct, row.atena_no)
                assert validate_individual_number(number) == number
                assert individual_number_lookup(number) == row.individual_number_lookup
            else:
                assert not row.individual_number_lookup
            if row.atena_no in previous and row.individual_number_lookup != previous[row.atena_no]:
                assert row.reason in NUMBER_REASONS or row.movement.cancels_id is not None, (row.atena_no, row.reason)
            previous[row.atena_no] = row.individual_number_lookup

    def check_provisional_invisible(self, history: list[ResidentHistory]) -> None:
        """(f) nothing of a 仮登録 or a discarded movement reaches the record or the outbox."""
        final = {m.pk for m in self.final}
        assert {row.movement_id for row in history} <= final
        assert set(OutboxMessage.objects.values_list("movement_id", flat=True).distinct()) <= final
        outbox = set(OutboxMessage.objects.values_list("atena_no", "history_no", "destination"))
        for row in history:
            for destination in ("jukinet_cs", "atena", "konbini"):
                assert (row.atena_no, row.history_no, destination) in outbox
        assert set(Movement.objects.filter(state=Movement.State.PROVISIONAL).values_list("pk", flat=True)) >= set(
            self.pending
        )
        new_persons = [a for p in self.pending.values() for a, base, _ in p.items if base is None]
        new_persons += sorted(self.discarded)
        assert not Resident.objects.filter(atena_no__in=new_persons).exists()
        assert not ResidentHistory.objects.filter(atena_no__in=new_persons).exists()
        assert not OutboxMessage.objects.filter(atena_no__in=new_persons).exists()
        assert not SpareResidentCode.objects.filter(assigned_to__in=new_persons).exists()
        assert not MovementItem.objects.filter(movement__in=list(self.pending), history_no__isnull=False).exists()

    def check_kinds(self, history: list[ResidentHistory]) -> None:
        """(g) 住民種別 changes only by 帰化・国籍取得・国籍喪失 (or their cancellation), and each
        row carries only the items of its kind."""
        previous: dict[str, str] = {}
        for row in history:
            if row.atena_no in previous and row.nationality_kind != previous[row.atena_no]:
                assert row.reason in KIND_REASONS or row.movement.cancels_id is not None, (row.atena_no, row.reason)
            previous[row.atena_no] = row.nationality_kind
            other_kind = FOREIGN_ONLY if row.nationality_kind == NationalityKind.JAPANESE else JAPANESE_ONLY
            for name, blank in other_kind.items():
                assert getattr(row, name) == blank, (row.atena_no, row.history_no, row.nationality_kind, name)


@pytest.fixture
def counter(db: None) -> User:
    """The counter clerk also holds the capability of 住民票コード movements."""
    return make_operator("madoguchi", "上尾 花子", roles=("窓口入力", "住民票コード事務", "個人番号利用事務"))


@pytest.fixture
def jlis(settings: Any) -> Iterator[RunningSimulator]:
    """The J-LIS 個人番号生成 simulator on a free local port, and jumin configured to use it."""
    with running() as simulator:
        settings.JUMIN_NUMBER_SERVICE_URL = simulator.url
        settings.JUMIN_NUMBER_SERVICE_TIMEOUT = 5
        yield simulator


@pytest.mark.django_db
@pytest.mark.spec("1.2.1", "4.0.8", "4.4", "4.6.0.1", partial=True)
@pytest.mark.usefixtures("planned_destinations")
def test_register_invariants_hold_for_random_movements(counter: User, reviewer: User, jlis: RunningSimulator) -> None:
    machine = type("Register", (RegisterMachine,), {"counter": counter, "reviewer": reviewer, "jlis": jlis})
    run_state_machine_as_test(machine, settings=settings(max_examples=25, stateful_step_count=20))
