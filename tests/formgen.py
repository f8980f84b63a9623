"""Write one shared respondent table as the export forms of five survey tools (test fixtures).

``tests/data/survey-forms/respondents.csv`` holds invented respondents of the default
questionnaire in canonical terms: answer labels, the ticked options of a multiple-choice
question (``a|b``), free text, a ``status`` (completed, incomplete, preview) and the last
page reached. Each writer below turns it into one tool's export, the way that tool writes
it (file format, header records, codes or answer texts, what a question not shown or not
answered looks like), plus a ``config.yaml`` fragment (the ``export:`` block and an inline
``questions:`` map) that reads it. The same respondents through every form must give the
same clean table: that is what ``tests/test_survey_forms.py`` checks.

    python tests/formgen.py tests/data/survey-forms    # rewrites the nine forms, byte for byte

Everything is derived from the table and fixed seeds; the SPSS/Stata writers' creation
timestamp (ReadStat stamps the wall clock) is set to a fixed one, so binaries are stable too.
"""

from __future__ import annotations

import csv
import io
import json
import random
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
FORMS_DIR = Path(__file__).resolve().parent / "data" / "survey-forms"
RESPONDENTS = FORMS_DIR / "respondents.csv"
REPO_DIR = "tests/data/survey-forms"  # where config fragments point export.data (repo-relative)
FORMS = (
    "efs-codes",
    "efs-labels",
    "spss",
    "spss-zsav",
    "stata",
    "qualtrics-values",
    "qualtrics-text",
    "limesurvey-codes",
    "limesurvey-full",
)
START = datetime(2024, 3, 4, 8, 0, 0)  # first respondent's start; one every 2 h 17 min
FIXED_STAMP = datetime(2024, 3, 11, 12, 0, 0)  # the "export" time written into binaries


@dataclass(frozen=True)
class Question:
    id: str
    type: str
    text: str
    page: int
    labels: tuple[str, ...] = ()  # levels (single choice, likert) or option labels (MC)
    keys: tuple[str, ...] = ()  # option keys (MC) or item keys (likert)
    items: tuple[str, ...] = ()  # item labels (likert)
    other: bool = False  # MC whose last option has an "other" text field


COUNTRIES = ("Argentina", "Austria", "Brazil", "Canada", "Côte d'Ivoire", "Germany", "India",
             "Netherlands", "Poland", "Spain", "United Kingdom", "United States")  # fmt: skip
ITEMS = dict(keys=("deployment", "monitoring"), items=("Model Deployment", "Model Monitoring"))
QUESTIONS = (
    Question("D1", "single_choice", "In which country are you personally located?", 1, COUNTRIES),
    Question("D2", "single_choice", "What is the size of your company (number of employees)?", 1,
             ("Fewer than 10 employees", "10 to 49 employees", "50 to 249 employees",
              "250 to 499 employees", "500 to 1999 employees", "2000 or more employees")),
    Question("D3", "multiple_choice", "Which academic degrees do you hold?", 1,
             ("Bachelor's degree", "Master's degree", "Ph.D."), ("bachelor", "master", "phd")),
    Question("D4", "single_choice", "What is your main role in ML-enabled system projects?", 2,
             ("Data Scientist", "Project Leader / Project Manager", "Developer",
              "Solution Architect", "Requirements Engineer", "Business Analyst", "Researcher",
              "Test Engineer", "Other")),
    Question("D6", "single_choice",
             "How many years of experience do you have with ML-enabled system projects?", 2,
             ("Less than 1 year", "1 to 2 years", "3 to 6 years", "7 to 10 years",
              "More than 10 years")),
    Question("D7", "count", "How many ML-enabled system projects have you participated in?", 3),
    Question("D8", "count",
             "Of those, how many were actually deployed into a production environment?", 3),
    Question("Q2", "likert", "How relevant is each ML life cycle phase?", 4,
             ("Not relevant", "Slightly relevant", "Moderately relevant", "Highly relevant",
              "Extremely relevant"), **ITEMS),
    Question("Q3", "likert", "How difficult is each ML life cycle phase?", 4,
             ("Very easy", "Easy", "Neither easy nor difficult", "Difficult", "Very difficult"),
             **ITEMS),
    Question("Q4_deployment", "text",
             "Main problems or difficulties faced during the Model Deployment stage.", 5),
    Question("Q4_monitoring", "text",
             "Main problems or difficulties faced during the Model Monitoring stage.", 5),
    Question("Q13", "multiple_choice", "Which approach is typically used to deploy ML models?", 6,
             ("Service", "Embedded model", "PaaS", "Others"),
             ("service", "embedded", "paas", "others"), other=True),
    Question("Q14", "single_choice",
             "Do you/your organization follow the practice and principles of ML-Ops?", 6,
             ("Yes", "No")),
    Question("Q14_approach", "text", "Please describe your MLOps approach.", 6),
    Question("Q15", "percentage", "What percentage of the deployed ML-enabled system projects "
             "have their models monitored?", 7),
    Question("Q16", "multiple_choice", "Which ML model aspects are monitored?", 7,
             ("Input and output", "Output and decisions", "Interpretability output", "Fairness",
              "Others"),
             ("input_output", "output_decisions", "interpretability", "fairness", "others"),
             other=True),
)  # fmt: skip
LAST_PAGE = 7

