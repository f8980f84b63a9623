"""Stage publish: the archive bundle, its texts, and Zenodo (transport, deposition, fetch)."""
