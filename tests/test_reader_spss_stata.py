"""The SPSS (.sav/.zsav) and Stata (.dta) readers, through surveyflow.reading' entry points.

Real files (tests/data/spss-stata, see its README) are checked against what their projects'
own tests say they hold (pyreadstat's tests/test_basic.py and CSVs, haven's testthat files);
small files written here with pyreadstat or pandas check the completion rules, the mapping
of declared missing values and bad input against expectations worked out by hand.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pyreadstat
import pytest
from conftest import DATA

from surveyflow import reading as readers
from surveyflow.errors import InputError

FIXTURES = DATA / "spss-stata"


def _read(name: str, **settings):
    return readers.read(FIXTURES / name, settings)


def _conventions(export) -> None:
    frame = export.frame
    assert all(str(t) == "str" for t in frame.dtypes)
    assert not frame.isna().any().any()
    assert frame.index.name == "row" and list(frame.index) == list(range(1, len(frame) + 1))
    json.dumps(export.detected)  # the manifest takes it as it is


# pyreadstat's test_data/basic/sample.csv: the documented content of sample.sav, .zsav and
# .dta (test_sav, test_zsav, test_dta compare the files to it), written as a CSV export
# would (1.1 not 1.10; ISO dates; times as hh:mm:ss).
SAMPLE = {
    "mychar": ["a", "b", "c", "d", "e"],
    "mynum": ["1.1", "1.2", "-1000.3", "-1.4", "1000.3"],
    "mydate": ["2018-05-06", "1880-05-06", "1960-01-01", "1583-01-01", ""],
    "dtime": [
        "2018-05-06 10:10:10",
        "1880-05-06 10:10:10",
        "1960-01-01 00:00:00",
        "1583-01-01 00:00:00",
        "",
    ],
    "mylabl": ["1", "2", "1", "2", "1"],
    "myord": ["1", "2", "3", "1", "1"],
    "mytime": ["10:10:10", "23:10:10", "00:00:00", "16:10:10", ""],
}
# pyreadstat's test_sav_formatted / test_dta_write_basic: the value labels.
SAMPLE_LABELS = {"mylabl": {1: "Male", 2: "Female"}, "myord": {1: "low", 2: "medium", 3: "high"}}


@pytest.mark.parametrize(
    ("name", "tool"), [("sample.sav", "spss"), ("sample.zsav", "spss"), ("sample.dta", "stata")]
)
def test_sample_files_read_as_documented(name, tool):
    assert readers.detect_tool(FIXTURES / name) == tool
    export = _read(name)
    _conventions(export)
    assert export.tool == tool and export.shape == "codes"
    assert export.frame.to_dict("list") == SAMPLE
    assert {k: v.values for k, v in export.codebook.variables.items() if v.values} == SAMPLE_LABELS
    assert export.declared_missing == {}


def test_zsav_is_recorded_as_compressed_and_sav_encoding_as_declared():
    # sample.sav's character-encoding record says windows-1252 (the bytes are in the file).
    assert b"windows-1252" in (FIXTURES / "sample.sav").read_bytes()
    assert _read("sample.sav").detected["encoding"] == "windows-1252"
    assert _read("sample.sav").detected["format"] == "sav"
    assert _read("sample.zsav").detected["format"] == "zsav"


def test_user_missing_values_are_declared_not_blanked():
    """sample_missing.sav: sample_missing_user.csv (user_missing=True) keeps rows 6-7 as
    "Z,-1,…,-1,-1" and ",2500,…,,-3"; sample_missing.csv (user-missing as NaN) has those
    numbers empty, so they are the declared missing values; test_sav_missing: mynum's first
    missing range is 2000-3000."""
    export = _read("sample_missing.sav")
    _conventions(export)
    frame = export.frame
    assert frame.loc[6, ["mychar", "mynum", "mylabl", "myord"]].tolist() == ["Z", "-1", "-1", "-1"]
    assert frame.loc[7, ["mychar", "mynum", "mylabl", "myord"]].tolist() == ["", "2500", "", "-3"]
    declared = export.declared_missing
    assert {"-1", "2500"} <= set(declared["mynum"])
    assert "-1" in declared["mylabl"] and {"-1", "-3"} <= set(declared["myord"])
    # Values the user-missing-as-NaN CSV keeps are not declared missing.
    kept = {"mynum": ["1.1", "1.2", "-1000.3", "-1.4", "1000.3"], "myord": ["1", "2", "3"]}
    for name, cells in kept.items():
        assert not set(cells) & set(declared[name])
    assert "mychar" not in declared  # "Z" is kept by both CSVs


def test_string_missing_value_and_its_label():
    # pyreadstat test_sav_missing_char: cells ["Z", "a"], missing range {"lo": "Z", "hi": "Z"}.
    export = _read("missing_char.sav")
    assert export.frame["mychar"].tolist() == ["Z", "a"]
    assert export.declared_missing == {"mychar": ("Z",)}
    # A string code's label is no whole-number code for the codebook: kept in `detected`.
    assert export.codebook.variables["mychar"].values == {}
    assert export.detected["text_value_labels"] == {"mychar": {"a": "labeled"}}


def test_haven_user_missing_value():
    # haven: user-defined missing 9 in the second row (user_na = TRUE keeps it, na_values 9).
    export = _read("labelled-num-na.sav")
    assert export.frame["VAR00002"].tolist() == ["1", "9"]
    assert export.declared_missing == {"VAR00002": ("9",)}


def test_utf8_labels_and_encoding_override():
    # haven: label "This is an \u00e4-umlaut", first value label "the \u00e4 umlaut".
    export = _read("umlauts.sav")
    assert export.question_texts["var1"] == "This is an ä-umlaut"
    assert export.codebook.variables["var1"].values[1] == "the ä umlaut"
    assert export.detected["encoding"] == "UTF-8"
    # Read as Latin-1 instead, each UTF-8 byte of "ä" becomes a character of its own.
    latin = _read("umlauts.sav", encoding="latin-1")
    expected = "This is an ä-umlaut".encode().decode("latin-1")
    assert latin.question_texts["var1"] == expected
    assert latin.detected["encoding_source"] == "export.encoding"


def test_an_encoding_that_cannot_hold_the_text_is_an_input_error():
    with pytest.raises(InputError) as caught:
        _read("umlauts.sav", encoding="ascii")
    message = str(caught.value)
    assert "umlauts.sav" in message and "export.encoding" in message


def test_dates_times_and_a_datetime_beyond_year_9999():
    # haven test-haven-spss.R: date[1] 2014-09-22, date.posix[2] 2014-09-23 15:59:20,
    # time[1] 43870 s (12:11:10). date.posix[1] is beyond year 9999, which pyreadstat's own
    # date conversion cannot represent: it stays the stored number, counted in `detected`.
    export = _read("datetime.sav")
    frame = export.frame
    assert frame.loc[1, "date"] == "2014-09-22"
    assert frame.loc[2, "date.posix"] == "2014-09-23 15:59:20"
    assert frame.loc[1, "time"].startswith("12:11:10")
    assert frame.loc[1, "date.posix"].isdigit()
    assert export.detected["dates_out_of_range"] == {"date.posix": 1}


def test_multiple_response_sets():
    # pyreadstat test_sav_multiple_response: the two sets of simple_alltypes.sav.
    export = _read("simple_alltypes.sav")
    _conventions(export)
    sets = {s["name"]: s for s in export.detected["mr_sets"]}
    assert sets["mymrset"] == {
        "name": "mymrset",
        "type": "dichotomy",
        "label": "My multiple response set",
        "variables": ["bool1", "bool2", "bool3"],
        "counted_value": "1",
    }
    assert sets["categorical_array"]["type"] == "category"
    assert sets["categorical_array"]["variables"] == ["ca_subvar_1", "ca_subvar_2", "ca_subvar_3"]
    books = export.codebook.variables
    for name in ("bool1", "bool2", "bool3"):
        assert set(export.frame[name]) <= {"0", "1", ""}
        assert export.question_texts[name] == "My multiple response set"
        assert books[name].question_id == "mymrset"
        assert books[name].values == {0: "not quoted", 1: "quoted"}
    assert [export.item_labels[f"bool{i}"] for i in (1, 2, 3)] == [
        "Response #1",
        "Response #2",
        "Response #3",
    ]


def test_a_category_set_becomes_one_tick_column_per_category():
    # simple_alltypes.sav's categorical_array: ca_subvar_1..3 hold the codes chosen; by
    # pyreadstat's read_sav they are (a, a, b), (a, b, c), (b, c, d), (b, b, b), (a, b, d),
    # (b, c, d) in rows 1-6. A category is ticked where any of the three holds it.
    export = _read("simple_alltypes.sav")
    frame = export.frame
    expected = {
        "a": ["1", "1", "0", "0", "1", "0"],
        "b": ["1", "1", "1", "1", "1", "1"],
        "c": ["0", "1", "1", "0", "0", "1"],
        "d": ["0", "0", "1", "0", "1", "1"],
    }
    for code, column in expected.items():
        assert frame[f"categorical_array_{code}"].tolist() == column, code
        assert export.item_labels[f"categorical_array_{code}"] == code
        assert export.codebook.variables[f"categorical_array_{code}"].question_id == (
            "categorical_array"
        )
    sets = {s["name"]: s for s in export.detected["mr_sets"]}
    assert sets["categorical_array"]["derived"] == [f"categorical_array_{c}" for c in "abcd"]


def test_dichotomy_set_counts_its_counted_value(tmp_path):
    """The set's record reads "$mymrset=D1 1 …" (counted value 1); with the value changed
    to 0 (same length, so the file stays valid) every answered cell flips."""
    data = (FIXTURES / "simple_alltypes.sav").read_bytes()
    assert data.count(b"$mymrset=D1 1 24 ") == 1
    patched = tmp_path / "counted0.sav"
    patched.write_bytes(data.replace(b"$mymrset=D1 1 24 ", b"$mymrset=D1 0 24 "))
    one, zero = _read("simple_alltypes.sav"), readers.read(patched, {})
    assert {s["name"]: s.get("counted_value") for s in zero.detected["mr_sets"]}["mymrset"] == "0"
    # The stored values (pyreadstat.read_sav of the file): bool1 1 1 0 0 sysmis 1,
    # bool2 1 0 1 0 1 1, bool3 all 0. A system-missing cell stays empty.
    assert one.frame["bool1"].tolist() == ["1", "1", "0", "0", "", "1"]
    assert one.frame["bool2"].tolist() == ["1", "0", "1", "0", "1", "1"]
    assert one.frame["bool3"].tolist() == ["0"] * 6
    assert zero.frame["bool1"].tolist() == ["0", "0", "1", "1", "", "0"]
    assert zero.frame["bool2"].tolist() == ["0", "1", "0", "1", "0", "0"]
    assert zero.frame["bool3"].tolist() == ["1"] * 6


def test_missing_value_ranges_list_the_values_found_and_labelled():
    # simple_alltypes.sav: x missing 7, 8, 99; z missing range -999 to 0 and 999 (labelled
    # "skipped"); test_sav_multiple_response's file, variable labels name the range.
    export = _read("simple_alltypes.sav")
    assert set(export.declared_missing["x"]) == {"7", "8", "99"}
    z = export.frame["z"]
    in_range = {c for c in z if c and -999 <= float(c) <= 0}
    assert set(export.declared_missing["z"]) == in_range | {"999"}
    assert "8" in export.frame["x"].tolist()  # not blanked: the ingest stage does that


def test_stata_extended_missing_values():
    # pyreadstat test_dta_user_missing: missing_user_values var1..var6 = a b c x y z;
    # missing_dta_formatted.csv: "a,b,c,x,y,z,NaN,NaN,1.0"; missing_dta_labeled.csv labels
    # var1's .a "missing".
    export = _read("missing_test.dta")
    _conventions(export)
    assert export.frame.loc[1].tolist() == [".a", ".b", ".c", ".x", ".y", ".z", "", "", "1"]
    assert export.declared_missing == {
        f"var{i}": (f".{tag}",) for i, tag in enumerate("abcxyz", start=1)
    }
    assert export.detected["missing_labels"] == {"var1": {".a": "missing"}}


def test_haven_tagged_missing_values():
    # haven: na_tag(x) is NA for rows 1-5, then "a", "h", "z"; labels on "a" and "z".
    export = _read("tagged-na-double.dta")
    cells = export.frame["x"].tolist()
    assert cells[5:] == [".a", ".h", ".z"]
    assert all(not c.startswith(".") for c in cells[:5])
    assert set(export.declared_missing["x"]) == {".a", ".h", ".z"}
    assert set(export.detected["missing_labels"]["x"]) == {".a", ".z"}


def test_old_stata_format_signature_date_and_encoding():
    # haven: datetime-d.dta holds the old %d date 2015-11-02; its header is format 115.
    assert (FIXTURES / "datetime-d.dta").read_bytes()[0] == 115
    assert readers.detect_tool(FIXTURES / "datetime-d.dta") == "stata"
    export = _read("datetime-d.dta")
    assert export.frame["date"].tolist() == ["2015-11-02"]
    assert export.detected["format"] == "dta 115"
    assert export.detected["encoding"] == "WINDOWS-1252"


def test_latin1_stata_file_written_by_pandas(tmp_path):
    """pandas writes format 114 text in Latin-1 and float32 as 4 bytes; Stata shows a float
    3.14 as 3.14. Dates: %td days and %tc milliseconds since 1960."""
    frame = pd.DataFrame(
        {
            "kreis": ["Düsseldorf", "Köln"],
            "q1": [1, 2],
            "share": np.array([3.14, 0.5], dtype="float32"),
            "day": pd.to_datetime(["2024-03-01", "1959-12-31"]),
            "stamp": pd.to_datetime(["2024-03-01 12:30:05", "1960-01-01 00:00:00"]),
        }
    )
    path = tmp_path / "kreise.dta"
    frame.to_stata(
        path,
        version=114,
        write_index=False,
        convert_dates={"day": "td", "stamp": "tc"},
        variable_labels={"kreis": "Kreis", "q1": "Zufriedenheit"},
        value_labels={"q1": {1: "zufrieden", 2: "unzufrieden"}},
    )
    assert b"D\xfcsseldorf" in path.read_bytes()  # Latin-1 bytes, no encoding record
    export = readers.read(path, {})
    assert export.tool == "stata" and export.detected["format"] == "dta 114"
    assert export.detected["encoding"] == "WINDOWS-1252"
    assert export.frame.to_dict("list") == {
        "kreis": ["Düsseldorf", "Köln"],
        "q1": ["1", "2"],
        "share": ["3.14", "0.5"],
        "day": ["2024-03-01", "1959-12-31"],
        "stamp": ["2024-03-01 12:30:05", "1960-01-01 00:00:00"],
    }
    assert export.question_texts == {"kreis": "Kreis", "q1": "Zufriedenheit"}
    assert export.codebook.variables["q1"].values == {1: "zufrieden", 2: "unzufrieden"}


# Hand-built files: the origin tools' columns and completion rules.


def _sav(path, columns: dict, labels=None, values=None, missing=None):
    pyreadstat.write_sav(
        pd.DataFrame(columns),
        str(path),
        column_labels=labels,
        variable_value_labels=values,
        missing_ranges=missing,
    )
    return path


def test_declared_missing_mapping(tmp_path):
    """99 discrete; -9 to -1 a range: -9 and -3 are in the data, -5 only labelled; a
    string variable's "NA". Cells stay as they are."""
    path = _sav(
        tmp_path / "m.sav",
        {"q": [1.0, 99.0, -3.0, -9.0, 5.0, np.nan], "s": ["x", "NA", "", "y", "NA", "z"]},
        values={"q": {1: "yes", 5: "no", -5: "refused", 99: "no answer"}},
        missing={"q": [99, {"lo": -9, "hi": -1}], "s": ["NA"]},
    )
    export = readers.read(path, {})
    assert set(export.declared_missing["q"]) == {"99", "-9", "-5", "-3"}
    assert export.declared_missing["s"] == ("NA",)
    assert export.frame["q"].tolist() == ["1", "99", "-3", "-9", "5", ""]
    assert export.frame["s"].tolist() == ["x", "NA", "", "y", "NA", "z"]
    assert export.codebook.variables["q"].values == {
        1: "yes",
        5: "no",
        -5: "refused",
        99: "no answer",
    }