# One variable of the questionnaire: (question, kind, key); kind: single, item, option,
# other (the "other" text of a multiple-choice question) or text.
Var = tuple[Question, str, str]
HIDDEN, NONE = "hidden", "none"  # not shown (filter, page not reached) / shown, not answered


def variables() -> list[Var]:
    out: list[Var] = []
    for q in QUESTIONS:
        if q.type == "multiple_choice":
            out += [(q, "option", k) for k in q.keys] + ([(q, "other", "")] if q.other else [])
        elif q.type == "likert":
            out += [(q, "item", k) for k in q.keys]
        else:
            out.append((q, "single" if q.type == "single_choice" else "text", ""))
    return out


def load_respondents(path: Path = RESPONDENTS) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def shown(r: dict[str, str], q: Question) -> bool:
    """The questionnaire's routing: pages up to the last one reached, and two filters."""
    if q.page > int(r["last_page"]):
        return False
    if q.id == "Q14_approach":
        return r["Q14"] == "Yes"
    if q.id == "Q16":  # not asked which aspects are monitored when none are
        return r["Q15"].strip() not in ("0", "0%")
    return True


def answer(r: dict[str, str], var: Var) -> tuple[str, object]:
    """(state, value): HIDDEN, NONE, or "value" with a label, text or True/False (option)."""
    q, kind, key = var
    if not shown(r, q):
        return HIDDEN, None
    if kind == "option":
        ticked = set(filter(None, r[q.id].split("|")))
        return (NONE, None) if not ticked else ("value", key in ticked)
    cell = r[f"{q.id}_{key}" if kind == "item" else f"{q.id}_other" if kind == "other" else q.id]
    return ("value", cell) if cell != "" else (NONE, None)


def code(var: Var, label: str) -> int:
    return var[0].labels.index(label) + 1


def option_label(var: Var) -> str:
    q, _, key = var
    return q.labels[q.keys.index(key)]


def is_coded(var: Var) -> bool:
    return var[1] in ("single", "item", "option")


# --------------------------------------------------------------------------- paradata


def person(r: dict[str, str]) -> dict[str, str]:
    """Invented personal data of a respondent (documentation ranges: 192.0.2.0/24 ...)."""
    i = int(r["id"])
    geo = random.Random(f"geo-{i}")
    first = ("Ilse", "Tomasz", "Aiyana", "Rafaela", "Kwabena", "Mireille", "Sven", "Noor")
    last = ("Quennell", "Oyelaran", "Vaszary", "Lindqvist-Obi", "Marchetti", "Zeleny")
    return {
        "ip": f"192.0.2.{10 + i}",
        "ip6": f"2001:db8::{i:x}",
        "first": first[i % len(first)],
        "last": last[i % len(last)],
        "email": f"respondent{i:03d}@example.org",
        "lat": f"{47.1 + geo.random():.12f}",
        "lon": f"{7.2 + geo.random():.12f}",
        "token": f"tk{(i * 7919) % 100000:05d}zq",
        "referrer": f"https://newsletter.example.org/issue-{i}?uid={i * 31}",
    }


def timing(r: dict[str, str]) -> tuple[datetime, datetime, int]:
    i = int(r["id"])
    start = START + timedelta(minutes=137 * (i - 1))
    seconds = 95 * int(r["last_page"]) + (i * 53) % 240 + 30
    return start, start + timedelta(seconds=seconds), seconds


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def completed(r: dict[str, str]) -> bool:
    return r["status"] == "completed"


# --------------------------------------------------------------------------- config fragments


def question_map(names: Callable[[Var], str], levels: Callable[[Question], object]) -> dict:
    """The inline questions map of a form: variable names by ``names``, ``levels:`` by
    ``levels`` (None: the file's own value labels give them)."""
    out: dict[str, dict] = {}
    for q in QUESTIONS:
        vs = [v for v in variables() if v[0] is q]
        spec: dict[str, object] = {"type": q.type}
        if q.type == "multiple_choice":
            spec["options"] = {v[2]: names(v) for v in vs if v[1] == "option"}
            if q.other:
                spec["other_text"] = names(vs[-1])
                spec["other_option"] = "others"
        elif q.type == "likert":
            spec["items"] = {v[2]: names(v) for v in vs}
        else:
            spec["variable"] = names(vs[0])
        spec["text"] = q.text
        found = levels(q) if q.type in ("single_choice", "likert") else None
        if found is not None:
            spec["levels"] = found
        out[q.id] = spec
    return out


def label_list(q: Question) -> list[str]:
    return list(q.labels)


