"""The statutory forms as data, and the registry of them by form ID.

`current()` is the national form in force (GK-2021); `get(form_id)` any registered
one. Registering a form adds its own rules to the rule catalogue. Readers, rules, the
template builder and the merge take a `FormSpec` (defaulting to the current one);
nothing outside this package names a table, a row, a column, a sheet or a label.
"""

from __future__ import annotations

from ..findings import add_rules, remove_rules
from .checks import Check, Term
from .layout import Layout, Pos
from .spec import AMOUNT, CHOICE, COUNT, DATE, INTEGER, TEXT, Cell, FormSpec, Grid, Headline, MetaField, Node, Phrase, Section, Table

CURRENT = "GK-2021"
FORMS: dict[str, FormSpec] = {}


def register(spec: FormSpec) -> FormSpec:
    """Make a form known by its ID (readers then recognise its workbooks)."""
    if spec.id in FORMS and FORMS[spec.id] is not spec:
        raise ValueError(f"form {spec.id} is already registered")
    add_rules(spec.rules)
    FORMS[spec.id] = spec
    return spec


def unregister(form_id: str) -> None:
    """Forget a form (and its own rules)."""
    if form_id == CURRENT:
        raise ValueError("the current form cannot be unregistered")
    spec = FORMS.pop(form_id, None)
    if spec is not None:
        mine = {r.id for s in FORMS.values() for r in s.rules}
        remove_rules(r for r in spec.rules if r.id not in mine)


def get(form_id: str) -> FormSpec | None:
    """The registered form of that ID, or None."""
    return FORMS.get(form_id)


def current() -> FormSpec:
    """The national form in force."""
    return FORMS[CURRENT]


current_form = current  # the name the package exports


def spec_of(report) -> FormSpec:
    """The form a report is in (the current one when it names none that is known)."""
    return FORMS.get(getattr(report, "form", None) or CURRENT) or current()


def _load() -> None:
    from .gk2021 import SPEC

    register(SPEC)


_load()

__all__ = [
    "AMOUNT",
    "CHOICE",
    "COUNT",
    "CURRENT",
    "DATE",
    "FORMS",
    "INTEGER",
    "TEXT",
    "Cell",
    "Check",
    "FormSpec",
    "Grid",
    "Headline",
    "Layout",
    "MetaField",
    "Node",
    "Phrase",
    "Pos",
    "Section",
    "Table",
    "Term",
    "current",
    "current_form",
    "get",
    "register",
    "spec_of",
    "unregister",
]