def test_efs_file_completion_and_metadata(tmp_path):
    path = _sav(
        tmp_path / "efs.sav",
        {
            "lfdn": [1.0, 2.0, 3.0, 4.0],
            "dispcode": [31.0, 32.0, 22.0, 31.0],
            "ip_addr": ["10.0.0.1", "", "", ""],
            "v_1": [1.0, 2.0, 1.0, 2.0],
        },
    )
    export = readers.read(path, {})
    assert export.detected["origin"] == "efs" and export.id_column == "lfdn"
    assert {"lfdn", "dispcode", "ip_addr"} <= set(export.metadata) and "v_1" not in export.metadata
    assert export.personal == ("ip_addr",)
    done = readers.completion(export, {})
    assert done.completed.tolist() == [True, True, False, True]
    assert done.status.tolist() == ["31", "32", "22", "31"]
    only31 = readers.completion(export, {"completed_dispcodes": [31]})
    assert only31.completed.tolist() == [True, False, False, True]


def test_qualtrics_file_completion_personal_data_and_items(tmp_path):
    path = _sav(
        tmp_path / "qualtrics.sav",
        {
            "ResponseId": ["R_1", "R_2", "R_3", "R_4"],
            "Status": [0.0, 1.0, 0.0, 0.0],
            "Finished": [1.0, 1.0, 0.0, 1.0],
            "DistributionChannel": ["anonymous", "anonymous", "anonymous", "preview"],
            "IPAddress": ["1.2.3.4", "", "", ""],
            "LocationLatitude": ["52.5", "", "", ""],
            "Q1_1": [1.0, 2.0, 3.0, 4.0],
            "Q1_2": [2.0, 2.0, 3.0, 4.0],
            "Q2": [1.0, 1.0, 1.0, 1.0],
            "Q3_1": [1.0, 1.0, 1.0, 1.0],
            "Q3_2": [1.0, 1.0, 1.0, 1.0],
        },
        labels={
            "Q1_1": "How satisfied are you? - Speed",
            "Q1_2": "How satisfied are you? - Price",
            "Q2": "Anything else - or not?",
            "Q3_1": "Rate A - B - first",
            "Q3_2": "Rate A - B - second",
        },
        values={
            "Status": {0: "IP Address", 1: "Survey Preview"},
            "Finished": {0: "False", 1: "True"},
        },
    )
    export = readers.read(path, {})
    assert export.detected["origin"] == "qualtrics" and export.id_column == "ResponseId"
    assert {"ResponseId", "Status", "Finished", "DistributionChannel"} <= set(export.metadata)
    assert set(export.personal) == {"IPAddress", "LocationLatitude"}
    assert not {"Q1_1", "Q2", "Q3_1"} & set(export.metadata)
    done = readers.completion(export, {})
    # Row 2 is a preview (Status 1), row 3 unfinished, row 4 sent through the preview link.
    assert done.completed.tolist() == [True, False, False, False]
    assert done.status.tolist()[:3] == ["1", "preview", "0"]
    # "question - item" labels: split where another variable shares the question.
    assert export.question_texts["Q1_1"] == "How satisfied are you?"
    assert export.item_labels["Q1_2"] == "Price"
    assert (
        export.question_texts["Q2"] == "Anything else - or not?" and "Q2" not in export.item_labels
    )
    assert export.question_texts["Q3_1"] == "Rate A - B" and export.item_labels["Q3_2"] == "second"
    books = export.codebook.variables
    assert books["Q1_1"].question_id == books["Q1_2"].question_id == "Q1"
    assert (
        books["Q1_2"].label == "Price" and books["Q1_2"].question_text == "How satisfied are you?"
    )


