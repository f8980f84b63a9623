"""Stage draw and report: the figures by kind, their style and fonts, captions, the report's HTML."""
