# Helpers shared by all rules: config validation at parse time, library paths as inputs.
import functools
import json
import os
import sys
from pathlib import Path

LIBRARY = Path(workflow.basedir) / "scripts"
sys.path.insert(0, str(LIBRARY))

from surveyflow.configcheck import prepare_config
from surveyflow.config import load_yaml
from surveyflow.errors import InputError
from surveyflow import entry
from surveyflow.study import (
    figure_id,
    figure_numbers,
    mean_unit,
    paper_number,
    sort_figures,
)


def config_sources():
    """The config files a run merged, as the user named them (for error messages)."""
    given = [str(path) for path in workflow.overwrite_configfiles or []]
    defaults = "config/config.yaml, config/analyses.yaml, config/archive.yaml"
    return f"{', '.join(given)} (over {defaults})" if given else defaults


try:
    _PREPARED = prepare_config(config, Path(workflow.basedir), source=config_sources())
except InputError as _error:
    # One paragraph, not a traceback: the message names the file, the key and what to do.
    sys.exit(f"Error in the config: {_error}")
QUESTIONS = _PREPARED.questions
# The config of the results, nulls included (provenance and the bundle's effective config).
RUN_CONFIG = _PREPARED.run_config
COUNTRY_QUESTION = _PREPARED.country_question
QUESTIONS_SCHEMA = os.path.relpath(
    Path(workflow.basedir) / "config/schemas/questions.schema.yaml"
)
PAPER_REFERENCE_SCHEMA = os.path.relpath(
    Path(workflow.basedir) / "config/schemas/paper_reference.schema.yaml"
)
# The questions map every job reads: the file named in config, or, when the config gives the
# map inline, its copy written by rule questions_map (rewritten, and so rerunning what
# depends on it, only when the map changes).
INLINE_QUESTIONS = "results/ingest/questions.yaml"
QUESTIONS_FILE = (
    config["questions"] if isinstance(config["questions"], str) else INLINE_QUESTIONS
)


def job_code(rule):
    """A rule's job script (scripts/<rule>.py) and every library file it imports: inputs of the
    rule, so that editing one reruns the jobs that use it."""
    return entry.job_code(LIBRARY, f"{rule}.py", relative_to=".")


def run_job(rule, input, output, params, wildcards, log):
    """The body of every rule: `main(job)` of scripts/<rule>.py, in this process (see
    surveyflow.entry). Bad input stops the job with its one-paragraph message."""
    error = entry.run(
        LIBRARY / f"{rule}.py",
        input=input,
        output=output,
        params=params,
        wildcards=wildcards,
        log=log,
    )
    if error is not None:
        raise error.with_traceback(None)


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


# Keys that only steer the deposit (where to, whether to publish): not results, so they stay
# out of the provenance record and the bundle, and pointing the upload elsewhere or flipping
# zenodo.publish rebuilds nothing.
DEPOSIT_KEYS = ("zenodo", "zenodo_api")


def results_config():
    """The effective config of the results: everything but the deposit settings."""
    return {key: value for key, value in RUN_CONFIG.items() if key not in DEPOSIT_KEYS}


def reader_settings():
    """The `export:` block as the readers take it, with EFS's dispcode lists (its completion
    rule) beside it."""
    return {
        **config["export"],
        "completed_dispcodes": config["completed_dispcodes"],
        "known_dispcodes": config["known_dispcodes"],
    }


def export_files(wildcards):
    """Input function of the rules that read the export (named, for the lint)."""
    return export_inputs()


def default_sections():
    """Names of the shipped config's analyses, panels, qualitative analyses and subgroups: the
    paper's, which a drafted config for another survey switches off."""
    shipped = load_yaml(Path(workflow.basedir) / "config/analyses.yaml")
    return {
        "analyses": sorted(shipped.get("analyses") or {}),
        "panels": sorted((shipped.get("figures") or {}).get("panels") or {}),
        "qualitative": sorted(shipped.get("qualitative") or {}),
        "subgroups": sorted(shipped.get("subgroups") or {}),
    }


