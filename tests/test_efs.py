"""Reading EFS / Unipark exports and codebooks (reading.efs_files), through the public API.

The real NaPiRE pilot export (tests/data/efs-napire-pilot) is read as it is, and written
back in every variant a user may hand in; each variant must read back to the same frame.
"""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd
import pytest
from exportgen import (
    PILOT_CODEBOOK,
    PILOT_DATA,
    assert_same_frame,
    read_pilot,
    write_codes_export,
    write_labels_export,
    write_xlsx_export,
)

from surveyflow.errors import InputError
from surveyflow.reading.efs_files import (
    Codebook,
    read_codebook,
    read_export,
    sniff_encoding,
)
from surveyflow.reading.efs_records import RawExport
from surveyflow.reading.labels import labels_to_codes

N_COLUMNS = 221


@pytest.fixture(scope="module")
def pilot() -> tuple[RawExport, Codebook]:
    return read_pilot()


@pytest.fixture(scope="module")
def pilot_with_text(pilot: tuple[RawExport, Codebook]) -> pd.DataFrame:
    """The pilot frame with the free text that stresses encodings and quoting."""
    frame = pilot[0].frame.copy()
    frame.loc[2, "v_297"] = "Café – naïve ‘quotes’ cost 5 €"
    frame.loc[3, "v_194"] = 'two lines;\r\nwith "quotes", commas\tand a tab'
    return frame


# ------------------------------------------------------------------------ the real pilot


def test_pilot_export_reads_as_codes_shape(pilot: tuple[RawExport, Codebook]) -> None:
    export, _ = pilot
    assert export.path == str(PILOT_DATA)
    assert (export.shape, export.encoding, export.separator) == ("codes", "utf-8", ";")
    assert (export.line_ending, export.quoted) == ("CRLF", True)
    assert export.question_texts == {} and export.item_labels == {}
    frame = export.frame
    assert frame.shape == (8, N_COLUMNS)
    assert frame.index.name == "row" and list(frame.index) == list(range(2, 10))
    assert list(frame.columns[:8]) == [
        "lfdn",
        "external_lfdn",
        "tester",
        "dispcode",
        "lastpage",
        "quality",
        "duration",
        "v_300",
    ]
    for column in ("v_23", "v_3", "v_6", "v_97", "v_182", "v_298", "browser", "rts2420013"):
        assert column in frame.columns
    assert all(isinstance(v, str) for v in frame.to_numpy().ravel())
    assert list(frame["lfdn"]) == ["7", "8", "9", "12", "14", "16", "17", "19"]
    assert list(frame["dispcode"]) == ["31", "22", "31", "22", "31", "22", "22", "31"]
    # Missing codes and separators inside quoted cells survive as written.
    assert frame.loc[2, "quality"] == "-77"
    assert frame.loc[3, "v_3"] == "-66"
    assert "; political process" in "".join(frame["v_277"])
    assert frame.loc[2, "v_298"] == "respondent-a@example.org"
    assert not frame.isna().any().any()


def test_pilot_codebook(pilot: tuple[RawExport, Codebook]) -> None:
    export, codebook = pilot
    assert codebook.path == str(PILOT_CODEBOOK) and codebook.encoding == "utf-8"
    variables = codebook.variables
    assert list(variables)[:3] == ["v_300", "v_23", "v_3"]
    assert set(variables) <= set(export.frame.columns)

    country = variables["v_23"]
    assert country.dtype == "int" and country.label == "Country Selection"
    assert country.question_text == "In which country are you personally located?"
    assert (country.question_id, country.question_type) == ("q_4381600", 131)
    assert country.values[6] == "Afghanistan" and country.values[82] == "Germany"
    assert list(country.values)[:3] == [6, 7, 8]

    assert variables["v_6"].values == {0: "not quoted", 1: "quoted"}
    assert variables["v_6"].question_type == 121
    assert "E-mail" in variables["v_298"].dtype and variables["v_298"].values == {}
    assert variables["v_300"].values == {1: "English", 2: "Español", 3: "Português"}
    assert variables["v_174"].values[5] == "Strongly applies"
    # Odd bytes of the real file (NBSP inside question texts) are kept as written.
    assert variables["v_3"].question_text == "How many people are involved in\xa0your\xa0project?"
    # List sections and page lines are not variables.
    assert all(name.startswith("v_") for name in variables)


# ------------------------------------------------------------------------- round trips

CODES_VARIANTS = [
    pytest.param(dict(sep=sep, quoted=quoted, line_ending=eol), id=f"{name}-{q}-{eol_name}")
    for sep, name in ((";", "semicolon"), (",", "comma"), ("\t", "tab"))
    for quoted, q in ((True, "quoted"), (False, "unquoted"))
    for eol, eol_name in (("\r\n", "CRLF"), ("\n", "LF"))
]


