"""Rules a production installation must keep (issue 15, item 5), as Django system checks.

* ``jumin.E001`` — the second factor after the password (assessment: 二要素認証) is on.
  ``jumin.settings.production`` refuses ``JUMIN_REQUIRE_SECOND_FACTOR=0`` outright; this check
  catches a settings module that turns it off in code.
* ``jumin.E002`` — every configured link to a national system (J-LIS 個人番号生成, 都道府県
  サーバ, 他市町村, 個人番号カード管理システム, the JPKI CRL) uses ``https://``.  An empty
  setting means "not configured" and passes (the link then refuses to send with its own
  message).

Both are deployment checks (``jumin check --deploy``); ``jumin.wsgi`` runs them before it
serves anything and refuses to start if either fails.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register
from django.core.exceptions import ImproperlyConfigured

# Settings (or environment variables of the same name) holding the address of a national system.
NATIONAL_LINK_SETTINGS = (
    "JUMIN_NUMBER_SERVICE_URL",
    "JUMIN_PREFECTURE_URL",
    "JUMIN_NATIONAL_URL",
    "JUMIN_MUNICIPALITY_URL",
    "JUMIN_CARDSYSTEM_URL",
    "JUMIN_JPKI_CRL_URL",
)


def _configured(name: str) -> str:
    """As the links read it: the setting, else the environment variable."""
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name, "")
    return str(value or "").strip()


@register(Tags.security, deploy=True)
def second_factor_required(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if getattr(settings, "JUMIN_REQUIRE_SECOND_FACTOR", False) is True:
        return []
    return [
        Error(
            "二要素認証（JUMIN_REQUIRE_SECOND_FACTOR）が無効になっています。本番環境では無効にできません。",
            hint="JUMIN_REQUIRE_SECOND_FACTOR を設定から外すか 1 にしてください。",
            id="jumin.E001",
        )
    ]


@register(Tags.security, deploy=True)
def national_links_use_tls(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    errors: list[CheckMessage] = []
    for name in NATIONAL_LINK_SETTINGS:
        url = _configured(name)
        if url and urlsplit(url).scheme.lower() != "https":
            errors.append(
                Error(
                    f"{name} は https:// で始まる必要があります（国・都道府県等のシステムとの通信は TLS で保護）。",
                    hint="接続先の URL を https:// にしてください（値はここに表示しません）。",
                    id="jumin.E002",
                )
            )
    return errors


def production_errors() -> list[CheckMessage]:
    return [*second_factor_required(), *national_links_use_tls()]


def refuse_to_start(errors: Iterable[CheckMessage] | None = None) -> None:
    """Raise ``ImproperlyConfigured`` naming every failed rule (``jumin.wsgi`` calls this)."""
    failed = list(production_errors() if errors is None else errors)
    if failed:
        lines = "; ".join(f"{e.id}: {e.msg}" for e in failed)
        raise ImproperlyConfigured(f"本番環境の規則を満たしていないため起動しません: {lines}")
