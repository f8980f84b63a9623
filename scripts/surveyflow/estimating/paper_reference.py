"""Reading the paper's published numbers (config/paper_reference.yaml) and validating them."""

from __future__ import annotations

from pathlib import Path

from surveyflow.config import load_yaml, validate_against_schema
from surveyflow.errors import InputError


def load_reference(path: str | Path, schema_path: str | Path) -> dict:
    """Read and validate config/paper_reference.yaml against its schema (``schema_path``).

    Returns ``{"resamples": int, "source": str, "tables": {analysis: table}}`` where each table
    has ``paper_label, figure, n, kind, cells`` (each cell ``{label, p, ci: [low, high]}``, p and
    ci as floats) and optionally ``mean``. A missing, unknown or ill-typed key raises an
    InputError that names the file and the key.
    """
    source = str(path)
    data = load_yaml(path)
    validate_against_schema(data, schema_path, source=source)

    def fail(key: str, message: str) -> InputError:
        return InputError(
            f"key '{key}' {message}",
            path=source,
            hint="see the comment at the top of the reference file for what each key takes.",
        )

    out: dict[str, dict] = {}
    for analysis, table in data["tables"].items():
        # What the schema cannot say: labels unique within a table, p inside its interval.
        clean_cells = []
        seen: set[str] = set()
        for i, cell in enumerate(table["cells"]):
            key = f"tables.{analysis}.cells.{i}"
            label, p, (low, high) = cell["label"], cell["p"], cell["ci"]
            if label in seen:
                raise fail(f"{key}.label", f"repeats the label {label!r}.")
            seen.add(label)
            if not low <= p <= high:
                raise fail(f"{key}.ci", f"[{low}, {high}] must enclose p = {p}.")
            clean_cells.append({"label": label, "p": float(p), "ci": [float(low), float(high)]})
        clean = {
            "paper_label": table["paper_label"],
            "figure": table["figure"],
            # JSON Schema's integer admits 168.0; the counts are used as Python ints
            "n": int(table["n"]),
            "kind": table["kind"],
            "cells": clean_cells,
        }
        if "mean" in table:
            clean["mean"] = float(table["mean"])
        out[analysis] = clean
    return {"resamples": int(data["resamples"]), "source": data["source"], "tables": out}
