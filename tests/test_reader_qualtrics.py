"""The Qualtrics reader: "Download Data Table" CSV/TSV exports, through the readers' interface.

Exports are written here by hand in the documented form (three header rows: column names,
question texts, {"ImportId": ...} JSON; CSV in UTF-8 with a BOM, TSV in UTF-16 with a BOM),
and read from the qualtRics package's sample exports (tests/data/qualtrics/README.md).
"""

from __future__ import annotations

import codecs
import csv
import io
import json
from pathlib import Path

import pytest

from surveyflow import reading as readers
from surveyflow.errors import InputError

DATA = Path(__file__).parent / "data" / "qualtrics"
EFS_PILOT = Path(__file__).parent / "data" / "efs-napire-pilot"
EFS_DATA = EFS_PILOT / "data_project_400193_2017_09_13.csv"

# The tool's own columns: (name, question text, ImportId) as Qualtrics writes them.
TOOL_FIELDS = [
    ("StartDate", "Start Date", {"ImportId": "startDate", "timeZone": "Europe/Berlin"}),
    ("EndDate", "End Date", {"ImportId": "endDate", "timeZone": "Europe/Berlin"}),
    ("Status", "Response Type", {"ImportId": "status"}),
    ("IPAddress", "IP Address", {"ImportId": "ipAddress"}),
    ("Progress", "Progress", {"ImportId": "progress"}),
    ("Duration (in seconds)", "Duration (in seconds)", {"ImportId": "duration"}),
    ("Finished", "Finished", {"ImportId": "finished"}),
    ("RecordedDate", "Recorded Date", {"ImportId": "recordedDate"}),
    ("ResponseId", "Response ID", {"ImportId": "_recordId"}),
    ("RecipientLastName", "Recipient Last Name", {"ImportId": "recipientLastName"}),
    ("RecipientFirstName", "Recipient First Name", {"ImportId": "recipientFirstName"}),
    ("RecipientEmail", "Recipient Email", {"ImportId": "recipientEmail"}),
    ("ExternalReference", "External Data Reference", {"ImportId": "externalDataReference"}),
    ("LocationLatitude", "Location Latitude", {"ImportId": "locationLatitude"}),
    ("LocationLongitude", "Location Longitude", {"ImportId": "locationLongitude"}),
    ("DistributionChannel", "Distribution Channel", {"ImportId": "distributionChannel"}),
    ("UserLanguage", "User Language", {"ImportId": "userLanguage"}),
]
TOOL_NAMES = [name for name, _, _ in TOOL_FIELDS]
PERSONAL = {
    "IPAddress",
    "RecipientLastName",
    "RecipientFirstName",
    "RecipientEmail",
    "LocationLatitude",
    "LocationLongitude",
}

# Numeric values, multiple choice not split: Q2 holds the chosen codes joined by commas.
NUMERIC_QUESTIONS = [
    ("Q1", "What is your role?", {"ImportId": "QID1"}),
    ("Q2", "Which degrees do you hold? - Selected Choice", {"ImportId": "QID2"}),
    ("Q2_4_TEXT", "Which degrees do you hold? - Other - Text", {"ImportId": "QID2_4_TEXT"}),
    ("Q3_1", "How satisfied are you with - Pay", {"ImportId": "QID3_1"}),
    ("Q3_2", "How satisfied are you with - Hours", {"ImportId": "QID3_2"}),
    ("Q4", "Anything else?", {"ImportId": "QID4_TEXT"}),
    ("Q_RecaptchaScore", "Q_RecaptchaScore", {"ImportId": "Q_RecaptchaScore"}),
]


def tool_cells(status, finished, response_id, channel="anonymous", progress="100"):
    return [
        "2024-05-02 10:00:00",
        "2024-05-02 10:07:00",
        status,
        "192.0.2.7",
        progress,
        "420",
        finished,
        "2024-05-02 10:07:01",
        response_id,
        "Muster",
        "Erika",
        "erika@example.org",
        "panel-17",
        "52.52",
        "13.40",
        channel,
        "EN",
    ]


