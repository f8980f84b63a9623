"""Reproduction of "ML-Enabled Systems Model Deployment and Monitoring: Status Quo and Problems".

From the raw survey-tool export to cleaned, validated responses (and, as the workflow grows,
estimates, figures, a reproduction check and an archive). See README.md.
"""

from snakemake.utils import min_version

min_version("9.11")


configfile: "config/config.yaml"
configfile: "config/analyses.yaml"
configfile: "config/archive.yaml"


report: "report/workflow.rst"


include: "rules/common.smk"
include: "rules/ingest.smk"
include: "rules/draft.smk"
include: "rules/validate.smk"
include: "rules/clean.smk"
include: "rules/analyses.smk"
include: "rules/qualitative.smk"
include: "rules/figures.smk"
include: "rules/subgroups.smk"
include: "rules/provenance.smk"
include: "rules/archive.smk"


rule all:
    default_target: True
    input:
        all_targets(),
