# Helpers shared by all rules: config validation at parse time, library paths as inputs.
import json
import os
import sys
from pathlib import Path

LIBRARY = Path(workflow.basedir) / "scripts"
sys.path.insert(0, str(LIBRARY))

from surveyflow.analyses import check_analyses
from surveyflow.config import (
    check_ratio_config,
    load_questions,
    load_yaml,
    validate_against_schema,
)
from surveyflow.errors import InputError
from surveyflow.fonts import FACES

validate_against_schema(
    config,
    Path(workflow.basedir) / "config/schemas/config.schema.yaml",
    source="the workflow config (config/config.yaml and any --configfile/--config)",
)
validate_against_schema(
    config,
    Path(workflow.basedir) / "config/schemas/archive.schema.yaml",
    source="the archive config (config/archive.yaml and any --configfile/--config)",
)
# A study's analyses, qualitative analyses and figure panels come from config/analyses.yaml;
# another survey switches any of them off by setting it to null in its own --configfile
# (Snakemake merges config files key by key, so a null is the way to remove one).
for _section in (
    config["analyses"],
    config.get("qualitative", {}),
    config.get("subgroups", {}),
):
    for _name in [key for key, value in _section.items() if value is None]:
        del _section[_name]
if config.get("figures", {}).get("panels"):
    config["figures"]["panels"] = {
        key: value for key, value in config["figures"]["panels"].items() if value
    }

QUESTIONS_SCHEMA = os.path.relpath(
    Path(workflow.basedir) / "config/schemas/questions.schema.yaml"
)
QUESTIONS = load_questions(config["questions"], QUESTIONS_SCHEMA)
check_ratio_config(config["cleaning"].get("ratios", []), QUESTIONS)
if config.get("qualitative") and not config.get("coding"):
    raise InputError(
        "qualitative analyses are configured but `coding` (the coding sheet) is not.",
        path="config",
        hint="set `coding:` to the coding sheet, or switch the qualitative analyses off "
        "(qualitative: {rq2: null, rq4: null}).",
    )
for _name, _sub in config.get("subgroups", {}).items():
    if _sub["analysis"] not in config["analyses"]:
        raise InputError(
            f"subgroups {_name!r}, key 'analysis': unknown analysis {_sub['analysis']!r}.",
            path="config/analyses.yaml",
            hint=f"use one of: {', '.join(config['analyses'])}.",
        )
    if _sub["by"] not in QUESTIONS:
        raise InputError(
            f"subgroups {_name!r}, key 'by': unknown question {_sub['by']!r}.",
            path="config/analyses.yaml",
            hint="group by a single-choice question of questions.yaml.",
        )
check_analyses(
    config["analyses"],
    QUESTIONS,
    [ratio["name"] for ratio in config["cleaning"].get("ratios", [])],
)


def lib(*modules):
    """Library source files imported by a job, declared as inputs so that editing one reruns it."""
    names = ("__init__", "errors", "io", "config") + modules
    # Relative to the working directory, so that a copied project has the same inputs.
    package = os.path.relpath(LIBRARY / "surveyflow")
    files = [f"{package}/{name}.py" for name in dict.fromkeys(names)]
    if "style" in modules:  # the figures' typeface is part of the style
        files += [f"{package}/fonts.py"] + [f"{package}/fonts/{face}" for face in FACES]
    return files


def export_inputs():
    """The export's files; checked here so a wrong path gets a message saying what to do."""
    inputs = {"data": config["export"]["data"]}
    if config["export"].get("codebook"):
        inputs["codebook"] = config["export"]["codebook"]
    for key, path in inputs.items():
        if not Path(path).is_file():
            raise InputError(
                f"the survey export's {key} file does not exist.",
                path=path,
                hint=f"set export.{key} in your config (snakemake --configfile my.yaml) "
                "to the path of the file exported from the survey tool.",
            )
    return inputs


def archive_inputs():
    """Results that go into the archive bundle, by role (grows with the workflow)."""
    return {
        "config": [
            "config/config.yaml",
            "config/analyses.yaml",
            "config/archive.yaml",
            config["questions"],
            "results/provenance/config.yaml",
        ],
        "responses": "results/clean/responses.csv",
        "cleaning_log": "results/clean/cleaning_log.csv",
        "cleaning_summary": "results/clean/cleaning_summary.csv",
        "manifest": "results/ingest/manifest.json",
        "tables": archive_tables(),
        "figures": [
            file
            for fig in FIGURES
            for file in figure_files(fig)
            if not file.endswith(".rst")
        ]
        + [
            f"results/figures/{sub}.{ext}"
            for sub in config.get("subgroups", {})
            for ext in ("pdf", "png")
        ],
    }


