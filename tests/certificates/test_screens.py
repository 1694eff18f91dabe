"""The certificate screens (issue 7): 交付 with 見本, refusals in Japanese, 交付履歴 with 再交付
and 処分, the 認証者 master, and the public verification page (no login, no personal data)."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from jumin.accounts.models import Terminal, User
from jumin.accounts.principal import Principal
from jumin.audit.models import AccessedPerson, AccessLog, OperationLog, SettingsLog
from jumin.certificates.models import Certifier, Disposal, Issuance
from jumin.conf.domain import era_table
from jumin.registry.models import Resident
from tests.certificates import test_issue as issuing
from tests.conftest import device_cookie, log_in, make_operator

pytestmark = pytest.mark.db

# the household, the clerk and the mayor of the service tests
clerk, family, mayor, joined = issuing.clerk, issuing.family, issuing.mayor, issuing.joined


def _client(user: User, terminal: Terminal) -> Client:
    client = Client()
    client.cookies["jumin_terminal"] = device_cookie(terminal)
    return log_in(client, user)


@pytest.fixture
def web(clerk: Principal, terminal: Terminal) -> Client:
    assert clerk.user is not None
    return _client(clerk.user, terminal)


def own_form(family: dict[str, Resident], **overrides: Any) -> dict[str, Any]:
    """The 交付 form as the counter fills it: the head asks for the whole household."""
    head = family["太郎"]
    data: dict[str, Any] = {
        "atena_no": head.atena_no,
        "kind": "copy",
        "layout": "household",
        "members": "",
        "route": "self",
        "requester_name": "上尾　太郎",
        "requester_atena_no": head.atena_no,
        "id_document": "mynumber_card",
        "copies": "1",
        "action": "issue",
    }
    data.update(overrides)
    return data


def _issue(web: Client, family: dict[str, Resident], **overrides: Any) -> tuple[Issuance, bytes]:
    response = web.post("/certificates/", own_form(family, **overrides))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf", response.content[:400]
    return Issuance.objects.latest("pk"), response.content


@pytest.mark.spec("5.1", "5.5", partial=True)
def test_issue_screen_previews_then_issues_a_pdf(
    web: Client, mayor: Certifier, family: dict[str, Resident], terminal: Terminal
) -> None:
    head = family["太郎"]
    page = web.get(f"/certificates/?person={head.atena_no}")
    assert page.status_code == 200
    html = page.content.decode()
    assert f'value="{head.atena_no}"' in html
    assert 'data-shortcut="Ctrl+Enter"' in html and 'data-shortcut="Alt+P"' in html
    assert "証明書交付" in web.get("/").content.decode()  # the menu entry (Alt+I)

    preview = web.post("/certificates/", own_form(family, action="preview"))
    assert preview.status_code == 200 and preview["Content-Type"] == "application/pdf"
    assert preview["Cache-Control"] == "no-store"
    sample = joined(preview.content)
    assert "【見本】" in sample and "上尾太郎" in sample and "上尾三郎" in sample
    assert not Issuance.objects.exists()  # a 見本 is not issued
    assert AccessLog.objects.filter(purpose="certificates.preview").exists()

    issued = web.post("/certificates/", own_form(family, copies="2"))
    assert issued.status_code == 200 and issued["Content-Type"] == "application/pdf"
    rows = list(Issuance.objects.order_by("pk"))
    assert len(rows) == 2 and issued["X-Jumin-Issuances"] == ",".join(str(r.pk) for r in rows)
    body = joined(issued.content)
    assert "【見本】" not in body and "上尾花子" in body
    for row in rows:
        assert row.issue_no.replace(" ", "") in body
        assert row.terminal == terminal.name and row.operator is not None and row.operator.username == "shomei"


def test_issue_screen_refuses_in_japanese_and_writes_nothing(
    web: Client, mayor: Certifier, family: dict[str, Resident]
) -> None:
    third = own_form(family, route="third_party", requester_name="株式会社　上尾債権", requester_atena_no="")
    third.update(purpose="債権回収", proof="")
    response = web.post("/certificates/", third)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert "交付できません。" in html and "第三者の申出は、利用目的と疎明資料を入力してください。" in html
    assert "株式会社　上尾債権" in html  # the form keeps what was typed
    # a preview is refused the same way
    preview = web.post("/certificates/", {**third, "action": "preview"})
    assert preview.status_code == 200 and "疎明資料" in preview.content.decode()
    # a field the form itself rejects
    bad = web.post("/certificates/", own_form(family, copies="99"))
    assert bad.status_code == 200 and "field-error" in bad.content.decode()
    # an unknown person
    unknown = web.post("/certificates/", own_form(family, atena_no="999999999"))
    assert "その宛名番号の住民はいません。" in unknown.content.decode()
    # the 除票's number is for a 除票 only (20.1.3)
    numbered = web.post("/certificates/", own_form(family, record_no="1"))
    assert "除票の番号は除票の写し・除票記載事項証明書にだけ指定できます。" in numbered.content.decode()
    assert not Issuance.objects.exists()
    assert not AccessLog.objects.filter(purpose="certificates.issue").exists()


@pytest.mark.spec("1.3.8", "2.2.2")
def test_history_lists_reissues_and_disposes(
    web: Client, mayor: Certifier, family: dict[str, Resident], terminal: Terminal
) -> None:
    first, _ = _issue(web, family)
    head = family["太郎"]
    page = web.get(f"/certificates/history/?atena_no={head.atena_no}")
    html = page.content.decode()
    assert page.status_code == 200 and first.issue_no in html
    assert "住民票の写し（世帯連記式）" in html and "本庁1" in html and "shomei" in html and "交付" in html
    assert AccessedPerson.objects.filter(access__purpose="certificates.history", atena_no=head.atena_no).exists()
    # no criterion: nothing is read; an unknown number: an empty answer
    assert 'data-testid="issuances"' not in web.get("/certificates/history/").content.decode()
    empty = web.get("/certificates/history/?issue_no=20000101").content.decode()
    assert "該当する交付履歴はありません。" in empty
    by_day = web.get("/certificates/history/", {"issued_on": era_table().format(timezone.localdate())}).content.decode()
    assert first.issue_no in by_day

    # 再交付: a new 発行番号, linked to the first
    missing = web.post(f"/certificates/history/{first.pk}/reissue/", {"reason": ""})
    assert missing.status_code == 302
    assert "再交付の理由を入力してください。" in web.get(missing["Location"]).content.decode()
    again = web.post(f"/certificates/history/{first.pk}/reissue/", {"reason": "汚損のため"})
    assert again.status_code == 200 and again["Content-Type"] == "application/pdf"
    second = Issuance.objects.latest("pk")
    assert second.reissue_of == first and second.issue_no != first.issue_no
    body = joined(again.content)
    assert second.issue_no.replace(" ", "") in body and first.issue_no.replace(" ", "") not in body
    assert "（再交付）" in body
    assert second.sha256 == hashlib.sha256(again.content).hexdigest()
    assert OperationLog.objects.filter(action="certificate.reissue", reason="汚損のため").exists()

    # 処分 of the first copy
    no_reason = web.post(f"/certificates/history/{first.pk}/dispose/", {"reason": ""})
    assert not Disposal.objects.exists()
    assert "処分の理由を入力してください。" in web.get(no_reason["Location"]).content.decode()
    done = web.post(f"/certificates/history/{first.pk}/dispose/", {"reason": "誤交付のため回収・廃棄"})
    assert done.status_code == 302
    after = web.get(done["Location"]).content.decode()
    assert f"発行番号 {first.issue_no} を処分済みとして記録しました。" in after
    assert "処分済み" in after and "誤交付のため回収・廃棄" in after
    twice = web.post(f"/certificates/history/{first.pk}/dispose/", {"reason": "再度"})
    assert "この証明書は処分済みです。" in web.get(twice["Location"]).content.decode()
    assert Disposal.objects.get().issuance == first
    listing = web.get(f"/certificates/history/?atena_no={head.atena_no}").content.decode()
    assert listing.count("処分済み") == 1 and f"再交付（元: {first.issue_no}）" in listing
    assert web.post("/certificates/history/999999/dispose/", {"reason": "x"}).status_code == 404


@pytest.mark.spec("1.3.9", partial=True)
def test_certifiers_are_kept_by_the_system_administrator(
    mayor: Certifier, web: Client, terminal: Terminal, other_terminal: Terminal
) -> None:
    admin = _client(make_operator("kanri", "管理 者", roles=("システム管理者",)), other_terminal)
    page = admin.get("/certificates/certifiers/")
    assert page.status_code == 200 and "畠山　稔" in page.content.decode()
    today = timezone.localdate()
    data = {
        "role": "deputy",
        "title": "上尾市副市長（市長職務代理者）",
        "name": "石川　隆",
        "valid_from": era_table().format(today),  # typed in 和暦, as everywhere at the counter
        "valid_to": (today + timedelta(days=30)).isoformat(),
        "seal_text": "上尾市長職務代理者印",
        "print_seal": "",
    }
    blank = admin.post("/certificates/certifiers/", {**data, "name": ""})  # a blank name is X (1.3.9)
    assert blank.status_code == 200 and Certifier.objects.count() == 1
    backwards = admin.post("/certificates/certifiers/", {**data, "valid_to": "H1.1.8"})
    assert "期間の終了は開始より後の日にしてください。" in backwards.content.decode()
    assert (
        "日付として読み取れません"
        in admin.post("/certificates/certifiers/", {**data, "valid_from": "x"}).content.decode()
    )
    assert Certifier.objects.count() == 1 and not SettingsLog.objects.filter(target="certificates.certifier").exists()
    saved = admin.post("/certificates/certifiers/", data)
    assert saved.status_code == 302
    deputy = Certifier.objects.get(role="deputy")
    assert deputy.valid_to == today + timedelta(days=30) and not deputy.print_seal
    listing = admin.get(saved["Location"]).content.decode()
    assert "認証者 上尾市副市長（市長職務代理者） 石川　隆 を登録しました。" in listing and "公印省略" in listing
    assert f"{era_table().format(today)} 〜 {era_table().format(today + timedelta(days=30))}" in listing
    log = SettingsLog.objects.get(target="certificates.certifier", key=str(deputy.pk))
    assert log.after["name"] == "石川　隆" and log.after["valid_from"] == today.isoformat()
    # the clerk issues, but does not keep the master; the administrator does not issue
    assert web.get("/certificates/certifiers/").status_code == 403
    assert admin.get("/certificates/").status_code == 403
    assert admin.get("/certificates/history/").status_code == 403


def test_verification_page_is_public_and_says_nothing_personal(
    web: Client, mayor: Certifier, family: dict[str, Resident]
) -> None:
    row, pdf = _issue(web, family)
    anonymous = Client()
    private = ("太郎", "花子", "本町三丁目", "コーポ上尾", row.requester_name, family["太郎"].atena_no)

    def shown(response: Any) -> str:
        assert response.status_code == 200
        html = response.content.decode()
        assert not any(value in html for value in private), "the verification page shows personal data"
        return html

    blank = shown(anonymous.get("/verify/"))
    assert "発行番号" in blank and 'data-testid="verify-answer"' not in blank
    signed = shown(anonymous.get("/verify/", {"n": row.issue_no, "s": row.signature}))
    assert "に交付されています。" in signed and "正しい（QRコードの署名を確認しました）" in signed

    upload = SimpleUploadedFile("certificate.pdf", pdf, content_type="application/pdf")
    matched = shown(anonymous.post("/verify/", {"n": row.issue_no, "document": upload}))
    assert "交付したPDFと一致します" in matched and "に交付されています。" in matched
    tampered = SimpleUploadedFile(
        "certificate.pdf", pdf.replace(b"%%EOF", b"%%EOF\n%x"), content_type="application/pdf"
    )
    changed = shown(anonymous.post("/verify/", {"n": row.issue_no, "s": row.signature, "document": tampered}))
    assert "交付したPDFと一致しません" in changed and "この証明書は有効なものとして確認できません。" in changed

    # typed off a page: full-width spaces and the page part are forgiven
    typed = row.issue_no.replace(" ", "\u3000") + " 1/2"
    assert "に交付されています。" in shown(anonymous.get("/verify/", {"n": typed}))
    huge = SimpleUploadedFile("big.pdf", b"%PDF" + b"0" * (10 * 1024 * 1024), content_type="application/pdf")
    too_big = shown(anonymous.post("/verify/", {"n": row.issue_no, "document": huge}))
    assert "PDFが大きすぎます" in too_big and 'data-testid="verify-answer"' not in too_big

    forged = shown(anonymous.get("/verify/", {"n": row.issue_no, "s": "A" * 86}))
    assert "正しくない（偽造の疑いがあります）" in forged
    unknown = shown(anonymous.get("/verify/", {"n": "20000101 上尾市 本庁1 001"}))
    assert "の証明書は交付されていません。" in unknown

    clerk_user = User.objects.get(username="shomei")
    web.post(f"/certificates/history/{row.pk}/dispose/", {"reason": "誤交付"})
    assert Disposal.objects.filter(issuance=row, operator=clerk_user).exists()
    disposed = shown(anonymous.get("/verify/", {"n": row.issue_no, "s": row.signature}))
    assert "処分済み（無効）" in disposed and "有効なものとして確認できません" in disposed