@pytest.mark.parametrize("options", CODES_VARIANTS)
def test_codes_export_round_trips_in_every_layout(
    tmp_path: Path, pilot_with_text: pd.DataFrame, options: dict
) -> None:
    path = write_codes_export(pilot_with_text, tmp_path / "export.csv", **options)
    export = read_export(path)
    assert export.shape == "codes" and export.encoding == "utf-8"
    assert export.separator == options["sep"]
    assert export.line_ending == ("CRLF" if options["line_ending"] == "\r\n" else "LF")
    assert export.quoted is options["quoted"]
    # Record numbers, not line numbers: the cell with a line break does not shift them.
    assert_same_frame(export.frame, pilot_with_text)


@pytest.mark.parametrize(
    ("encoding", "bom", "declared", "detected"),
    [
        ("utf-8", True, "auto", "utf-8-sig"),
        ("utf-8", True, "utf-8", "utf-8-sig"),
        ("utf-8", False, "utf-8", "utf-8"),
        ("cp1252", False, "auto", "cp1252"),
        ("cp1252", False, "cp1252", "cp1252"),
        ("latin-1", False, "latin-1", "latin-1"),
        # Latin-1 text without C1 bytes is also valid cp1252: the same characters result.
        ("latin-1", False, "auto", "cp1252"),
    ],
)
def test_codes_export_round_trips_in_every_encoding(
    tmp_path: Path,
    pilot_with_text: pd.DataFrame,
    encoding: str,
    bom: bool,
    declared: str,
    detected: str,
) -> None:
    frame = pilot_with_text.copy()
    if encoding == "latin-1":  # no €, dashes or curly quotes in Latin-1
        frame.loc[2, "v_297"] = "Café naïve, Größe 5 °C"
    path = write_codes_export(frame, tmp_path / "export.csv", encoding=encoding, bom=bom)
    export = read_export(path, encoding=declared)
    assert export.encoding == detected
    assert list(export.frame.columns)[0] == "lfdn"  # BOM stripped from the first name
    assert_same_frame(export.frame, frame)


LABELS_VARIANTS = [
    pytest.param(dict(), id="utf8-semicolon-quoted-CRLF"),
    pytest.param(dict(sep=",", quoted=False, line_ending="\n"), id="utf8-comma-unquoted-LF"),
    pytest.param(dict(sep="\t", bom=True), id="bom-tab"),
    pytest.param(dict(encoding="cp1252"), id="cp1252"),
]


@pytest.mark.parametrize("options", LABELS_VARIANTS)
def test_labels_export_round_trips_through_labels_to_codes(
    tmp_path: Path,
    pilot: tuple[RawExport, Codebook],
    pilot_with_text: pd.DataFrame,
    options: dict,
) -> None:
    _, codebook = pilot
    path = write_labels_export(pilot_with_text, codebook, tmp_path / "labels.csv", **options)
    export = read_export(path)
    assert export.shape == "labels"
    assert export.separator == options.get("sep", ";")
    raw = export.frame
    # Three header records: the first response is record 4.
    assert list(raw.index) == list(range(4, 12))
    assert raw.loc[4, "dispcode"] == "Completed (31)" and raw.loc[5, "dispcode"] == "Suspended (22)"
    assert set(raw["v_6"]) <= {"quoted", "not quoted", "-77", "-66", "-99"}
    assert export.question_texts["v_23"] == "In which country are you personally located?"
    assert export.item_labels["v_23"] == "Country Selection"

    codes = labels_to_codes(export, codebook)
    expected = pilot_with_text.copy()
    expected.index = expected.index + 2
    assert_same_frame(codes, expected)
    assert raw.loc[4, "dispcode"] == "Completed (31)"  # input left as it was


@pytest.mark.parametrize("shape", ["codes", "labels"])
def test_xlsx_export_round_trips(
    tmp_path: Path, pilot: tuple[RawExport, Codebook], pilot_with_text: pd.DataFrame, shape: str
) -> None:
    _, codebook = pilot
    expected = pilot_with_text.copy()
    # XML keeps no CR: a line break in a worksheet cell is a bare LF.
    expected["v_194"] = expected["v_194"].str.replace("\r\n", "\n")
    path = write_xlsx_export(expected, tmp_path / "export.xlsx", shape=shape, codebook=codebook)
    export = read_export(path)
    assert export.shape == shape
    assert (export.encoding, export.separator, export.line_ending) == ("xlsx", None, None)
    frame = export.frame
    if shape == "labels":
        expected.index = expected.index + 2
        frame = labels_to_codes(export, codebook)
    assert_same_frame(frame, expected)
    # Sheet by name or index; the same content.
    assert_same_frame(read_export(path, sheet="Export").frame, export.frame)