def archive_tables():
    """Every table of results: estimates, code frequencies, subgroups, the reproduction check."""
    tables = [f"results/{name}/estimates.csv" for name in config["analyses"]]
    for name in config.get("qualitative", {}):
        tables += [
            f"results/{name}/{table}.csv"
            for table in ("codes", "summary", "agreement", "disagreements")
        ]
    tables += [
        f"results/subgroups/{sub}/summary.csv" for sub in config.get("subgroups", {})
    ]
    if config.get("paper_reference") and reproduced_estimates():
        tables += [
            "results/reproduction/check.csv",
            "results/reproduction/consistency.csv",
            "results/reproduction/summary.md",
        ]
    return tables


def analysis_bootstrap(name):
    """Bootstrap settings of one analysis (its own `resamples` overrides the global one)."""
    settings = dict(config["bootstrap"])
    if "resamples" in config["analyses"][name]:
        settings["resamples"] = config["analyses"][name]["resamples"]
    return settings


def analysis_targets(name):
    """What the target of an analysis builds: its table and its figure."""
    figures = [fig for fig, spec in FIGURES.items() if spec.get("analysis") == name]
    files = [file for fig in figures for file in figure_files(fig)]
    if name in config.get("qualitative", {}):
        return [f"results/{name}/codes.csv", *files]
    return [f"results/{name}/estimates.csv", *files]


def reproduced_estimates():
    """Estimates of the analyses the paper publishes numbers for."""
    if not config.get("paper_reference"):
        return []
    reference = load_yaml(config["paper_reference"])
    return [
        f"results/{name}/estimates.csv"
        for name in reference["tables"]
        if name in config["analyses"]
    ]


def all_targets():
    """Everything `snakemake` builds by default (the Zenodo upload is never part of it)."""
    targets = [
        "results/ingest/manifest.json",
        "results/validation/ingest_report.json",
        "results/clean/responses.csv",
        "results/clean/cleaning_log.csv",
        "results/clean/cleaning_summary.csv",
        "results/validation/clean_report.json",
        "results/provenance/config.yaml",
    ]
    for name in list(config["analyses"]) + list(config.get("qualitative", {})):
        targets += analysis_targets(name)
    for sub in config.get("subgroups", {}):
        targets += [
            f"results/subgroups/{sub}/summary.csv",
            f"results/figures/{sub}.png",
        ]
    for fig, spec in FIGURES.items():
        if spec["kind"] in ("demographics", "likert"):
            targets += figure_files(fig)
    targets.append("results/archive/manifest.csv")
    if config.get("paper_reference") and reproduced_estimates():
        targets += [
            "results/reproduction/check.csv",
            "results/reproduction/summary.md",
            "results/reproduction/summary.html",
        ]
    return targets


def figure_specs():
    """Every figure of the study: id -> what it draws (an analysis' table or a panel)."""
    specs = {}
    for name, spec in config["analyses"].items():
        if spec.get("figure"):
            specs[spec["figure"]] = {"kind": "estimates", "analysis": name}
    for name, spec in config.get("qualitative", {}).items():
        if spec.get("figure"):
            specs[spec["figure"]] = {"kind": "fishbone", "analysis": name}
    for fig, spec in config.get("figures", {}).get("panels", {}).items():
        specs[fig] = dict(spec)
    return dict(sorted(specs.items(), key=lambda item: int(item[0][3:])))


FIGURES = figure_specs()


def figure_files(fig):
    return [f"results/figures/{fig}.{ext}" for ext in ("pdf", "png", "rst")]


def figures_of(kind):
    """Wildcard pattern matching the figure ids of one kind (never matches when none)."""
    ids = [fig for fig, spec in FIGURES.items() if spec["kind"] in kind]
    return "|".join(ids) if ids else "(?!x)x"


def subgroup_estimates(wildcards):
    """The per-group estimates of a subgroup analysis, once its plan exists."""
    plan = checkpoints.subgroup_plan.get(sub=wildcards.sub).output.plan
    with open(plan, encoding="utf-8") as handle:
        groups = json.load(handle)["groups"]
    return [
        f"results/subgroups/{wildcards.sub}/{g['slug']}/estimates.csv" for g in groups
    ]


def mem_mb(base, per_input_mb=0):
    """Memory (MB) of a job, measured (bench/): a base for the interpreter and libraries
    plus a multiple of its input size, so large exports ask the scheduler for enough."""
    return lambda wildcards, input, attempt: int(
        (base + per_input_mb * input.size_mb) * attempt
    )


def runtime_min(base, per_input_mb=0):
    """Wall-time limit (minutes) of a job, scaled with its input like mem_mb."""
    return lambda wildcards, input, attempt: int(
        (base + per_input_mb * input.size_mb) * attempt
    )