def archive_inputs():
    """Results that go into the archive bundle, by role (grows with the workflow)."""
    return {
        # The shipped config files are the reproduced paper's study: a bundle of another
        # survey carries its own effective config (in the archive's config.zip) instead.
        "config": [
            *(
                ["config/config.yaml", "config/analyses.yaml", "config/archive.yaml"]
                if config.get("paper_reference")
                else []
            ),
            QUESTIONS_FILE,
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


@functools.cache  # asked by several rules; the reference file is read once per parse
def reproduced_estimates():
    """Estimates of the analyses the paper publishes numbers for."""
    if not config.get("paper_reference"):
        return ()
    reference = load_yaml(config["paper_reference"])
    return tuple(
        f"results/{name}/estimates.csv"
        for name in reference["tables"]
        if name in config["analyses"]
    )


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
    """Every figure of the study: id -> what it draws (an analysis' table or a panel).

    An analysis without `figure:` gets fig_<name> (`figure: null`: none). The paper's numbered
    figures come first, by number, then the others by name.
    """
    specs = {}
    sections = (
        ("estimates", config["analyses"]),
        ("fishbone", config.get("qualitative", {})),
        ("panel", (config.get("figures") or {}).get("panels") or {}),
    )
    for kind, section in sections:
        for name, spec in section.items():
            fig = name if kind == "panel" else figure_id(name, spec)
            if fig is None:
                continue
            if fig in specs:
                raise InputError(
                    f"two analyses or panels draw figure {fig!r}.",
                    path="config/analyses.yaml",
                    hint="give each its own `figure:` id (or `figure: null` for none).",
                )
            specs[fig] = (
                dict(spec) if kind == "panel" else {"kind": kind, "analysis": name}
            )
    return {fig: specs[fig] for fig in sort_figures(specs)}


FIGURES = figure_specs()
# The number each caption gives its figure: figN is Figure N, the named ones follow.
FIGURE_NUMBERS = figure_numbers(FIGURES)


def reproduces_paper_figure(fig):
    """Whether a caption may say "the paper's Fig. N": a paper-numbered figure, in a run
    that checks the paper's published numbers (`paper_reference`; null for a study of its own).
    """
    return bool(config.get("paper_reference")) and paper_number(fig) is not None


def analysis_mean_unit(fig):
    """Unit of the mean an estimates figure prints: "%" (percentage, ratio) or "" (count)."""
    return mean_unit(config["analyses"][FIGURES[fig]["analysis"]], QUESTIONS)


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


def scaled_resource(base, per_input_mb, wildcards, input, attempt):
    """A resource of a job: a base plus a multiple of its input size, times the attempt."""
    return int((base + per_input_mb * input.size_mb) * attempt)


def mem_mb(base, per_input_mb=0):
    """Memory (MB) of a job, measured (bench/): a base for the interpreter and libraries
    plus a multiple of its input size, so large exports ask the scheduler for enough."""
    return functools.partial(scaled_resource, base, per_input_mb)


def runtime_min(base, per_input_mb=0):
    """Wall-time limit (minutes) of a job, scaled with its input like mem_mb."""
    return functools.partial(scaled_resource, base, per_input_mb)


# Input and params functions of the rules (named, not lambdas: the lint and a reader see
# what each is). `wildcards.fig`, `.sub`, `.qual`, `.analysis` name the job.


def figure_estimates_file(wildcards):
    return f"results/{FIGURES[wildcards.fig]['analysis']}/estimates.csv"


def figure_codes_file(wildcards):
    return f"results/{FIGURES[wildcards.fig]['analysis']}/codes.csv"


def figure_summary_file(wildcards):
    return f"results/{FIGURES[wildcards.fig]['analysis']}/summary.csv"


def figure_spec(wildcards):
    return FIGURES[wildcards.fig]


def figure_analysis_spec(wildcards):
    return config["analyses"][FIGURES[wildcards.fig]["analysis"]]


def figure_qualitative_spec(wildcards):
    return config["qualitative"][FIGURES[wildcards.fig]["analysis"]]


def figure_number(wildcards):
    return FIGURE_NUMBERS[wildcards.fig]


def figure_reproduces_paper(wildcards):
    return reproduces_paper_figure(wildcards.fig)


def figure_mean_unit(wildcards):
    return analysis_mean_unit(wildcards.fig)


def analysis_spec(wildcards):
    return config["analyses"][wildcards.analysis]


def analysis_bootstrap_settings(wildcards):
    return analysis_bootstrap(wildcards.analysis)


def qualitative_spec(wildcards):
    return config["qualitative"][wildcards.qual]


def subgroup_spec(wildcards):
    return SUBGROUPS[wildcards.sub]


def subgroup_analysis(wildcards):
    return SUBGROUPS[wildcards.sub]["analysis"]


def subgroup_analysis_spec(wildcards):
    return config["analyses"][SUBGROUPS[wildcards.sub]["analysis"]]


def subgroup_bootstrap(wildcards):
    return analysis_bootstrap(SUBGROUPS[wildcards.sub]["analysis"])


def archive_files(wildcards):
    """The archive's inputs, and the built report when there is one."""
    return {
        **archive_inputs(),
        "built_report": [_REPORT] if _REPORT and Path(_REPORT).is_file() else [],
    }


def archive_roles(wildcards):
    return [*archive_inputs(), "built_report"]
