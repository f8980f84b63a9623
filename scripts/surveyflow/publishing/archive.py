"""The archive bundle: what may leave the machine, in deterministic zips, with its metadata.

Pure functions behind the `archive` rule:

- `select_columns` keeps only the variables named in config (never export metadata such as
  e-mail, user agent, referrer, IP or device columns, whatever config says);
- `scrub_table` (surveyflow.pii) finds e-mail addresses, phone numbers, IP addresses and URLs
  in free text; e-mail addresses are redacted by default and anything else stops the build
  with the list of (respondent id, column, kind found; never the value) unless config allows
  that kind; what the cleaning stage already redacted is counted with the redactions;
- `write_zip` writes byte-identical zips for identical content (fixed timestamps, order and
  permissions, no extra fields); `manifest` lists every file with size, SHA-256 and MD5;
- `build_bundle` writes the zips and, from surveyflow.publishing.deposit_texts, the deposit's
  CITATION.cff, `.zenodo.json` and README in the study's own words (config `study:` and the
  run's N and countries).

Synthetic bundles say so in the first line of their README and description (`SYNTHETIC_MARK`),
which the uploader checks before sending anything anywhere but the sandbox.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from surveyflow.config import Question
from surveyflow.errors import InputError
from surveyflow.pii import NAMES, Finding, redacted_kinds, scrub_table
from surveyflow.publishing.deposit_texts import (
    MANIFEST_COLUMNS,
    MAX_FILES,
    ZIP_DESCRIPTIONS,
    RunFacts,
    citation_text,
    deposit_readme,
    file_digests,
    related_identifiers,
    study_citation,
    zenodo_metadata,
)

# A zip entry's timestamp: the earliest DOS date, so rebuilding never changes the bytes.
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)

# Export columns that carry personal or device data: never archived, whatever config says.
_DENIED_VARIABLE = re.compile(
    r"^(?:e[-_]?mail.*|.*_e[-_]?mail|mail|browser.*|user[-_]?agent|referr?er|ip|ip[-_]?addr(?:ess)?"
    r"|remote[-_]?addr|session[-_]?id|participant_.*|device_type|date_of_first_mail|ats"
    r"|external_lfdn|page_history)$",
    re.IGNORECASE,
)


def stop_on_findings(findings: Sequence[Finding], *, limit: int = 50) -> None:
    """Raise an InputError listing every finding that is neither redacted nor allowed."""
    stops = [f for f in findings if f.action == "stop"]
    if not stops:
        return
    # Place and kind only: this message goes into logs, which must not hold the value either.
    listed = "; ".join(
        f"{f.source} respondent {f.respondent}, column {f.column!r}: {NAMES[f.kind]}"
        for f in stops[:limit]
    )
    more = f" (and {len(stops) - limit} more)" if len(stops) > limit else ""
    kinds = sorted({f.kind for f in stops})
    raise InputError(
        f"{len(stops)} free-text value(s) look like personal data and would go into the "
        f"archive: {listed}{more}.",
        path="results/archive",
        hint="remove the column from archive.columns, correct the answers in a copy of the export "
        f"(and point export.data at it), or, if these are not personal data, set archive.allow: "
        f"{kinds} (or archive.redact to replace them) in your config.",
    )


def allowed_columns(
    entries: Sequence[str],
    available: Sequence[str],
    questions: Mapping[str, Question],
    *,
    source: str = "config archive.columns",
) -> list[str]:
    """Columns named in config, in table order: an entry is a column or a question id.

    A question id stands for all its columns. An entry that names nothing, or a column fed
    by an export variable that holds personal or device data, is an error.
    """
    wanted: set[str] = set()
    by_id = {qid.lower(): q for qid, q in questions.items()}
    variables = {col: var for q in questions.values() for col, var in q.columns().items()}
    unknown = []
    for entry in entries:
        question = questions.get(entry) or by_id.get(entry.lower())
        if entry in available:
            wanted.add(entry)
        elif question is not None:
            wanted.update(c for c in question.columns() if c in available)
        else:
            unknown.append(entry)
    if unknown:
        raise InputError(
            f"{', '.join(map(repr, unknown))} is neither a column of the clean responses nor a "
            "question id.",
            path=source,
            hint=f"name columns of results/clean/responses.csv ({', '.join(available)}) or "
            "question ids of questions.yaml.",
        )
    denied = [
        f"{col} (export variable {variables.get(col, col)})"
        for col in sorted(wanted)
        if _DENIED_VARIABLE.match(variables.get(col) or "") or _DENIED_VARIABLE.match(col)
    ]
    if denied:
        raise InputError(
            f"{', '.join(denied)} hold(s) personal or device data of the export (e-mail, user "
            "agent, referrer, IP, device, session) and can never be archived.",
            path=source,
            hint="remove them from archive.columns.",
        )
    return [col for col in available if col in wanted]


def write_zip(path: str | Path, members: Mapping[str, bytes]) -> None:
    """A zip whose bytes depend only on the members: sorted, fixed time and mode, no extras."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in sorted(members):
            info = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # unix, so the mode below is what unzip applies
            info.external_attr = 0o100644 << 16
            archive.writestr(info, members[name], compresslevel=9)
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_bytes(buffer.getvalue())