def header_rows(fields):
    return [
        [name for name, _, _ in fields],
        [text for _, text, _ in fields],
        [json.dumps(import_id, separators=(",", ":")) for _, _, import_id in fields],
    ]


def csv_text(rows, sep=",", newline="\r\n"):
    out = io.StringIO()
    csv.writer(out, delimiter=sep, lineterminator=newline).writerows(rows)
    return out.getvalue()


def write(path: Path, rows, *, encoding="utf-8", bom=True, sep=",", newline="\r\n") -> Path:
    text = csv_text(rows, sep=sep, newline=newline)
    data = text.encode(encoding)
    if bom:
        data = (codecs.BOM_UTF16_LE if encoding == "utf-16-le" else codecs.BOM_UTF8) + data
    path.write_bytes(data)
    return path


@pytest.fixture
def numeric_export(tmp_path: Path) -> Path:
    fields = TOOL_FIELDS + NUMERIC_QUESTIONS
    rows = header_rows(fields) + [
        # record 4: finished; two degrees; Hours seen but unanswered (-99); a line break
        tool_cells("0", "1", "R_aaa") + ["2", "1,3", "", "4", "-99", "line one\nline two", "0.9"],
        # record 5: a preview, finished
        tool_cells("1", "1", "R_bbb", channel="preview") + ["1", "2", "", "5", "5", "", "1"],
        # record 6: left at 40 %
        tool_cells("0", "0", "R_ccc", progress="40") + ["3", "", "", "", "", "", "0.8"],
        # record 7: finished, "Other" with its text (a comma inside the quoted cell)
        tool_cells("0", "1", "R_ddd") + ["1", "4", "Diploma, FH", "3", "2", "Plain", "1"],
    ]
    return write(tmp_path / "numeric.csv", rows)


def test_numeric_values_joined_multiple_choice(numeric_export: Path) -> None:
    assert readers.detect_tool(numeric_export) == "qualtrics"
    export = readers.read(numeric_export, {})
    assert export.tool == "qualtrics"
    assert export.shape == "codes"
    assert export.detected["values"] == "numeric values"
    assert export.detected["encoding"] == "utf-8-sig"
    assert export.detected["separator"] == ","
    assert export.detected["header_rows"] == 3
    assert export.detected["split_multi_value"] is False
    frame = export.frame
    # Records, not lines: the quoted line break of record 4 does not shift the numbering.
    assert list(frame.index) == [4, 5, 6, 7]
    assert frame.index.name == "row"
    assert list(frame.columns) == TOOL_NAMES + [n for n, _, _ in NUMERIC_QUESTIONS]
    assert all(str(dtype) == "str" for dtype in frame.dtypes)
    assert frame.loc[4, "Q2"] == "1,3"
    assert frame.loc[4, "Q3_2"] == "-99"
    assert frame.loc[4, "Q4"] == "line one\nline two"
    assert frame.loc[6, "Q3_1"] == ""
    assert frame.loc[7, "Q2_4_TEXT"] == "Diploma, FH"
    assert frame.loc[7, "Duration (in seconds)"] == "420"
    assert export.id_column == "ResponseId"
    assert set(export.metadata) == set(TOOL_NAMES) | {"Q_RecaptchaScore"}
    assert set(export.personal) == PERSONAL
    assert export.codebook is None
    assert export.question_texts["Q1"] == "What is your role?"
    assert export.question_texts["Q2"] == "Which degrees do you hold?"
    assert export.question_texts["Q2_4_TEXT"] == "Which degrees do you hold?"
    assert export.item_labels["Q2_4_TEXT"] == "Other - Text"
    assert export.question_texts["Q3_1"] == export.question_texts["Q3_2"]
    assert export.question_texts["Q3_1"] == "How satisfied are you with"
    assert (export.item_labels["Q3_1"], export.item_labels["Q3_2"]) == ("Pay", "Hours")
    assert export.question_texts["Q4"] == "Anything else?"
    assert export.detected["import_ids"]["Q3_2"] == "QID3_2"
    assert export.detected["question_ids"] == {
        "Q1": "QID1",
        "Q2": "QID2",
        "Q2_4_TEXT": "QID2",
        "Q3_1": "QID3",
        "Q3_2": "QID3",
        "Q4": "QID4",
    }
    json.dumps(export.detected)  # for the manifest

    done = readers.completion(export, {})
    assert done.completed.tolist() == [True, False, False, True]
    assert list(done.completed.index) == [4, 5, 6, 7]
    assert done.status.tolist() == [
        "IP Address, finished",
        "Survey Preview, finished",
        "IP Address, not finished",
        "IP Address, finished",
    ]


