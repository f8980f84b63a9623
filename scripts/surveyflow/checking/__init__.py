"""Stage check and clean: schemas of the tables, lazy validation, free-text parsers, cleaning."""
