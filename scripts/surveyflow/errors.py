"""One exception type for bad input, so entry points can report it without a traceback."""

from __future__ import annotations


class InputError(Exception):
    """Bad input the user can fix: the message names the file (and row/column) and what to do."""

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        row: int | None = None,
        column: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.path = path
        self.row = row
        self.column = column
        self.hint = hint
        where = []
        if path is not None:
            where.append(f"file {path}")
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column {column!r}")
        text = (", ".join(where) + ": " if where else "") + message
        if hint:
            # A message ending without a full stop still reads as its own sentence.
            text += "" if text.rstrip().endswith((".", "!", "?", ")")) else "."
            text += f" What to do: {hint}"
        super().__init__(text)
