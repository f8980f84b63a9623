# The archive bundle (results/archive/), its Zenodo deposit and the fetch of a published
# record. Config: config/archive.yaml. The Zenodo token never passes through here: the
# scripts read it from the environment.
from surveyflow.publishing.zenodo_hosts import api_base as zenodo_api_base
from surveyflow.publishing.zenodo_hosts import fetch_dir_id

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
# The report is archived once `snakemake --report` has written it (run, report, archive).
_REPORT = config["archive"].get("report")
# The fetched record's id names its folder; a bad zenodo.fetch is reported by zenodo_fetch.
_FETCH_ID = fetch_dir_id(config["zenodo"].get("fetch"))


rule archive:
    """The folder to deposit: zips of data, config, results and environment, README,
    CITATION.cff, .zenodo.json (describing config `study:` and the run) and a manifest
    (size, SHA-256, MD5) of every file.

    Only the columns named in archive.columns go in; free text is scanned for e-mail
    addresses (redacted), phone numbers, IP addresses and URLs (the build stops with a list
    of respondent, column and kind, never the value).
    """
    input:
        unpack(archive_files),
        questions=QUESTIONS_FILE,
        citation=config["archive"].get("citation", "CITATION.cff"),
        environment=["requirements.txt", "environment.yml"],
        code=job_code("archive"),
    output:
        **ARCHIVE,
    log:
        "results/logs/archive.log",
    benchmark:
        "results/benchmarks/archive.tsv"
    threads: 1
    resources:
        mem_mb=mem_mb(400, 3),
        runtime=runtime_min(10, 0.1),
    params:
        roles=archive_roles,
        questions_schema=QUESTIONS_SCHEMA,
        columns=config["archive"]["columns"],
        redact=config["archive"].get("redact", ["email"]),
        allow=config["archive"].get("allow", []),
        synthetic=config["synthetic"],
        # The deposit describes the study (config `study:`) with the run's N and countries.
        study=config["study"],
        country_column=QUESTIONS[COUNTRY_QUESTION].column if COUNTRY_QUESTION else None,
        reproduction=bool(config.get("paper_reference")),
        related_identifiers=config["archive"].get("related_identifiers", []),
        license=config["archive"].get("license"),
        data_license=config["archive"].get("data_license") or config["study"]["license"],
        repository=config["archive"].get("repository"),
        effective_config=results_config(),
    run:
        run_job(rule, input, output, params, wildcards, log)


rule zenodo_upload:
    """Deposit results/archive/ on Zenodo (sandbox by default); never part of `all`.

    Resumes from results/zenodo/deposition.json after any failure; publishes only with
    zenodo.publish: true. Token: ZENODO_SANDBOX_TOKEN (sandbox) or ZENODO_TOKEN.
    """
    input:
        **ARCHIVE,
        code=job_code("zenodo_upload"),
    output:
        receipt="results/zenodo/upload.json",
    log:
        "results/logs/zenodo_upload.log",
    benchmark:
        "results/benchmarks/zenodo_upload.tsv"
    localrule: True
    threads: 1
    resources:
        mem_mb=mem_mb(400, 3),
        runtime=runtime_min(10, 0.1),
    params:
        state="results/zenodo/deposition.json",
        host=config["zenodo"]["host"],
        api=zenodo_api_base(config["zenodo"]["host"], config.get("zenodo_api")),
        publish=config["zenodo"]["publish"],
        record=config["zenodo"].get("record"),
        synthetic=config["synthetic"],
        user_agent=config["zenodo"].get("user_agent"),
        retry=config["zenodo"].get("retry", {}),
    run:
        run_job(rule, input, output, params, wildcards, log)


rule zenodo_fetch:
    """Download the files of a published record (zenodo.fetch) into data/fetched/zenodo-<id>/,
    verifying each MD5 and resuming partial downloads."""
    input:
        code=job_code("zenodo_fetch"),
    output:
        receipt=f"results/zenodo/fetch-{_FETCH_ID}.json",
    log:
        "results/logs/zenodo_fetch.log",
    benchmark:
        "results/benchmarks/zenodo_fetch.tsv"
    localrule: True
    threads: 1
    resources:
        mem_mb=mem_mb(400, 3),
        runtime=runtime_min(10, 0.1),
    params:
        record=config["zenodo"].get("fetch"),
        dest=f"data/fetched/zenodo-{_FETCH_ID}",
        api=zenodo_api_base(
            config["zenodo"].get("fetch_host", "production"), config.get("zenodo_api")
        ),
        user_agent=config["zenodo"].get("user_agent"),
        retry=config["zenodo"].get("retry", {}),
    run:
        run_job(rule, input, output, params, wildcards, log)
