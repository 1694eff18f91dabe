"""No 個人番号 in free text (issue 15, item 2).

A valid 個人番号 typed into 備考・メモ・交付目的・理由 … would be stored in clear (often in
append-only history) and shown to roles without the number capability.  Every form and every
API input schema of jumin is built on the bases here, which refuse such text with a clear
Japanese message:

* :class:`JuminForm` / :class:`JuminModelForm` (Django forms): every ``CharField`` is checked
  on what was typed; the error is on the field.
* :class:`InSchema` (django-ninja): every ``str`` field, and strings inside lists and dicts,
  are checked after validation; the API answers 400 ``text.contains_individual_number`` with
  the names of the fields (never the value), see :func:`jumin.api`.
* :func:`refuse_in_texts` for the few screens that read ``request.POST`` directly (a
  ``DomainError`` with the same code and message).

Fields that *are* a 個人番号 (the number itself at 転入 or as a search criterion) are
exempt by name: :data:`NUMBER_FIELDS`, plus a form's or schema's own ``exempt_fields``.
``tests/test_free_text_boundary.py`` keeps the list of every text field honest.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

from django import forms
from django.core.exceptions import ValidationError
from ninja import Schema
from pydantic import model_validator

from jumin.core.errors import DomainError
from jumin.core.free_text import contains_individual_number

CODE = "text.contains_individual_number"
MESSAGE = "個人番号と思われる12桁の番号が含まれています。この欄には個人番号を入力できません（記載しないでください）。"
# Names of fields (and dict keys at any depth) that hold a 個人番号 on purpose.
NUMBER_FIELDS = frozenset({"individual_number"})


class IndividualNumberInText(Exception):  # noqa: N818 - not a ValueError: pydantic must let it through
    """Raised by :class:`InSchema`; ``fields`` names where (never what).  The API answers it
    with 400 ``text.contains_individual_number``."""

    code = CODE
    message = MESSAGE

    def __init__(self, fields: list[str]) -> None:
        super().__init__(f"{CODE}: {', '.join(fields)}")
        self.fields = fields


def _holds_number(value: Any, path: str, exempt: frozenset[str]) -> list[str]:
    """Dotted paths under ``path`` whose text holds a 個人番号 (exempt names skipped)."""
    if isinstance(value, str):
        return [path] if contains_individual_number(value) else []
    if isinstance(value, Schema):
        return []  # an InSchema inside checks itself
    if isinstance(value, Mapping):
        found: list[str] = []
        for key, item in value.items():
            if str(key) not in exempt:
                found += _holds_number(item, f"{path}.{key}", exempt)
        return found
    if isinstance(value, Iterable) and not isinstance(value, bytes | bytearray):
        return [p for index, item in enumerate(value) for p in _holds_number(item, f"{path}.{index}", exempt)]
    return []


def fields_with_number(values: Mapping[str, Any], exempt: Iterable[str] = ()) -> list[str]:
    """The names (dotted for nested values) of ``values`` whose text holds a 個人番号."""
    skip = NUMBER_FIELDS | frozenset(exempt)
    return [path for name, value in values.items() if name not in skip for path in _holds_number(value, name, skip)]


def refuse_in_texts(values: Mapping[str, Any], exempt: Iterable[str] = ()) -> None:
    """For views reading ``request.POST`` directly: a ``DomainError`` (shown like any other)."""
    if fields_with_number(values, exempt):
        raise DomainError(CODE, MESSAGE)


class FreeTextFormMixin:
    """Adds the check to ``full_clean``: every ``CharField`` but the number fields."""

    exempt_fields: ClassVar[tuple[str, ...]] = ()

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        form: forms.BaseForm = self  # type: ignore[assignment]
        if not form.is_bound or not hasattr(form, "cleaned_data"):
            return
        if form.empty_permitted and not form.has_changed():
            return
        skip = NUMBER_FIELDS | frozenset(self.exempt_fields)
        for name, field in form.fields.items():
            if name in skip or not isinstance(field, forms.CharField):
                continue
            raw = form[name].data
            if _holds_number(raw, name, skip):
                form.add_error(name, ValidationError(MESSAGE, code=CODE))


class JuminForm(FreeTextFormMixin, forms.Form):
    """``forms.Form`` that refuses a 個人番号 in every text field."""


class JuminModelForm(FreeTextFormMixin, forms.ModelForm):  # type: ignore[type-arg]
    """``forms.ModelForm`` that refuses a 個人番号 in every text field."""


class InSchema(Schema):
    """ninja ``Schema`` for API input that refuses a 個人番号 in every text (str fields, and
    strings in lists and dicts); see :class:`IndividualNumberInText`."""

    exempt_fields: ClassVar[tuple[str, ...]] = ()

    @model_validator(mode="after")
    def _no_individual_number(self) -> InSchema:
        values = {name: getattr(self, name) for name in type(self).model_fields}
        found = fields_with_number(values, self.exempt_fields)
        if found:
            raise IndividualNumberInText(found)
        return self