def test_choice_text_split_multiple_choice(tmp_path: Path) -> None:
    # An anonymised survey: no IP address, recipient or location columns.
    keep = {"StartDate", "Status", "Progress", "Finished", "ResponseId", "DistributionChannel"}
    tool = [f for f in TOOL_FIELDS if f[0] in keep]
    questions = [
        ("Q1", "What is your role?", {"ImportId": "QID1"}),
        ("Q2_1", "Degrees? - Selected Choice - Bachelor", {"ImportId": "QID2", "choiceId": "1"}),
        ("Q2_2", "Degrees? - Selected Choice - Master", {"ImportId": "QID2", "choiceId": "2"}),
        ("Q2_4", "Degrees? - Selected Choice - Other", {"ImportId": "QID2", "choiceId": "4"}),
        ("Q2_4_TEXT", "Degrees? - Other - Text", {"ImportId": "QID2_4_TEXT"}),
    ]

    def row(status, finished, rid, channel, answers):
        return [
            "2024-05-02 10:00:00",
            status,
            "100",
            finished,
            rid,
            channel,
            *answers,
        ]

    rows = header_rows(tool + questions) + [
        row("IP Address", "True", "R_1", "anonymous", ["Developer", "Bachelor", "", "", ""]),
        row("IP Address", "True", "R_2", "email", ["Tester", "", "Master", "Other", "PhD"]),
        row("Survey Preview", "True", "R_3", "preview", ["Developer", "", "", "", ""]),
        row("Survey Test", "True", "R_4", "test", ["Tester", "Bachelor", "", "", ""]),
        row("IP Address", "False", "R_5", "anonymous", ["Manager", "", "", "", ""]),
    ]
    path = write(tmp_path / "labels.csv", rows, newline="\n")
    export = readers.read(path, {"tool": "qualtrics"})
    assert export.shape == "labels"
    assert export.detected["values"] == "choice text"
    assert export.detected["split_multi_value"] is True
    assert export.detected["choice_ids"] == {"Q2_1": "1", "Q2_2": "2", "Q2_4": "4"}
    assert export.detected["line_ending"] == "LF"
    frame = export.frame
    assert list(frame.index) == [4, 5, 6, 7, 8]
    assert frame.loc[4, "Q2_1"] == "Bachelor"
    assert frame.loc[4, "Q2_2"] == ""
    assert frame.loc[5, "Q2_4"] == "Other"
    assert frame.loc[5, "Q2_4_TEXT"] == "PhD"
    assert frame.loc[5, "Finished"] == "True"
    assert export.personal == ()
    assert set(export.metadata) == keep
    assert {export.question_texts[c] for c in ("Q2_1", "Q2_2", "Q2_4", "Q2_4_TEXT")} == {"Degrees?"}
    assert [export.item_labels[c] for c in ("Q2_1", "Q2_2", "Q2_4")] == [
        "Bachelor",
        "Master",
        "Other",
    ]
    assert export.item_labels["Q2_4_TEXT"] == "Other - Text"
    done = readers.completion(export, {})
    # A preview and a test response are not respondents; R_5 did not finish.
    assert done.completed.tolist() == [True, True, False, False, False]
    assert done.status.tolist() == [
        "IP Address, finished",
        "IP Address, finished",
        "Survey Preview, finished",
        "Survey Test, finished",
        "IP Address, not finished",
    ]