def write_config(directory: Path, form: str, export: dict, questions: dict) -> None:
    header = (
        f"# The {form} form of the shared respondents (tests/data/survey-forms/respondents.csv)."
        "\n# Written by tests/formgen.py: regenerate, do not edit. Use from the repository:\n"
        f"#   snakemake --configfile {REPO_DIR}/{form}/config.yaml\n"
    )
    body = {"export": export, "questions": questions}
    text = yaml.safe_dump(body, sort_keys=False, allow_unicode=True, width=100)
    (directory / "config.yaml").write_text(header + text, encoding="utf-8", newline="\n")


def data_path(form: str, name: str) -> str:
    return f"{REPO_DIR}/{form}/{name}"


# --------------------------------------------------------------------------- text files


def write_records(path: Path, records: list[list[str | None]], *, sep: str, encoding: str,
                  bom: bytes = b"", quoting: int = csv.QUOTE_MINIMAL,
                  line_ending: str = "\r\n") -> None:  # fmt: skip
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=sep, quoting=quoting, lineterminator=line_ending)
    writer.writerows([["" if c is None else c for c in rec] for rec in records])
    path.write_bytes(bom + buffer.getvalue().encode(encoding))


def quote_all(path: Path, records: list[list[str | None]], *, sep: str) -> None:
    """LimeSurvey's CsvWriter: UTF-8 with a BOM, every value quoted, NULL as nothing, CRLF
    ends, line breaks in a value as LF, and one blank line at the end."""

    def cell(value: str | None) -> str:
        return "" if value is None else '"' + value.replace('"', '""') + '"'

    lines = [sep.join(cell(v) for v in rec) + "\r\n" for rec in records]
    path.write_bytes(b"\xef\xbb\xbf" + ("".join(lines) + "\r\n").encode("utf-8"))


# --------------------------------------------------------------------------- EFS / Unipark

EFS_PAGES = {page: 8100100 + page for page in range(1, LAST_PAGE + 2)}  # PGIDs; +1: final page
EFS_SHORT = {
    "D1": "Country", "D2": "Company size", "D4": "Role", "D6": "ML experience",
    "D7": "ML projects participated", "D8": "ML projects deployed", "Q14": "MLOps",
    "Q4_deployment": "Problems Model Deployment", "Q4_monitoring": "Problems Model Monitoring",
    "Q14_approach": "MLOps approach", "Q15": "Share of deployed projects monitored",
}  # fmt: skip
EFS_PAGE_TITLES = ("Background", "Role and experience", "Projects", "ML life cycle",
                   "Life cycle problems", "Deployment", "Monitoring")  # fmt: skip


def efs_names() -> dict[tuple[str, str, str], str]:
    """(question id, kind, key) -> variable, as the default questions map names them."""
    spec = yaml.safe_load((ROOT / "config/questions.yaml").read_text(encoding="utf-8"))
    out = {}
    for q, kind, key in variables():
        entry = spec["questions"][q.id]
        out[(q.id, kind, key)] = (
            entry["options"][key] if kind == "option"
            else entry["items"][key] if kind == "item"
            else entry["other_text"] if kind == "other"
            else entry["variable"]
        )  # fmt: skip
    return out


def efs_cell(r: dict[str, str], var: Var) -> str:
    """-77 not shown; -99 not answered (an untouched text field: -99 or empty); options 1/0."""
    state, value = answer(r, var)
    kind = var[1]
    if state == HIDDEN:
        return "-77"
    if kind == "option":
        return "1" if value else "0"
    if state == NONE:
        if kind == "other":
            return ""
        return "" if kind == "text" and int(r["id"]) % 2 == 0 else "-99"
    return str(code(var, value)) if kind in ("single", "item") else str(value)


def efs_frame(rows: list[dict[str, str]]):
    import pandas as pd

    names = efs_names()
    records = []
    for r in rows:
        start, end, seconds = timing(r)
        p = person(r)
        i = int(r["id"])
        done = completed(r)
        rec = {
            "lfdn": str(i), "external_lfdn": "0", "tester": "0",
            "dispcode": "31" if done else "22",
            "lastpage": str(EFS_PAGES[LAST_PAGE + 1 if done else int(r["last_page"]) or 1]),
            "quality": "-77", "duration": str(seconds),
        }  # fmt: skip
        rec.update({names[(v[0].id, v[1], v[2])]: efs_cell(r, v) for v in variables()})
        rec.update({
            "v_99": p["email"] if done and i % 3 == 0 else "",
            "browser": "Mozilla/5.0 (X11; Linux x86_64; rv:123.0) Gecko/20100101 Firefox/123.0",
            "referer": p["referrer"], "device_type": "0", "participant_browser": "Firefox",
            "participant_os": "Linux", "session_id": f"{i * 2654435761 % 16**12:012x}",
            "language": "1", "ip_addr": p["ip"], "datetime": stamp(start),
            "date_of_last_access": stamp(end),
        })  # fmt: skip
        records.append(rec)
    return pd.DataFrame(records, dtype="str")


