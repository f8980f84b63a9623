"""Recall and false positives of the personal-data scan (surveyflow.pii), written to bench/pii.md.

On the hand-written table of tests/test_pii.py (forms that must be found, with their kind,
known misses, ordinary answers, known false positives), and on every cell of the real exports
kept as test fixtures (NaPiRE 2017/18 final and pilot, where respondents' only personal data
are the e-mail addresses the fixtures replaced by respondent-…@example.org), and the synthetic
default. Times are of this machine; nothing here is asserted.

    .venv/bin/python bench/bench_pii.py
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "scripts"), str(ROOT / "tests"), str(Path(__file__).parent)]

import phonenumbers  # noqa: E402
from benchlib import machine  # noqa: E402
from test_pii import KNOWN_FALSE_POSITIVES, KNOWN_MISSES, NEGATIVES, POSITIVES  # noqa: E402

from surveyflow.pii import KINDS, PHONE_LENIENCY, PHONE_REGION, scan_text  # noqa: E402
from surveyflow.reading.efs_files import read_export  # noqa: E402

EXPORTS = {
    "NaPiRE final (real)": "tests/data/efs-napire-final/data_project_400193_2018_02_05.csv",
    "NaPiRE pilot (real)": "tests/data/efs-napire-pilot/data_project_400193_2017_09_13.csv",
    "synthetic default": "data/raw/synthetic/SYNTHETIC_data_project_900001_2022_04_30.csv",
}
LENIENCY_NAMES = {
    value: name for name, value in vars(phonenumbers.Leniency).items() if name.isupper()
}
# Export metadata, never archived (surveyflow.publishing.archive refuses them), scanned all
# the same.
METADATA = {"referer", "browser", "session_id", "user_agent", "ip_addr"}


def table_rows() -> list[str]:
    positives = [(text, kind, match, True) for text, kind, match in POSITIVES]
    positives += [(text, kind, match, False) for text, kind, match in KNOWN_MISSES]
    lines = ["| kind | forms | found whole, of that kind | recall |", "|---|---:|---:|---:|"]
    total = hit = 0
    for kind in KINDS:
        forms = [p for p in positives if p[1] == kind]
        found = sum(
            [(k, t) for k, t, _, _ in scan_text(text)] == [(kind, match)]
            for text, _, match, _ in forms
        )
        total, hit = total + len(forms), hit + found
        lines.append(f"| {kind} | {len(forms)} | {found} | {found / len(forms):.1%} |")
    lines.append(f"| **all** | {total} | {hit} | **{hit / total:.1%}** |")
    negatives = NEGATIVES + KNOWN_FALSE_POSITIVES
    flagged = [text for text in negatives if scan_text(text)]
    lines += [
        "",
        f"Ordinary answers: {len(negatives)}, flagged: {len(flagged)} "
        f"(false-positive rate **{len(flagged) / len(negatives):.1%}**): "
        + (", ".join(f"`{t}`" for t in flagged) or "none")
        + ".",
        "",
        "Known misses (in the table above, on purpose or for now): "
        + ", ".join(f"`{t}` ({k})" for t, k, _ in KNOWN_MISSES)
        + ".",
    ]
    return lines


def export_rows() -> list[str]:
    lines = [
        "| export | cells | time | answers: findings | metadata columns: findings |",
        "|---|---:|---:|---|---|",
    ]
    for name, path in EXPORTS.items():
        frame = read_export(ROOT / path).frame
        answers: Counter[str] = Counter()
        metadata: Counter[str] = Counter()
        cells = 0
        start = time.perf_counter()
        for column in frame.columns:
            for value in frame[column].astype(str):
                if not value.strip():
                    continue
                cells += 1
                for kind, _, _, _ in scan_text(value):
                    (metadata if column in METADATA else answers)[f"{column} {kind}"] += 1
        seconds = time.perf_counter() - start

        def show(counts: Counter[str]) -> str:
            return ", ".join(f"{key} × {n}" for key, n in sorted(counts.items())) or "none"

        lines.append(
            f"| {name} | {cells:,} | {seconds:.2f} s | {show(answers)} | {show(metadata)} |"
        )
    return lines


def main() -> None:
    text = [
        "# Personal-data scan: recall and false positives",
        "",
        f"Written by `bench/bench_pii.py` on {dt.date.today().isoformat()}; "
        + machine(f"phonenumbers {phonenumbers.__version__}")
        + ".",
        "",
        f"Phone numbers: `PhoneNumberMatcher` of libphonenumber, default region {PHONE_REGION}, "
        f"leniency {LENIENCY_NAMES[PHONE_LENIENCY]}, then the shape checks of "
        "`surveyflow.pii._is_phone`.",
        "",
        "## The table of tests/test_pii.py",
        "",
        *table_rows(),
        "",
        "## Every cell of real and synthetic exports",
        "",
        "The respondents' personal data in these files are the e-mail addresses (pilot `v_298`, "
        "final `v_173`, synthetic `v_99`); anything else found in the answer columns would be "
        "a false positive. The metadata columns (referrer, browser, session id) are never "
        "archived and are listed for the record.",
        "",
        *export_rows(),
        "",
    ]
    out = ROOT / "bench" / "pii.md"
    out.write_text("\n".join(text), encoding="utf-8")
    print(out.read_text())


if __name__ == "__main__":
    main()