def tsv_rows():
    fields = TOOL_FIELDS + [
        ("Q1", "Where do you live?", {"ImportId": "QID1_TEXT"}),
        ("Q2", "Which languages? - Selected Choice", {"ImportId": "QID2"}),
    ]
    return header_rows(fields) + [
        tool_cells("0", "1", "R_x") + ["Zürich, Schweiz", "1,2"],
        tool_cells("0", "1", "R_y") + ["東京\tMitte", "-99"],
    ]


@pytest.mark.parametrize(("bom", "encoding"), [(True, "utf-16"), (False, "utf-16-le")])
def test_tsv_in_utf16(tmp_path: Path, bom: bool, encoding: str) -> None:
    path = write(tmp_path / "export.tsv", tsv_rows(), encoding="utf-16-le", bom=bom, sep="\t")
    assert path.read_bytes().startswith(b"\xff\xfe" if bom else b"S\x00t\x00")
    assert readers.detect_tool(path) == "qualtrics"
    export = readers.read(path, {})
    assert export.detected["encoding"] == encoding
    assert export.detected["separator"] == "\t"
    assert list(export.frame.columns[:2]) == ["StartDate", "EndDate"]  # no BOM in the name
    assert export.frame.loc[4, "Q1"] == "Zürich, Schweiz"
    assert export.frame.loc[5, "Q1"] == "東京\tMitte"  # a quoted tab stays in its cell
    assert export.frame.loc[4, "Q2"] == "1,2"
    assert export.frame.loc[5, "Q2"] == "-99"
    assert export.question_texts["Q2"] == "Which languages? - Selected Choice"


def test_declared_encoding_is_honoured(tmp_path: Path) -> None:
    # A CSV re-saved as Windows-1252 (no BOM): sniffed under auto, an error under utf-8.
    rows = header_rows(TOOL_FIELDS + [("Q4", "Where?", {"ImportId": "QID4_TEXT"})])
    rows += [tool_cells("0", "1", "R_x") + ["Zürich"]]
    path = write(tmp_path / "export.csv", rows, encoding="cp1252", bom=False)
    export = readers.read(path, {"encoding": "auto"})
    assert export.detected["encoding"] == "cp1252"
    assert export.frame.loc[4, "Q4"] == "Zürich"
    assert readers.read(path, {"encoding": "latin-1"}).detected["encoding"] == "latin-1"
    with pytest.raises(InputError, match="cannot be decoded as utf-8"):
        readers.read(path, {"encoding": "utf-8", "tool": "qualtrics"})


def test_real_sample_export_of_the_qualtrics_package() -> None:
    # qualtRics' sample.csv (MIT): one response to a two-question survey, German texts.
    path = DATA / "sample.csv"
    assert readers.detect_tool(path) == "qualtrics"
    export = readers.read(path, {})
    frame = export.frame
    assert len(frame) == 1
    assert list(frame.index) == [4]
    assert frame.loc[4, "ResponseId"] == "R_2YPOQ602ER1jkf1"
    assert frame.loc[4, "Q1"] == "2"
    assert frame.loc[4, "Q2"] == "Hello World!"
    assert frame.loc[4, "Finished"] == "1"
    assert frame.loc[4, "UserLanguage"] == "DE"
    assert export.shape == "codes"
    assert export.detected["encoding"] == "utf-8"  # this one has no BOM
    assert export.question_texts["Q1"] == "This is a multiple choice question."
    assert export.question_texts["Q2"] == "This is a free text question."
    assert export.question_texts["StartDate"] == "Anfangsdatum"
    # Text iQ's topics of the Q2 answer: the tool's, not a question.
    assert "Q2 - Topics" in export.metadata
    assert {"Q1", "Q2"}.isdisjoint(export.metadata)
    assert set(export.personal) == PERSONAL
    assert readers.completion(export, {}).completed.tolist() == [True]


def test_legacy_export_is_refused_with_what_to_do() -> None:
    path = DATA / "sample_legacy.csv"
    assert readers.detect_tool(path) == "qualtrics"
    with pytest.raises(InputError) as err:
        readers.read(path, {})
    text = str(err.value)
    assert str(path) in text and "legacy" in text
    assert "Export Data" in text and "three header rows" in text