def test_qualtrics_finished_codes_come_from_the_value_labels():
    # test_width.sav, a Qualtrics SPSS export: Finished is labelled 1 = "False", 2 = "True"
    # and all five respondents hold 2.
    export = _read("test_width.sav")
    assert export.detected["origin"] == "qualtrics"
    assert export.codebook.variables["Finished"].values == {1: "False", 2: "True"}
    assert export.id_column == "ResponseId"
    assert set(export.metadata) == {"ResponseId", "StartDate", "Duration__in_seconds_", "Finished"}
    done = readers.completion(export, {})
    assert done.completed.tolist() == [True] * 5
    assert "Finished in [2]" in done.rule


def test_qualtrics_without_value_labels(tmp_path):
    path = _sav(
        tmp_path / "q.sav",
        {
            "ResponseId": ["a", "b", "c", "d"],
            "Status": [1.0, 0.0, 0.0, 2.0],
            "Finished": [1.0, 0.0, 1.0, 1.0],
        },
    )
    # Qualtrics' numeric Status: 1 Survey Preview, 2 Survey Test; Finished 1 = True.
    done = readers.completion(readers.read(path, {}), {})
    assert done.completed.tolist() == [False, False, True, False]
    assert done.status.tolist() == ["preview", "0", "1", "test"]


