"""``marks|of:atena_no`` — the 支援措置・抑止 marks of one person from the dict that
``jumin.protection.queries.marks_for`` returns (for tables of several persons)."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter(name="of")
def marks_of(marks: dict[str, list[Any]] | None, atena_no: str) -> list[Any]:
    return (marks or {}).get(str(atena_no), [])
