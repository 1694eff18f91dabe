"""Invariants of the register under random sequences of movements (spec 1.2.1, 4.0.8, 4.6).

A hypothesis state machine enters random 転入・転居・世帯分離・転出・出生・死亡 and
異動の取消し through the services, approves most of them at once by a second operator,
leaves some as 仮登録 and later approves or discards them.  After every step it checks:

(a) every current resident belongs to exactly one active household; every active household
    has at least one current member and at most one head; the household-common items
    (住所, 世帯主氏名) are the same in every member's record and in the household;
(b) history rows are never changed (every row seen is compared field by field) and the
    履歴番号 of each person run 1..n without gaps;
(c) the projection equals the latest history row of each person, and — in a rule of its
    own, not after every step, because it is slow — ``rebuild_projection()`` leaves it
    unchanged;
(d) after a cancellation, each cancelled person's record equals the record before the
    cancelled movement (every item of the snapshot; a person the movement created is
    removed instead);
(e) 宛名番号 and 世帯番号 carry a valid M11 check digit and are never issued twice;
    住民票コード are unique, valid, taken from the spare-code stock and never change;
(f) provisional data never shows through: the projection changes only when a movement is
    approved (the machine keeps its own copy of the expected projection), and a pending
    movement's new persons have no Resident, ResidentHistory, OutboxMessage or 住民票コード.

Refusals are predicted from the machine's own model, not taken from the services: a
cancellation must be refused exactly when a later movement of one of its persons stands, or
when the restored records would break (a) in a household as it is now; an approval must be
refused (``movement.stale``) exactly when one of its persons has a newer history row, or when
writing it would break (a) in a household that changed since the 仮登録.  Everything else
must be accepted.

Each example runs inside a savepoint of the test's transaction and rolls it back at the end,
so every example starts from an empty register (the history rows are append-only by
triggers; a rollback is not a DELETE, so the purge gate is not needed).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, ClassVar

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test

from jumin.accounts.models import User
from jumin.conf.domain import m11_remainder_one_policy, resident_code_formula
from jumin.core.check_digits import individual_number_check_digit, is_valid_resident_code, validate_m11
from jumin.core.errors import DomainError
from jumin.core.relationship import HEAD
from jumin.registry.models import (
    EditLease,
    Household,
    Movement,
    MovementItem,
    OutboxMessage,
    Resident,
    ResidentHistory,
    SpareResidentCode,
    Status,
)
from jumin.registry.services import (
    MovementRejectedError,
    approve_movement,
    discard_movement,
    enter_movement,
    rebuild_projection,
)
from jumin.registry.snapshots import Snapshot, display_name, snapshot_of

# Alerts are warnings the operator may accept; the machine accepts them all.
ACKNOWLEDGED = ("household.no_head", "household.head_by_ex_officio", "household.headless", "move_in.possible_reentry")
ADDRESS_FIELDS = ("address", "postcode", "address_code", "banchi", "katagaki")
HOUSEHOLD_ADDRESS_FIELDS = ("address", "postcode", "address_code", "katagaki")  # Household keeps no 番地
SURNAMES = (("上尾", "アゲオ"), ("平方", "ヒラカタ"), ("原市", "ハライチ"), ("大石", "オオイシ"))
GIVEN_NAMES = (("太郎", "タロウ"), ("一郎", "イチロウ"), ("花子", "ハナコ"), ("陽向", "ヒナタ"))
NON_HEAD = ("妻", "夫", "子", "子の子", "父", "母", "兄", "妹", "子（子の妻）", "妻（未届）", "縁故者", "同居人")
CHILD = ("子", "子の子")
UNCERTAIN_BIRTHS = ("昭和55年頃", "昭和40年3月上旬", "平成3年2月29日", "年月日不詳")
ADDRESSES = (
    {"address": "埼玉県上尾市本町三丁目1番1号", "postcode": "3620014", "katagaki": "コーポ上尾 203号室"},
    {"address": "埼玉県上尾市原市1番地", "postcode": "3620021"},
    {"address": "埼玉県上尾市平方2番地", "postcode": "3620059", "banchi": "2番地"},
    {"address": "埼玉県上尾市大石3番地", "postcode": "3620001", "katagaki": "大石ハイツ 101"},
)
EXTERNAL = {"address": "東京都千代田区千代田1番1号", "postcode": "1000001"}


def _today() -> date:
    return timezone.localdate()


def _recent(days: int) -> str:
    return (_today() - timedelta(days=days)).isoformat()


def _row_fields(row: ResidentHistory) -> dict[str, Any]:
    return {f.attname: getattr(row, f.attname) for f in ResidentHistory._meta.concrete_fields}


@dataclass
class Pending:
    movement: Movement
    kind: str
    items: list[tuple[str, int | None, Snapshot]]  # (宛名番号, base 履歴番号, proposed snapshot)
    basis: dict[str, dict[str, Snapshot]]  # the households it was planned on, as they were


class RegisterMachine(RuleBasedStateMachine):
    counter: ClassVar[User]
    reviewer: ClassVar[User]

    def __init__(self) -> None:
        super().__init__()
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
        self.codes: dict[str, str] = {}  # 宛名番号 -> 住民票コード, once assigned
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

    def households_of(self, items: list[tuple[str, int | None, Snapshot]]) -> set[str]:
        """The households a movement's persons leave or enter."""
        numbers = {proposed["household_no"] for _, _, proposed in items}
        return numbers | {self.row_snapshots[(a, base)]["household_no"] for a, base, _ in items if base is not None}

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
        birth = data.draw(
            st.one_of(
                st.dates(date(1925, 1, 1), _today() - timedelta(days=1)).map(date.isoformat),
                st.sampled_from(("年月日不詳",) if foreign else UNCERTAIN_BIRTHS),
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
            serial = self.next_serial()
            person.update(nationality_kind="foreign", name_alphabet=f"SMITH JOHN {serial}", nationality="米国")
            if data.draw(st.booleans(), label="special permanent?"):
                person.update(residence_category="special_permanent", special_permanent_cert_no=f"SP{serial:08d}AB")
            else:
                person.update(
                    residence_category="mid_long_term",
                    residence_status="技術・人文知識・国際業務",
                    period_of_stay="3年",
                    stay_expires_on=(_today() + timedelta(days=700)).isoformat(),
                    residence_card_no=f"AB{serial:08d}CD",
                )
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

    def draw_members(self, data: st.DataObject, *, minimum: int = 1, proper: bool = False) -> tuple[str, list[str]]:
        candidates = sorted(h for h, m in self.households().items() if len(m) >= minimum + int(proper))
        household_no = self.draw_household(data, candidates)
        members = self.households()[household_no]
        most = len(members) - 1 if proper else len(members)
        chosen = data.draw(st.lists(st.sampled_from(members), min_size=1, max_size=most, unique=True), label="members")
        return household_no, sorted(chosen)

    # -- entering and approving -------------------------------------------------------------------

    def enter(self, data: st.DataObject, kind: str, payload: dict[str, Any], *, new_households: int = 0) -> None:
        known_households = (
            self.issued_households | set(self.households()) | {s["household_no"] for s in self.model.values()}
        )
        try:
            movement = enter_movement(kind, payload, by=self.counter, acknowledged=ACKNOWLEDGED)
        except MovementRejectedError as error:
            issues = [(i.code, i.message) for i in error.issues]
            raise AssertionError(f"valid {kind} refused: {issues}") from error
        items = [(i.atena_no, i.base_history_no, dict(i.proposed)) for i in movement.items.order_by("id")]
        # (e) new 宛名番号 / 世帯番号 are fresh and valid; existing persons keep theirs.
        for atena_no, base, proposed in items:
            assert proposed["atena_no"] == atena_no
            if base is None:
                validate_m11(atena_no, m11_remainder_one_policy())
                assert atena_no not in self.issued_atena and atena_no not in self.model
                self.issued_atena.add(atena_no)
            else:
                assert base == self.history_no[atena_no]
        fresh = {p["household_no"] for _, _, p in items} - known_households
        assert len(fresh) == new_households, (kind, fresh)
        for household_no in fresh:
            validate_m11(household_no, m11_remainder_one_policy(), label="世帯番号")
        self.issued_households |= fresh
        pending = Pending(movement, kind, items, self.household_state(self.households_of(items)))
        self.pending[movement.pk] = pending
        if data.draw(st.integers(0, 2), label="leave as 仮登録?") > 0:
            self.approve(pending)

    def approve(self, pending: Pending) -> None:
        movement = pending.movement
        stale = [a for a, base, _ in pending.items if self.history_no.get(a) != base]
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
            expected = dict(proposed)
            if not expected["resident_code"] and expected["status"] == Status.CURRENT:
                expected["resident_code"] = row.resident_code  # taken from the stock at 本登録
            assert snapshot_of(row) == expected
            if movement.cancels_id is not None:
                self.check_cancelled(atena_no, base, row)
            self.model[atena_no] = expected
            self.history_no[atena_no] = row.history_no
            self.rows[row.pk] = _row_fields(ResidentHistory.objects.get(pk=row.pk))
            self.row_snapshots[(atena_no, row.history_no)] = snapshot_of(row)
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

    # -- rules: movements -------------------------------------------------------------------------

    @rule(data=st.data())
    def move_in(self, data: st.DataObject) -> None:
        size = data.draw(st.integers(1, 4), label="persons")
        households = self.households()
        join = bool(households) and data.draw(st.booleans(), label="join?")
        payload: dict[str, Any] = {
            "reason": data.draw(st.sampled_from(("domestic_move_in", "abroad_move_in")), label="reason"),
            "effective": _recent(data.draw(st.integers(0, 10), label="days ago")),
            "previous_address": EXTERNAL,
        }
        if join:
            headless = sorted(h for h in households if not self.has_head(h))
            prefer_headless = data.draw(st.booleans(), label="into a household without head?")
            if headless and prefer_headless:
                household_no = data.draw(st.sampled_from(headless), label="joins")
            else:
                household_no = self.draw_household(data, sorted(households), label="joins")
            payload["household"] = {"mode": "join", "household_no": household_no}
            head = not self.has_head(household_no) and data.draw(st.booleans(), label="head joins?")
        else:
            payload["address"] = data.draw(st.sampled_from(ADDRESSES), label="address")
            head = data.draw(st.integers(0, 5), label="headless?") > 0
        relationships = [data.draw(st.sampled_from(NON_HEAD), label="relationship") for _ in range(size)]
        if head:
            relationships[0] = HEAD
        payload["persons"] = [self.draw_person(data, r) for r in relationships]
        self.enter(data, "move_in", payload, new_households=0 if join else 1)

    @precondition(lambda self: self.households())
    @rule(data=st.data())
    def relocate(self, data: st.DataObject) -> None:
        household_no, movers = self.draw_members(data)
        whole = movers == self.households()[household_no]
        others = sorted(h for h in self.households() if h != household_no)
        modes = ["new"] + (["same"] if whole else []) + (["join"] if others else [])
        mode = data.draw(st.sampled_from(modes), label="mode")
        payload: dict[str, Any] = {"atena_nos": movers, "effective": _recent(data.draw(st.integers(0, 10)))}
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
            "effective": _recent(data.draw(st.integers(0, 10))),
            "relationships": self.draw_relationships(data, movers, head=True),
        }
        self.enter(data, "household_split", payload, new_households=1)

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
        child["birth"] = _recent(data.draw(st.integers(0, 10), label="days ago"))
        child.pop("individual_number", None)
        self.enter(data, "birth", {"household_no": household_no, "person": child})

    @precondition(lambda self: self.households())
    @rule(data=st.data())
    def death(self, data: st.DataObject) -> None:
        _, persons = self.draw_members(data)
        effective = data.draw(st.one_of(st.integers(0, 10).map(_recent), st.just("年月日不詳")), label="died")
        self.enter(data, "death", {"atena_nos": persons[:1], "effective": effective})

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
        later = sorted(a for a, n in rows if self.history_no[a] != n)
        payload = {"movement_no": original.movement_no, "atena_nos": sorted(wanted)}
        if later:  # a later movement of the same person stands: refused, nothing written
            with pytest.raises(MovementRejectedError) as info:
                enter_movement("cancellation", payload, by=self.counter, acknowledged=ACKNOWLEDGED)
            refused = {i.atena_no for i in info.value.issues if i.code == "cancel.later_movement"}
            assert refused == set(later)
            assert {i.code for i in info.value.issues} <= {"cancel.later_movement", "cancel.household_changed"}
            event("cancellation refused: a later movement")
            return
        restored = {a: self.before(a, n) for a, n in rows}
        households = {self.model[a]["household_no"] for a in restored} | {s["household_no"] for s in restored.values()}
        if self.conflict(restored, households):  # the households changed since: refused
            with pytest.raises(MovementRejectedError) as info:
                enter_movement("cancellation", payload, by=self.counter, acknowledged=ACKNOWLEDGED)
            assert {i.code for i in info.value.issues} == {"cancel.household_changed"}
            event("cancellation refused: the household changed")
            return
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

    def check_projection(self, residents: dict[str, Resident], history: list[ResidentHistory]) -> None:
        """(c) and (f): the projection is the latest history row and changed by 本登録 only."""
        assert set(residents) == set(self.model)
        latest = {row.atena_no: row for row in history}
        assert set(latest) == set(residents)
        for atena_no, resident in residents.items():
            assert snapshot_of(resident) == self.model[atena_no], atena_no
            assert resident.history_no == self.history_no[atena_no] == latest[atena_no].history_no
            assert snapshot_of(resident) == snapshot_of(latest[atena_no]), atena_no

    def check_history(self, history: list[ResidentHistory]) -> None:
        """(b) append-only: every row seen is unchanged; 履歴番号 1..n without gaps."""
        assert {row.pk for row in history} == set(self.rows)
        numbers: dict[str, list[int]] = defaultdict(list)
        for row in history:
            assert _row_fields(row) == self.rows[row.pk], (row.atena_no, row.history_no)
            numbers[row.atena_no].append(row.history_no)
        for atena_no, seen in numbers.items():
            assert seen == list(range(1, len(seen) + 1)), atena_no

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
        for row in history:
            if row.resident_code:
                assert is_valid_resident_code(row.resident_code, resident_code_formula())
                assert assigned.get(row.resident_code) == row.atena_no
                assert self.codes.setdefault(row.atena_no, row.resident_code) == row.resident_code  # never changes
        assert set(assigned.values()) <= set(residents)

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


@pytest.mark.django_db
@pytest.mark.spec("1.2.1", "4.0.8", "4.6.0.1", partial=True)
def test_register_invariants_hold_for_random_movements(counter: User, reviewer: User) -> None:
    machine = type("Register", (RegisterMachine,), {"counter": counter, "reviewer": reviewer})
    run_state_machine_as_test(machine, settings=settings(max_examples=25, stateful_step_count=12))
