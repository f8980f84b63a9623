"""The three header records of a Qualtrics export: column roles, ImportIds, question texts.

Qualtrics' "Download Data Table" CSV/TSV starts with three header records: the column names
(``StartDate``, ``ResponseId``, ``Q1``, ``Q2_1``, ``Q3_4_TEXT`` ...), the question texts
(``Question - item``, ``Question - Selected Choice - option``, in the survey's language) and
one JSON object per column, ``{"ImportId":"QID2_1"}`` (a split multiple-choice option adds
``"choiceId":"1"``, a date ``"timeZone":...``). The ImportIds name the tool's own fields in
English whatever the language, so the roles of columns are read from them first.

:func:`read_header` checks the three records (and refuses the legacy export, whose names
are positions: ``V1``, ``V2`` ... over a row of ``ResponseID``, ``ResponseSet`` ...).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass

from surveyflow.errors import InputError
from surveyflow.reading.base import name_problem

__all__ = [
    "Header",
    "column_roles",
    "is_import_id_record",
    "is_legacy",
    "parse_import_ids",
    "question_id",
    "read_header",
    "split_texts",
]

# ImportId -> column name of the tool's own response fields (the names the export gives them).
META_IMPORT_IDS: dict[str, str] = {
    "startDate": "StartDate",
    "endDate": "EndDate",
    "status": "Status",
    "ipAddress": "IPAddress",
    "progress": "Progress",
    "duration": "Duration (in seconds)",
    "finished": "Finished",
    "recordedDate": "RecordedDate",
    "_recordId": "ResponseId",
    "recipientLastName": "RecipientLastName",
    "recipientFirstName": "RecipientFirstName",
    "recipientEmail": "RecipientEmail",
    "externalDataReference": "ExternalReference",
    "locationLatitude": "LocationLatitude",
    "locationLongitude": "LocationLongitude",
    "distributionChannel": "DistributionChannel",
    "userLanguage": "UserLanguage",
}
# Of those, the ones holding personal data; Q_URL (the survey link with its query string, like
# a referrer URL) beside them. ExternalReference is a panel's id of the person: metadata.
PERSONAL_IMPORT_IDS = frozenset(
    {
        "ipAddress",
        "recipientLastName",
        "recipientFirstName",
        "recipientEmail",
        "locationLatitude",
        "locationLongitude",
    }
)
PERSONAL_NAMES = frozenset({*(META_IMPORT_IDS[k] for k in PERSONAL_IMPORT_IDS), "Q_URL"})
_META_NAMES = frozenset(META_IMPORT_IDS.values()) | {"ResponseID"}
# Embedded data Qualtrics sets itself (Q_RecaptchaScore, Q_RelevantIDDuplicate, Q_URL ...);
# a question whose export tag starts with Q_ still has a QID ImportId, so it is not caught.
_Q_FIELD = re.compile(r"^Q_[A-Za-z]")
_QID = re.compile(r"^(QID\d+)")
# Paradata inside a question's ImportId: display order (QID1_DO, also blocks BL_.._DO and
# flows FL_.._DO), timing-question clicks, Text iQ's topics and sentiment of a text answer.
_PARADATA = re.compile(
    r"(?:_DO$|^QID\d+_(?:FIRST_CLICK|LAST_CLICK|PAGE_SUBMIT|CLICK_COUNT)$|^QID\d+(?:_\d+)?_TEXT_.)"
)
# An item column of a question: QID2_1 (matrix row, form field), QID3_4_TEXT (choice 4's
# text); QID6_TEXT is a text-entry question's only column, not an item.
_ITEM_IMPORT_ID = re.compile(r"^QID\d+_\d")
SEP = " - "
HEADER_ROWS = 3
REEXPORT = (
    "re-export the responses from Qualtrics (Data & Analysis > Export & Import > Export Data > "
    "CSV or TSV) and point export.data at the downloaded file unchanged (a spreadsheet program "
    "that re-saves it can drop or alter header rows)"
)


@dataclass(frozen=True)
class Header:
    """What the header records say about each column (lists in column order)."""

    names: list[str]
    texts: list[str]
    import_ids: list[str]
    choice_ids: list[str | None]
    # The records end in a separator: an unnamed, empty last column was dropped.
    trailing_empty: bool = False


def _import_object(cell: str) -> dict | None:
    text = cell.strip()
    if not text.startswith("{"):
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) and "ImportId" in value else None


def is_import_id_record(fields: Sequence[str]) -> bool:
    """Whether a record is the ImportId row: its first non-empty cell is an ImportId object."""
    first = next((f for f in fields if f.strip()), "")
    return _import_object(first) is not None


def parse_import_ids(fields: Sequence[str]) -> tuple[list[str], list[str | None], int | None]:
    """ImportIds and choiceIds of the ImportId row, and the 0-based position of a bad cell."""
    import_ids: list[str] = []
    choice_ids: list[str | None] = []
    for pos, cell in enumerate(fields):
        if not cell.strip():  # e.g. a trailing empty column
            import_ids.append("")
            choice_ids.append(None)
            continue
        value = _import_object(cell)
        if value is None:
            return import_ids, choice_ids, pos
        import_ids.append(str(value["ImportId"]))
        choice = value.get("choiceId")
        choice_ids.append(None if choice is None else str(choice))
    return import_ids, choice_ids, None


def question_id(import_id: str) -> str | None:
    """The question (QID12) a column answers, None for the tool's fields and paradata."""
    match = _QID.match(import_id)
    if not match or _PARADATA.search(import_id):
        return None
    return match[1]


