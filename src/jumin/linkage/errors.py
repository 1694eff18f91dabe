"""What the error codes of the linked systems mean, in Japanese, and what the operator should do.

The codes are those of :class:`jumin.linkage.client.DeliveryError` and of the keys
(``DomainError``): stable, free of personal data, stored in ``DeliveryState.last_error``."""

from __future__ import annotations

# error code (DeliveryState.last_error) -> explanation in Japanese
ERRORS = {
    "unavailable": "相手先に接続できません（停止中・ネットワーク障害・応答の時間切れ）。",
    "rejected:maintenance": "相手先が保守中または障害中のため受け付けませんでした。",
    "rejected:gap": "相手先が待っている更新順番号と一致しません（番号の抜け）。",
    "rejected:conflict": "相手先ではこの番号が別の電文に使われています（番号の重複）。",
    "rejected:bad_request": "相手先が電文の形式の誤りとして受け付けませんでした。",
    "rejected:bad_individual_number": "相手先が個人番号の誤りとして受け付けませんでした。",
    "rejected:reason_mismatch": "相手先が保有する本人確認情報の状態と異動事由が合わないため受け付けませんでした。",
    "rejected:not_refused": "異常時更新順番号に指定した番号は、相手先で受付拒否された番号ではありません。",
    "rejected:already_replaced": "この番号は既に別の電文で置き換えられています（二重の再送）。",
    "rejected:too_large": "電文が大きすぎるため受け付けられませんでした。",
    "rejected:unknown_key": "相手先に本市の公開鍵が登録されていません。",
    "rejected:stale_timestamp": "本市の時刻が相手先とずれているため受け付けられませんでした。",
    "rejected:bad_signature": "相手先が本市の署名を確認できませんでした。",
    "peer_unknown_key": "応答が登録済みの相手先の鍵で署名されていません。",
    "peer_stale_timestamp": "応答の時刻がずれています（相手先または本市の時計）。",
    "peer_bad_signature": "応答の署名を確認できません（改ざんの可能性）。",
    "bad_answer": "相手先の応答を読み取れません。",
    "jukinet.peer_key_missing": "相手先の公開鍵が鍵ディレクトリにありません。",
    "jukinet.bad_key": "署名鍵または相手先の公開鍵のファイルが壊れています。",
    "jukinet.history_missing": "通知の元になる異動履歴が見つかりません（住基ネットCSが取り込めません）。",
    "already_received": "相手先は受信済みでした（二重には届いていません）。",
}

ADVICE = {
    "rejected:gap": (
        "これより前の電文が相手先に届いていません。同じ送信先の前の番号が未送信・エラーでないか確認し、"
        "都道府県サーバの管理者に受信済みの最終の更新順番号を照会してください。再送だけでは解消しません。"
    ),
    "rejected:conflict": (
        "相手先に同じ更新順番号で別の電文があります。番号の払い出し誤りや二重登録の可能性があるため、"
        "相手先の管理者と電文を照合してから再送してください。"
    ),
    "rejected:reason_mismatch": (
        "同じ内容で再送しても受け付けられません。相手先での状態（現存・消除）を確かめ、"
        "「異動事由を変更して再送」で正しい異動事由を選んでください（異常時更新順番号を付けて送ります）。"
    ),
    "rejected:bad_request": "電文の内容を確認し、原因を取り除いてから再送してください。",
    "rejected:unknown_key": "本市の公開鍵（cs_ed25519.pub）を相手先に登録してもらってから再送してください。",
    "jukinet.peer_key_missing": "相手先の公開鍵を鍵ディレクトリに置いてから再送してください（docs/jukinet.md）。",
}


def explain(code: str) -> str:
    """The Japanese explanation of an error code ("" when there is none)."""
    if not code:
        return ""
    if code in ERRORS:
        return ERRORS[code]
    if code.startswith(("http_", "rejected:http_")):
        return f"相手先が想定外の応答（{code.rsplit('_', 1)[-1]}）を返しました。"
    return "相手先が受け付けませんでした。"


def advice(code: str) -> str:
    return ADVICE.get(code, "")
