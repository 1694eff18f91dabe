"""Deterministic synthetic population for demos, tests and benchmarks (no Django).

``generate_city(residents, seed=..., today=...)`` yields the households of a city like
上尾市 one at a time; see :mod:`jumin.synthetic.generator` for the rules and
:mod:`jumin.synthetic.model` for what each value holds.
"""

from jumin.synthetic.foreign_data import RESIDENCE_STATUSES
from jumin.synthetic.generator import Chunk, Options, city_chunks, generate_chunk, generate_city, iter_persons, warm_up
from jumin.synthetic.model import (
    City,
    EventKind,
    ForeignCategory,
    ForeignDetails,
    HistoryEvent,
    NationalityKind,
    Removal,
    RemovalKind,
    Sex,
    SyntheticAddress,
    SyntheticHousehold,
    SyntheticPerson,
    Town,
)
from jumin.synthetic.places import default_city, load_towns

__all__ = [
    "RESIDENCE_STATUSES",
    "Chunk",
    "City",
    "EventKind",
    "ForeignCategory",
    "ForeignDetails",
    "HistoryEvent",
    "NationalityKind",
    "Options",
    "Removal",
    "RemovalKind",
    "Sex",
    "SyntheticAddress",
    "SyntheticHousehold",
    "SyntheticPerson",
    "Town",
    "city_chunks",
    "default_city",
    "generate_chunk",
    "generate_city",
    "iter_persons",
    "load_towns",
    "warm_up",
]