def efs_codebook() -> str:
    """The codebook of the EFS forms, in EFS's layout (pages, question headers, variables)."""
    names = efs_names()
    lines = ["ML systems survey forms (invented respondents)", "", "Project ID\t900002",
             "Survey URL\thttps://ww2.unipark.de/uc/ml-systems-survey-forms/",
             "Date\t2024-03-11 12:00:00", ""]  # fmt: skip
    types = {"single_choice": 111, "multiple_choice": 121, "likert": 341, "count": 141,
             "percentage": 141, "text": 142}  # fmt: skip
    for page in range(1, LAST_PAGE + 1):
        lines += [f"{page} Page: {EFS_PAGE_TITLES[page - 1]} (PGID {EFS_PAGES[page]})", ""]
        for n, q in enumerate(q for q in QUESTIONS if q.page == page):
            kind = 131 if q.id == "D1" else types[q.type]
            lines.append(f"{q.text} (q_{5120000 + 10 * page + n} - Type {kind})")
            for var in (v for v in variables() if v[0] is q):
                name = names[(q.id, var[1], var[2])]
                dtype = "int" if is_coded(var) else "blob" if kind == 142 else "varchar"
                label = (
                    option_label(var) if var[1] == "option"
                    else q.items[q.keys.index(var[2])] if var[1] == "item"
                    else "Others (please specify)" if var[1] == "other"
                    else EFS_SHORT[q.id]
                )  # fmt: skip
                lines.append(f"{name}\t{name}\t{dtype}\t{label}")
                if var[1] == "option":
                    lines += ["\t\t0\tnot quoted", "\t\t1\tquoted"]
                elif is_coded(var):
                    lines += [f"\t\t{c}\t{lab}" for c, lab in enumerate(q.labels, start=1)]
            lines += ["", ""]
    lines += [f"{LAST_PAGE + 1} Page: Conclusion (PGID {EFS_PAGES[LAST_PAGE + 1]})", "",
              "In case you would like to be notified about the results, please fill in your "
              "email-address. (q_5120099 - Type 141)",
              "v_99\tv_99\tvarchar (with type check: E-mail address)\tEmail", "", ""]  # fmt: skip
    return "\r\n".join(lines)


def efs_questions(levels: bool) -> dict:
    names = efs_names()
    return question_map(
        lambda v: names[(v[0].id, v[1], v[2])], label_list if levels else lambda q: None
    )


def write_efs(out: Path, rows: list[dict[str, str]]) -> None:
    from exportgen import write_codes_export, write_labels_export

    from surveyflow.reading.efs_files import read_codebook

    frame = efs_frame(rows)
    data, book = "data_project_900002_2024_03_11.csv", "codebook_project_900002_2024_03_11.csv"
    codes = out / "efs-codes"
    codes.mkdir(parents=True, exist_ok=True)
    (codes / book).write_bytes(efs_codebook().encode("utf-8"))
    write_codes_export(frame, codes / data)
    write_config(
        codes,
        "efs-codes",
        {"tool": "efs", "data": data_path("efs-codes", data),
         "codebook": data_path("efs-codes", book)},
        efs_questions(levels=False),
    )  # fmt: skip
    labels = out / "efs-labels"
    labels.mkdir(parents=True, exist_ok=True)
    # Saved as Windows-1252, ";" and quotes only where needed: EFS's export options.
    write_labels_export(
        frame, read_codebook(codes / book), labels / data, encoding="cp1252", quoted=False
    )
    write_config(
        labels,
        "efs-labels",
        {"tool": "efs", "data": data_path("efs-labels", data), "codebook": None},
        efs_questions(levels=True),
    )


# --------------------------------------------------------------------------- SPSS and Stata


def fix_timestamp(path: Path) -> None:
    """Set the creation time ReadStat stamps into a .sav/.zsav/.dta header to FIXED_STAMP."""
    data = bytearray(path.read_bytes())
    if data[:4] in (b"$FL2", b"$FL3"):  # header record: date "dd Mon yy" at 92, time at 101
        data[92:109] = (
            FIXED_STAMP.strftime("%d %b %y") + FIXED_STAMP.strftime("%H:%M:%S")
        ).encode()
    else:  # <timestamp> + its length byte (17) + "dd Mon yyyy hh:mm"
        at = data.index(b"<timestamp>") + len(b"<timestamp>") + 1
        data[at : at + 17] = FIXED_STAMP.strftime("%d %b %Y %H:%M").encode()
    path.write_bytes(bytes(data))


