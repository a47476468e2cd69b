from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
sys.path.insert(0, str(Path(__file__).resolve().parent))

from libreoffice import LibreOffice  # noqa: E402


@pytest.fixture(scope="session")
def libreoffice(tmp_path_factory) -> LibreOffice:
    return LibreOffice(tmp_path_factory.mktemp("lo-profile"))


@pytest.fixture(scope="session")
def example_workbooks() -> list[Path]:
    return sorted(EXAMPLES.glob("*.xlsx"))