def column_roles(header: Header) -> tuple[list[str], list[str]]:
    """(metadata, personal) column names: by ImportId, else by the name Qualtrics gives."""
    metadata: list[str] = []
    personal: list[str] = []
    for name, import_id in zip(header.names, header.import_ids, strict=True):
        own = import_id in META_IMPORT_IDS or (not import_id and name in _META_NAMES)
        embedded = bool(_Q_FIELD.match(name)) and not import_id.startswith("QID")
        if own or embedded or _PARADATA.search(import_id):
            metadata.append(name)
            if import_id in PERSONAL_IMPORT_IDS or name in PERSONAL_NAMES:
                personal.append(name)
    return metadata, personal


def _common_prefix(parts: Sequence[Sequence[str]]) -> int:
    n = 0
    shortest = min(len(p) for p in parts)
    while n < shortest and all(p[n] == parts[0][n] for p in parts):
        n += 1
    return n


def split_texts(header: Header) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """Question texts, item labels and question ids (QID) per column.

    Row 2 writes an item column as "question - item" (a split multiple-choice option as
    "question - Selected Choice - option", in the export's language). The question part is
    what the columns of one QID share; a lone item column (QID2_1) splits at its last " - ".
    The level between question and option that all options of a split question share
    ("Selected Choice") is dropped from their labels. Other columns keep their whole text.
    """
    question_texts = dict(zip(header.names, header.texts, strict=True))
    item_labels: dict[str, str] = {}
    qids: dict[str, str] = {}
    groups: dict[str, list[int]] = {}
    for pos, import_id in enumerate(header.import_ids):
        qid = question_id(import_id)
        if qid:
            qids[header.names[pos]] = qid
            groups.setdefault(qid, []).append(pos)
    for members in groups.values():
        parts = [header.texts[pos].split(SEP) for pos in members]
        if len(members) > 1:
            n = _common_prefix(parts)
            if n == 0:
                continue
        elif len(parts[0]) > 1 and (
            _ITEM_IMPORT_ID.match(header.import_ids[members[0]])
            or header.choice_ids[members[0]] is not None
        ):
            n = len(parts[0]) - 1
        else:
            continue
        items = {pos: p[n:] for pos, p in zip(members, parts, strict=True)}
        options = [items[pos] for pos in members if header.choice_ids[pos] is not None]
        level = _shared_level(options)
        for pos, p in zip(members, parts, strict=True):
            name, item = header.names[pos], items[pos]
            question_texts[name] = SEP.join(p[:n])
            if level is not None and header.choice_ids[pos] is not None:
                item = item[1:]
            if item:
                item_labels[name] = SEP.join(item)
    return question_texts, item_labels, qids


