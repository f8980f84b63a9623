"""Reading LimeSurvey response exports through surveyflow.reading (read, detect_tool, completion).

The fixtures in tests/data/limesurvey are hand-written in the form LimeSurvey's CSV export
writes (see the README there): one survey exported twice, once with answer codes and
question-code headings (comma-separated), once with full answers and full question-text
headings (semicolon-separated). Expected values are what that survey's respondents answered,
written down by hand; smaller variants are written inline.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from surveyflow.errors import InputError
from surveyflow.reading import completion, detect_tool, read

DATA = Path(__file__).resolve().parent / "data" / "limesurvey"
CODES = DATA / "codes-code-headings.csv"
FULL = DATA / "full-answers-full-headings.csv"

CODE_META = ["id", "submitdate", "lastpage", "startlanguage", "seed", "token"]
CODE_META += ["startdate", "datestamp", "ipaddr", "refurl"]
CODE_TIMING = ["interviewtime", "groupTime12", "Q1Time", "Q2Time", "Q3Time"]
CODE_TIMING += ["groupTime13", "Q4Time", "Q5Time", "Q6Time", "Q7Time"]
FULL_META = [
    "Response ID",
    "Date submitted",
    "Last page",
    "Start language",
    "Seed",
    "Access code",
    "Date started",
    "Date last action",
    "IP address",
    "Referrer URL",
]
FULL_TIMING = [
    "Total time",
    "Group time: Work",
    *(f"Question time: Q{i}" for i in (1, 2, 3)),
    "Group time: About you",
    *(f"Question time: Q{i}" for i in (4, 5, 6, 7)),
]
COMMENT = 'Line one\nLine two with "quotes", and a comma; and a semicolon'


def write(tmp_path: Path, text: str, name: str = "results-survey123456.csv", bom=True) -> Path:
    """A file as LimeSurvey writes it: UTF-8 with a BOM, CRLF record ends."""
    path = tmp_path / name
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.replace("\n", "\r\n").encode())
    return path


def quoted(*records: list[str], sep: str = ",") -> str:
    """Records the way LimeSurvey's CsvWriter quotes them: every cell, "" for a quote."""
    return "".join(sep.join('"' + c.replace('"', '""') + '"' for c in r) + "\n" for r in records)


def one_paragraph(err: pytest.ExceptionInfo[InputError], path: Path) -> str:
    text = str(err.value)
    assert "\n" not in text and str(path) in text and "What to do:" in text
    return text


# -------------------------------------------------------------- answer codes, code headings


def test_codes_export_with_code_headings() -> None:
    assert detect_tool(CODES) == "limesurvey"
    export = read(CODES, {})
    frame = export.frame
    assert export.tool == "limesurvey" and export.shape == "labels"
    assert frame.shape == (4, 33)
    # Record 1 is the header; the response with the line break is one record (row 3).
    assert frame.index.name == "row" and frame.index.tolist() == [2, 3, 4, 5]
    assert all(str(t) == "str" for t in frame.dtypes) and not frame.isna().any().any()
    assert frame["id"].tolist() == ["1", "2", "3", "5"]
    # Multiple choice: "Y" for ticked, empty for not; list with other: -oth- and the text.
    assert frame["Q2[SQ001]"].tolist() == ["Y", "", "", "Y"]
    assert frame.loc[3, ["Q1", "Q1[other]", "Q2[other]"]].tolist() == [
        "-oth-",
        "Scrum master",
        "Matrix",
    ]
    # Array (Likert matrix): answer codes A1..A5.
    assert frame["Q3[SQ001]"].tolist() == ["A4", "A2", "", "A3"]
    assert frame.loc[2, "Q5[comment]"] == "by e-mail only"
    assert frame.loc[3, "Q4"] == COMMENT
    assert frame["interviewtime"].tolist() == ["600.5", "95.2", "40", "70.75"]
    assert frame.loc[4, "groupTime13"] == ""

    assert export.id_column == "id"
    assert list(export.metadata) == CODE_META + CODE_TIMING
    assert export.personal == ("token", "ipaddr", "refurl")
    assert export.question_texts == {} and export.item_labels == {}
    assert export.codebook is None
    detected = export.detected
    assert (detected["encoding"], detected["separator"], detected["headings"]) == (
        "utf-8-sig",
        ",",
        "code",
    )
    assert detected["answers"] == "codes" and detected["line_ending"] == "CRLF"
    assert detected["skipped_records"] == 1  # the blank line LimeSurvey writes at the end


def test_completion_is_submitdate_not_empty() -> None:
    export = read(CODES, {})
    done = completion(export, {})
    assert done.completed.tolist() == [True, True, False, True]
    assert done.completed.index.tolist() == [2, 3, 4, 5]
    assert done.status.tolist() == [
        "submitted",
        "submitted",
        "not submitted (last page 1)",
        "submitted",
    ]
    assert "submitdate" in done.rule


