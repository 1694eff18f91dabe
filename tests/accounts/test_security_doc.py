"""docs/security.md stays true: its role matrix is the one in the code."""

from pathlib import Path

import pytest

from jumin.accounts.roles import role_matrix_markdown

DOC = Path(__file__).resolve().parents[2] / "docs" / "security.md"


@pytest.mark.spec("10.3", partial=True)
def test_security_doc_shows_the_roles_as_built() -> None:
    assert role_matrix_markdown() in DOC.read_text(encoding="utf-8")
