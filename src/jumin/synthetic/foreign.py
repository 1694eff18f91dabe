"""Foreign residents: household templates, 30条の45 区分, 在留資格 and 在留期間.

Rules:

* A foreign adult's 在留資格 is drawn from the statuses typical of their nationality;
  family members follow the head (家族滞在 with a 技術・人文知識・国際業務 holder, 定住者
  with a 定住者, 特別永住者 with a 特別永住者 …); the foreign spouse of a Japanese holds
  日本人の配偶者等 or 永住者.
* 永住者 has the 在留期間 「無期限」 and no 満了日; every other status has one of the
  periods the ministry grants for it, and the 満了日 is the last day of the current
  period (granted on or before ``today``, ending on or after it).
* A foreign baby under 60 days old is often still 出生による経過滞在者; a few adults are
  仮滞在許可者, 一時庇護許可者 or 国籍喪失による経過滞在者.
* 在留カード番号 and 特別永住者証明書番号 are 2 letters + 8 digits + 2 letters.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

import jumin.synthetic.foreign_data as fd
from jumin.synthetic.composition import (
    CHILD,
    FEMALE,
    HEAD,
    HUSBAND,
    LODGER,
    MALE,
    WIFE,
    Member,
    children_ages,
    mother_for,
    spouse_gap,
)
from jumin.synthetic.model import ForeignCategory
from jumin.synthetic.sampling import Weighted, pick, uniform

NATIONALITY = Weighted(fd.NATIONALITIES, [n.weight for n in fd.NATIONALITIES])
BY_NAME = {n.name: n for n in fd.NATIONALITIES}
# Nationality of the foreign spouse in a Japanese–foreign marriage.
SPOUSE_NATIONALITY = Weighted.of(
    [
        (BY_NAME["フィリピン"], 28.0),
        (BY_NAME["中国"], 28.0),
        (BY_NAME["韓国"], 14.0),
        (BY_NAME["タイ"], 7.0),
        (BY_NAME["ベトナム"], 7.0),
        (BY_NAME["ブラジル"], 5.0),
        (BY_NAME["米国"], 6.0),
        (BY_NAME["英国"], 3.0),
        (BY_NAME["ペルー"], 2.0),
    ]
)
_STATUS_PICKERS = {n.name: Weighted.of(n.statuses) for n in fd.NATIONALITIES}
_FAMILY_PICKERS = {
    n.name: Weighted.of([(s, w) for s, w in n.statuses if s in fd.FAMILY_STATUSES or s == fd.SPECIAL_PERMANENT])
    for n in fd.NATIONALITIES
    if any(s in fd.FAMILY_STATUSES or s == fd.SPECIAL_PERMANENT for s, _ in n.statuses)
}
# Ages of single foreign adults by status (years).
_AGE_RANGE = {
    fd.STUDENT: (18.5, 30.0),
    fd.TRAINEE: (19.0, 35.0),
    fd.SPECIFIED_SKILLED: (20.0, 40.0),
    fd.ENGINEER: (22.0, 50.0),
    fd.SKILLED_LABOR: (25.0, 55.0),
    fd.PERMANENT: (28.0, 85.0),
    fd.SPECIAL_PERMANENT: (20.0, 95.0),
    fd.LONG_TERM: (20.0, 65.0),
    fd.SPOUSE_OF_JAPANESE: (25.0, 60.0),
    fd.SPOUSE_OF_PERMANENT: (25.0, 60.0),
    fd.BUSINESS_MANAGER: (30.0, 65.0),
    fd.DESIGNATED_ACTIVITIES: (20.0, 45.0),
    fd.INSTRUCTOR: (25.0, 60.0),
    fd.PROFESSOR: (35.0, 70.0),
    fd.DEPENDENT: (20.0, 50.0),
}


def _foreign(member: Member, nationality: fd.Nationality, status: str | None) -> Member:
    member.foreign = True
    member.nationality = nationality
    member.status = status
    return member


def _adult(rng: random.Random, status: str) -> float:
    low, high = _AGE_RANGE[status]
    return uniform(rng, low, high)


def single(rng: random.Random) -> list[Member]:
    nationality = NATIONALITY(rng)
    status = _STATUS_PICKERS[nationality.name](rng)
    age = _adult(rng, status)
    sex = MALE if rng.random() < (0.6 if status in fd.SINGLE_STATUSES else 0.5) else FEMALE
    return [_foreign(Member(HEAD, sex, age, anchor=-1), nationality, status)]


def _family_head(rng: random.Random) -> tuple[fd.Nationality, str]:
    while True:
        nationality = NATIONALITY(rng)
        picker = _FAMILY_PICKERS.get(nationality.name)
        if picker is not None:
            return nationality, picker(rng)


def dependent_status(head_status: str, rng: random.Random, *, spouse: bool) -> str:
    """在留資格 of the spouse or child of a foreign head holding ``head_status``."""
    if head_status == fd.SPECIAL_PERMANENT:
        return fd.SPECIAL_PERMANENT if not spouse or rng.random() < 0.7 else fd.PERMANENT
    if head_status == fd.PERMANENT:
        if spouse:
            return fd.PERMANENT if rng.random() < 0.6 else fd.SPOUSE_OF_PERMANENT
        return fd.PERMANENT if rng.random() < 0.5 else fd.LONG_TERM
    if head_status in (fd.LONG_TERM, fd.SPOUSE_OF_PERMANENT):
        return fd.LONG_TERM
    return fd.DEPENDENT


def foreign_family(rng: random.Random, children: int) -> list[Member]:
    """A foreign couple (same nationality) with ``children`` children, or none."""
    nationality, status = _family_head(rng)
    if children:
        ages = children_ages(rng, children, youngest=uniform(rng, 0.0, 14.0))
        wife_age = mother_for(rng, ages)
    else:
        wife_age = max(20.0, _adult(rng, status) - 2.0)
    husband_age = max(wife_age + spouse_gap(rng), 20.0)
    keeps_surname = nationality.has_kanji or nationality.name == "ベトナム"
    members = [
        _foreign(Member(HEAD, MALE, husband_age, anchor=-1), nationality, status),
        _foreign(Member(WIFE, FEMALE, wife_age, anchor=0), nationality, dependent_status(status, rng, spouse=True)),
    ]
    members[1].own_surname = keeps_surname
    if children:
        for age in ages:
            child = Member(CHILD, MALE if rng.random() < 0.51 else FEMALE, age, anchor=1)
            members.append(_foreign(child, nationality, dependent_status(status, rng, spouse=False)))
    return members


def foreign_lone_parent(rng: random.Random, children: int) -> list[Member]:
    nationality, status = _family_head(rng)
    ages = children_ages(rng, children, youngest=uniform(rng, 0.0, 15.0))
    members = [_foreign(Member(HEAD, FEMALE, mother_for(rng, ages), anchor=-1), nationality, status)]
    for age in ages:
        child = Member(CHILD, MALE if rng.random() < 0.51 else FEMALE, age, anchor=0)
        members.append(_foreign(child, nationality, dependent_status(status, rng, spouse=False)))
    return members


def roommates(rng: random.Random, lodgers: int) -> list[Member]:
    """Young workers of one nationality sharing a flat: the head and 同居人."""
    nationality = NATIONALITY(rng)
    picker = _STATUS_PICKERS[nationality.name]
    sex = MALE if rng.random() < 0.6 else FEMALE
    members = []
    for index in range(lodgers + 1):
        status = picker(rng)
        if status == fd.SPECIAL_PERMANENT:
            status = fd.ENGINEER
        member = Member(HEAD if index == 0 else LODGER, sex, uniform(rng, 19.0, 35.0), anchor=-1)
        member.own_surname = True
        members.append(_foreign(member, nationality, status))
    return members


def mixed_couple(rng: random.Random, children: int) -> list[Member]:
    """A Japanese–foreign marriage; the children are Japanese (the Japanese parent's 戸籍)."""
    nationality = SPOUSE_NATIONALITY(rng)
    spouse_status = fd.SPOUSE_OF_JAPANESE if rng.random() < 0.6 else fd.PERMANENT
    if children:
        ages = children_ages(rng, children, youngest=uniform(rng, 0.0, 16.0))
        wife_age = mother_for(rng, ages)
    else:
        wife_age = uniform(rng, 25.0, 60.0)
    husband_age = max(wife_age + spouse_gap(rng) + 2.0, 20.0)
    foreign_wife = rng.random() < 0.75
    husband = Member(HEAD, MALE, husband_age, anchor=-1)
    wife = Member(WIFE, FEMALE, wife_age, anchor=0)
    foreign_member = wife if foreign_wife else husband
    _foreign(foreign_member, nationality, spouse_status)
    wife.own_surname = True  # one of the two keeps a different surname
    members = [husband, wife]
    if not foreign_wife:
        # the Japanese wife is the 筆頭者 and the children carry her surname
        husband.rel, wife.rel = HUSBAND, HEAD
        husband.anchor, wife.anchor = 0, -1
        husband.own_surname, wife.own_surname = True, False
        members = [wife, husband]
    mother = 0 if members[0] is wife else 1
    if children:
        for age in ages:
            members.append(Member(CHILD, MALE if rng.random() < 0.51 else FEMALE, age, anchor=mother))
    return members


FOREIGN_TEMPLATES = Weighted.of(
    [
        (single, 52.0),
        (lambda rng: foreign_family(rng, 0), 9.0),
        (lambda rng: foreign_family(rng, 1), 7.0),
        (lambda rng: foreign_family(rng, 2), 5.0),
        (lambda rng: foreign_family(rng, 3), 1.0),
        (lambda rng: foreign_lone_parent(rng, 1), 2.0),
        (lambda rng: roommates(rng, 1), 3.0),
        (lambda rng: roommates(rng, 2), 2.0),
        (lambda rng: mixed_couple(rng, 0), 7.0),
        (lambda rng: mixed_couple(rng, 1), 6.0),
        (lambda rng: mixed_couple(rng, 2), 4.0),
    ]
)

# -- 区分 and 在留期間 -------------------------------------------------------------------

ENROLLMENT_DAY = date(2012, 7, 9)  # 改正住基法 施行: foreigners enter the register
TRANSITIONAL_DAYS = 60


def add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` calendar months (the day clamped to the month's end)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover


def period_text(years: int, months: int) -> str:
    """(1, 3) → 「1年3月」, (0, 6) → 「6月」, (5, 0) → 「5年」 (在留期間 as on the card)."""
    return (f"{years}年" if years else "") + (f"{months}月" if months else "")


def current_period(rng: random.Random, months: int, today: date, since: date) -> date:
    """The 満了日 of a period of ``months`` granted between ``since`` and ``today``
    such that it has not yet ended on ``today``."""
    earliest = min(max(add_months(today, -months) + timedelta(days=1), since), today)
    granted = earliest + timedelta(days=int(rng.random() * ((today - earliest).days + 1)))
    return add_months(granted, months) - timedelta(days=1)


def category_for(member: Member, rng: random.Random, born_days_ago: int) -> ForeignCategory:
    """Which 30条の45 区分 a foreign member falls in (rare 区分 drawn here)."""
    if born_days_ago < TRANSITIONAL_DAYS and rng.random() < 0.6:
        return ForeignCategory.TRANSITIONAL_BIRTH
    if member.status == fd.SPECIAL_PERMANENT:
        return ForeignCategory.SPECIAL_PERMANENT
    if member.rel is HEAD and member.age >= 18 and member.anchor == -1:
        draw = rng.random()
        if draw < 0.003:
            return ForeignCategory.PROVISIONAL_STAY
        if draw < 0.004:
            return ForeignCategory.TEMPORARY_REFUGE
        if draw < 0.0045:
            return ForeignCategory.TRANSITIONAL_NATIONALITY_LOSS
    return ForeignCategory.MID_LONG_TERM


def permit_months(rng: random.Random, category: ForeignCategory) -> int:
    """上陸期間 (一時庇護, up to 6 months) or 仮滞在期間 (usually 3 months)."""
    if category is ForeignCategory.TEMPORARY_REFUGE:
        return 1 + int(rng.random() * 6)
    return 3 if rng.random() < 0.8 else 6


_PERIOD_PICKERS = {status: Weighted.of(periods) for status, periods in fd.PERIODS.items() if periods is not None}


def status_period(rng: random.Random, status: str) -> tuple[int, int] | None:
    """(years, months) of a new 在留期間 for ``status``; None for 永住者 (無期限)."""
    picker = _PERIOD_PICKERS.get(status)
    return None if picker is None else picker(rng)


def nationality_loss_country(rng: random.Random) -> fd.Nationality:
    return BY_NAME[pick(rng, fd.NATIONALITY_LOSS_COUNTRIES)]