def test_configured_completion_overrides_submitdate() -> None:
    export = read(CODES, {})
    done = completion(export, {"completed": {"variable": "lastpage", "values": [2]}})
    assert done.completed.tolist() == [True, True, False, True]
    done = completion(export, {"completed": {"variable": "startlanguage", "values": ["de"]}})
    assert done.completed.tolist() == [False, True, False, False]


# ----------------------------------------------------------- full answers, full headings


def test_full_answers_export_with_full_headings() -> None:
    assert detect_tool(FULL) == "limesurvey"
    export = read(FULL, {})
    frame = export.frame
    assert frame.shape == (4, 33) and frame.index.tolist() == [2, 3, 4, 5]
    assert export.detected["separator"] == ";" and export.detected["headings"] == "full"
    assert export.detected["answers"] == "full"
    # Multiple choice in full answers: Yes for ticked, No for not ticked.
    assert frame["Which tools do you use? [Git]"].tolist() == ["Yes", "No", "No", "Yes"]
    assert frame["What is your role?"].tolist() == ["Developer", "Other", "Manager", "Developer"]
    assert frame.loc[3, "What is your role? [Other]"] == "Scrum master"
    assert frame["How much do you agree? [Meetings are useful]"].tolist() == [
        "Agree",
        "Disagree",
        "",
        "Neutral",
    ]
    # Yes/No and gender questions not reached: N/A.
    assert frame.loc[4, ["Do you work remotely?", "Gender"]].tolist() == ["N/A", "N/A"]
    assert frame.loc[3, "Any comments?"] == COMMENT

    assert export.id_column == "Response ID"
    assert list(export.metadata) == FULL_META + FULL_TIMING
    assert export.personal == ("Access code", "IP address", "Referrer URL")
    texts, items = export.question_texts, export.item_labels
    assert texts["Which tools do you use? [Slack]"] == "Which tools do you use?"
    assert items["Which tools do you use? [Slack]"] == "Slack"
    assert items["How much do you agree? [Docs are up to date]"] == "Docs are up to date"
    assert texts["Preferred contact [Comment]"] == "Preferred contact"
    assert texts["Gender"] == "Gender" and "Gender" not in items
    assert not set(texts) & set(export.metadata)

    done = completion(export, {})
    assert done.completed.tolist() == [True, True, False, True]
    assert "Date submitted" in done.rule


def test_both_exports_of_one_survey_agree_on_its_own_columns() -> None:
    codes, full = read(CODES, {}), read(FULL, {})
    assert (
        codes.frame[CODE_META + CODE_TIMING].to_numpy().tolist()
        == full.frame[FULL_META + FULL_TIMING].to_numpy().tolist()
    )


# ---------------------------------------------------------------------- other variants


def test_tab_separated_without_bom_and_code_text_headings(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        quoted(
            ["id. Response ID", "submitdate. Date submitted", "Q1. Age", "Q2[SQ001]. Tools [Git]"],
            ["1", "2024-01-02 10:00:00", "34", "Y"],
            sep="\t",
        ),
        bom=False,
    )
    assert detect_tool(path) == "limesurvey"
    export = read(path, {})
    assert export.detected["separator"] == "\t" and export.detected["encoding"] == "utf-8"
    assert export.detected["headings"] == "codetext"
    assert export.id_column == "id. Response ID"
    assert export.metadata == ("id. Response ID", "submitdate. Date submitted")
    assert export.question_texts == {"Q1. Age": "Age", "Q2[SQ001]. Tools [Git]": "Tools"}
    assert export.item_labels == {"Q2[SQ001]. Tools [Git]": "Git"}
    assert completion(export, {}).completed.tolist() == [True]


def test_question_codes_ending_in_time_stay_questions(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        quoted(
            ["id", "submitdate", "travelTime", "Q1", "Q1Time", "interviewtime", "travelTimeTime"],
            ["7", "", "A2", "A1", "3.5", "30", "12"],
        ),
    )
    export = read(path, {})
    assert export.metadata == ("id", "submitdate", "Q1Time", "interviewtime", "travelTimeTime")
    assert export.frame.index.tolist() == [2]


def test_participant_fields_are_personal(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        quoted(
            ["id", "submitdate", "Q1", "firstname", "lastname", "email", "attribute_1"],
            ["1", "2024-01-02 10:00:00", "A1", "Ada", "Lovelace", "ada@example.org", "R&D"],
        ),
    )
    export = read(path, {})
    assert export.personal == ("firstname", "lastname", "email", "attribute_1")
    assert "Q1" not in export.metadata


def test_id_column_setting(tmp_path: Path) -> None:
    export = read(CODES, {"id_column": "seed"})
    assert export.id_column == "seed"
    with pytest.raises(InputError, match="'respondent'") as err:
        read(CODES, {"id_column": "respondent"})
    one_paragraph(err, CODES)