def test_missing_import_id_row(tmp_path: Path) -> None:
    fields = TOOL_FIELDS + NUMERIC_QUESTIONS[:1]
    rows = header_rows(fields)[:2] + [tool_cells("0", "1", "R_a") + ["2"]]
    path = write(tmp_path / "two_headers.csv", rows)
    assert readers.detect_tool(path) == "qualtrics"
    with pytest.raises(InputError) as err:
        readers.read(path, {})
    text = str(err.value)
    assert str(path) in text and "ImportId" in text
    assert "What to do:" in text and "Export Data" in text
    assert "\n" not in text


def test_import_id_row_without_question_texts(tmp_path: Path) -> None:
    fields = TOOL_FIELDS + NUMERIC_QUESTIONS[:1]
    header = header_rows(fields)
    path = write(tmp_path / "no_texts.csv", [header[0], header[2], tool_cells("0", "1", "R")])
    with pytest.raises(InputError, match="question-text row is missing"):
        readers.read(path, {})


def test_explicit_qualtrics_on_an_efs_export() -> None:
    assert readers.detect_tool(EFS_DATA) == "efs"
    with pytest.raises(InputError, match="looks like a efs export"):
        readers.read(EFS_DATA, {"tool": "qualtrics"})


def test_other_exports_are_not_taken_for_qualtrics(tmp_path: Path) -> None:
    lime = tmp_path / "lime.csv"
    lime.write_text('"id","submitdate","lastpage","startlanguage","Q1"\n"1","","2","en","A1"\n')
    assert readers.detect_tool(lime) != "qualtrics"
    binary = tmp_path / "data.bin"
    binary.write_bytes(b"$FL2@(#) ResponseId,Finished\x00\x00\x02\x00" + bytes(range(256)))
    assert readers.detect_tool(binary) != "qualtrics"


def test_duplicate_column_names(tmp_path: Path) -> None:
    fields = TOOL_FIELDS + [
        ("Q1", "First", {"ImportId": "QID1"}),
        ("Q1", "Second", {"ImportId": "QID7"}),
    ]
    path = write(
        tmp_path / "dup.csv", header_rows(fields) + [tool_cells("0", "1", "R") + ["1", "2"]]
    )
    with pytest.raises(InputError) as err:
        readers.read(path, {})
    assert err.value.column == "Q1" and err.value.row == 1
    assert "export tag" in str(err.value)


def test_truncated_row(tmp_path: Path) -> None:
    fields = TOOL_FIELDS + NUMERIC_QUESTIONS[:2]
    rows = header_rows(fields) + [
        tool_cells("0", "1", "R_a") + ["1", "2"],
        tool_cells("0", "1", "R_b") + ["1", "2"],
        tool_cells("0", "1", "R_c")[:5],
    ]
    path = write(tmp_path / "cut.csv", rows)
    with pytest.raises(InputError) as err:
        readers.read(path, {})
    assert err.value.row == 6
    assert f"has 5 fields, expected {len(fields)}" in str(err.value)


def test_rows_ending_in_a_separator(tmp_path: Path) -> None:
    fields = TOOL_FIELDS + NUMERIC_QUESTIONS[:1]
    rows = [r + [""] for r in header_rows(fields) + [tool_cells("0", "1", "R_a") + ["2"]]]
    export = readers.read(write(tmp_path / "trailing.csv", rows), {})
    assert list(export.frame.columns) == TOOL_NAMES + ["Q1"]
    assert export.frame.loc[4, "Q1"] == "2"


def test_id_column_setting(numeric_export: Path) -> None:
    assert readers.read(numeric_export, {"id_column": "ExternalReference"}).id_column == (
        "ExternalReference"
    )
    with pytest.raises(InputError, match="export.id_column"):
        readers.read(numeric_export, {"id_column": "lfdn"})