def test_limesurvey_file_completion_and_bracketed_labels(tmp_path):
    path = _sav(
        tmp_path / "lime.sav",
        {
            "id": [1.0, 2.0],
            "submitdate": ["2024-05-01 10:00:00", ""],
            "lastpage": [3.0, 1.0],
            "startlanguage": ["de", "de"],
            "token": ["abc", "def"],
            "ipaddr": ["1.2.3.4", "5.6.7.8"],
            "refurl": ["https://example.org", ""],
            "fruit_SQ001": [1.0, 0.0],
            "fruit_SQ002": [0.0, 1.0],
        },
        labels={
            "fruit_SQ001": "[Apples] Which fruit do you eat?",
            "fruit_SQ002": "[Pears] Which fruit do you eat?",
        },
    )
    export = readers.read(path, {})
    assert export.detected["origin"] == "limesurvey" and export.id_column == "id"
    assert {"id", "submitdate", "lastpage", "startlanguage"} <= set(export.metadata)
    assert set(export.personal) == {"token", "ipaddr", "refurl"}
    assert export.question_texts["fruit_SQ001"] == "Which fruit do you eat?"
    assert export.item_labels == {"fruit_SQ001": "Apples", "fruit_SQ002": "Pears"}
    done = readers.completion(export, {})
    assert done.completed.tolist() == [True, False]