def _shared_level(options: Sequence[Sequence[str]]) -> str | None:
    """The first part all option items share, when each has more after it."""
    if len(options) < 2 or any(len(o) < 2 for o in options):
        return None
    first = options[0][0]
    return first if all(o[0] == first for o in options) else None


def is_legacy(first: Sequence[str], second: Sequence[str] | None) -> bool:
    """The legacy export's first two records: V1, V2 ... over the tool's names."""
    names = [f.strip() for f in first if f.strip()]
    return (
        len(names) >= 2
        and names[0] == "V1"
        and names[1] == "V2"
        and second is not None
        and "ResponseID" in (f.strip() for f in second)
    )


def read_header(path: str, records: list[tuple[int, list[str]]]) -> Header:
    """The three header records checked: names, texts, ImportIds (a trailing empty column of
    an export whose rows end in a separator is dropped)."""
    first = records[0][1] if records else []
    second = records[1][1] if len(records) > 1 else None
    if is_legacy(first, second):
        raise InputError(
            "is a legacy Qualtrics export (columns V1, V2 ... over a row of ResponseID, "
            "ResponseSet ...), which this workflow does not read: its column names are "
            "positions, not the survey's question ids.",
            path=path,
            row=records[0][0],
            hint="export the data again in the current format: in Qualtrics, Data & Analysis > "
            "Export & Import > Export Data > CSV or TSV (the 'Download Data Table' export, the "
            "default since 2017, with three header rows), not the legacy format",
        )
    import_row = next(
        (i for i, (_, r) in enumerate(records[:HEADER_ROWS]) if is_import_id_record(r)), None
    )
    if import_row != HEADER_ROWS - 1:
        where = (
            "it is record 2, so the question-text row is missing"
            if import_row == 1
            else "none of the first three records holds it"
        )
        raise InputError(
            "lacks the ImportId row of a Qualtrics export: the third header record should hold "
            f'{{"ImportId":"QID1"}} and the like for every column, but {where} (header rows '
            "deleted, or the file re-saved by a spreadsheet program).",
            path=path,
            row=records[min(2, len(records) - 1)][0] if records else None,
            hint=REEXPORT,
        )
    names, texts, ids_row = (list(r) for _, r in records[:HEADER_ROWS])
    for number, row in records[1:HEADER_ROWS]:
        if len(row) != len(names):
            raise InputError(
                f"header record has {len(row)} fields, expected {len(names)} (as many as the "
                "column-name row).",
                path=path,
                row=number,
                hint=REEXPORT,
            )
    # Rows ending in a separator (as the legacy export wrote them) give an unnamed last column.
    trailing = len(names) > 1 and not any(r[-1].strip() for r in (names, texts, ids_row))
    if trailing:
        names, texts, ids_row = names[:-1], texts[:-1], ids_row[:-1]
    import_ids, choice_ids, bad = parse_import_ids(ids_row)
    if bad is not None:
        raise InputError(
            f"ImportId row: cell {ids_row[bad][:60]!r} is not a JSON object with an ImportId.",
            path=path,
            row=records[2][0],
            column=names[bad],
            hint=REEXPORT,
        )
    _check_names(path, names, records[0][0])
    return Header(names, texts, import_ids, choice_ids, trailing_empty=trailing)


def _check_names(path: str, names: list[str], row: int) -> None:
    problem = name_problem(names)
    if problem is None:
        return
    pos, name, first = problem
    if first is None:
        raise InputError(
            f"column {pos} of the column-name row has no name.",
            path=path,
            row=row,
            hint="every column of a Qualtrics export is named; remove the unnamed column "
            "or " + REEXPORT,
        )
    raise InputError(
        f"duplicate column name {name!r} (columns {first} and {pos}): two "
        "questions or embedded-data fields share an export tag.",
        path=path,
        row=row,
        column=name,
        hint="give each question a unique export tag in the Qualtrics survey editor "
        "(or export with 'Use internal IDs in header') and export the data again",
    )