def test_xlsx_numbers_read_as_the_text_a_csv_holds(tmp_path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["lfdn", "dispcode", "duration", "v_1", "v_2"])
    ws.append([7, 31.0, 12.5, None, "text"])
    wb.save(tmp_path / "numbers.xlsx")
    frame = read_export(tmp_path / "numbers.xlsx").frame
    assert frame.loc[2].tolist() == ["7", "31", "12.5", "", "text"]


def test_xlsx_rows_of_uneven_length(tmp_path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["lfdn", "dispcode", "v_1"])
    ws.append([1, 31])  # stops early: the last cell is empty
    ws.append([])  # a blank row, counted but skipped
    ws.append([2, 22, "x", None, ""])  # formatted but empty cells past the header
    ws.append([3, 31, "y", None, "stray"])
    wb.save(tmp_path / "uneven.xlsx")
    error = _raises("has 5 fields, expected 3", tmp_path / "uneven.xlsx")
    assert error.row == 5
    ws.delete_rows(5)
    wb.save(tmp_path / "uneven.xlsx")
    frame = read_export(tmp_path / "uneven.xlsx").frame
    assert list(frame.index) == [2, 4]
    assert frame.to_numpy().tolist() == [["1", "31", ""], ["2", "22", "x"]]


def test_utf16_with_bom_is_detected(tmp_path: Path, pilot_with_text: pd.DataFrame) -> None:
    # Excel's "Unicode text": UTF-16 with BOM, tab-separated.
    path = write_codes_export(pilot_with_text, tmp_path / "u.txt", encoding="utf-16", sep="\t")
    export = read_export(path)
    assert (export.encoding, export.separator) == ("utf-16", "\t")
    assert_same_frame(export.frame, pilot_with_text)


def test_explicit_options_are_used_and_recorded(
    tmp_path: Path, pilot_with_text: pd.DataFrame
) -> None:
    path = write_codes_export(pilot_with_text, tmp_path / "e.csv", sep="\t", encoding="cp1252")
    export = read_export(path, encoding="cp1252", separator="\t", shape="codes")
    assert (export.encoding, export.separator, export.shape) == ("cp1252", "\t", "codes")
    assert_same_frame(export.frame, pilot_with_text)
    # "\t" as a YAML file without escapes spells it.
    assert read_export(path, separator="\\t").separator == "\t"


def test_blank_lines_are_skipped_but_counted(tmp_path: Path) -> None:
    path = tmp_path / "blank.csv"
    path.write_bytes(b'"lfdn";"v_1"\r\n"1";""\r\n\r\n"2";"NA"\r\n\r\n\r\n')
    frame = read_export(path).frame
    assert list(frame.index) == [2, 4] and list(frame["lfdn"]) == ["1", "2"]
    assert list(frame["v_1"]) == ["", "NA"]  # no NA conversion of any kind


def test_a_large_export_reads_fast(tmp_path: Path) -> None:
    names = ["lfdn", "dispcode", *(f"v_{i}" for i in range(58))]
    tail = ";".join(f'"{i % 5}"' for i in range(58))
    lines = [";".join(f'"{n}"' for n in names)]
    lines += [f'"{i}";"31";{tail}' for i in range(100_000)]
    path = tmp_path / "big.csv"
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8", newline="")
    start = time.perf_counter()
    export = read_export(path)
    elapsed = time.perf_counter() - start
    assert export.frame.shape == (100_000, 60)
    assert export.frame.index[-1] == 100_001
    assert elapsed < 5, f"reading took {elapsed:.1f} s"


# ------------------------------------------------------------------------------ sniffing


def test_sniff_encoding() -> None:
    assert sniff_encoding(b"\xef\xbb\xbflfdn") == "utf-8-sig"
    assert sniff_encoding("lfdn;Café".encode()) == "utf-8"
    assert sniff_encoding(b"ascii only") == "utf-8"
    assert sniff_encoding("5 € – ‘x’".encode("cp1252")) == "cp1252"
    # 0x81 is undefined in cp1252: only Latin-1 decodes it.
    assert sniff_encoding(b"caf\xe9 \x81") == "latin-1"
    assert sniff_encoding("lfdn".encode("utf-16")) == "utf-16"


# -------------------------------------------------------------------------------- errors


