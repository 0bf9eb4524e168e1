#!/usr/bin/env python3
"""Set-up and run in one step, on any machine with Python 3.11+.

    python3 dev.py run [ARGS…]   create .venv if needed, install, then `python -m bot ARGS…`
    python3 dev.py test [ARGS…]  the same, with test tools, then the whole test suite

The virtual environment is (re)installed only when pyproject.toml changes.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")


def ensure_environment(extras: str) -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - runs on whatever python3 a newcomer has
        sys.exit(f"Нужен Python 3.11 или новее, а запущен {sys.version.split()[0]}.")
    stamp = VENV / f".installed-{extras or 'base'}"
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == wanted and PYTHON.exists():
        return
    if not PYTHON.exists():
        print("Создаю виртуальное окружение .venv …", file=sys.stderr)
        venv.EnvBuilder(with_pip=True).create(VENV)
    print("Устанавливаю зависимости (один раз) …", file=sys.stderr)
    target = f".[{extras}]" if extras else "."
    subprocess.run(
        [str(PYTHON), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         "-e", target],
        cwd=ROOT,
        check=True,
    )  # fmt: skip
    stamp.write_text(wanted)


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("run", "test"):
        print(__doc__, file=sys.stderr)
        return 2
    command, rest = argv[0], argv[1:]
    if command == "run":
        ensure_environment("")
        return subprocess.call([str(PYTHON), "-m", "bot", *rest], cwd=ROOT)
    ensure_environment("test")
    return subprocess.call([str(PYTHON), "-m", "pytest", *rest], cwd=ROOT)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
