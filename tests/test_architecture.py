"""The layering contract (pyproject.toml, [tool.importlinter]) holds, and breaking it fails.

import-linter reads the contracts: only `bot/` imports messenger libraries; `handlers/`, `jobs/`,
`messages/` and `db/` never import `bot/`; `jobs/` and `handlers/` never import each other;
`nlu/` imports nothing of ours.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("bot", "handlers", "jobs", "messages", "db", "nlu")


def _lint(where: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(where)}
    return subprocess.run(
        [sys.executable, "-c", "import sys; from importlinter.cli import lint_imports_command;"
         " sys.exit(lint_imports_command())"],
        cwd=where, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def test_the_project_keeps_its_layers() -> None:
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        ("jobs/intruder.py", "import handlers.dispatcher\n", "Data flows one way"),
        ("db/intruder.py", "import bot.app\n", "Data flows one way"),
        ("nlu/intruder.py", "import db.models\n", "Data flows one way"),
        ("handlers/intruder.py", "import aiogram\n", "Only bot/ speaks to messengers"),
        ("messages/intruder.py", "import vk_api\n", "Only bot/ speaks to messengers"),
    ],
)
def test_an_import_across_the_layers_fails(
    tmp_path: Path, module: str, line: str, broken: str
) -> None:
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    (tmp_path / module).write_text(line)
    result = _lint(tmp_path)
    assert result.returncode != 0
    assert f"{broken}" in result.stdout
    assert "BROKEN" in result.stdout