def _raises(match: str, *args, **kwargs) -> InputError:
    with pytest.raises(InputError, match=match) as info:
        read_export(*args, **kwargs)
    return info.value


def test_missing_export(tmp_path: Path) -> None:
    error = _raises("not found", tmp_path / "nowhere.csv")
    assert "nowhere.csv" in str(error) and "export.data" in str(error)


@pytest.mark.parametrize(
    "content",
    [b"", b"\r\n\r\n", b'"lfdn";"dispcode"\r\n', b'\xef\xbb\xbf"lfdn";"dispcode"\r\n\r\n'],
    ids=["empty", "blank-lines", "header-only", "bom-header-only"],
)
def test_export_without_responses(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "none.csv"
    path.write_bytes(content)
    error = _raises("contains no responses", path)
    assert "none.csv" in str(error) and error.hint


def test_labels_header_only_has_no_responses(
    tmp_path: Path, pilot: tuple[RawExport, Codebook]
) -> None:
    export, codebook = pilot
    path = write_labels_export(export.frame.iloc[:0], codebook, tmp_path / "h.csv")
    _raises("contains no responses", path)


@pytest.mark.parametrize("source", ["codebook", "other"])
def test_not_an_efs_export(tmp_path: Path, source: str) -> None:
    if source == "codebook":
        path = PILOT_CODEBOOK
    else:
        path = tmp_path / "other.csv"
        path.write_text("id;name\n1;x\n2;y\n", encoding="utf-8")
    error = _raises("does not look like an EFS/Unipark export", path)
    text = str(error)
    assert path.name in text and "separator tried: ';', ',', '\\t'" in text
    assert "export.separator" in text and "export.shape" in text


def test_wrong_separator_or_shape_given(tmp_path: Path, pilot_with_text: pd.DataFrame) -> None:
    path = write_codes_export(pilot_with_text, tmp_path / "e.csv", sep=",")
    assert "separator tried: ';'" in str(_raises("no 'lfdn' column", path, separator=";"))
    _raises("third header row", path, shape="labels")


@pytest.mark.parametrize(("delta", "found"), [(-1, 220), (1, 222)])
def test_record_with_wrong_field_count(
    tmp_path: Path, pilot: tuple[RawExport, Codebook], delta: int, found: int
) -> None:
    lines = PILOT_DATA.read_bytes().split(b"\r\n")
    fields = lines[4].split(b";")
    lines[4] = b";".join(fields[:-1] if delta < 0 else [*fields, b'"x"'])  # record 5
    path = tmp_path / "ragged.csv"
    path.write_bytes(b"\r\n".join(lines))
    error = _raises(f"has {found} fields, expected {N_COLUMNS}", path)
    assert error.row == 5 and "row 5" in str(error) and "ragged.csv" in str(error)


def test_unbalanced_quote_is_reported_with_its_row(tmp_path: Path) -> None:
    path = tmp_path / "quote.csv"
    path.write_text('"lfdn";"v_1"\r\n"1";"fine"\r\n"2";"open\r\n"3";"x"\r\n', encoding="utf-8")
    error = _raises("expected 2", path)
    assert error.row == 3 and "double quote" in str(error)


def test_duplicate_column_names(tmp_path: Path) -> None:
    path = tmp_path / "dup.csv"
    path.write_text('"lfdn";"v_1";"dispcode";"v_1"\r\n"1";"2";"31";"3"\r\n', encoding="utf-8")
    error = _raises("duplicate column name 'v_1'", path)
    assert error.row == 1 and error.column == "v_1" and "dup.csv" in str(error)


def test_declared_encoding_that_does_not_fit(tmp_path: Path) -> None:
    path = tmp_path / "latin.csv"
    content = '"lfdn";"v_1"\r\n"1";"ok"\r\n"2";"Café"\r\n'.encode("cp1252")
    path.write_bytes(content)
    error = _raises("cannot be decoded as utf-8", path, encoding="utf-8")
    text = str(error)
    offset = content.index(b"\xe9")
    assert "latin.csv" in text and "line 3" in text and f"byte offset {offset}" in text
    assert "export.encoding" in text and "cp1252" in text and "auto" in text
    assert read_export(path).encoding == "cp1252"


def test_unknown_options(tmp_path: Path) -> None:
    _raises("unknown text encoding", PILOT_DATA, encoding="klingon")
    _raises("unknown export separator", PILOT_DATA, separator="|")
    _raises("unknown export shape", PILOT_DATA, shape="wide")
    _raises(
        "has no worksheet",
        write_xlsx_export(pd.DataFrame({"lfdn": ["1"]}), tmp_path / "a.xlsx"),
        sheet=3,
    )


def test_unreadable_workbook(tmp_path: Path) -> None:
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"not a zip file")
    assert "broken.xlsx" in str(_raises("not a readable .xlsx workbook", path))


