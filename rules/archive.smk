# The archive bundle (results/archive/), its Zenodo deposit and the fetch of a published
# record. Config: config/archive.yaml. The Zenodo token never passes through here: the
# scripts read it from the environment.
from surveyflow.zenodo import api_base as _zenodo_api_base
from surveyflow.zenodo import record_id as _zenodo_record_id

ARCHIVE = {
    "manifest": "results/archive/manifest.csv",
    "readme": "results/archive/README.md",
    "citation": "results/archive/CITATION.cff",
    "metadata": "results/archive/.zenodo.json",
    "data": "results/archive/data.zip",
    "config": "results/archive/config.zip",
    "results": "results/archive/results.zip",
    "environment": "results/archive/environment.zip",
}
# Keys that only steer the deposit: left out of the bundle's config, so that pointing the
# upload elsewhere does not rebuild the bundle.
_DEPOSIT_KEYS = ("zenodo", "zenodo_api")


def archive_role_inputs(wildcards):
    """archive_inputs() by role, plus the report once `snakemake --report` has written it."""
    roles = dict(archive_inputs())
    built = config["archive"].get("report")
    roles["built_report"] = [built] if built and Path(built).is_file() else []
    return roles


def _fetch_id():
    try:
        return _zenodo_record_id(config["zenodo"].get("fetch"))
    except InputError:
        return "invalid"  # zenodo_fetch reports the config error when it is asked for


rule archive:
    """The folder to deposit: zips of data, config, results and environment, README,
    CITATION.cff, .zenodo.json and a manifest (size, SHA-256, MD5) of every file.

    Only the columns named in archive.columns go in; free text is scanned for e-mail
    addresses (redacted), phone numbers, IP addresses and URLs (the build stops with a list).
    """
    input:
        unpack(archive_role_inputs),
        questions=config["questions"],
        citation=config["archive"].get("citation", "CITATION.cff"),
        environment=["requirements.txt", "environment.yml"],
        library=lib("archive", "zenodo"),
    output:
        **ARCHIVE,
    log:
        "results/logs/archive.log",
    benchmark:
        "results/benchmarks/archive.tsv"
    conda:
        "../environment.yml"
    params:
        roles=lambda wildcards: list(archive_role_inputs(wildcards)),
        questions_schema=QUESTIONS_SCHEMA,
        columns=config["archive"]["columns"],
        redact=config["archive"].get("redact", ["email"]),
        allow=config["archive"].get("allow", []),
        synthetic=config["synthetic"],
        related_identifiers=config["archive"].get("related_identifiers", []),
        license=config["archive"].get("license"),
        data_license=config["archive"].get("data_license", "CC-BY-4.0"),
        repository=config["archive"].get("repository"),
        effective_config={k: v for k, v in config.items() if k not in _DEPOSIT_KEYS},
    script:
        "../scripts/archive.py"


rule zenodo_upload:
    """Deposit results/archive/ on Zenodo (sandbox by default); never part of `all`.

    Resumes from results/zenodo/deposition.json after any failure; publishes only with
    zenodo.publish: true. Token: ZENODO_SANDBOX_TOKEN (sandbox) or ZENODO_TOKEN.
    """
    input:
        **ARCHIVE,
        library=lib("zenodo"),
    output:
        receipt="results/zenodo/upload.json",
    log:
        "results/logs/zenodo_upload.log",
    benchmark:
        "results/benchmarks/zenodo_upload.tsv"
    localrule: True
    conda:
        "../environment.yml"
    params:
        state="results/zenodo/deposition.json",
        host=config["zenodo"]["host"],
        api=_zenodo_api_base(config["zenodo"]["host"], config.get("zenodo_api")),
        publish=config["zenodo"]["publish"],
        record=config["zenodo"].get("record"),
        synthetic=config["synthetic"],
        user_agent=config["zenodo"].get("user_agent"),
        retry=config["zenodo"].get("retry", {}),
    script:
        "../scripts/zenodo_upload.py"


rule zenodo_fetch:
    """Download the files of a published record (zenodo.fetch) into data/raw/zenodo-<id>/,
    verifying each MD5 and resuming partial downloads."""
    input:
        library=lib("zenodo"),
    output:
        receipt=f"results/zenodo/fetch-{_fetch_id()}.json",
    log:
        "results/logs/zenodo_fetch.log",
    benchmark:
        "results/benchmarks/zenodo_fetch.tsv"
    localrule: True
    conda:
        "../environment.yml"
    params:
        record=config["zenodo"].get("fetch"),
        dest=f"data/raw/zenodo-{_fetch_id()}",
        api=_zenodo_api_base(
            config["zenodo"].get("fetch_host", "production"), config.get("zenodo_api")
        ),
        user_agent=config["zenodo"].get("user_agent"),
        retry=config["zenodo"].get("retry", {}),
    script:
        "../scripts/zenodo_fetch.py"
