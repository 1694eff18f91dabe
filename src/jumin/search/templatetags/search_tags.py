from __future__ import annotations

from typing import Any

from django import template

from jumin.search.criteria import FIELDS

register = template.Library()


@register.filter
def get_item(mapping: Any, key: str) -> Any:
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def criterion_label(code: str) -> str:
    field = FIELDS.get(code)
    return field.label.split("（")[0] if field else code
