"""Where and on what a bench ran: the commit (read from .git, no git command) and the machine."""

from __future__ import annotations

import os
import platform
import sqlite3
import sys
from pathlib import Path

import numpy
import rapidfuzz

ROOT = Path(__file__).resolve().parents[2]


def _git_dir(root: Path) -> Path | None:
    dot_git = root / ".git"
    if dot_git.is_file():  # a worktree: «gitdir: …»
        target = dot_git.read_text(encoding="utf-8").partition("gitdir:")[2].strip()
        return (root / target).resolve()
    return dot_git if dot_git.is_dir() else None


def git_commit(root: Path = ROOT) -> str:
    """The checked-out commit and branch, e.g. «1a2b3c4d5e6f (main)»; «unknown» without .git."""
    git = _git_dir(root)
    if git is None or not (git / "HEAD").exists():
        return "unknown"
    head = (git / "HEAD").read_text(encoding="utf-8").strip()
    if not head.startswith("ref:"):
        return head[:12]
    ref = head.partition("ref:")[2].strip()
    branch = ref.removeprefix("refs/heads/")
    common = git
    if (git / "commondir").exists():
        common = (git / (git / "commondir").read_text(encoding="utf-8").strip()).resolve()
    for folder in (git, common):
        loose = folder / ref
        if loose.exists():
            return f"{loose.read_text(encoding='utf-8').strip()[:12]} ({branch})"
        packed = folder / "packed-refs"
        if packed.exists():
            for line in packed.read_text(encoding="utf-8").splitlines():
                if line.endswith(" " + ref):
                    return f"{line.split()[0][:12]} ({branch})"
    return f"no commits yet ({branch})"


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.partition(":")[2].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def _memory_gib() -> float:
    try:
        with open("/proc/meminfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return float("nan")


def machine() -> dict[str, object]:
    return {
        "cores": os.cpu_count(),
        "cpu": _cpu_model(),
        "memory_gib": round(_memory_gib(), 1),
        "os": f"{platform.system()} {platform.release()}",
        "python": sys.version.split()[0],
        "sqlite": sqlite3.sqlite_version,
        "rapidfuzz": rapidfuzz.__version__,
        "numpy": numpy.__version__,
    }