def manifest(folder: str | Path, files: Iterable[str | Path]) -> pd.DataFrame:
    """One row per file of the bundle (names relative to `folder`), sorted by name."""
    rows = []
    for path in files:
        size, sha, md5 = file_digests(path)
        rows.append([Path(path).relative_to(folder).as_posix(), size, sha, md5])
    frame = pd.DataFrame(rows, columns=MANIFEST_COLUMNS)
    if len(frame) + 1 > MAX_FILES:  # + the manifest itself
        raise InputError(
            f"the bundle would hold {len(frame) + 1} files; Zenodo accepts at most {MAX_FILES} "
            "per record.",
            path=str(folder),
            hint="zip folders (each role of archive_inputs() goes into one zip).",
        )
    return frame.sort_values("file", ignore_index=True)


# --- the bundle ---------------------------------------------------------------------------------

ZIP_OF_ROLE = {
    "config": "config.zip",
    "responses": "data.zip",
    "cleaning_log": "data.zip",
    "cleaning_summary": "data.zip",
    "manifest": "data.zip",
}
REDACTIONS_MEMBER = "results/archive/redactions.csv"
EMPTY_RESULTS = "No estimates, checks or figures were built when this bundle was made.\n"


@dataclass
class Bundle:
    """What `build_bundle` wrote, for the log."""

    files: list[str]
    zips: dict[str, list[str]]
    columns: list[str]
    findings: list[Finding]


def _arcname(path: str | Path, fallback: str) -> str:
    """The file's path in the repository layout; files from elsewhere go under `fallback/`."""
    path = Path(path)
    if not path.is_absolute():
        if ".." not in path.parts:
            return path.as_posix()
    else:
        try:
            return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
        except ValueError:
            pass
    return f"{fallback}/{path.name}"


def _files(paths: str | Path | Iterable[str | Path]) -> list[Path]:
    """Files of a role: a path, a list of paths, directories walked in sorted order."""
    if isinstance(paths, str | Path):
        paths = [paths]
    found: list[Path] = []
    for path in map(Path, paths):
        found += sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    return found


