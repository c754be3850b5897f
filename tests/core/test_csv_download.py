"""CSV downloads: a byte-order mark, the header, and formula-like cells quoted."""

import pytest

from practica.core.csv_download import csv_download, spreadsheet_safe

pytestmark = [pytest.mark.unit]


@pytest.mark.parametrize("text", ["=SUM(A1)", "+1", "-2", "@cmd", "\tx", "\ry"])
def test_a_formula_like_text_is_quoted(text):
    assert spreadsheet_safe(text) == f"'{text}"


def test_numbers_and_plain_text_are_kept():
    assert spreadsheet_safe(-3) == -3
    assert spreadsheet_safe("机器学习") == "机器学习"


def test_the_download_has_a_bom_the_header_and_safe_rows():
    response = csv_download(filename="t.csv", header=["name", "=x"], rows=[["=HYPERLINK()", 2]])
    assert response["Content-Disposition"] == 'attachment; filename="t.csv"'
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    assert text.splitlines()[1:] == ["'=HYPERLINK(),2"]
    assert text.splitlines()[0] == "\ufeffname,'=x"
