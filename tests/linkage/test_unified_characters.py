"""The 住基ネット統一文字 conversion table as data (spec 7.1.1.1, 30.2 文字): the shipped seed
loaded by a migration, the official table loaded by ``jumin load-unified-characters``."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from jumin.audit.models import OperationLog
from jumin.core.unified_chars import CONVERTED, NOT_NEEDED, UNCONVERTIBLE
from jumin.linkage import unified_characters
from jumin.linkage.models import UnifiedCharacter
from jumin.linkage.unified_characters import convert_text, seed_rows, substitute_items

ROOT = Path(__file__).resolve().parents[2]
TAKA, SAKI, YOSHI, HOKKE = "\u9ad9", "\ufa11", "\U00020bb7", "\U00029e3d"  # 髙 﨑 𠮷 𩸽


@pytest.fixture(autouse=True)
def _fresh_table() -> Iterator[None]:
    """The process cache must not outlive a test's rows (rolled back after it)."""
    unified_characters.invalidate()
    yield
    unified_characters.invalidate()


class _Sink:
    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> None:
        self.text += text

    def flush(self) -> None:
        pass


def _file(tmp_path: Path, text: str, encoding: str = "utf-8") -> str:
    path = tmp_path / "unified.csv"
    path.write_bytes(text.encode(encoding))
    return str(path)


def test_the_shipped_seed_is_built_by_its_script() -> None:
    script = ROOT / "scripts" / "build_unified_characters.py"
    done = subprocess.run([sys.executable, str(script), "--check"], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout
    rows = {char: substitute for char, substitute, _ in seed_rows()}
    assert (rows[TAKA], rows[SAKI], rows[YOSHI]) == ("高", "崎", "吉") and HOKKE not in rows
    assert (rows["\uff0d"], rows["\uff5e"], rows["\uff71"]) == ("\u2212", "\u301c", "ア"), "－ ～ ｱ typed on Windows"
    assert len(rows) > 5000


@pytest.mark.spec("7.1.1.1", partial=True)
@pytest.mark.django_db
def test_a_fresh_install_has_the_seed_and_converts_with_it() -> None:
    assert UnifiedCharacter.objects.count() == len(seed_rows())
    assert UnifiedCharacter.objects.get(char=TAKA).substitute == "高"
    name = convert_text(f"{YOSHI}田\u3000{TAKA}志")
    assert (name.text, name.positions_text, name.result) == ("吉田\u3000高志", "1,4", CONVERTED)
    items = substitute_items(name="渡邊\u3000太郎", address=f"北海道{HOKKE}町1番地")
    assert items == {
        "name_substitute": "渡邊\u3000太郎",
        "name_substitute_positions": "",
        "address_substitute": "北海道〓町1番地",
        "address_substitute_positions": "4",
        "substitute_result": UNCONVERTIBLE,
    }


@pytest.mark.spec("7.1.1.1", partial=True)
@pytest.mark.django_db
def test_the_operator_loads_the_official_table_which_wins_over_the_seed(tmp_path: Path, settings: Any) -> None:
    sink = _Sink()
    text = f"文字,代替文字,備考\n{HOKKE},魚,J-LIS\n{TAKA},,統一文字\n\n邊,,\n"
    call_command("load_unified_characters", _file(tmp_path, text), stdout=sink)
    assert "追加 1 件、更新 1 件、変更なし 0 件" in sink.text
    assert UnifiedCharacter.objects.get(char=HOKKE).source == UnifiedCharacter.Source.OFFICIAL
    assert not UnifiedCharacter.objects.filter(char="邊").exists(), "a JIS X 0208 row adds nothing"
    converted = convert_text(f"{HOKKE}田\u3000{TAKA}志")
    assert (converted.text, converted.positions_text) == (f"魚田\u3000{TAKA}志", "1"), "髙 is now in the set"
    log = OperationLog.objects.get(action="linkage.unified_characters_load")
    assert log.after == {"source": "official", "added": 1, "changed": 1}

    call_command("load_unified_characters", stdout=sink)  # the seed again: the official rows stay
    assert UnifiedCharacter.objects.get(char=TAKA).substitute == ""
    assert UnifiedCharacter.objects.count() == len(seed_rows()) + 1

    settings.JUMIN_UNIFIED_MARKER = "＊"
    assert convert_text("\U0002a6b2").text == "＊"
    settings.JUMIN_UNIFIED_MARKER = "\U0002a6b2"  # not in the set itself: the default
    assert convert_text("\U0002a6b2").text == "〓"


@pytest.mark.parametrize(
    ("text", "encoding", "message"),
    [
        ("char,substitute\n", "utf-8", "見出し"),
        ("", "utf-8", "見出し"),
        ("文字,代替文字\n髙,高志\n", "utf-8", "2行目: 代替文字は"),
        ("文字,代替文字\n高,髙\n", "utf-8", "2行目: JIS X 0208"),
        (f"文字,代替文字\n{HOKKE},{YOSHI}\n", "utf-8", "統一文字の範囲外"),
        ("文字,代替文字\n髙,高\n", "utf-16", "UTF-8"),
        ("文字,代替文字,備考\n髙,高,番号 1234-5678-9018\n", "utf-8", "2行目: 個人番号"),
    ],
)
@pytest.mark.django_db
def test_a_bad_file_changes_nothing(tmp_path: Path, text: str, encoding: str, message: str) -> None:
    before = UnifiedCharacter.objects.count()
    with pytest.raises(CommandError) as error:
        call_command("load_unified_characters", _file(tmp_path, text, encoding), stdout=_Sink())
    assert message in str(error.value) and "変換表は変更していません" in str(error.value)
    assert UnifiedCharacter.objects.count() == before and UnifiedCharacter.objects.get(char=TAKA).substitute == "高"


@pytest.mark.django_db
def test_a_missing_file_and_too_many_rows_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(CommandError, match="ファイルを読めません"):
        call_command("load_unified_characters", str(tmp_path / "none.csv"), stdout=_Sink())
    monkeypatch.setattr(unified_characters, "MAX_ROWS", 1)
    with pytest.raises(CommandError, match="上限"):
        call_command("load_unified_characters", _file(tmp_path, "文字,代替文字\n髙,高\n﨑,崎\n"), stdout=_Sink())


@pytest.mark.django_db
def test_an_empty_table_falls_back_to_the_seed() -> None:
    UnifiedCharacter.objects.all().delete()
    unified_characters.invalidate()
    assert convert_text(f"{TAKA}橋").text == "高橋"
    assert convert_text("上尾").result == NOT_NEEDED
