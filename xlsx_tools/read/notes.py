"""The explanations (说明) staff wrote for warnings, read from the form's notes sheet.

The sheet is not protected (staff type in it, the 校验 button lists each warning in it),
so its header row is looked for by its labels in the first rows rather than trusted to
be where the template put it; each row below it with a rule and an explanation is a
`Note`. A workbook without the sheet has no notes. Reading it costs one small sheet.
"""

from __future__ import annotations

from ..form import FormSpec
from ..report import Note
from ..values import label_key, normalise_text

HEADER_SEARCH = 10  # rows searched for the header
MAX_NOTES = 1000  # rows read below it (a report has a few dozen warnings at most)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def header_row(spec: FormSpec, rows: list[list]) -> tuple[int, dict[str, int]] | None:
    """(row index, column of each note key) of the header row, or None."""
    layout = spec.layout
    wanted = {label_key(text): key for key, text in layout.note_columns}
    for r, row in enumerate(rows[:HEADER_SEARCH]):
        cols = {}
        for c, value in enumerate(row):
            key = wanted.get(label_key(_text(value))) if isinstance(value, str) else None
            if key is not None and key not in cols:
                cols[key] = c
        if "rule" in cols and "text" in cols:
            return r, cols
    return None


class LazyNotes(list):
    """The notes of a workbook, read from it the first time they are looked at: most
    reports have no warning to explain, and reading the sheet would cost a sixth of
    reading the whole report (0.35 of ~2 ms)."""

    def __init__(self, load):
        super().__init__()
        self._load = load

    def _fill(self) -> None:
        if self._load is not None:
            load, self._load = self._load, None
            super().extend(load())

    def __iter__(self):
        self._fill()
        return super().__iter__()

    def __len__(self) -> int:
        self._fill()
        return super().__len__()

    def __bool__(self) -> bool:
        self._fill()
        return super().__len__() > 0

    def __getitem__(self, i):
        self._fill()
        return super().__getitem__(i)

    def __eq__(self, other) -> bool:
        self._fill()
        return list(super().__iter__()) == list(other)

    def __repr__(self) -> str:
        self._fill()
        return super().__repr__()

    def __reduce__(self):  # pickled (sent to another process) as the plain list it is
        self._fill()
        return (list, (list(super().__iter__()),))


def lazy_notes(spec: FormSpec, src) -> list[Note]:
    """`read_notes(spec, src)`, deferred until the notes are first looked at."""
    return LazyNotes(lambda: read_notes(spec, src))


def read_notes(spec: FormSpec, src) -> list[Note]:
    """Every explanation in `src`'s notes sheet (none when it has no such sheet)."""
    layout = spec.layout
    rows_of = getattr(src, "rows", None)
    if not layout.notes or rows_of is None or layout.notes not in src.sheet_names():
        return []
    rows = rows_of(layout.notes)
    found = header_row(spec, rows)
    if found is None:
        return []
    top, cols = found
    notes = []
    for r in range(top + 1, min(len(rows), top + 1 + MAX_NOTES)):
        row = rows[r]

        def at(key: str, row=row) -> str:
            c = cols.get(key)
            return _text(row[c]) if c is not None and c < len(row) else ""

        rule, text = normalise_text(at("rule")).upper(), at("text")
        if rule or text:
            notes.append(Note(rule, at("where"), text, r + 1, at("message")))
    return notes
