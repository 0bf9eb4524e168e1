"""`python -m bot [ROLE]` in a subprocess, as tests of restarts and process roles start it: its
stderr collected line by line, stopped by a signal."""

from __future__ import annotations

import asyncio
import signal
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


class BotProcess:
    def __init__(self, name: str, process: asyncio.subprocess.Process) -> None:
        self.name = name  # the role, for a failing test's log
        self.process = process
        self.log: list[str] = []
        self._reader = asyncio.create_task(self._read())

    @classmethod
    async def start(cls, env: dict[str, str], *args: str, root: Path = ROOT) -> BotProcess:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", *args, cwd=root, env=env,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        return cls(" ".join(args) or "bot", process)

    async def _read(self) -> None:
        assert self.process.stderr is not None
        async for line in self.process.stderr:
            self.log.append(line.decode(errors="replace"))

    def logged(self, fragment: str) -> bool:
        return self.count(fragment) > 0

    def count(self, fragment: str) -> int:
        return sum(fragment in line for line in self.log)

    async def stop(self, how: int = signal.SIGTERM) -> int:
        if self.process.returncode is None:
            self.process.send_signal(how)
        code = await asyncio.wait_for(self.process.wait(), 60)
        await asyncio.wait_for(self._reader, 10)
        return code