def write_spss_efs(out: Path, rows: list[dict[str, str]]) -> None:
    """EFS's SPSS export: its variables, codes with value labels, -77/-99/-66 declared missing."""
    import pandas as pd
    import pyreadstat

    names = efs_names()
    frame = efs_frame(rows)
    coded = {names[(v[0].id, v[1], v[2])]: v for v in variables() if is_coded(v)}
    texts = [names[(v[0].id, v[1], v[2])] for v in variables() if not is_coded(v)]
    numeric = [*coded, "lfdn", "external_lfdn", "tester", "dispcode", "lastpage", "quality",
               "duration", "device_type", "language"]  # fmt: skip
    frame = frame.astype({c: "int64" for c in numeric})
    frame = frame.assign(
        **{c: pd.to_datetime(frame[c]) for c in ("datetime", "date_of_last_access")}
    )
    unseen = {-77: "not shown", -99: "no answer", -66: "seen, not answered"}
    value_labels = {"dispcode": {22: "Suspended", 31: "Completed"}}
    for name, var in coded.items():
        own = ({0: "not quoted", 1: "quoted"} if var[1] == "option"
               else dict(enumerate(var[0].labels, start=1)))  # fmt: skip
        value_labels[name] = {**own, **unseen}
    book = {line.split("\t")[0]: line.split("\t")[3] for line in efs_codebook_lines()}
    directory = out / "spss"
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "ml_systems_survey_efs.sav"
    pyreadstat.write_sav(
        frame,
        path,
        file_label="ML systems survey forms (invented respondents)",
        column_labels={c: book.get(c, c) for c in frame.columns},
        variable_value_labels=value_labels,
        missing_ranges={**{c: [-77, -99, -66] for c in coded}, **{c: ["-99"] for c in texts}},
    )
    fix_timestamp(path)
    write_config(
        directory,
        "spss",
        {"tool": "spss", "data": data_path("spss", path.name), "codebook": None},
        efs_questions(levels=False),
    )


def efs_codebook_lines() -> list[str]:
    """The codebook's variable lines (name, name, type, label), for SPSS variable labels."""
    lines = efs_codebook().split("\r\n")
    return [ln for ln in lines if ln.count("\t") == 3 and not ln.startswith("\t")]


def write_stata(out: Path, rows: list[dict[str, str]]) -> None:
    """A Stata dataset of no survey tool's layout: own names, .a not shown, .b not answered."""
    import pandas as pd
    import pyreadstat

    def name(var: Var) -> str:
        q, kind, key = var
        return q.id.lower() + (f"_{key}" if key else "_other_text" if kind == "other" else "")

    columns: dict[str, list] = {"id": [], "status": [], "started": [], "email": [], "ip": []}
    columns.update({name(v): [] for v in variables()})
    for r in rows:
        start, _, _ = timing(r)
        columns["id"].append(int(r["id"]))
        columns["status"].append(1 if completed(r) else 2)
        columns["started"].append(start)
        columns["email"].append(person(r)["email"])
        columns["ip"].append(person(r)["ip6"])
        for var in variables():
            state, value = answer(r, var)
            if not is_coded(var):
                cell: object = value if state == "value" else ""
            elif state == HIDDEN:
                cell = "a"
            elif var[1] == "option":
                cell = 1.0 if value else 0.0
            else:
                cell = float(code(var, value)) if state == "value" else "b"
            columns[name(var)].append(cell)
    frame = pd.DataFrame(columns)
    coded = [name(v) for v in variables() if is_coded(v)]
    for c in coded:  # numbers with extended-missing letters: an object column for pyreadstat
        if not any(isinstance(x, str) for x in columns[c]):
            frame[c] = frame[c].astype("float64")
    value_labels = {"status": {1: "complete", 2: "partial"}}
    labels = {"id": "Respondent", "status": "Interview status", "started": "Start time",
              "email": "E-mail for the results", "ip": "IP address"}  # fmt: skip
    for var in variables():
        q, kind, key = var
        own = {0: "no", 1: "yes"} if kind == "option" else dict(enumerate(q.labels, start=1))
        if is_coded(var):
            value_labels[name(var)] = own
        part = (option_label(var) if kind == "option" else q.items[q.keys.index(key)]
                if kind == "item" else "other, text" if kind == "other" else "")  # fmt: skip
        labels[name(var)] = (f"{q.id}: {part}" if part else f"{q.id}: {q.text}")[:80]
    directory = out / "stata"
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "ml_systems_survey.dta"
    pyreadstat.write_dta(
        frame,
        path,
        file_label="ML systems survey forms",
        column_labels=labels,
        version=14,
        variable_value_labels=value_labels,
        missing_user_values={c: ["a", "b"] for c in coded},
    )
    fix_timestamp(path)
    write_config(
        directory,
        "stata",
        {"tool": "stata", "data": data_path("stata", path.name), "codebook": None,
         "completed": {"variable": "status", "values": [1]}},
        question_map(name, lambda q: None),
    )  # fmt: skip


# --------------------------------------------------------------------------- Qualtrics

