"""Assemble the export: interview rows and metadata, the data file, codebook and coding sheet."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .coding import coding_sheet
from .layout import (
    CODEBOOK_NAME,
    CODING_NAME,
    DATA_NAME,
    DEFAULT_SEED,
    END_PGID,
    EXPORT_DATE,
    HEAD_COLUMNS,
    META_COLUMNS,
    MIN_RESPONDENTS,
    PAGES,
    PROJECT_ID,
    SURVEY_URL,
    TEXT_VARS,
    TITLE,
    VARIABLES,
)
from .respondents import answers, suspended
from .targets import TARGETS


@dataclass(frozen=True)
class SyntheticExport:
    """The generated files: exact text of each (CRLF where the survey tool writes CRLF)."""

    data_name: str
    data_text: str
    codebook_name: str
    codebook_text: str
    coding_name: str
    coding_text: str
    seed: int
    respondents: int


# The metadata columns mimic what a real export carries, so that the archive stage can be
# shown to keep personal data out: user agents (with the device type, browser and OS columns
# that go with each) and referrers, invented, with the weights they are drawn with.
USER_AGENTS = (
    (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/99.0.4844.84 Safari/537.36",
        "0",
        "Chrome",
        "Windows",
    ),
    (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like "
        "Gecko) Chrome/100.0.4896.75 Safari/537.36",
        "0",
        "Chrome",
        "macOS",
    ),
    (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:98.0) Gecko/20100101 Firefox/98.0",
        "0",
        "Firefox",
        "Windows",
    ),
    (
        "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:97.0) Gecko/20100101 Firefox/97.0",
        "0",
        "Firefox",
        "Linux",
    ),
    (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like "
        "Gecko) Version/15.3 Safari/605.1.15",
        "0",
        "Safari",
        "macOS",
    ),
    (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/99.0.4844.74 Safari/537.36 Edg/99.0.1150.55",
        "0",
        "Edge",
        "Windows",
    ),
    (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 15_3_1 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Version/15.3 Mobile/15E148 Safari/604.1",
        "1",
        "Safari",
        "iOS",
    ),
    (
        "Mozilla/5.0 (Linux; Android 12; SM-G991B) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/99.0.4844.73 Mobile Safari/537.36",
        "1",
        "Chrome",
        "Android",
    ),
)
UA_WEIGHTS = (30, 14, 8, 4, 6, 8, 6, 4)
REFERERS = (
    "https://www.linkedin.com/",
    "-99",
    "https://t.co/",
    "https://www.facebook.com/",
    "https://mail.google.com/",
    "https://teams.microsoft.com/",
    "https://www.researchgate.net/",
)
REFERER_WEIGHTS = (40, 30, 10, 6, 6, 5, 3)

# --------------------------------------------------------------------------- metadata


def _timestamps(rng: np.random.Generator, n: int) -> np.ndarray:
    """Sorted start times (seconds) between 10 January and 29 April 2022."""
    start = np.datetime64("2022-01-10T07:00:00", "s").astype(np.int64)
    end = np.datetime64("2022-04-29T22:00:00", "s").astype(np.int64)
    return np.sort(rng.integers(start, end, size=n))


def _fmt_times(seconds: np.ndarray) -> list[str]:
    text = np.datetime_as_string(seconds.astype("datetime64[s]"), unit="s")
    return [t.replace("T", " ") for t in text.tolist()]


def _escape(cell: str) -> str:
    return cell.replace('"', '""')


# --------------------------------------------------------------------------- files


def _codebook() -> str:
    lines = [TITLE, "", f"Project ID\t{PROJECT_ID}", f"Survey URL\t{SURVEY_URL}"]
    lines += [f"Date\t{EXPORT_DATE}", ""]
    for number, page in enumerate(PAGES, start=1):
        lines += [f"{number} Page: {page.title} (PGID {page.pgid})", ""]
        for q in page.questions:
            lines.append(f"{q.text} (q_{q.qid} - Type {q.qtype})")
            for v in q.variables:
                lines.append(f"{v.name}\t{v.name}\t{v.dtype}\t{v.label}")
                lines += [f"\t\t{code}\t{label}" for code, label in v.values]
            lines += ["", ""]
        if number < len(PAGES):
            lines.append("")
    return "\r\n".join(lines) + "\r\n"


def generate(seed: int = DEFAULT_SEED, respondents: int | None = None) -> SyntheticExport:
    """Generate the synthetic export.

    ``respondents=None`` gives the calibrated default (the interviews and completed
    interviews of targets.yaml); another number gives that many interviews with the same
    proportions.
    """
    total = TARGETS.interviews if respondents is None else int(respondents)
    if total < MIN_RESPONDENTS:
        raise ValueError(f"respondents must be at least {MIN_RESPONDENTS}, got {total}")
    rng = np.random.default_rng(seed)
    n_done = round(total * TARGETS.completed / TARGETS.interviews)
    n_susp = total - n_done

    # The order of the draws below is the order of the bytes: reordering changes the files.
    done, coded = answers(rng, n_done, special=True)
    susp, stop = suspended(rng, n_susp)

    # Rows in order of start time; lfdn increases with gaps (deleted test interviews).
    is_done = np.concatenate([np.ones(n_done, bool), np.zeros(n_susp, bool)])
    perm = rng.permutation(total)  # row r shows block respondent perm[r]
    step = np.where(rng.random(total) < 0.85, 1, rng.integers(2, 6, size=total))
    lfdn = 6 + np.cumsum(step)
    row_of = np.empty(total, dtype=np.int64)
    row_of[perm] = np.arange(total)

    cols = {v: np.concatenate([done[v], susp[v]])[perm] for v in VARIABLES}
    done_rows = is_done[perm]

    # E-mail addresses of completed respondents who asked for the results
    asked = done_rows & (rng.random(total) < TARGETS.email_share)
    cols["v_99"][asked] = [f"person{int(x)}@example.org" for x in lfdn[asked]]

    dispcode = np.where(done_rows, np.where(rng.random(total) < 0.06, "32", "31"), "22")
    stop_all = np.concatenate([np.full(n_done, len(PAGES)), stop])[perm]
    pgids = np.array([p.pgid for p in PAGES] + [END_PGID])
    lastpage = pgids[stop_all]
    duration = np.where(
        done_rows,
        np.round(rng.lognormal(np.log(1100), 0.45, total)),
        np.round(stop_all * 70 * rng.lognormal(0, 0.6, total)),
    ).astype(np.int64)
    duration[dispcode == "32"] += rng.integers(3600, 86400, size=int((dispcode == "32").sum()))
    duration[(~done_rows) & (stop_all == 1) & (rng.random(total) < 0.3)] = 0

    starts = _timestamps(rng, total)
    ua = rng.choice(len(USER_AGENTS), size=total, p=np.array(UA_WEIGHTS) / sum(UA_WEIGHTS))
    ref = rng.choice(len(REFERERS), size=total, p=np.array(REFERER_WEIGHTS) / 100)
    sid = rng.integers(0, 2**32, size=(total, 4), dtype=np.uint64)
    meta = {
        "browser": [USER_AGENTS[i][0] for i in ua],
        "referer": [REFERERS[i] for i in ref],
        "device_type": [USER_AGENTS[i][1] for i in ua],
        "participant_browser": [USER_AGENTS[i][2] for i in ua],
        "participant_os": [USER_AGENTS[i][3] for i in ua],
        "session_id": [f"{a:08x}{b:08x}{c:08x}{d:08x}" for a, b, c, d in sid.tolist()],
        "language": ["1"] * total,
        "datetime": _fmt_times(starts),
        "date_of_last_access": _fmt_times(starts + np.maximum(duration, 0)),
    }
    head = {
        "lfdn": lfdn.astype(str).tolist(),
        "external_lfdn": ["0"] * total,
        "tester": ["0"] * total,
        "dispcode": dispcode.tolist(),
        "lastpage": lastpage.astype(str).tolist(),
        "quality": ["-77"] * total,
        "duration": duration.astype(str).tolist(),
    }
    body = {v: cols[v].tolist() for v in VARIABLES}
    for v in TEXT_VARS:  # only free text can hold a double quote
        if any('"' in x for x in body[v]):
            body[v] = [_escape(x) for x in body[v]]
    columns = [*head.values(), *body.values(), *meta.values()]
    header = [*HEAD_COLUMNS, *VARIABLES, *META_COLUMNS]
    lines = ['"' + '";"'.join(header) + '"']
    lines += ['"' + '";"'.join(row) + '"' for row in zip(*columns, strict=True)]
    data_text = "\r\n".join(lines) + "\r\n"
    coding_text = coding_sheet(rng, coded, lfdn, row_of)

    return SyntheticExport(
        data_name=DATA_NAME,
        data_text=data_text,
        codebook_name=CODEBOOK_NAME,
        codebook_text=_codebook(),
        coding_name=CODING_NAME,
        coding_text=coding_text,
        seed=seed,
        respondents=total,
    )