def _read_table(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _csv_bytes(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False, lineterminator="\n").encode("utf-8")


def _cleaned(log: pd.DataFrame, responses: Sequence[Path]) -> list[Finding]:
    """What the cleaning stage redacted in archived columns, as redactions of the responses:
    the bundle's count and redactions.csv include them (they no longer show to the scan)."""
    if "rule" not in log.columns:
        return []
    source = _arcname(responses[0], "results/responses") if responses else "responses"
    rows = log[log["rule"] == "personal_data_redacted"]
    return [
        Finding(source, row.respondent_id, row.question, kind, "", "redacted")
        for row in rows.itertuples()
        for kind in redacted_kinds(row.reason)
    ]


def build_bundle(
    *,
    roles: Mapping[str, str | Sequence[str]],
    outputs: Mapping[str, str],
    questions: Mapping[str, Question],
    study: Mapping[str, Any],
    facts: RunFacts,
    workflow_citation: Mapping[str, Any],
    environment_files: Sequence[str],
    columns: Sequence[str],
    synthetic: bool,
    effective_config: Mapping[str, Any],
    reproduction: bool = False,
    redact: Sequence[str] = ("email",),
    allow: Sequence[str] = (),
    extra_identifiers: Sequence[Mapping[str, str]] = (),
    license_id: str | None = None,
    data_license: str = "CC-BY-4.0",
    repository: str | None = None,
    id_column: str = "respondent_id",
) -> Bundle:
    """Write the bundle (`outputs`: data, config, results, environment zips, readme, citation,
    metadata, manifest) from the workflow's results, each role of `roles` to its zip.

    README, CITATION.cff and .zenodo.json describe `study` (the config's study block) with the
    run's `facts`, citing the workflow (`workflow_citation`, its own CITATION.cff) and, when
    `study.paper_doi` is set, the paper (`reproduction`: this run reproduces it).
    Nothing is written when a finding stops the build, so no half-scrubbed bundle is left.
    """
    # Built first: a study block the deposit cannot describe stops the build before any zip.
    citation = study_citation(
        study, facts, workflow=workflow_citation, reproduction=reproduction, repository=repository
    )
    metadata = zenodo_metadata(
        citation,
        synthetic=synthetic,
        related_identifiers=related_identifiers(
            study, extra_identifiers, reproduction=reproduction
        ),
        license_id=license_id,
        data_license=data_license,
        code_license=workflow_citation.get("license"),
        source="config (study)",
    )
    zips: dict[str, dict[str, bytes]] = {name: {} for name in ZIP_DESCRIPTIONS}
    findings: list[Finding] = []
    responses = _files(roles.get("responses", []))
    header = list(pd.read_csv(responses[0], nrows=0).columns) if responses else []
    kept = allowed_columns(columns, header, questions)
    # The cleaning log names columns, or questions (q13) for what concerns all their columns.
    logged = set(kept) | {
        q.column for q in questions.values() if any(c in kept for c in q.columns())
    }

    def add(zip_name: str, arcname: str, content: bytes) -> None:
        if arcname in zips[zip_name]:
            raise InputError(
                f"two files of the bundle would both be {arcname!r} in {zip_name}.",
                path="rules/common.smk archive_inputs()",
                hint="list each file once.",
            )
        zips[zip_name][arcname] = content

    def scrubbed(frame: pd.DataFrame, arcname: str, ids: pd.Series | None = None) -> bytes:
        frame, found = scrub_table(
            frame, arcname, redact=redact, allow=allow, id_column=id_column, ids=ids
        )
        findings.extend(found)
        return _csv_bytes(frame)

    for role, paths in roles.items():
        zip_name = ZIP_OF_ROLE.get(role, "results.zip")
        fallback = "config" if role == "config" else f"results/{role}"
        for path in _files(paths):
            arcname = _arcname(path, fallback)
            if role == "responses":
                frame = _read_table(path)
                ids = frame[id_column] if id_column in frame.columns else None
                content = scrubbed(frame[kept], arcname, ids)
            elif path.suffix == ".csv" and role != "config":
                frame = _read_table(path)
                if role in ("cleaning_log", "cleaning_summary") and "question" in frame.columns:
                    # Only the rows of archived columns: the raw text of the others stays home.
                    frame = frame[frame["question"].isin(logged)]
                if role == "cleaning_log":
                    findings.extend(_cleaned(frame, responses))
                content = scrubbed(frame, arcname)
            else:
                content = path.read_bytes()
            add(zip_name, arcname, content)
    stop_on_findings(findings)

    redactions = pd.DataFrame(
        [(f.source, f.respondent, f.column, f.kind, f.action) for f in findings],
        columns=["file", "respondent", "column", "kind", "action"],
    )
    add("data.zip", REDACTIONS_MEMBER, _csv_bytes(redactions))
    config_text = yaml.safe_dump(dict(effective_config), sort_keys=True, allow_unicode=True)
    add("config.zip", "config/effective-config.yaml", config_text.encode("utf-8"))
    for path in environment_files:
        add("environment.zip", Path(path).name, Path(path).read_bytes())

    if not zips["results.zip"]:
        add("results.zip", "results/README.txt", EMPTY_RESULTS.encode("utf-8"))
    for name, members in zips.items():
        write_zip(outputs[name.removesuffix(".zip")], members)
    text = json.dumps(metadata, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    Path(outputs["metadata"]).write_text(text, encoding="utf-8")
    Path(outputs["citation"]).write_text(citation_text(citation), encoding="utf-8")
    members = {name: sorted(content) for name, content in zips.items()}
    readme = deposit_readme(
        metadata,
        synthetic=synthetic,
        zips=members,
        columns=kept,
        redactions=sum(f.action == "redacted" for f in findings),
        data_license=data_license,
        code_license=workflow_citation.get("license"),
        repository=repository,
    )
    Path(outputs["readme"]).write_text(readme, encoding="utf-8")
    folder = Path(outputs["manifest"]).parent
    table = manifest(folder, [path for key, path in outputs.items() if key != "manifest"])
    table.to_csv(outputs["manifest"], index=False, lineterminator="\n")
    return Bundle(
        files=[*table["file"], Path(outputs["manifest"]).name],
        zips=members,
        columns=kept,
        findings=findings,
    )
