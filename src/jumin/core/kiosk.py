"""コンビニ交付 (spec 7.2.5; 住基法12条の4): the rules of the kiosk service as data — pure logic.

* :data:`REASONS`: every refusal the 証明書交付センター shows at the kiosk, by stable code.
* :func:`service_refusal`: the service hours (06:30–23:00) and 年末年始 (12月29日〜1月3日).
* :data:`FEES`: the fee per copy by kind (yen).
* :data:`KIOSK_FORM`: the fixed kiosk form and its anti-forgery features, as data (the kiosk's
  multifunction printer applies them: the 証明書発行サーバ sends them with the PDF).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time


@dataclass(frozen=True)
class Reason:
    code: str
    message: str


_REASONS = (
    Reason("K001", "サービス提供時間外です（6時30分から23時まで）。"),
    Reason("K002", "年末年始（12月29日から1月3日まで）はご利用いただけません。"),
    Reason("K010", "カードを確認できません。市区町村の窓口にお問い合わせください。"),
    Reason("K011", "利用者証明用電子証明書が失効しています。"),
    Reason("K012", "利用者証明用電子証明書が一時停止されています。"),
    Reason("K013", "利用者証明用電子証明書の有効期間が過ぎています。"),
    Reason("K014", "暗証番号が違います。"),
    Reason("K015", "暗証番号がロックされています。市区町村の窓口で解除してください。"),
    Reason("K016", "個人番号カードが一時停止・廃止されています。"),
    Reason("K020", "この市区町村の住民として登録されていません。"),
    Reason("K021", "住民票が消除されているため交付できません。"),
    Reason("K022", "転出の届出がされているため交付できません。"),
    Reason("K030", "この証明書はコンビニエンスストアでは交付できません。市区町村の窓口にお問い合わせください。"),
    Reason("K031", "交付が停止されています。市区町村の窓口にお問い合わせください。"),
    Reason("K040", "ご指定の証明書は交付できません（請求の内容を確認してください）。"),
    Reason("K050", "ただいま証明書を発行できません。しばらくしてからお試しください。"),
)
REASONS: dict[str, Reason] = {r.code: r for r in _REASONS}

OUT_OF_HOURS = "K001"
YEAR_END = "K002"
CARD_INVALID = "K010"
CARD_REVOKED = "K011"
CARD_SUSPENDED = "K012"
CARD_EXPIRED = "K013"
PIN_INCORRECT = "K014"
PIN_LOCKED = "K015"
CARD_STOPPED = "K016"
NOT_REGISTERED = "K020"
REMOVED = "K021"
MOVING_OUT = "K022"
PROTECTED = "K030"
BLOCKED = "K031"
BAD_REQUEST = "K040"
UNAVAILABLE = "K050"

OPENS = time(6, 30)
CLOSES = time(23, 0)

COPY = "copy"
ITEM_CERTIFICATE = "item_certificate"
KINDS = {COPY: "住民票の写し", ITEM_CERTIFICATE: "住民票記載事項証明書"}
FEES: dict[str, int] = {COPY: 200, ITEM_CERTIFICATE: 200}
MAX_COPIES = 5
# the items a resident may choose at the kiosk for 住民票の写し (the names of jumin.core.certificates)
# (住民票コード and 個人番号 are never printed at a store)
CHOOSABLE_ITEMS = ("head_relationship", "honseki", "foreign_status", "alias_history")
CERTIFIABLE_ITEMS = ("birth", "sex", "relationship", "head_name", "became_resident", "address_set", "honseki")

KIOSK_FORM: dict[str, object] = {
    "paper": "A4 普通紙（店舗のマルチコピー機）",
    "layout": "コンビニ交付専用の固定様式（様式番号 K-1）",
    "features": [
        {"code": "latent_image", "label": "けん制文字", "detail": "複写すると「複写」の文字が浮き出る地紋"},
        {"code": "scramble", "label": "スクランブル画像", "detail": "市区町村名を暗号化した画像を専用シートで確認"},
        {"code": "microtext", "label": "微細文字", "detail": "外周に 0.3 mm の微細文字（市区町村名）"},
        {"code": "tamper_pattern", "label": "偽造防止検出画像", "detail": "改ざんすると模様が崩れる背景画像"},
        {"code": "void_pattern", "label": "抑止画像", "detail": "複写機で複写すると抑止画像が現れる"},
        {"code": "issue_no", "label": "発行番号・電子署名", "detail": "発行番号で交付履歴と照合できる"},
    ],
}


def service_refusal(at: datetime) -> str:
    """The refusal code when the service is closed at ``at`` (local time), else ``""``."""
    day = at.date()
    if (day.month == 12 and day.day >= 29) or (day.month == 1 and day.day <= 3):
        return YEAR_END
    if not OPENS <= at.time() < CLOSES:
        return OUT_OF_HOURS
    return ""


def fee(kind: str, copies: int) -> int:
    return FEES[kind] * copies


def business_date(at: datetime) -> date:
    """The day a kiosk transaction counts for in the daily reconciliation (local date)."""
    return at.date()
