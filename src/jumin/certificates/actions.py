"""「証明書を交付」 from the person and household screens (issue 17): the registry shows these
links without naming this app (:data:`jumin.registry.hooks.person_actions`)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse

from jumin.accounts.models import User
from jumin.certificates import content as c
from jumin.registry.hooks import ScreenAction

ISSUE = "accounts.issue_certificate"
SHORTCUT = "Alt+W"  # 写し: free on the person and household screens


def _issue_url(atena_no: str, layout: str) -> str:
    return f"{reverse('certificates:index')}?{urlencode({'person': atena_no, 'layout': layout})}"


def for_person(user: User, atena_no: str) -> list[ScreenAction]:
    """この方の住民票の写し (個人票) with the person filled in."""
    if not user.has_perm(ISSUE):
        return []
    return [ScreenAction("この方の証明書を交付（個人票）", _issue_url(atena_no, c.INDIVIDUAL), SHORTCUT)]


def for_household(user: User, household_no: str, member: str) -> list[ScreenAction]:
    """この世帯の住民票の写し (世帯連記式) with a member of the household filled in."""
    if not user.has_perm(ISSUE) or not member:
        return []
    return [ScreenAction("この世帯の証明書を交付（世帯連記式）", _issue_url(member, c.HOUSEHOLD), SHORTCUT)]
