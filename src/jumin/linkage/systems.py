"""The linked systems of the outbox and what each one wants (DESIGN.md §6, spec 3.1/3.2).

:data:`JUKINET_CS` has consumers (``jumin.jukinet``: 本人確認情報 and 発行抑止 flags;
``jumin.cards``: 送付先情報), :data:`PROVISION_COPY` (``jumin.intermediate_server``: the 副本),
:data:`ATENA` (``jumin.integrated_atena``: the 宛名連携 feed) and :data:`KONBINI` (``jumin.kiosk``:
the kiosk data) and :data:`FUHYO` (``jumin.koseki``: the 附票記載事項通知).  :data:`PLANNED` would
name systems defined but not registered (they get no rows until a consumer registers them,
docs/linkage.md); there are none now.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from jumin.linkage.models import OutboxMessage
from jumin.registry.models import NationalityKind, ResidentHistory

if TYPE_CHECKING:
    from jumin.protection.models import Block  # protection writes through linkage, never the reverse

CERTIFICATE_BLOCK = "certificate"
"""``protection.models.Process.CERTIFICATE``: a 発行抑止 (3.1); tests/linkage pins the two equal."""


def _changes_linked_data(row: ResidentHistory) -> bool:
    return row.reason != "move_in_notice"  # 除票 items only: nothing a linked system holds changes


def _never(block: Block) -> bool:
    return False


@dataclass(frozen=True)
class LinkedSystem:
    name: str
    label: str
    consumers: tuple[str, ...]
    history: Callable[[ResidentHistory], bool]
    blocks: Callable[[Block], bool] = _never

    def wants_history(self, row: ResidentHistory) -> bool:
        return _changes_linked_data(row) and self.history(row)

    def wants_block(self, block: Block) -> bool:
        return self.blocks(block)


Names = OutboxMessage.Destination

JUKINET_CS = LinkedSystem(
    Names.JUKINET_CS,
    Names.JUKINET_CS.label,
    (
        "jumin.jukinet.services.build_from_outbox",
        "jumin.jukinet.protection_flags.build_protection_telegrams",
        "jumin.cards.services.collect_assignments",
    ),
    # 個別事項 are not 本人確認情報: their record changes nothing 住基ネット holds
    history=lambda row: row.reason != "program_items",
    blocks=lambda block: block.process == CERTIFICATE_BLOCK,  # 発行抑止 (3.1)
)
ATENA = LinkedSystem(
    Names.ATENA,
    Names.ATENA.label,
    ("jumin.integrated_atena.queries.changes",),
    history=lambda row: True,
    blocks=lambda block: True,
)
KONBINI = LinkedSystem(
    Names.KONBINI,
    Names.KONBINI.label,
    ("jumin.kiosk.sync.sync",),
    history=lambda row: True,
    blocks=lambda block: block.process == CERTIFICATE_BLOCK,
)
PROVISION_COPY = LinkedSystem(
    Names.PROVISION_COPY,
    Names.PROVISION_COPY.label,
    ("jumin.intermediate_server.services.update_copies",),
    history=lambda row: bool(row.individual_number_ct),
)
FUHYO = LinkedSystem(
    Names.FUHYO,
    Names.FUHYO.label,
    ("jumin.koseki.fuhyo.collect",),
    history=lambda row: row.nationality_kind == NationalityKind.JAPANESE and bool(row.honseki),
)

# 市町村通知 (入管法61条の8の2): a foreign resident's 住居地, 4情報 (氏名, 生年月日, 性別, 国籍・地域)
# or the record itself changed; 帰化等 remove the foreign record (the row is Japanese by then).
IMMIGRATION_REASONS = frozenset(
    {
        "domestic_move_in",
        "abroad_move_in",
        "birth",
        "nationality_loss_add",
        "ex_officio_add",
        "relocation",
        "minor_correction",
        "ex_officio_correction",
        "clerical_correction",
        "domestic_move_out",
        "abroad_move_out",
        "death",
        "ex_officio_remove",
        "cancel_add",
        "cancel_remove",
        "cancel_amend",
    }
)
IMMIGRATION = LinkedSystem(
    Names.IMMIGRATION,
    Names.IMMIGRATION.label,
    ("jumin.immigration.outbound.collect",),
    history=lambda row: (
        (row.nationality_kind == NationalityKind.FOREIGN and row.reason in IMMIGRATION_REASONS)
        or row.reason == "naturalization_add"
    ),
)

PLANNED: tuple[str, ...] = ()  # every linked system has its consumer now