QX = {q.id: n for n, q in enumerate(QUESTIONS, start=1)}  # export tags Q1 ... (the default)
QX_RECODE = {"Q14": {"Yes": 1, "No": 0}}  # recode values set in the values form's survey
QX_META = (
    ("StartDate", "Start Date", {"ImportId": "startDate", "timeZone": "Europe/Berlin"}),
    ("EndDate", "End Date", {"ImportId": "endDate", "timeZone": "Europe/Berlin"}),
    ("Status", "Response Type", {"ImportId": "status"}),
    ("IPAddress", "IP Address", {"ImportId": "ipAddress"}),
    ("Progress", "Progress", {"ImportId": "progress"}),
    ("Duration (in seconds)", "Duration (in seconds)", {"ImportId": "duration"}),
    ("Finished", "Finished", {"ImportId": "finished"}),
    ("RecordedDate", "Recorded Date", {"ImportId": "recordedDate", "timeZone": "Europe/Berlin"}),
    ("ResponseId", "Response ID", {"ImportId": "_recordId"}),
    ("RecipientLastName", "Recipient Last Name", {"ImportId": "recipientLastName"}),
    ("RecipientFirstName", "Recipient First Name", {"ImportId": "recipientFirstName"}),
    ("RecipientEmail", "Recipient Email", {"ImportId": "recipientEmail"}),
    ("ExternalReference", "External Data Reference", {"ImportId": "externalDataReference"}),
    ("LocationLatitude", "Location Latitude", {"ImportId": "locationLatitude"}),
    ("LocationLongitude", "Location Longitude", {"ImportId": "locationLongitude"}),
    ("DistributionChannel", "Distribution Channel", {"ImportId": "distributionChannel"}),
    ("UserLanguage", "User Language", {"ImportId": "userLanguage"}),
)


def qx_index(var: Var) -> int:
    return var[0].keys.index(var[2]) + 1


def qx_name(var: Var) -> str:
    q, kind, _ = var
    n = QX[q.id]
    if kind in ("item", "option"):
        return f"Q{n}_{qx_index(var)}"
    return f"Q{n}_{len(q.keys)}_TEXT" if kind == "other" else f"Q{n}"


def qx_header(var: Var) -> tuple[str, dict]:
    """Question text (row 2) and ImportId (row 3) of a column."""
    q, kind, key = var
    n = QX[q.id]
    if kind == "item":
        return f"{q.text} - {q.items[q.keys.index(key)]}", {"ImportId": f"QID{n}_{qx_index(var)}"}
    if kind == "option":
        text = f"{q.text} - Selected Choice - {option_label(var)}"
        return text, {"ImportId": f"QID{n}", "choiceId": str(qx_index(var))}
    if kind == "other":
        return f"{q.text} - {q.labels[-1]} - Text", {"ImportId": f"QID{n}_{len(q.keys)}_TEXT"}
    return q.text, {"ImportId": f"QID{n}_TEXT" if kind == "text" else f"QID{n}"}


def qx_code(var: Var, label: str, recode: bool) -> int:
    own = QX_RECODE.get(var[0].id) if recode else None
    return own[label] if own else code(var, label)


def qx_meta(r: dict[str, str], text: bool) -> list[str]:
    start, end, seconds = timing(r)
    p = person(r)
    preview = r["status"] == "preview"
    finished = completed(r) or preview
    email = int(r["id"]) % 2 == 0 and not preview
    rng = random.Random(f"qualtrics-{r['id']}")
    chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    recorded = end if finished else end + timedelta(days=7)  # closed when the session expired
    progress = 100 if finished else round(100 * int(r["last_page"]) / (LAST_PAGE + 1))
    return [
        stamp(start), stamp(end),
        ("Survey Preview" if text else "1") if preview else ("IP Address" if text else "0"),
        "" if preview else p["ip"], str(progress), str(seconds),
        ("True" if text else "1") if finished else ("False" if text else "0"),
        stamp(recorded), "R_" + "".join(rng.choice(chars) for _ in range(15)),
        p["last"] if email else "", p["first"] if email else "", p["email"] if email else "",
        "" if preview else r["id"], "" if preview else p["lat"], "" if preview else p["lon"],
        "preview" if preview else "email" if email else "anonymous", "EN",
    ]  # fmt: skip


def qx_records(rows: list[dict[str, str]], text: bool) -> list[list[str]]:
    """Header rows and records: numeric values with multiple choice as one column of
    comma-joined choices and -99 for seen-unanswered (``text`` False), or choice text with
    one column per choice (``text`` True)."""
    columns: list[tuple[str, str, dict, Callable[[dict[str, str]], str]]] = [
        (name, label, iid, None) for name, label, iid in QX_META
    ]
    for var in variables():
        q, kind, _ = var
        if kind == "option" and not text:
            if var[2] != q.keys[0]:
                continue  # one column for the whole question
            n = QX[q.id]
            columns.append((f"Q{n}", f"{q.text} - Selected Choice", {"ImportId": f"QID{n}"},
                            lambda r, q=q: qx_joined(r, q)))  # fmt: skip
            continue
        label, iid = qx_header(var)
        cell = qx_text_cell if text else qx_value_cell
        columns.append((qx_name(var), label, iid, lambda r, v=var, f=cell: f(r, v)))
    ids = [json.dumps(iid, separators=(",", ":")) for _, _, iid, _ in columns]
    records = [[c[0] for c in columns], [c[1] for c in columns], ids]
    for r in rows:
        meta = qx_meta(r, text)
        records.append(meta + [f(r) for *_, f in columns[len(meta) :]])
    return records


def qx_joined(r: dict[str, str], q: Question) -> str:
    if not shown(r, q):
        return ""
    ticked = set(filter(None, r[q.id].split("|")))
    return ",".join(str(i) for i, k in enumerate(q.keys, start=1) if k in ticked) or "-99"


