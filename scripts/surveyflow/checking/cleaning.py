"""Cleaning: free text to numbers, codes to labels, ratios of valid pairs, with an audit log.

Nothing is changed silently: every value that is changed, dropped or could not be parsed is a
row of the log (respondent, question column, raw value, clean value, rule, reason). Recoding a
valid code to its codebook label is lossless and documented by the codebook, so it is not logged.
Control characters and personal data (surveyflow.pii) are taken out first, so neither the clean
table nor the log holds them (the log shows a masked form).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial

import numpy as np
import pandas as pd

from surveyflow.checking.count_parser import DEFAULT_MAX_COUNT, parse_count
from surveyflow.checking.parsers import Parsed
from surveyflow.checking.percentage_parser import parse_percentage
from surveyflow.checking.spreadsheet_dates import check_mode
from surveyflow.config import Question
from surveyflow.pii import LOG_COLUMNS, SCRUB_RULES, scrub_responses

# Personal data that never leaves the ingest stage: config `cleaning.redact` (URLs are left to
# the archive's check, since most name a tool or a company, not a person).
DEFAULT_REDACT = ("email", "phone", "ip")

# Rules of the cleaning beyond the free-text parsers: (rule, what it does, example).
CHOICE_RULES = (
    (
        "missing_code",
        "a missing-value code (-77, -66, -99) in a coded or text field",
        '"-99" -> missing',
    ),
    ("unknown_code", "a code outside the levels (validation stops these first)", '"7" -> missing'),
    (
        "not_answered",
        "multiple choice: no option ticked and no 'other' text",
        '"0,0,0,0" -> missing',
    ),
    (
        "other_text_implies_option",
        "an 'other' text without its box ticked selects it",
        '"0" + "Edge devices" -> True',
    ),
    ("missing_in_answered", "missing code on one item of an answered question", '"-77" -> False'),
    (
        "declared_missing",
        "at ingest: a value the SPSS/Stata file declares missing (user-missing, .a-.z)",
        '"-9" -> missing',
    ),
    (
        "not_shown",
        "at ingest: LimeSurvey's N/A (question not shown) in a coded field",
        '"N/A" -> missing',
    ),
)
RATIO_RULES = (
    (
        "ratio_missing_input",
        "numerator or denominator missing (or not finite): pair excluded",
        '"/10" -> missing',
    ),
    ("ratio_zero_denominator", "denominator is 0: pair excluded", '"0/0" -> missing'),
    ("ratio_numerator_exceeds_denominator", "D8 > D7: pair excluded", '"5/3" -> missing'),
)


@dataclass(frozen=True)
class CleanResult:
    responses: pd.DataFrame
    log: pd.DataFrame
    labels: dict[str, list[str]]


def _format_number(value: float | None) -> str:
    if value is None or pd.isna(value):
        return ""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _log_frame(ids: pd.Series, mask: np.ndarray, question: str, raw, clean, rule, reason):
    """Log rows for the respondents selected by `mask` (vectorised: one call per rule set)."""
    n = int(mask.sum())
    if n == 0:
        return None

    def pick(value):
        if isinstance(value, pd.Series | np.ndarray):
            return np.asarray(value, dtype=object)[mask]
        return [value] * n

    return pd.DataFrame(
        {
            "respondent_id": np.asarray(ids)[mask],
            "question": question,
            "raw_value": pick(raw),
            "clean_value": pick(clean),
            "rule": pick(rule),
            "reason": pick(reason),
        }
    )


def _is_missing_code(raw: pd.Series, missing: frozenset[str]) -> np.ndarray:
    return raw.str.strip().isin(missing).to_numpy()


def _clean_numeric(raw: pd.Series, ids: pd.Series, column: str, parser, missing_codes):
    """Parse each distinct raw text once (answers repeat a lot), then map back."""
    raw = raw.fillna("")
    codes = tuple(missing_codes)
    parsed: dict[str, Parsed] = {text: parser(text, codes) for text in raw.unique()}
    values = raw.map(lambda t: parsed[t].value).astype("float64")
    rules = raw.map(lambda t: parsed[t].rule)
    reasons = raw.map(lambda t: parsed[t].reason or "")
    clean_text = values.map(_format_number)
    # Unchanged: the raw text already is the clean number ("12" -> 12).
    changed = (raw.str.strip() != clean_text).to_numpy() & (raw.str.strip() != "").to_numpy()
    log = _log_frame(ids, changed, column, raw, clean_text, rules, reasons)
    return values, log


def _numeric_parser(question: Question, spreadsheet_dates: str, max_count: int):
    """The parser of a count or percentage question, with its options bound."""
    if question.type == "percentage":
        return partial(parse_percentage, spreadsheet_dates=spreadsheet_dates)
    limit = max_count if question.max_count is None else question.max_count
    return partial(parse_count, spreadsheet_dates=spreadsheet_dates, max_count=limit)


def _clean_coded(raw: pd.Series, ids: pd.Series, column: str, levels, missing: frozenset[str]):
    mapping = {str(code): label for code, label in levels}
    stripped = raw.fillna("").str.strip()
    labels = stripped.map(mapping)
    is_missing = stripped.isin(missing).to_numpy()
    unknown = (~stripped.isin(mapping) & ~stripped.isin(missing) & (stripped != "")).to_numpy()
    logs = [
        _log_frame(
            ids, is_missing, column, stripped, "", "missing_code", "survey missing-value code"
        ),
        _log_frame(ids, unknown, column, stripped, "", "unknown_code", "code not among the levels"),
    ]
    return labels.astype("str").where(labels.notna(), None), logs


def _clean_text(raw: pd.Series, ids: pd.Series, column: str, missing: frozenset[str]):
    raw = raw.fillna("")
    is_missing = _is_missing_code(raw, missing)
    empty = (raw.str.strip() == "").to_numpy()
    log = _log_frame(ids, is_missing, column, raw, "", "missing_code", "survey missing-value code")
    clean = raw.where(~(is_missing | empty), None)
    return clean, log


def _clean_multiple_choice(frame: pd.DataFrame, question: Question, missing: frozenset[str]):
    ids = frame["respondent_id"]
    option_cols = question.coded_columns()
    raw = frame[option_cols].fillna("").apply(lambda s: s.str.strip())
    selected = (raw == "1").to_numpy()
    out: dict[str, pd.Series] = {}
    logs = []
    has_text = np.zeros(len(frame), dtype=bool)
    other_col = f"{question.column}_other"
    if question.other_text:
        text, log = _clean_text(frame[other_col], ids, other_col, missing)
        logs.append(log)
        has_text = text.notna().to_numpy()
        out[other_col] = text
    answered = selected.any(axis=1) | has_text
    if question.other_option:
        j = option_cols.index(f"{question.column}_{question.other_option}")
        implied = has_text & ~selected[:, j]
        logs.append(
            _log_frame(
                ids,
                implied,
                option_cols[j],
                raw.iloc[:, j],
                "True",
                "other_text_implies_option",
                "an 'other' text was given without the box",
            )
        )
        selected[:, j] |= has_text
    not_answered = ~answered
    joined = raw.agg(",".join, axis=1)
    logs.append(
        _log_frame(
            ids,
            not_answered,
            question.column,
            joined,
            "",
            "not_answered",
            "no option selected and no 'other' text: excluded from this question's n",
        )
    )
    # An answered question with a missing code on one item: that item was not ticked.
    stray = (raw.isin(missing).to_numpy()) & answered[:, None]
    for k, col in enumerate(option_cols):
        logs.append(
            _log_frame(
                ids,
                stray[:, k],
                col,
                raw.iloc[:, k],
                "False",
                "missing_in_answered",
                "missing code on an item of an answered question: not selected",
            )
        )
        values = pd.array(selected[:, k], dtype="boolean")
        values[not_answered] = pd.NA
        out[col] = pd.Series(values, index=frame.index)
    ordered = {col: out[col] for col in option_cols}
    if question.other_text:
        ordered[other_col] = out[other_col]
    return ordered, logs


def compute_ratio(
    numerator: pd.Series, denominator: pd.Series, ids: pd.Series, name: str
) -> tuple[pd.Series, list]:
    """100 * numerator / denominator for valid pairs; every excluded pair logged with its reason."""
    num = numerator.to_numpy(dtype="float64")
    den = denominator.to_numpy(dtype="float64")
    # Not finite as well as NaN: inf/inf would be an undefined ratio dropped without a log row.
    missing_input = ~np.isfinite(num) | ~np.isfinite(den)
    zero = ~missing_input & (den == 0)
    exceeds = ~missing_input & ~zero & (num > den)
    valid = ~(missing_input | zero | exceeds)
    ratio = np.full(len(num), np.nan)
    ratio[valid] = 100.0 * num[valid] / den[valid]
    pair = [f"{_format_number(a)}/{_format_number(b)}" for a, b in zip(num, den, strict=True)]
    pair = np.asarray(pair, dtype=object)
    logs = [
        _log_frame(
            ids,
            missing_input,
            name,
            pair,
            "",
            "ratio_missing_input",
            "numerator or denominator missing or not finite",
        ),
        _log_frame(ids, zero, name, pair, "", "ratio_zero_denominator", "denominator is 0"),
        _log_frame(
            ids,
            exceeds,
            name,
            pair,
            "",
            "ratio_numerator_exceeds_denominator",
            "more deployed than participated in",
        ),
    ]
    return pd.Series(ratio, index=numerator.index), logs


def clean_responses(
    responses: pd.DataFrame,
    questions: Mapping[str, Question],
    levels: Mapping[str, Sequence[tuple[int, str]]],
    *,
    missing_codes: Iterable[int],
    ratios: Sequence[Mapping[str, str]] = (),
    spreadsheet_dates: str = "missing",
    max_count: int = DEFAULT_MAX_COUNT,
    redact: Sequence[str] = DEFAULT_REDACT,
    logged: pd.DataFrame | None = None,
) -> CleanResult:
    """Clean the ingested responses (text cells) into typed columns plus the audit log.

    `spreadsheet_dates` ("missing" or "range") is what a count or percentage that a spreadsheet
    turned into a date becomes; `max_count` is the plausibility limit of a count, unless its
    question sets its own `max_count`. Control characters and the personal data of `redact`
    are taken out of the text first (`personal_data_redacted`, `control_characters`);
    `logged` are log rows of an earlier stage (ingest's scrub) that join this log.
    """
    check_mode(spreadsheet_dates)  # before any work, even with no answer to read
    missing_codes = tuple(missing_codes)
    missing = frozenset(str(code) for code in missing_codes)
    # Ingest has scrubbed already in the workflow (so this finds nothing there); called on
    # its own, cleaning must not pass personal data on either.
    responses, scrub_log = scrub_responses(responses, questions, redact=redact)
    ids = responses["respondent_id"]
    out: dict[str, pd.Series] = {"respondent_id": ids.astype("str")}
    logs: list[pd.DataFrame | None] = [logged, scrub_log]
    labels: dict[str, list[str]] = {}
    for question in questions.values():
        # A question's own missing codes (a Likert item's 0) apply to it alone: the 0 of a
        # multiple-choice item elsewhere stays "not selected".
        q_missing = missing | frozenset(question.missing)
        if question.type in ("count", "percentage"):
            parser = _numeric_parser(question, spreadsheet_dates, max_count)
            values, log = _clean_numeric(
                responses[question.column], ids, question.column, parser, missing_codes
            )
            out[question.column] = values
            logs.append(log)
        elif question.type == "multiple_choice":
            cols, mc_logs = _clean_multiple_choice(responses, question, q_missing)
            out.update(cols)
            logs.extend(mc_logs)
        elif question.type in ("single_choice", "likert"):
            for column in question.columns():
                clean, coded_logs = _clean_coded(
                    responses[column], ids, column, levels[column], q_missing
                )
                out[column] = clean
                labels[column] = [label for _, label in levels[column]]
                logs.extend(coded_logs)
        else:
            clean, log = _clean_text(responses[question.column], ids, question.column, q_missing)
            out[question.column] = clean
            logs.append(log)
    for ratio in ratios:
        num = questions[ratio["numerator"]].column
        den = questions[ratio["denominator"]].column
        out[ratio["name"]], ratio_logs = compute_ratio(out[num], out[den], ids, ratio["name"])
        logs.extend(ratio_logs)
    clean = pd.DataFrame(out)
    present = [log for log in logs if log is not None and len(log)]
    log = pd.concat(present, ignore_index=True) if present else pd.DataFrame(columns=LOG_COLUMNS)
    order = {column: i for i, column in enumerate(clean.columns)}
    # Respondents in the table's (the export's) order: ids are text, and "10" < "9" as text.
    position = {rid: i for i, rid in enumerate(ids.astype(str))}
    log = log.assign(
        _who=log["respondent_id"].astype(str).map(position).fillna(len(position)),
        _order=log["question"].map(order).fillna(len(order)),
    )
    log = log.sort_values(["_who", "_order", "rule"], kind="stable").drop(
        columns=["_who", "_order"]
    )
    return CleanResult(clean, log.reset_index(drop=True)[LOG_COLUMNS], labels)


def rules_markdown() -> str:
    """The README's table of cleaning rules, generated so it cannot drift from the code."""
    from surveyflow.checking.count_parser import COUNT_RULES
    from surveyflow.checking.percentage_parser import PERCENTAGE_RULES

    lines = ["| applies to | rule | what it does | example |", "|---|---|---|---|"]
    for scope, rules in (
        ("count (D7, D8)", COUNT_RULES),
        ("percentage (Q15)", PERCENTAGE_RULES),
        ("text cells (at ingest)", SCRUB_RULES),
        ("choices and text", CHOICE_RULES),
        ("ratio (D8/D7)", RATIO_RULES),
    ):
        for name, what, example in rules:
            lines.append(f"| {scope} | `{name}` | {what} | `{example}` |")
    return "\n".join(lines)


def summarize_log(log: pd.DataFrame) -> pd.DataFrame:
    """How many values each rule touched, per question column."""
    if log.empty:
        return pd.DataFrame(columns=["question", "rule", "values"])
    counts = log.groupby(["question", "rule"], sort=True).size().rename("values")
    return counts.reset_index()
