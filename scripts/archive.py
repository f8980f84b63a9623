"""Rule archive: the bundle ready to deposit (zips, manifest, .zenodo.json, README)."""

import logging

from surveyflow.config import load_questions, load_yaml
from surveyflow.io import read_json
from surveyflow.publishing.archive import build_bundle
from surveyflow.publishing.deposit_texts import run_facts


def main(job) -> None:
    roles = {}
    for role in job.params.roles:
        paths = getattr(job.input, role)
        roles[role] = [paths] if isinstance(paths, str) else list(paths)
    facts = run_facts(read_json(job.input.manifest), job.input.responses, job.params.country_column)
    bundle = build_bundle(
        roles=roles,
        outputs=dict(job.output.items()),
        questions=load_questions(job.input.questions, job.params.questions_schema),
        study=job.params.study,
        facts=facts,
        workflow_citation=load_yaml(job.input.citation),
        environment_files=list(job.input.environment),
        columns=job.params.columns,
        synthetic=job.params.synthetic,
        effective_config=job.params.effective_config,
        reproduction=job.params.reproduction,
        redact=job.params.redact,
        allow=job.params.allow,
        extra_identifiers=job.params.related_identifiers,
        license_id=job.params.license,
        data_license=job.params.data_license,
        repository=job.params.repository,
    )
    logger = logging.getLogger("archive")
    for finding in bundle.findings:
        # What was found stays out of the log too: the kind and place are enough to check.
        logger.info(
            "%s: %s, respondent %s, column %s",
            finding.action,
            finding.kind,
            finding.respondent,
            finding.column,
        )
    logger.info(
        "bundle: %d files (%s); %d columns of the responses; %d value(s) redacted%s",
        len(bundle.files),
        ", ".join(bundle.files),
        len(bundle.columns),
        sum(f.action == "redacted" for f in bundle.findings),
        "; SYNTHETIC data" if job.params.synthetic else "",
    )
