"""Reading EFS codebooks with pages, filters and visibility rules (surveyflow.reading.efs_codebook).

The synthetic codebooks are written as Latin-1 bytes with CRLF line ends, laid out like the
real NaPiRE codebooks in tests/data (same spacing, NBSP connectors, trailing blanks).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import DATA

from surveyflow.errors import InputError
from surveyflow.reading.codebook import LINE_KINDS, Condition
from surveyflow.reading.codebook_json import codebook_to_json
from surveyflow.reading.efs_codebook import read_codebook
from surveyflow.reading.efs_files import Codebook
from surveyflow.reading.efs_files import read_codebook as read_codebook_via_efs

PILOT = DATA / "efs-napire-pilot" / "codebook_project_400193_2017_09_13.csv"
FINAL = DATA / "efs-napire-final" / "codebook_project_400193_2018_02_05.csv"
NBSP = "\xa0"
PREAMBLE = ["Synthetic s\xfcrvey", "", "Project ID\t4711", "Date\t2024-01-02 03:04:05", ""]


def write(tmp_path: Path, lines: list[str], name: str = "codebook.csv") -> Path:
    """A codebook as EFS on Windows saves it: Latin-1 bytes, CRLF line ends."""
    path = tmp_path / name
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("latin-1"))
    return path


def row(connector: str, var: str, label: str, question: str, op: str, value: str) -> str:
    """A condition row as EFS writes it (leading blanks in the variable and question cells)."""
    return f"{connector}\t {var} {label}\t {question} - {label} \t{op}\t{value}"


def question(text: str, qid: int, qtype: int = 111) -> str:
    return f"{text} (q_{qid} - Type {qtype})"


def counted(codebook: Codebook, path: Path) -> None:
    """Every line of the file is counted once, under a known kind."""
    assert set(codebook.line_counts) == set(LINE_KINDS)
    assert sum(codebook.line_counts.values()) == len(path.read_bytes().split(b"\r\n")) - 1


# ------------------------------------------------------------------------------- constructs


def test_page_headings_with_nested_numbers(tmp_path: Path) -> None:
    lines = [
        *PREAMBLE,
        "1 Page: System (PGID 100)",
        "",
        f"2 Page: Filter{NBSP}\xc4rger (PGID 200)",  # NBSP and a Latin-1 letter in the title
        "",
        "Filter",
        row(NBSP, "v_1", "Age", "How old?", "greater", "17"),
        "",
        "2.1 Page: Filter deeper (PGID 210)",
        "",
        "Filter",
        row(NBSP, "v_1", "Age", "How old?", "less", "65"),
        "",
        "2.1.1 Page: Working age (PGID 211)",
        "",
        question("Which job?", 5, 141),
        "v_2\tv_2\tvarchar\tJob",
        "",
        "2.2 Page: Adults (PGID 220)",
        "",
        question("Which car?", 6, 141),
        "v_3\tv_3\tvarchar\tCar",
        "",
        "3 Page: End (PGID 300)",
        "",
        "v_4\tv_4\tblob\tRemarks",
    ]
    path = write(tmp_path, lines)
    codebook = read_codebook(path)
    assert codebook.encoding == "cp1252" and codebook.title == "Synthetic s\xfcrvey"
    assert codebook.properties == {"Project ID": "4711", "Date": "2024-01-02 03:04:05"}
    assert list(codebook.pages) == ["1", "2", "2.1", "2.1.1", "2.2", "3"]
    assert codebook.pages["2"].title == "Filter \xc4rger" and codebook.pages["2"].pgid == 200
    assert codebook.pages["2.1.1"].line == 18
    v2, v3, v4 = (codebook.variables[n] for n in ("v_2", "v_3", "v_4"))
    assert (v2.page.number, v2.page.title, v2.page.pgid) == ("2.1.1", "Working age", 211)
    # Behind every filter page above it, outermost first; a sibling only behind the shared one.
    assert [p.number for p in v2.filters] == ["2", "2.1"]
    assert [p.number for p in v3.filters] == ["2"]
    assert v4.page.number == "3" and v4.filters == () and v4.question_id is None
    assert codebook.line_counts["page"] == 6 and codebook.line_counts["filter"] == 2
    assert codebook.warnings == () and codebook.skipped == 0
    counted(codebook, path)


def test_filter_block_with_each_connector_and_operator(tmp_path: Path) -> None:
    q = f"How{NBSP}satisfied are you?"
    lines = [
        *PREAMBLE,
        "1 Page: Filter satisfaction (PGID 10)",
        "",
        "Filter",
        row(NBSP, "v_9", "Satisfaction", q, "equal", "1"),
        row("or", "v_9", "Satisfaction", q, "unequal", "2"),
        row("and", "v_9", "Satisfaction", q, "less", "3"),
        row(f"{NBSP} not", "v_9", f"Zufriedenheit{NBSP}gr\xf6\xdf", q, "greater", "4"),
        row("or not", "v_9", "Satisfaction", q, "equal", "5") + "\t\t",  # trailing tabs
        row("and not", "v_9", "Satisfaction", q, "unequal", "-77"),
        "",
        "",
        "1.1 Page: Why (PGID 11)",
        "",
        question("Why?", 7, 142),
        "v_10\tv_10\tblob\tReason",
    ]
    path = write(tmp_path, lines)
    codebook = read_codebook(path)
    conditions = codebook.pages["1"].filter
    assert [(c.connector, c.operator, c.value) for c in conditions] == [
        ("", "equal", "1"),
        ("or", "unequal", "2"),
        ("and", "less", "3"),
        ("not", "greater", "4"),
        ("or not", "equal", "5"),
        ("and not", "unequal", "-77"),
    ]
    first, fourth = conditions[0], conditions[3]
    assert first == Condition(
        "", "v_9", "Satisfaction", "How satisfied are you? - Satisfaction", "equal", "1", 9
    )
    assert fourth.label == "Zufriedenheit gr\xf6\xdf" and fourth.variable == "v_9"
    assert codebook.variables["v_10"].filters == (codebook.pages["1"],)
    assert codebook.line_counts["filter_condition"] == 6 and codebook.skipped == 0
    counted(codebook, path)


def test_question_will_not_be_seen_if_conditions(tmp_path: Path) -> None:
    lines = [
        *PREAMBLE,
        "1 Page: Relationship (PGID 10)",
        "",
        "Question will not be seen if :",
        row(NBSP, "v_25", f"Relationship{NBSP}\xe9tat", "How is it?", "less", "5"),
        row("or", "v_25", "Relationship", "How is it?", "equal", "-99"),
        "",
        "",
        question("Why bad?", 1, 142),
        "v_26\tv_26\tblob\tReason bad",
        "v_27\tv_27\tblob\tMore",
        "",
        "",
        question("Anything else?", 2, 142),
        "v_28\tv_28\tblob\tElse",
        "",
        "Question will not be seen if :",
        row(NBSP, "v_25", "Relationship", "How is it?", "greater", "1"),
        "",
        "2 Page: End (PGID 20)",
        "v_29\tv_29\tblob\tRemarks",
    ]
    path = write(tmp_path, lines)
    codebook = read_codebook(path)
    seen_if = codebook.variables["v_26"].visibility
    assert [(c.connector, c.variable, c.label, c.operator, c.value) for c in seen_if] == [
        ("", "v_25", "Relationship \xe9tat", "less", "5"),
        ("or", "v_25", "Relationship", "equal", "-99"),
    ]
    assert codebook.variables["v_27"].visibility == seen_if  # the whole question is hidden
    assert codebook.variables["v_28"].visibility == ()  # the block belongs to one question
    assert codebook.variables["v_29"].visibility == ()
    # The last block is followed by no question: reported, not attached to the next page.
    assert codebook.warnings == (
        (21, "visibility conditions followed by no question; not attached"),
    )
    assert codebook.line_counts["visibility"] == 2
    assert codebook.line_counts["visibility_condition"] == 3
    assert codebook.skipped == 0
    counted(codebook, path)


def test_hide_if_lines_attach_to_the_variable_or_value_above(tmp_path: Path) -> None:
    lines = [
        *PREAMBLE,
        "1 Page: Causes (PGID 10)",
        "",
        question("Which causes?", 1, 143),
        "v_277\tv_277\tvarchar\t#v_246#",
        "\t\t\t^ hide if : ((v_246 = '0'))",
        "v_278\tv_278\tvarchar\t#v_248#",
        f"\t\t\t^{NBSP}hide if{NBSP}: ((v_248 = '0'))",
        "",
        question("Which one?", 2) + "\t",  # a trailing tab
        "v_5\tv_5\tint\tChoice",
        "\t\t1\tYes",
        "\t\t2\tNo, caf\xe9",
        "\t\t\t^ hide if : ((v_1 = '3'))",
        "\t\t\t^ hide if : ((v_2 = '1'))",
        "\t\t3\tMaybe",
    ]
    path = write(tmp_path, lines)
    codebook = read_codebook(path)
    assert codebook.variables["v_277"].hide_if == ("((v_246 = '0'))",)
    assert codebook.variables["v_278"].hide_if == ("((v_248 = '0'))",)
    v5 = codebook.variables["v_5"]
    assert (v5.question_text, v5.question_id) == ("Which one?", "q_2")
    assert v5.hide_if == () and v5.values == {1: "Yes", 2: "No, caf\xe9", 3: "Maybe"}
    assert v5.value_hide_if == {2: ("((v_1 = '3'))", "((v_2 = '1'))")}
    assert codebook.line_counts["hide_if"] == 4 and codebook.skipped == 0
    counted(codebook, path)


def test_unknown_lines_are_counted_warnings(tmp_path: Path) -> None:
    lines = [
        *PREAMBLE,
        "1 Page: Odd things (PGID 10)",
        "",
        "Something EFS may write one day",  # 8
        question("Which one?", 1),
        "v_1\tv_1\tint\tChoice",
        "\t\t1\tYes",
        f"\t\t\t^ show{NBSP}if : ((v_2 = '1'))",  # 12: an annotation of unknown wording
        row("or", "v_3", "Other", "Which?", "equal", "1"),  # 13: no block around it
        "\t\t2\tNo",
        "",
        "2 Page: More (PGID 20)",
        "\t\t7\tA value line under no variable",  # 17
        "Filter",  # a block with a row of no known shape: the row is skipped
        "\t oops\tonly three",  # 19
    ]
    path = write(tmp_path, lines)
    codebook = read_codebook(path)
    assert codebook.variables["v_1"].values == {1: "Yes", 2: "No"}
    assert [line for line, _ in codebook.warnings] == [8, 12, 13, 17, 19]
    assert "condition row outside a Filter or visibility block" in codebook.warnings[2][1]
    assert "'Something EFS may write one day'" in codebook.warnings[0][1]
    assert codebook.skipped == codebook.line_counts["unknown"] == 5
    counted(codebook, path)


def test_a_variable_listed_twice_identically_is_fine(tmp_path: Path) -> None:
    block = ["v_1\tv_1\tint\tChoice", "\t\t1\tYes", "\t\t2\tNo", ""]
    path = write(tmp_path, [*PREAMBLE, "1 Page: A (PGID 1)", *block, "2 Page: B (PGID 2)", *block])
    codebook = read_codebook(path)
    assert list(codebook.variables) == ["v_1"] and codebook.warnings == ()
    assert codebook.variables["v_1"].page.number == "1"  # the first listing counts
    assert codebook.line_counts["variable"] == 2


def test_a_variable_listed_twice_with_other_labels_fails(tmp_path: Path) -> None:
    lines = [
        *PREAMBLE,
        "v_1\tv_1\tint\tChoice",
        "\t\t1\tYes",
        "",
        "v_1\tv_1\tint\tChoice",
        "\t\t1\tJa",
    ]
    path = write(tmp_path, lines, name="cb_twice.csv")
    with pytest.raises(
        InputError, match="'v_1' is listed twice with different value labels"
    ) as info:
        read_codebook(path)
    error = info.value
    assert error.row == 9 and "lines 6 and 9" in str(error) and "cb_twice.csv" in str(error)
    assert "re-export" in error.hint


def test_value_code_listed_twice_with_other_labels_fails(tmp_path: Path) -> None:
    lines = [*PREAMBLE, "v_1\tv_1\tint\tChoice", "\t\t1\tYes", "\t\t1\tYes", "\t\t1\tNo"]
    path = write(tmp_path, lines)
    with pytest.raises(InputError, match=r"value code 1 of variable 'v_1' is listed twice") as info:
        read_codebook(path)
    assert info.value.row == 9 and "lines 7 and 9" in str(info.value)


# ---------------------------------------------------------------------------- real codebooks


def test_real_pilot_codebook() -> None:
    codebook = read_codebook(PILOT)
    assert read_codebook_via_efs(PILOT) == codebook  # the old import path still works
    assert len(codebook.variables) == 166 and codebook.survey_variables == {}
    assert codebook.warnings == () and codebook.skipped == 0
    assert codebook.properties["Project ID"] == "400193"
    counts = codebook.line_counts
    assert (counts["page"], counts["question"], counts["list"]) == (23, 42, 40)
    assert counts["filter"] == counts["visibility"] == counts["hide_if"] == 0
    # Pages as read by hand in the file (line numbers of the headings in the comments).
    expected = {
        "v_300": ("3", "Language Selection", 2420013),  # line 57
        "v_23": ("5", "Metadata", 2401450),  # line 70
        "v_26": ("6.1", "Relationship Customer", 2401918),  # line 438
        "v_61": ("9.1", "Requirements Documentation", 2401452),  # line 534
        "v_277": ("18", "Problems Causes Effects", 2406406),  # line 1050
        "v_298": ("19", "Conclusion", 2406658),  # line 1073
    }
    for name, page in expected.items():
        var = codebook.variables[name]
        assert (var.page.number, var.page.title, var.page.pgid) == page, name
    # The pilot was exported without filters: the filter pages are there, their blocks not.
    assert codebook.pages["6"].title == "Filter Customer Relationship"
    assert codebook.pages["6"].filter == () and codebook.variables["v_26"].filters == ()
    counted(codebook, PILOT)


def test_real_final_codebook_with_filters_visibility_and_hide_if() -> None:
    codebook = read_codebook(FINAL)
    assert len(codebook.variables) == 166 and codebook.skipped == 0 and codebook.warnings == ()
    counts = codebook.line_counts
    assert (counts["filter"], counts["filter_condition"]) == (5, 16)
    assert (counts["visibility"], counts["visibility_condition"], counts["hide_if"]) == (2, 2, 10)

    page6 = codebook.pages["6"]
    assert [(c.connector, c.variable, c.operator, c.value) for c in page6.filter] == [
        ("not", "v_25", "greater", "1"),
        ("or not", "v_25", "less", "5"),
    ]
    assert page6.filter[0].label == "Characterisation Relationship Customer"
    v26, v27 = codebook.variables["v_26"], codebook.variables["v_27"]
    assert v26.page.number == "6.1" and v26.filters == (page6,)
    assert [(c.connector, c.operator, c.value, c.line) for c in v26.visibility] == [
        ("", "less", "5", 445)
    ]
    assert [(c.operator, c.value) for c in v27.visibility] == [("greater", "1")]

    assert [(c.operator, c.value) for c in codebook.variables["v_61"].filters[0].filter] == [
        ("unequal", "3")
    ]
    nfr = codebook.variables["v_343"].filters[0]
    assert nfr.number == "10" and [c.connector for c in nfr.filter] == ["", *["or"] * 8]
    assert {c.variable for c in nfr.filter} == {f"v_{n}" for n in (*range(97, 105), 303)}
    assert codebook.variables["v_277"].hide_if == ("((v_246 = '0'))",)
    assert codebook.variables["v_286"].hide_if == ("((v_254 = '0'))",)

    survey = codebook.survey_variables
    assert len(survey) == 19 and survey["language"].values == {1: "English", 2: "ES", 3: "PT"}
    assert survey["status"].values[31] == "Completed"
    counted(codebook, FINAL)


def test_codebook_to_json_is_plain_and_deterministic() -> None:
    data = codebook_to_json(read_codebook(FINAL))
    assert json.loads(json.dumps(data)) == data == codebook_to_json(read_codebook(FINAL))
    v26 = data["variables"]["v_26"]
    assert v26["page"] == {"number": "6.1", "title": "Relationship Customer", "pgid": 2401918}
    assert v26["filters"] == ["6"] and v26["visibility"][0]["operator"] == "less"
    assert data["variables"]["v_300"]["values"] == [
        [1, "English"],
        [2, "Español"],
        [3, "Português"],
    ]
    assert [p["number"] for p in data["pages"]][:4] == ["1", "3", "4", "5"]
    assert data["pages"][4]["filter"][1]["connector"] == "or not"
    assert data["line_counts"]["hide_if"] == 10 and data["skipped"] == 0
    assert list(data["variables"]) == sorted(data["variables"])


# ------------------------------------------------------------------------------- workflow


def test_ingest_writes_the_codebook_json(default_run) -> None:
    results = default_run.workdir / "results/ingest"
    data = json.loads((results / "codebook.json").read_text(encoding="utf-8"))["codebook"]
    assert data["variables"]["v_10"]["page"] == {
        "number": "3",
        "title": "Background",
        "pgid": 7310105,
    }
    assert data["skipped"] == 0
    manifest = json.loads((results / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["codebook_skipped"] == 0
    assert manifest["codebook_lines"] == data["line_counts"]
