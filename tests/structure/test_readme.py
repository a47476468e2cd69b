"""The README's promises stay true: CI runs its test command."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("```bash", 1)[1].split("```", 1)[0]
    return [line for line in block.splitlines() if line and not line.startswith("#")]


def test_readme_starts_with_two_commands():
    main, tests = _commands()
    assert "scripts/setup.sh" in main and "xlsx-tools" in main
    assert "scripts/setup.sh --test" in tests and "pytest" in tests
    assert tests.index("ruff check") < tests.index("ruff format --check") < tests.index("pytest")  # lint before the tests


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert _commands()[1] in ci.splitlines()
