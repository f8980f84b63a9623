"""Stage estimate: the bootstrap, the analyses, subgroups, the reproduction check, qualitative coding."""
