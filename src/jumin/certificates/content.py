"""What a certificate prints, independent of how: the contract between the services that
decide (who may receive which items, 発行番号, 認証者) and the renderer that draws the PDF.

Every value here is already final text: 和暦 dates formatted, omitted items removed (an
omitted item is a :class:`Field` with ``omitted=True`` and an empty value, so the form keeps
its column but prints nothing), masks applied.  The renderer adds nothing personal."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from jumin.core.certificates import IssueNumber

# Kinds of document (帳票 of 第4章, the certificate types of 1.3.8).
COPY = "copy"  # 住民票の写し (20.1.1 個人票 / 20.1.2 世帯連記式)
REMOVED_COPY = "removed_copy"  # 住民票の除票の写し (20.1.3, 個人票 only)
ITEM_CERTIFICATE = "item_certificate"  # 住民票記載事項証明書 (20.1.4)
REMOVED_ITEM_CERTIFICATE = "removed_item_certificate"  # 住民票除票記載事項証明書 (20.1.4)
MOVE_OUT = "move_out"  # 転出証明書 (20.2.1, with a QR code of its data)
MOVE_OUT_EQUIVALENT = "move_out_equivalent"  # 転出証明書に準ずる証明書 (20.2.2)
RESIDENT_CODE_NOTICE = "resident_code_notice"  # 住民票コード通知票 / 変更 / 修正 (20.4.1–3)

KIND_TITLES = {
    COPY: "住民票の写し",
    REMOVED_COPY: "住民票の除票の写し",
    ITEM_CERTIFICATE: "住民票記載事項証明書",
    REMOVED_ITEM_CERTIFICATE: "住民票除票記載事項証明書",
    MOVE_OUT: "転出証明書",
    MOVE_OUT_EQUIVALENT: "転出証明書に準ずる証明書",
    RESIDENT_CODE_NOTICE: "住民票コード通知票",
}

INDIVIDUAL = "individual"  # 個人票: one person per sheet (A4 portrait)
HOUSEHOLD = "household"  # 世帯連記式: up to four persons per sheet


@dataclass(frozen=True)
class Field:
    """One printed item: 「氏名」「山田　太郎」."""

    label: str
    value: str
    omitted: bool = False


@dataclass(frozen=True)
class PersonBlock:
    """One person on a certificate, in print order (5.2)."""

    atena_no: str  # never printed; lets tests and the issuance log name the person
    fields: tuple[Field, ...]
    history: tuple[str, ...] = ()  # 異動履歴 lines, only when asked for (個人票)
    alias_history: tuple[str, ...] = ()  # 通称の記載・削除 (別紙 after the main sheets)
    remarks: tuple[str, ...] = ()  # 備考 (統合記載欄): 除票 items, 転出, 職権 notes


@dataclass(frozen=True)
class Certifier:
    """認証者 (1.3.9): the mayor or the 職務代理者 in office on the issue date, with the seal."""

    prefecture: str  # always printed before the title (5.6)
    title: str  # 上尾市長 / 上尾市副市長（職務代理者）
    name: str
    seal_png: bytes | None = None  # electronic seal, black, ≤ 25 mm
    seal_text: str = "この印は黒色です。"  # or 公印省略

    @property
    def line(self) -> str:
        return f"{self.prefecture}{self.title}\u3000{self.name}"


@dataclass(frozen=True)
class CertificateContent:
    kind: str
    title: str
    layout: str  # INDIVIDUAL or HOUSEHOLD
    address: str  # 住所 (with 番地)
    katagaki: str  # 方書 (always printed, 5.4)
    head_name: str  # 世帯主 ("" when omitted)
    persons: tuple[PersonBlock, ...]
    attestation: str  # 認証文: last page only
    issued_on: date
    issued_on_text: str  # 和暦
    certifier: Certifier
    issue_number: IssueNumber
    official_use: bool = False  # 「公用」 (5.7)
    verification: str = ""  # text of the verification QR (発行番号 + signature); "" = none
    data_qr: str = ""  # 転出証明書: its data as CSV text (10.8/20.2.1); "" = none
    extra: tuple[Field, ...] = field(default_factory=tuple)  # form-specific items (転出先, 予定日 …)


@dataclass(frozen=True)
class Overflow:
    """文字溢れ (5.8): an item that did not fit its box even at the smallest size."""

    atena_no: str
    label: str
    value: str
    action: str  # "truncated" (printed to the limit) or "blank" (setting JUMIN_OVERFLOW_MODE)


@dataclass(frozen=True)
class Rendered:
    pdf: bytes
    pages: int
    overflow: tuple[Overflow, ...] = ()
    page_numbers: tuple[str, ...] = ()  # the 発行番号 printed on each page