def test_explicit_separator_and_tool(tmp_path: Path) -> None:
    export = read(FULL, {"tool": "limesurvey", "separator": ";", "encoding": "utf-8-sig"})
    assert export.frame.shape == (4, 33)
    with pytest.raises(InputError, match="semicolon") as err:
        read(CODES, {"tool": "limesurvey", "separator": ";"})
    one_paragraph(err, CODES)


def test_sniff_rejects_other_tools(tmp_path: Path) -> None:
    efs = write(tmp_path, "lfdn;dispcode;v_1\n1;31;2\n", "efs.csv")
    qualtrics = write(
        tmp_path,
        "StartDate,EndDate,Status,Finished,ResponseId,Q1\n"
        "Start Date,End Date,Response Type,Finished,Response ID,Age\n"
        '"{""ImportId"":""startDate""}","{""ImportId"":""endDate""}","{""ImportId"":""status""}",'
        '"{""ImportId"":""finished""}","{""ImportId"":""_recordId""}","{""ImportId"":""QID1""}"\n'
        "2024-01-02,2024-01-02,0,1,R_1,34\n",
        "qualtrics.csv",
    )
    binary = tmp_path / "data.sav"
    binary.write_bytes(b"$FL2@(#) SPSS DATA FILE" + b"\x00" * 200 + b"id,submitdate")
    for path in (efs, qualtrics, binary):
        assert detect_tool(path) != "limesurvey"
    assert detect_tool(efs) == "efs"


# --------------------------------------------------------------------------- bad input


def test_duplicated_id(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        quoted(
            ["id", "submitdate", "Q1"],
            ["1", "2024-01-02 10:00:00", "A1"],
            ["2", "2024-01-02 11:00:00", "A2"],
            ["2", "2024-01-02 11:00:00", "A2"],
            ["4", "", "A1"],
        ),
    )
    with pytest.raises(InputError) as err:
        read(path, {})
    text = one_paragraph(err, path)
    assert err.value.row == 3 and err.value.column == "id"
    assert "'2' in rows 3, 4" in text and "one row per id" in text


def test_explicit_limesurvey_on_an_efs_export(tmp_path: Path) -> None:
    path = write(tmp_path, "lfdn;dispcode;v_1\n1;31;2\n", "efs.csv")
    with pytest.raises(InputError, match="looks like a efs export") as err:
        read(path, {"tool": "limesurvey"})
    one_paragraph(err, path)


def test_explicit_limesurvey_on_a_file_of_no_known_tool(tmp_path: Path) -> None:
    path = write(tmp_path, "name,age\nAda,36\n", "people.csv")
    with pytest.raises(InputError, match="not a LimeSurvey response export") as err:
        read(path, {"tool": "limesurvey"})
    one_paragraph(err, path)


def test_truncated_row(tmp_path: Path) -> None:
    header = ["id", "submitdate", "Q1", "Q2"]
    text = quoted(header, ["1", "2024-01-02 10:00:00", "A1", "A2"]) + '"2","2024-01-02 11:00:00"\n'
    path = write(tmp_path, text)
    with pytest.raises(InputError, match="has 2 fields, expected 4") as err:
        read(path, {})
    assert err.value.row == 3
    one_paragraph(err, path)
    # Cut inside a quoted cell: the end of the file comes before the closing quote.
    cut = write(tmp_path, quoted(header) + '"1","2024-01-02 10:00:00","A1","A', "cut.csv")
    with pytest.raises(InputError, match="unexpected end of data") as err:
        read(cut, {})
    assert err.value.row == 2
    one_paragraph(err, cut)


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    with pytest.raises(InputError) as err:
        read(path, {"tool": "limesurvey"})
    one_paragraph(err, path)


@pytest.mark.parametrize("empty_record", [False, True])
def test_header_only(tmp_path: Path, empty_record: bool) -> None:
    # A survey without responses is exported as the header and one record of empty cells.
    records = [["id", "submitdate", "Q1"]] + ([["", "", ""]] if empty_record else [])
    path = write(tmp_path, quoted(*records) + "\n")
    assert detect_tool(path) == "limesurvey"
    with pytest.raises(InputError, match="holds no responses") as err:
        read(path, {})
    one_paragraph(err, path)


def test_repeated_full_heading_asks_for_question_codes(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        quoted(
            ["Response ID", "Date submitted", "How old are you?", "How old are you?"],
            ["1", "2024-01-02 10:00:00", "34", "35"],
            sep=";",
        ),
    )
    with pytest.raises(InputError, match="Question code") as err:
        read(path, {})
    assert err.value.column == "How old are you?" and err.value.row == 1
    one_paragraph(err, path)
