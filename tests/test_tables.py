import pytest

import aelab as ae


def test_columns_align_and_floats_use_the_format(capsys):
    ae.tables.show(["model", "error"], [["PCA", 13.8712], ["deep AE", 2.93]])
    assert capsys.readouterr().out.splitlines() == [
        "model    error",
        "PCA      13.87",
        "deep AE   2.93",
    ]


def test_one_format_per_column_and_non_floats_as_text():
    text = ae.tables.format_table(
        ["n", "a", "b"], [["x", 1.23456, 7], ["yy", 2.0, 10]], ["", ".1f", "d"]
    )
    assert text.splitlines() == ["n     a   b", "x   1.2   7", "yy  2.0  10"]


def test_mismatched_rows_and_formats_are_named():
    with pytest.raises(ValueError, match=r"rows\[1\] has 1 cells"):
        ae.tables.format_table(["a", "b"], [["x", 1.0], ["y"]])
    with pytest.raises(ValueError, match="fmt has 3 formats for 2 columns"):
        ae.tables.format_table(["a", "b"], [["x", 1.0]], [".1f", ".1f", ".1f"])
