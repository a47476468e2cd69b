"""The bad-input corpus (badfiles.py): each file gets its own Chinese message naming
the file (and the cell where there is one); nothing crashes; bombs stay bounded."""

from __future__ import annotations

import hashlib
import os
import re
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from badfiles import BOMB_BYTES, build
from conftest import EDU, MACRO_MARKER
from oletools.olevba import VBA_Parser

from xlsx_tools.check.validate import validate_file

CASES = build(Path("/nonexistent"), None, make=False)
NAMES = [c.name for c in CASES]
MADE_BY_LO = {c.name for c in CASES if c.lo}


@pytest.fixture(scope="session")
def corpus(tmp_path_factory) -> dict:
    """The cases made without LibreOffice."""
    return {c.name: c for c in build(tmp_path_factory.mktemp("badfiles"), None)}


@pytest.fixture(scope="session")
def lo_corpus(tmp_path_factory, lo_files) -> dict:
    """The cases LibreOffice makes (inserting rows, deleting a sheet, saving a macro)."""
    return {c.name: c for c in build(tmp_path_factory.mktemp("badfiles-lo"), lo_files) if c.lo}


def test_corpus_has_at_least_30_distinct_files(corpus):
    assert len(NAMES) == len(set(NAMES)) >= 30
    digests = set()
    for case in corpus.values():
        path = Path(os.fsdecode(case.path))
        if path.is_file() and not path.is_symlink() and path.stat().st_size < 50 * 2**20:
            digests.add(hashlib.sha256(path.read_bytes()).hexdigest())
    assert len(digests) >= 30


@pytest.mark.parametrize("name", [pytest.param(n, marks=pytest.mark.libreoffice) if n in MADE_BY_LO else n for n in NAMES])
def test_each_bad_file_gets_its_own_message(request, name):
    case = request.getfixturevalue("lo_corpus" if name in MADE_BY_LO else "corpus")[name]
    result = validate_file(case.path)
    assert result.readable == case.readable
    if case.rule is None:  # readable and clean
        assert result.findings == [] and result.ok
        return
    hits = [f for f in result.findings if f.rule == case.rule]
    assert hits, [(f.rule, f.message) for f in result.findings]
    f = hits[0]
    if isinstance(case.message, re.Pattern):
        assert case.message.search(f.message), f.message
    else:
        assert f.message == case.message
    if not case.readable:
        assert result.findings == [f]
        assert f.message.startswith(result.file.rsplit("/", 1)[-1] + "：")  # the file is named
    if case.where is not None:
        assert f.where[: len(case.where)] == case.where


def test_the_macro_workbook_really_has_a_macro_and_it_never_runs(lo_corpus, tmp_path, monkeypatch):
    path = lo_corpus["workbook with macros (never run)"].path
    macros = [code for (_, _, _, code) in VBA_Parser(str(path)).extract_macros()]
    assert any("Sub Auto_Open()" in code for code in macros)
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    result = validate_file(path)
    assert result.ok and result.agency == "示例县教育局"
    assert not (tmp_path / MACRO_MARKER).exists()


def test_a_good_file_with_a_gbk_name_is_read_and_named(tmp_path):
    raw = os.fsencode(tmp_path) + b"/" + "示例县教育局报告.xlsx".encode("gbk")
    with open(raw, "wb") as fh:
        fh.write(EDU.read_bytes())
    result = validate_file(raw)
    assert result.ok and result.file.endswith("/示例县教育局报告.xlsx")
    assert result.to_json()["file"].endswith("示例县教育局报告.xlsx")


def test_unreadable_permissions(tmp_path):
    """chmod 000: a clear message — except for root, who may read anything; then the file
    is simply validated (there is no way to make a file unreadable to root)."""
    path = tmp_path / "无权限.xlsx"
    shutil.copy(EDU, path)
    path.chmod(0)
    try:
        result = validate_file(path)
        if os.geteuid() == 0:
            assert result.ok
        else:
            assert [f.message for f in result.findings] == ["无权限.xlsx：没有读取权限"]
    finally:
        path.chmod(0o644)


def _limit_memory():
    resource.setrlimit(resource.RLIMIT_AS, (1536 * 2**20, 1536 * 2**20))


@pytest.mark.parametrize(
    "name",
    ["zip bomb", "zip member understating its size", "zip member inflating beyond its stated size", "billion laughs in shared strings"],
)
def test_bombs_stay_bounded_in_memory_and_time(corpus, name):
    """Validated in a fresh process limited to 1.5 GB of address space: refused within
    seconds, peak memory far below what the file would inflate to."""
    path = corpus[name].path
    assert os.path.getsize(path) < 10 * 2**20  # tiny on disk
    code = (
        "import resource, sys, time\n"
        "start = time.perf_counter()\n"
        "from xlsx_tools.check.validate import validate_file\n"
        "r = validate_file(sys.argv[1])\n"
        "print(r.findings[0].message)\n"
        "print(time.perf_counter() - start)\n"
        # the peak of this process image (VmHWM, KiB): ru_maxrss would carry the forking parent's size over exec
        "print(next(int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmHWM')))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=60, preexec_fn=_limit_memory)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    message, elapsed, peak_kib = proc.stdout.splitlines()
    assert "拒绝读取" in message
    assert float(elapsed) < 3
    peak_mb = int(peak_kib) / 1024
    assert peak_mb < 150, peak_mb
    assert 8 * peak_mb < BOMB_BYTES / 2**20


def test_the_cli_never_shows_a_traceback(corpus):
    paths = [os.fsdecode(c.path) for c in corpus.values()]
    proc = subprocess.run([sys.executable, "-m", "xlsx_tools.cli", "validate", *paths], capture_output=True, timeout=300)
    assert proc.returncode == 2  # some inputs are unreadable
    assert proc.stderr == b""
    out = proc.stdout.decode("utf-8")
    assert "Traceback" not in out
    for case in corpus.values():
        assert Path(os.fsdecode(case.path)).name in out or "教育局报告.xlsx" in out


def test_random_damage_never_crashes(tmp_path):
    """Bytes flipped, files cut short, sheet XML mangled: always a Result, never an exception."""
    import random
    import zipfile

    from workbooks import replace_members, sheet_part

    rng = random.Random(2026)
    good = EDU.read_bytes()
    part = sheet_part(good, "表三")
    sheet = zipfile.ZipFile(EDU).read(part)
    damaged = []
    for _ in range(60):
        data = bytearray(good)
        for _ in range(rng.randint(1, 20)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        damaged.append(bytes(data))
        damaged.append(good[: rng.randrange(len(good))])
        cut = rng.randrange(len(sheet))
        junk = bytes(rng.choice(b'<>/="& \x00\xffabc#REF!') for _ in range(rng.randint(1, 40)))
        damaged.append(replace_members(good, {part: sheet[:cut] + junk + sheet[cut:]}))
    for k, data in enumerate(damaged):
        path = tmp_path / f"damaged-{k}.xlsx"
        path.write_bytes(data)
        result = validate_file(path)
        assert result.findings or result.ok
        assert all(f.message and f.rule for f in result.findings)
        if not result.readable:
            assert result.findings[0].message.startswith(f"damaged-{k}.xlsx：")