def test_no_status_column_asks_for_export_completed(tmp_path):
    path = _sav(tmp_path / "plain.sav", {"caseid": [1.0, 2.0], "q": [1.0, 2.0]})
    export = readers.read(path, {})
    with pytest.raises(InputError) as caught:
        readers.completion(export, {})
    message = str(caught.value)
    assert "plain.sav" in message and "export.completed" in message
    # The caller's configured rule needs no status column of a tool.
    configured = readers.completion(export, {"completed": {"variable": "q", "values": [2]}})
    assert configured.completed.tolist() == [False, True]


def test_stata_file_with_a_dispcode_uses_the_efs_rule(tmp_path):
    path = tmp_path / "efs.dta"
    pyreadstat.write_dta(pd.DataFrame({"lfdn": [1, 2], "dispcode": [31, 20]}), str(path))
    done = readers.completion(readers.read(path, {}), {})
    assert done.completed.tolist() == [True, False]


def test_id_column(tmp_path):
    path = _sav(tmp_path / "ids.sav", {"CASEID": [7.0, 8.0], "code": ["a", "b"]})
    assert readers.read(path, {}).id_column == "CASEID"  # the candidates match any case
    assert readers.read(path, {"id_column": "code"}).id_column == "code"
    with pytest.raises(InputError) as caught:
        readers.read(path, {"id_column": "respondent"})
    assert "'respondent'" in str(caught.value) and "ids.sav" in str(caught.value)
    plain = _sav(tmp_path / "none.sav", {"q": [1.0]})
    assert readers.read(plain, {}).id_column is None


