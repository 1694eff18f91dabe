"""``marks|of:atena_no`` — the marks of one person from the dict that
``jumin.registry.hooks.marks_of`` returns (for tables of several persons); rendered by
``registry/_marks.html`` whatever satellite gave them."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter(name="of")
def marks_of(marks: dict[str, list[Any]] | None, atena_no: str) -> list[Any]:
    return (marks or {}).get(str(atena_no), [])
