"""Checkpoint subgroup_plan: the groups of a subgroup analysis, with small ones pooled."""

import logging

from surveyflow.checking.schemas import check_groups, read_clean_responses
from surveyflow.config import load_questions
from surveyflow.errors import InputError
from surveyflow.estimating.analyses import answered
from surveyflow.estimating.subgroups import plan_groups
from surveyflow.io import read_json, write_json


def main(job) -> None:
    spec = job.params.spec
    questions = load_questions(job.input.questions, job.params.questions_schema)
    if spec["by"] not in questions or questions[spec["by"]].type != "single_choice":
        raise InputError(
            f"subgroups {job.wildcards.sub!r}, key 'by': {spec['by']!r} is not a single_choice "
            "question of questions.yaml.",
            path="config/analyses.yaml",
            hint="group by a single-choice question such as role (D4) or country (D1).",
        )
    column = questions[spec["by"]].column
    clean = read_clean_responses(job.input.responses, questions, job.params.ratios)
    # Group sizes count respondents with a valid answer to the analysis, so every planned
    # group has answers to bootstrap.
    clean = clean[answered(job.params.analysis_spec, clean, questions)]
    plan = plan_groups(
        clean,
        column,
        min_size=spec["min_group_size"],
        other_label=spec.get("other_label", "Other (pooled)"),
        levels=read_json(job.input.labels).get(column),
    )
    write_json(check_groups(plan), job.output.plan)
    logging.getLogger("subgroups").info(
        "%s: %d groups, pooled %s", job.wildcards.sub, len(plan["groups"]), plan["pooled"]
    )