def qx_value_cell(r: dict[str, str], var: Var) -> str:
    state, value = answer(r, var)
    if state == HIDDEN:
        return ""
    if state == NONE:
        return "" if var[1] == "other" else "-99"
    return str(qx_code(var, value, recode=True)) if is_coded(var) else str(value)


def qx_text_cell(r: dict[str, str], var: Var) -> str:
    state, value = answer(r, var)
    if state != "value":
        return ""
    if var[1] == "option":
        return option_label(var) if value else ""
    return str(value)


def write_qualtrics(out: Path, rows: list[dict[str, str]]) -> None:
    values = out / "qualtrics-values"
    values.mkdir(parents=True, exist_ok=True)
    name = "ML_Systems_Survey_March_11_2024_12.00.csv"
    write_records(values / name, qx_records(rows, text=False), sep=",", encoding="utf-8",
                  bom=b"\xef\xbb\xbf")  # fmt: skip
    write_config(
        values,
        "qualtrics-values",
        {"tool": "qualtrics", "data": data_path("qualtrics-values", name), "codebook": None,
         "id_column": "ExternalReference"},
        question_map(qx_name, lambda q: {qx_code((q, "single", ""), lab, True): lab
                                         for lab in q.labels}),
    )  # fmt: skip
    text = out / "qualtrics-text"
    text.mkdir(parents=True, exist_ok=True)
    name = "ML_Systems_Survey_March_11_2024_12.01.tsv"
    write_records(text / name, qx_records(rows, text=True), sep="\t", encoding="utf-16-le",
                  bom=b"\xff\xfe")  # fmt: skip
    write_config(
        text,
        "qualtrics-text",
        {"tool": "qualtrics", "data": data_path("qualtrics-text", name), "codebook": None,
         "id_column": "ExternalReference"},
        question_map(qx_name, label_list),
    )  # fmt: skip


def write_spss_qualtrics(out: Path, rows: list[dict[str, str]]) -> None:
    """Qualtrics' SPSS export saved compressed (.zsav): its names and labels, -99 (seen, not
    answered) within the declared missing range LO THRU -1, options 1 / 0 (seen) / missing."""
    import pandas as pd
    import pyreadstat

    meta_names = [m[0] if m[0] != "Duration (in seconds)" else "Duration__in_seconds_"
                  for m in QX_META]  # fmt: skip
    numeric_meta = {"Status", "Progress", "Duration__in_seconds_", "Finished"}
    data: dict[str, list] = {n: [] for n in meta_names}
    data.update({qx_name(v): [] for v in variables()})
    for r in rows:
        for n, value in zip(meta_names, qx_meta(r, text=False), strict=True):
            data[n].append(float(value) if n in numeric_meta else value)
        for var in variables():
            state, value = answer(r, var)
            if not is_coded(var):
                cell: object = str(value) if state == "value" else ""
            elif state == HIDDEN:
                cell = float("nan")
            elif var[1] == "option":
                cell = 1.0 if value else 0.0
            else:
                cell = float(code(var, value)) if state == "value" else -99.0
            data[qx_name(var)].append(cell)
    frame = pd.DataFrame(data)
    for n in ("StartDate", "EndDate", "RecordedDate"):
        frame[n] = pd.to_datetime(frame[n])
    coded = [qx_name(v) for v in variables() if is_coded(v)]
    value_labels = {"Status": {0: "IP Address", 1: "Survey Preview"},
                    "Finished": {0: "False", 1: "True"}}  # fmt: skip
    labels = {n: m[1] for n, m in zip(meta_names, QX_META, strict=True)}
    for var in variables():
        labels[qx_name(var)] = qx_header(var)[0]
        if var[1] == "option":
            value_labels[qx_name(var)] = {1: option_label(var)}
        elif is_coded(var):
            value_labels[qx_name(var)] = dict(enumerate(var[0].labels, start=1))
    directory = out / "spss-zsav"
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "ML_Systems_Survey_March_11_2024_12.02.zsav"
    pyreadstat.write_sav(
        frame,
        path,
        column_labels=labels,
        compress=True,
        variable_value_labels=value_labels,
        missing_ranges={c: [{"lo": -99, "hi": -1}] for c in coded},
    )
    fix_timestamp(path)
    write_config(
        directory,
        "spss-zsav",
        {"tool": "spss", "data": data_path("spss-zsav", path.name), "codebook": None,
         "id_column": "ExternalReference"},
        question_map(qx_name, lambda q: None),
    )  # fmt: skip


# --------------------------------------------------------------------------- LimeSurvey

LS_CODES = {"Q4_deployment": "Q4a", "Q4_monitoring": "Q4b", "Q14_approach": "Q14b"}
LS_YES_NO = {"Q14"}  # a Yes/No question (type Y): stored Y / N


def ls_code_name(var: Var) -> str:
    q, kind, key = var
    base = LS_CODES.get(q.id, q.id)
    if kind == "other" or (kind == "option" and q.other and key == q.keys[-1]):
        return f"{base}[other]"  # the "other" option is its text field: no column of its own
    return f"{base}[SQ{qx_index(var):03d}]" if kind in ("item", "option") else base


