"""Stage draw and report: figures by kind, their style and fonts, captions, the report's HTML."""