# Bad input: one InputError naming the file and what to do.


def _input_error(path, settings) -> str:
    with pytest.raises(InputError) as caught:
        readers.read(path, settings)
    message = str(caught.value)
    assert str(path) in message and "What to do:" in message
    return message


@pytest.mark.parametrize("tool", ["auto", "spss"])
def test_truncated_sav(tmp_path, tool):
    data = (FIXTURES / "sample.sav").read_bytes()
    path = tmp_path / "half.sav"
    path.write_bytes(data[: len(data) // 2])
    assert "truncated" in _input_error(path, {"tool": tool})


def test_truncated_dta(tmp_path):
    data = (FIXTURES / "sample.dta").read_bytes()
    path = tmp_path / "half.dta"
    path.write_bytes(data[: len(data) // 2])
    assert "truncated" in _input_error(path, {})


def test_stata_file_named_sav(tmp_path):
    path = tmp_path / "renamed.sav"
    path.write_bytes((FIXTURES / "sample.dta").read_bytes())
    assert readers.detect_tool(path) == "stata"  # the content decides, not the name
    assert "stata" in _input_error(path, {"tool": "spss"}).lower()
    # Left to detect the tool, the workflow stops at the mix-up rather than guessing.
    message = _input_error(path, {})
    assert "extension .sav" in message and "stata export" in message and "renamed.sav" in message
    # The SPSS reader itself refuses it too, naming what the file is.
    with pytest.raises(InputError) as caught:
        readers.module("spss").read(str(path), {"tool": "spss"})
    assert "Stata" in str(caught.value) and "renamed.sav" in str(caught.value)


def test_spss_file_named_dta_is_refused_naming_what_it_is(tmp_path):
    path = tmp_path / "renamed.dta"
    path.write_bytes((FIXTURES / "sample.sav").read_bytes())
    assert readers.detect_tool(path) == "spss"
    message = _input_error(path, {})
    assert "extension .dta" in message and "spss export" in message
    with pytest.raises(InputError) as caught:
        readers.module("stata").read(str(path), {})
    assert "SPSS" in str(caught.value)


@pytest.mark.parametrize("tool", ["auto", "spss"])
def test_binary_file_that_is_no_spss_file(tmp_path, tool):
    path = tmp_path / "garbage.sav"
    path.write_bytes(b"PK\x03\x04\x00\x00" + bytes(range(256)))
    assert "is not an SPSS file" in _input_error(path, {"tool": tool})


def test_text_file_named_sav(tmp_path):
    path = tmp_path / "export.sav"
    path.write_text("respondent;answer\n1;2\n", encoding="utf-8")
    assert "it is text" in _input_error(path, {"tool": "spss"})
    _input_error(path, {})  # auto: a .sav whose content is no SPSS file


@pytest.mark.parametrize("name", ["empty.sav", "empty.zsav", "empty.dta"])
@pytest.mark.parametrize("tool", ["auto", "explicit"])
def test_empty_file(tmp_path, name, tool):
    path = tmp_path / name
    path.write_bytes(b"")
    settings = {"tool": "stata" if name.endswith(".dta") else "spss"} if tool == "explicit" else {}
    assert "empty" in _input_error(path, settings)
