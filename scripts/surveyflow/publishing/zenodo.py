"""Zenodo client: deposit the archive bundle, resumably and verified; fetch a published record.

The public names of the modules that do the work, in one place:

- `zenodo_hosts`: addresses (sandbox or production decided by the address), tokens from the
  environment, record ids; no HTTP (rules/archive.smk imports it while parsing);
- `zenodo_http`: the HTTP client and its retry rules (429/5xx/dropped connections, Retry-After);
- `zenodo_bundle`: the bundle's files against its manifest, the creators as Zenodo reads them;
- `zenodo_records`, `zenodo_deposit`: the deposition (create, resume, upload, verify, publish,
  new versions);
- `zenodo_fetch`: the download of a published record.

The two Zenodo jobs import this module; the archive job (the bundle) never does, so it runs
without the HTTP client. What these modules assume about Zenodo's REST API (hosts, tokens,
calls, versions, errors): see docs/zenodo-api.md.
"""

from surveyflow.publishing.deposit_texts import MAX_FILES, SYNTHETIC_MARK, file_digests
from surveyflow.publishing.zenodo_bundle import (
    LocalFile,
    bundle_files,
    is_synthetic_metadata,
    read_manifest,
)
from surveyflow.publishing.zenodo_deposit import Uploader, upload_bundle
from surveyflow.publishing.zenodo_fetch import fetch_record
from surveyflow.publishing.zenodo_hosts import (
    HOSTS,
    TOKEN_ENV,
    WEB,
    ZenodoError,
    api_base,
    deposit_target,
    fetch_dir_id,
    read_token,
    record_id,
)
from surveyflow.publishing.zenodo_http import DEFAULT_USER_AGENT, Reply, RetryPolicy, ZenodoClient

__all__ = [
    "DEFAULT_USER_AGENT",
    "HOSTS",
    "MAX_FILES",
    "SYNTHETIC_MARK",
    "TOKEN_ENV",
    "WEB",
    "LocalFile",
    "Reply",
    "RetryPolicy",
    "Uploader",
    "ZenodoClient",
    "ZenodoError",
    "api_base",
    "bundle_files",
    "deposit_target",
    "fetch_dir_id",
    "fetch_record",
    "file_digests",
    "is_synthetic_metadata",
    "read_manifest",
    "read_token",
    "record_id",
    "upload_bundle",
]
