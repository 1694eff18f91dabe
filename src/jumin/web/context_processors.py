from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from jumin.web.navigation import GLOBAL_SHORTCUTS, key_bar, visible_items


def shell(request: HttpRequest) -> dict[str, object]:
    """What the base layout shows: municipality, operator, place, terminal, menu, today."""
    user = getattr(request, "user", None)
    authenticated = bool(user and user.is_authenticated)
    return {
        "municipality": settings.JUMIN_MUNICIPALITY,
        "terminal": getattr(request, "terminal", None),
        "nav_items": visible_items(user) if authenticated else [],
        "global_shortcuts": GLOBAL_SHORTCUTS,
        "key_bar": key_bar(user) if authenticated else [],
        "today": timezone.localdate(),
        "idle_lock_seconds": settings.JUMIN_IDLE_LOCK_MINUTES * 60,
    }
