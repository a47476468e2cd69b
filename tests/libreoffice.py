"""Headless LibreOffice as a real spreadsheet engine for the tests.

LibreOffice trusts the cached values in an .xlsx and does not recalculate on load;
the profile written here sets OOXMLRecalcMode=0 (always recalculate), so converting
a workbook to .xlsx (or .pdf) through it yields the values LibreOffice computes.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

PROFILE_XCU = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


class LibreOffice:
    def __init__(self, profile: Path):
        exe = soffice()
        if exe is None:
            raise RuntimeError("LibreOffice (soffice) is not installed; .ci/run installs libreoffice-calc-nogui")
        self.exe = exe
        self.profile = profile
        user = profile / "user"
        user.mkdir(parents=True, exist_ok=True)
        (user / "registrymodifications.xcu").write_text(PROFILE_XCU, encoding="utf-8")

    def convert(self, files: list[Path], fmt: str, outdir: Path, timeout: int = 300) -> list[Path]:
        """Convert files (recalculating them) to `fmt` ('xlsx', 'pdf', 'ods' …) in outdir."""
        outdir.mkdir(parents=True, exist_ok=True)
        cmd = [
            self.exe,
            f"-env:UserInstallation=file://{self.profile}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            fmt,
            "--outdir",
            str(outdir),
            *map(str, files),
        ]
        env = dict(os.environ, HOME=str(self.profile))
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
        ext = fmt.split(":")[0]
        out = [outdir / (Path(f).stem + "." + ext) for f in files]
        missing = [p for p in out if not p.exists()]
        if proc.returncode != 0 or missing:
            raise RuntimeError(f"LibreOffice failed ({proc.returncode}): {proc.stdout}\n{proc.stderr}\nmissing: {missing}")
        return out
