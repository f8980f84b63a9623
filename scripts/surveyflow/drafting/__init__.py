"""The draft of a config from an export (a side path of the read stage): infer, then write YAML."""
