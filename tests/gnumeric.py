"""Gnumeric (`ssconvert --recalc`) as a second real spreadsheet engine for the tests:
it recalculates every formula on load, and prints conditional formats to PDF."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path


def ssconvert() -> str | None:
    return shutil.which("ssconvert")


class Gnumeric:
    def __init__(self):
        exe = ssconvert()
        if exe is None:
            raise RuntimeError("Gnumeric (ssconvert) is not installed; .ci/run installs the Debian package gnumeric")
        self.exe = exe

    def convert(self, files: list[Path], fmt: str, outdir: Path, timeout: int = 120, sheet: str | None = None) -> list[Path]:
        """Recalculate each file and save it as `fmt` ('xlsx', or 'pdf' of one `sheet`) in outdir."""
        outdir.mkdir(parents=True, exist_ok=True)
        out = []
        for f in files:
            target = outdir / (Path(f).stem + "." + fmt)
            cmd = [self.exe, "--recalc"]
            if fmt == "pdf":
                cmd += ["-T", "Gnumeric_pdf:pdf_assistant"] + (["-O", f"sheet={sheet}"] if sheet else [])
            proc = subprocess.run([*cmd, str(f), str(target)], capture_output=True, text=True, timeout=timeout)
            if proc.returncode != 0 or not target.exists():
                raise RuntimeError(f"Gnumeric failed ({proc.returncode}) on {f}: {proc.stderr[-2000:]}")
            out.append(target)
        return out
