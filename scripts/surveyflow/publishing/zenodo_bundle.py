"""Check the bundle before its upload: its files against the manifest, its metadata for Zenodo.

Its metadata is checked for what Zenodo would refuse or misread. No HTTP here."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from surveyflow.errors import InputError
from surveyflow.publishing.deposit_texts import (
    MANIFEST_COLUMNS,
    MAX_FILES,
    SYNTHETIC_MARK,
    file_digests,
)


@dataclass(frozen=True)
class LocalFile:
    name: str
    path: Path
    size: int
    md5: str


def read_manifest(path: str | Path) -> list[dict[str, Any]]:
    """The bundle manifest's rows (file, size, sha256, md5)."""
    with Path(path).open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames != MANIFEST_COLUMNS:
            raise InputError(
                f"is not a bundle manifest (columns {reader.fieldnames}).",
                path=str(path),
                hint="rebuild the bundle with `snakemake --cores all archive`.",
            )
        return [{**row, "size": int(row["size"])} for row in reader]


def bundle_files(manifest_path: str | Path) -> list[LocalFile]:
    """The bundle's files (the manifest's, and the manifest itself), each checked against it."""
    manifest_path = Path(manifest_path)
    folder = manifest_path.parent
    files = []
    for row in read_manifest(manifest_path):
        path = folder / row["file"]
        size, sha, md5 = file_digests(path) if path.is_file() else (-1, "", "")
        if (size, sha, md5) != (row["size"], row["sha256"], row["md5"]):
            raise InputError(
                f"{row['file']} differs from the manifest (changed or missing after the build).",
                path=str(path),
                hint="rebuild the bundle: snakemake --cores all archive --forcerun archive.",
            )
        files.append(LocalFile(row["file"], path, size, md5))
    size, _, md5 = file_digests(manifest_path)
    files.append(LocalFile(manifest_path.name, manifest_path, size, md5))
    if len(files) > MAX_FILES:
        raise InputError(
            f"the bundle has {len(files)} files; Zenodo accepts at most {MAX_FILES} per record.",
            path=str(folder),
            hint="zip folders so the bundle has fewer files.",
        )
    return sorted(files, key=lambda f: f.name)


def checksum_md5(entry: Mapping[str, Any]) -> str:
    """The MD5 of a file entry as Zenodo serves it ("md5:<hex>" or bare "<hex>")."""
    return str(entry.get("checksum", "")).removeprefix("md5:")


def md5s(entries: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """{file name: MD5} of a deposition's file entries."""
    return {str(e.get("filename") or e.get("key")): checksum_md5(e) for e in entries}


def is_synthetic_metadata(metadata: Mapping[str, Any]) -> bool:
    """True when deposit metadata carries the synthetic label (title or description)."""
    return any(
        str(metadata.get(key, "")).startswith(SYNTHETIC_MARK) for key in ("title", "description")
    )


def read_creators(metadata: Mapping[str, Any], source: str) -> list[str]:
    """How Zenodo will read each creator, one line each; stops on a name it would refuse.

    Zenodo's deposit API splits a creator `name` with exactly one comma into family and given
    names ("Doe, Jane": a person) and takes any other name whole as the family name, which is
    how a team or an organisation ("The surveyflow maintainers") is listed. A creator without
    a family name is refused at publication, after the draft exists: checked here, first.
    """
    lines = []
    for creator in metadata.get("creators") or []:
        name = str(creator.get("name") or "").strip()
        family, _, given = name.partition(",") if name.count(",") == 1 else (name, "", "")
        if not family.strip():
            raise InputError(
                f"a creator of the deposit, {name!r}, has no family name, which Zenodo requires.",
                path=source,
                hint="write each person in study.authors as 'Family, Given' and a team or "
                "organisation by its name, then rebuild: snakemake --cores all archive.",
            )
        if given.strip():
            lines.append(f"{name} (a person: family name {family.strip()!r})")
        else:
            lines.append(f"{name} (one name, as for a team or organisation)")
    return lines