def ls_full_name(var: Var) -> str:
    q, kind, key = var
    if kind == "other" or (kind == "option" and q.other and key == q.keys[-1]):
        return f"{q.text} [Other]"
    if kind == "item":
        return f"{q.text} [{q.items[q.keys.index(key)]}]"
    return f"{q.text} [{option_label(var)}]" if kind == "option" else q.text


def ls_code_cell(r: dict[str, str], var: Var) -> str | None:
    """Answer codes: A1 ..., Y/N, Y or "" for an option; NULL (nothing) where not shown."""
    state, value = answer(r, var)
    if state == HIDDEN:
        return None
    if var[1] == "option":
        return "Y" if value else ""
    if state == NONE:
        return ""
    if var[0].id in LS_YES_NO:
        return "Y" if value == "Yes" else "N"
    return f"A{code(var, value)}" if is_coded(var) else str(value)


def ls_full_cell(r: dict[str, str], var: Var) -> str | None:
    """SurveyObj::getFullAnswer: option Y -> Yes, "" -> No, NULL -> N/A; Yes/No question
    Y/N -> Yes/No, else N/A; a list's answer text (NULL when none); text as given."""
    state, value = answer(r, var)
    q, kind, _ = var
    if kind == "option":
        return "N/A" if state == HIDDEN else "Yes" if value else "No"
    if q.id in LS_YES_NO:
        return value if state == "value" else "N/A"
    if state != "value":
        return None if kind == "single" or (kind == "other" and state == HIDDEN) else ""
    return str(value)


def ls_records(rows: list[dict[str, str]], full: bool) -> list[list[str | None]]:
    own = [
        v for v in variables() if not (v[1] == "option" and v[0].other and v[2] == v[0].keys[-1])
    ]
    if full:
        head = ["Response ID", "Date submitted", "Last page", "Start language", "Seed",
                "Date started", "Date last action", "IP address", "Referrer URL"]  # fmt: skip
        records: list[list[str | None]] = [head + [ls_full_name(v) for v in own]]
    else:
        head = ["id", "submitdate", "lastpage", "startlanguage", "seed", "token", "startdate",
                "datestamp", "ipaddr", "refurl"]  # fmt: skip
        tail = ["interviewtime", "firstname", "lastname", "email"]
        records = [head + [ls_code_name(v) for v in own] + tail]
    for r in rows:
        start, end, seconds = timing(r)
        p = person(r)
        rng = random.Random(f"limesurvey-{r['id']}")
        meta = [r["id"], stamp(end) if completed(r) else None, r["last_page"], "en",
                str(rng.randrange(10**8, 10**9))]  # fmt: skip
        meta += [] if full else [p["token"]]
        meta += [stamp(start), stamp(end), p["ip"], p["referrer"]]
        cells = [(ls_full_cell if full else ls_code_cell)(r, v) for v in own]
        extra = [] if full else [str(seconds), p["first"], p["last"], p["email"]]
        records.append(meta + cells + extra)
    return records


def ls_levels(q: Question) -> dict[str, str]:
    if q.id in LS_YES_NO:
        return {"Y": "Yes", "N": "No"}
    return {f"A{i}": label for i, label in enumerate(q.labels, start=1)}


def write_limesurvey(out: Path, rows: list[dict[str, str]]) -> None:
    name = "results-survey572413.csv"
    for form, full, sep in (("limesurvey-codes", False, ","), ("limesurvey-full", True, ";")):
        directory = out / form
        directory.mkdir(parents=True, exist_ok=True)
        quote_all(directory / name, ls_records(rows, full), sep=sep)
        write_config(
            directory,
            form,
            {"tool": "limesurvey", "data": data_path(form, name), "codebook": None},
            question_map(ls_full_name, label_list)
            if full
            else question_map(ls_code_name, ls_levels),
        )


# --------------------------------------------------------------------------- all forms


def write_all(out: Path, rows: list[dict[str, str]]) -> tuple[str, ...]:
    """Write the nine forms of ``rows`` into ``out/<form>/`` (each with its config.yaml)."""
    write_efs(out, rows)
    write_spss_efs(out, rows)
    write_spss_qualtrics(out, rows)
    write_stata(out, rows)
    write_qualtrics(out, rows)
    write_limesurvey(out, rows)
    return FORMS


def personal_values(rows: list[dict[str, str]]) -> set[str]:
    """Every personal value the forms carry (IP addresses, e-mails, names, places, tokens)."""
    keys = ("ip", "ip6", "email", "first", "last", "lat", "lon", "token", "referrer")
    return {person(r)[k] for r in rows for k in keys}


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else FORMS_DIR
    for form in write_all(out, load_respondents()):
        print(f"wrote {out / form}")
    return 0


if __name__ == "__main__":
    sys.path[:0] = [str(Path(__file__).resolve().parent), str(ROOT / "scripts")]
    raise SystemExit(main(sys.argv))
