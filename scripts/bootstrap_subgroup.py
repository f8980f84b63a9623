"""Rule bootstrap_subgroup: one analysis on one group of respondents."""

from surveyflow.checking.schemas import estimates_schema, read_clean_responses, read_groups
from surveyflow.config import load_questions
from surveyflow.estimating.analyses import design, estimate_with
from surveyflow.estimating.subgroups import members
from surveyflow.io import write_csv, write_npz


def main(job) -> None:
    settings = job.params.bootstrap
    questions = load_questions(job.input.questions, job.params.questions_schema)
    clean = read_clean_responses(job.input.responses, questions, job.params.ratios)
    group = members(clean, read_groups(job.input.plan), job.wildcards.group)
    data = design(job.params.analysis, job.params.spec, group, questions)
    table, replicates = estimate_with(
        job.params.analysis, job.params.spec, data, settings, group=job.wildcards.group
    )
    write_csv(estimates_schema.validate(table), job.output.estimates)
    write_npz(replicates, job.output.replicates)