# -------------------------------------------------------------------------- the codebook


def _codebook(tmp_path: Path, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / "codebook.csv"
    path.write_bytes(text.encode(encoding))
    return path


def test_codebook_blocks_negative_codes_and_loose_variables(tmp_path: Path) -> None:
    path = _codebook(
        tmp_path,
        "Survey\n\nProject ID\t1\n\n"
        "lfdn\tlfdn\tint\tRespondent\n"
        "1 Page: Start (PGID 1)\n\n"
        "Größe? (q_10 - Type 111)\n"
        "v_1\tv_1\tint\tSize\n\t\t1\tsmall\n\t\t2\tlarge\n\t\t-99\tno answer\n"
        "v_2\tv_2\tvarchar\tOther\n\n"
        "2 Page: End (PGID 2)\n"
        "v_3\tv_3\tblob\tRemarks\n",
        encoding="cp1252",
    )
    codebook = read_codebook(path)
    assert codebook.encoding == "cp1252"
    assert list(codebook.variables) == ["lfdn", "v_1", "v_2", "v_3"]
    v1 = codebook.variables["v_1"]
    assert v1.values == {1: "small", 2: "large", -99: "no answer"}
    assert (v1.question_text, v1.question_id, v1.question_type) == ("Größe?", "q_10", 111)
    for loose in ("lfdn", "v_3"):  # before any question, and after a page line
        var = codebook.variables[loose]
        assert (var.question_text, var.question_id, var.question_type) == ("", None, None)
    assert codebook.variables["v_2"].values == {}


def test_missing_codebook(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not found") as info:
        read_codebook(tmp_path / "cb.csv")
    assert "cb.csv" in str(info.value) and "export.codebook" in str(info.value)


def test_codebook_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="contains no variables"):
        read_codebook(_codebook(tmp_path, "just\na text\n"))
    path = _codebook(tmp_path, "Q (q_1 - Type 111)\nv_1\tv_1\tint\tX\n\t\t1\tyes\n\t\tone\tno\n")
    with pytest.raises(InputError, match="'one' of variable 'v_1' is not an integer") as info:
        read_codebook(path)
    assert info.value.row == 4 and "codebook.csv" in str(info.value)
    with pytest.raises(InputError, match="cannot be decoded as utf-8.*encoding"):
        read_codebook(
            _codebook(tmp_path, "v_1\tv_1\tint\tGr\xf6\xdfe\n", "latin-1"), encoding="utf-8"
        )


# ---------------------------------------------------------------------- labels to codes


def _labels_export(frame: pd.DataFrame) -> RawExport:
    return RawExport(
        path="x.csv",
        frame=frame,
        shape="labels",
        encoding="utf-8",
        separator=";",
        line_ending="CRLF",
        quoted=True,
    )


def test_labels_to_codes_cell_rules(pilot: tuple[RawExport, Codebook]) -> None:
    _, codebook = pilot
    frame = pd.DataFrame(
        {
            "lfdn": ["1", "2", "3", "4", "5"],
            "dispcode": ["Completed (31)", "Suspended (22)", "32", "Odd (label) (23)", "?"],
            "v_6": ["quoted", "not quoted", "-77", "perhaps", ""],
            "v_174": ["Strongly applies", "Neutral\xa0", " Rather  applies", "-99", "-66"],
            "v_3": ["quoted", "3", "", "-66", "Neutral"],  # free text: no value labels
        },
        index=pd.Index([4, 5, 6, 7, 8], name="row"),
    )
    before = frame.copy()
    codes = labels_to_codes(_labels_export(frame), codebook)
    assert_same_frame(frame, before)  # input untouched
    assert list(codes["dispcode"]) == ["31", "22", "32", "23", "?"]
    assert list(codes["v_6"]) == ["1", "0", "-77", "perhaps", ""]
    assert list(codes["v_174"]) == ["5", "3", "4", "-99", "-66"]
    assert list(codes["v_3"]) == list(frame["v_3"])
    assert list(codes["lfdn"]) == list(frame["lfdn"])
    assert codes.index.equals(frame.index) and list(codes.columns) == list(frame.columns)
    assert (codes.dtypes == frame.dtypes).all()


def test_labels_to_codes_leaves_a_codes_export_alone(pilot: tuple[RawExport, Codebook]) -> None:
    export, codebook = pilot
    codes = labels_to_codes(export, codebook)
    assert_same_frame(codes, export.frame)
    assert codes is not export.frame