def test_finished_must_be_a_flag(tmp_path: Path) -> None:
    fields = TOOL_FIELDS + NUMERIC_QUESTIONS[:1]
    rows = header_rows(fields) + [
        tool_cells("0", "1", "R_a") + ["2"],
        tool_cells("0", "maybe", "R_b") + ["2"],
    ]
    export = readers.read(write(tmp_path / "odd.csv", rows), {})
    with pytest.raises(InputError) as err:
        readers.completion(export, {})
    assert err.value.row == 5 and err.value.column == "Finished"
    assert "export.completed" in str(err.value)


def test_paradata_and_embedded_data(tmp_path: Path) -> None:
    fields = [
        ("ResponseId", "Response ID", {"ImportId": "_recordId"}),
        ("Finished", "Finished", {"ImportId": "finished"}),
        ("Q1", "Pick one", {"ImportId": "QID1"}),
        ("Q1_DO", "Pick one - Display Order", {"ImportId": "QID1_DO"}),
        ("Q5_First Click", "Timing - First Click", {"ImportId": "QID5_FIRST_CLICK"}),
        ("Q_age", "How old are you?", {"ImportId": "QID9_TEXT"}),  # a question's own tag
        ("Q_URL", "Q_URL", {"ImportId": "Q_URL"}),
        ("Q_RelevantIDDuplicate", "Q_RelevantIDDuplicate", {"ImportId": "Q_RelevantIDDuplicate"}),
        ("condition", "condition", {"ImportId": "condition"}),  # the study's embedded data
    ]
    row = ["R_1", "1", "2", "2|1|3", "3.1", "41", "https://x.qualtrics.com/jfe/form/SV_1", "", "B"]
    export = readers.read(write(tmp_path / "para.csv", header_rows(fields) + [row]), {})
    assert set(export.metadata) == {
        "ResponseId",
        "Finished",
        "Q1_DO",
        "Q5_First Click",
        "Q_URL",
        "Q_RelevantIDDuplicate",
    }
    assert export.personal == ("Q_URL",)
    assert export.detected["question_ids"] == {"Q1": "QID1", "Q_age": "QID9"}
    assert export.shape == "codes"


@pytest.mark.parametrize(
    ("status", "channel", "completed", "text"),
    [
        ("0", "anonymous", True, "IP Address, finished"),
        ("0", "preview", False, "preview (DistributionChannel), finished"),
        ("0", "test", False, "test (DistributionChannel), finished"),
        ("2", "anonymous", False, "Survey Test, finished"),
        ("17", "offline", False, "Offline Survey Preview, finished"),
        ("4", "imported", True, "Imported, finished"),
    ],
)
def test_previews_and_tests_by_status_or_channel(
    tmp_path: Path, status: str, channel: str, completed: bool, text: str
) -> None:
    fields = TOOL_FIELDS + NUMERIC_QUESTIONS[:1]
    rows = header_rows(fields) + [tool_cells(status, "1", "R_a", channel=channel) + ["1"]]
    export = readers.read(write(tmp_path / "one.csv", rows), {})
    done = readers.completion(export, {})
    assert done.completed.tolist() == [completed]
    assert done.status.tolist() == [text]


def test_header_rows_only(tmp_path: Path) -> None:
    path = write(tmp_path / "empty.csv", header_rows(TOOL_FIELDS))
    with pytest.raises(InputError, match="no responses"):
        readers.read(path, {})


def test_internal_ids_in_header(tmp_path: Path) -> None:
    # Exported with the ImportIds as column names: the tool's fields found by ImportId.
    fields = [
        ("_recordId", "Response ID", {"ImportId": "_recordId"}),
        ("status", "Response Type", {"ImportId": "status"}),
        ("finished", "Finished", {"ImportId": "finished"}),
        ("QID1", "Pick one", {"ImportId": "QID1"}),
    ]
    rows = header_rows(fields) + [["R_1", "0", "1", "2"], ["R_2", "1", "1", "2"]]
    path = write(tmp_path / "ids.csv", rows)
    assert readers.detect_tool(path) == "qualtrics"
    export = readers.read(path, {})
    assert export.id_column == "_recordId"
    assert set(export.metadata) == {"_recordId", "status", "finished"}
    assert readers.completion(export, {}).completed.tolist() == [True, False]
