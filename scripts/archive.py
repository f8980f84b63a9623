"""Rule archive: the bundle ready to deposit (zips, manifest, .zenodo.json, README)."""

import logging

from surveyflow import entry
from surveyflow.archive import build_bundle
from surveyflow.config import load_questions, load_yaml
from surveyflow.deposit_texts import run_facts
from surveyflow.io import read_json


def main(smk) -> None:
    roles = {}
    for role in smk.params.roles:
        paths = getattr(smk.input, role)
        roles[role] = [paths] if isinstance(paths, str) else list(paths)
    facts = run_facts(read_json(smk.input.manifest), smk.input.responses, smk.params.country_column)
    bundle = build_bundle(
        roles=roles,
        outputs=dict(smk.output.items()),
        questions=load_questions(smk.input.questions, smk.params.questions_schema),
        study=smk.params.study,
        facts=facts,
        workflow_citation=load_yaml(smk.input.citation),
        environment_files=list(smk.input.environment),
        columns=smk.params.columns,
        synthetic=smk.params.synthetic,
        effective_config=smk.params.effective_config,
        reproduction=smk.params.reproduction,
        redact=smk.params.redact,
        allow=smk.params.allow,
        extra_identifiers=smk.params.related_identifiers,
        license_id=smk.params.license,
        data_license=smk.params.data_license,
        repository=smk.params.repository,
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
        "; SYNTHETIC data" if smk.params.synthetic else "",
    )


entry.run(main, snakemake)  # noqa: F821 (injected by Snakemake)
