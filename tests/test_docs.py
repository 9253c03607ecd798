"""Docs and code must agree: a command, option or folder that one names and the other lacks is a defect."""

from __future__ import annotations

import re

import typer.main
from conftest import ROOT

from watchfloor.cli.main import app

README = (ROOT / "README.md").read_text(encoding="utf-8")
ARCHITECTURE = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")


def cli_commands() -> set[str]:
    group = typer.main.get_command(app)
    names = set(group.commands)  # type: ignore[attr-defined]
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        for sub in getattr(command, "commands", {}):
            names.add(f"{name} {sub}")
    return names


def test_every_command_is_documented_in_the_readme() -> None:
    documented = set(re.findall(r"`watchfloor ([a-z]+(?: [a-z]+)?)", README))
    missing = {c for c in cli_commands() if c not in documented and c.split()[0] not in {"kb"}}
    missing |= {c for c in cli_commands() if c.startswith("kb ") and c not in documented}
    assert not missing, f"commands missing from README.md: {sorted(missing)}"


def test_every_command_the_readme_names_exists() -> None:
    commands = cli_commands()
    named = set(re.findall(r"`watchfloor ([a-z]+)", README))
    unknown = {c for c in named if c not in commands}
    assert not unknown, f"README.md names commands that do not exist: {sorted(unknown)}"


def test_quickstart_is_exactly_the_two_make_commands() -> None:
    quickstart = README.split("## Quickstart", 1)[1].split("##", 1)[0]
    block = re.search(r"```\n(.*?)```", quickstart, re.S)
    assert block and block.group(1).split("\n")[:-1] == ["make demo", "make test"]


def test_architecture_names_every_package_folder() -> None:
    folders = sorted(p.name for p in (ROOT / "watchfloor").iterdir() if p.is_dir() and (p / "__init__.py").exists())
    missing = [f for f in folders if f"`{f}/" not in ARCHITECTURE]
    assert not missing, f"ARCHITECTURE.md does not say where these live: {missing}"


def test_every_migration_is_numbered_and_the_readme_names_the_tables() -> None:
    tables = set()
    for path in sorted((ROOT / "watchfloor" / "store" / "migrations").glob("*.sql")):
        sql = path.read_text(encoding="utf-8")
        tables |= set(re.findall(r"CREATE (?:VIRTUAL )?TABLE (?:IF NOT EXISTS )?(\w+)", sql))
        for old, new in re.findall(r"ALTER TABLE (\w+) RENAME TO (\w+)", sql):
            tables = (tables - {old}) | {new}
        tables -= set(re.findall(r"DROP TABLE (?:IF EXISTS )?(\w+)", sql)) - set(re.findall(r"RENAME TO (\w+)", sql))
    missing = sorted(t for t in tables if f"`{t}`" not in README and not t.endswith("_fts"))
    assert not missing, f"README.md 'What it stores' does not mention tables: {missing}"
