"""Stage estimate: bootstrap, analyses, subgroups, the reproduction check, qualitative coding."""
