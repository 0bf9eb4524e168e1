"""The running application: the root builds the transports that are configured, one HTTP server
where each webhook transport adds its route, and the job runner; then runs the roles asked for.

- `python -m bot` (with a messenger's token): both roles in one process.
- `python -m bot serve`: transports only. Start as many as you like behind webhooks on
  PostgreSQL: each update is handled once (the core's dedupe) and none of them runs jobs.
- `python -m bot jobs`: the scheduler and the outbox only. On PostgreSQL one `jobs` process
  acts at a time however many are started; the others wait and take over if it dies
  (jobs/runner.py).

Adding a messenger is one folder under bot/ whose `edge_for(app)` returns an `Edge` (or None
when its settings are absent) and one line in `EDGES`.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Callable
from contextlib import suppress
from typing import Protocol

from aiohttp import web

from bot.app import App, warm_up
from bot.lifecycle import InFlight, Shutdown
from db.enums import Messenger
from jobs.runner import run_jobs
from messages import texts
from messages.port import Port

log = logging.getLogger(__name__)

SERVE, JOBS = "serve", "jobs"


class MisConfigured(Exception):
    """Settings of a messenger that cannot work; the message is the Russian text to print."""


class Edge(Protocol):
    """A transport as the root runs it; it is also that messenger's outgoing port."""

    messenger: Messenger

    @property
    def port(self) -> Port: ...

    async def start(self, routes: web.Application) -> None:
        """Take updates: add a webhook route to `routes` (served once every edge has started),
        or start polling in the background."""

    async def listening(self) -> None:
        """The HTTP server is up: a webhook edge registers its URL with the messenger now."""

    def running(self) -> asyncio.Task[None] | None:
        """A background loop (polling) whose end on its own stops the process, or None."""

    def stop_taking_work(self) -> None: ...

    async def drained(self, timeout: float) -> bool:  # noqa: ASYNC109 (the shutdown deadline)
        """Finish what is in hand within `timeout`; False if something was cut short."""

    async def close(self) -> None: ...


class BackgroundPolling:
    """What the edges share about taking updates: by a webhook route, where a stop waits out the
    requests in hand (`inflight`), or by a polling task, which finishes its own work when asked
    to stop and whose end on its own (an error) stops the process."""

    inflight: InFlight
    polling: asyncio.Task[None] | None = None

    def running(self) -> asyncio.Task[None] | None:
        return self.polling

    async def drained(self, timeout: float) -> bool:  # noqa: ASYNC109 (the shutdown deadline)
        if self.polling is None:
            return await self.inflight.drained(timeout)
        done, _ = await asyncio.wait({self.polling}, timeout=timeout)
        return bool(done)

    async def stop_polling(self) -> None:
        """Cut the polling short if it has not ended by itself (the deadline passed)."""
        if self.polling is not None and not self.polling.done():
            self.polling.cancel()
            with suppress(asyncio.CancelledError, Exception):
                await self.polling


def _telegram(app: App) -> Edge | None:
    if not app.settings.has_telegram:
        return None
    from bot.telegram.run import TelegramEdge

    return TelegramEdge.from_app(app)


def _vk(app: App) -> Edge | None:
    if not app.settings.has_vk:
        return None
    from bot.vk.run import VkEdge

    return VkEdge.from_app(app)


def _max(app: App) -> Edge | None:
    if not app.settings.has_max:
        return None
    from bot.max.run import MaxEdge

    return MaxEdge.from_app(app)


# Each messenger's builder; it imports its messenger library only when it is configured.
EDGES: tuple[Callable[[App], Edge | None], ...] = (_telegram, _vk, _max)


def configured_edges(app: App) -> list[Edge]:
    edges = [edge for build in EDGES if (edge := build(app)) is not None]
    for edge in edges:  # link codes get each messenger's one-tap link
        app.services.links[edge.messenger] = edge.port.deep_link
    return edges


async def run_roles(app: App, roles: frozenset[str], shutdown: Shutdown | None = None) -> int:
    """Run the roles until SIGTERM/SIGINT (or `shutdown.request()`); what is in hand is finished
    within the shutdown's deadline."""
    try:
        edges = configured_edges(app)
    except MisConfigured as problem:
        print(problem, file=sys.stderr)
        return 2
    if not edges:  # nothing to serve, and notices would have nowhere to go
        print(texts.CLI_NOTHING_TO_SERVE, file=sys.stderr)
        return 2
    shutdown = shutdown or Shutdown()
    shutdown.install()
    server: web.AppRunner | None = None
    stop_jobs = asyncio.Event()
    jobs: asyncio.Task[None] | None = None
    try:
        if JOBS in roles:
            ports = {edge.messenger: edge.port for edge in edges}
            jobs = asyncio.create_task(run_jobs(app.db, ports, app.services.clock, stop_jobs))
            print(texts.CLI_JOBS_STARTED, file=sys.stderr)
        if SERVE in roles:
            await warm_up(app)
            routes = web.Application()
            try:
                for edge in edges:
                    await edge.start(routes)
            except MisConfigured as problem:
                print(problem, file=sys.stderr)
                return 2
            if routes.router.routes():
                server = await _listen(app, routes)
                for edge in edges:
                    await edge.listening()
        stopped = asyncio.ensure_future(shutdown.wait())
        waiting: set[asyncio.Future[None]] = {stopped}
        if jobs is not None:
            waiting.add(jobs)
        waiting |= {task for edge in edges if (task := edge.running()) is not None}
        await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
        stopped.cancel()
        for task in waiting - {stopped}:
            if task.done():
                task.result()  # a loop ended on its own: an error to report
        if SERVE in roles:
            for edge in edges:
                edge.stop_taking_work()  # polling asks for nothing more, webhooks answer 503
            for edge in edges:
                if not await edge.drained(shutdown.deadline):
                    log.error("stopping: the deadline passed with updates in hand")
        return 0
    finally:
        shutdown.uninstall()
        stop_jobs.set()
        if jobs is not None:
            with suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(jobs, shutdown.deadline + 5)
        if server is not None:
            await server.cleanup()
        for edge in edges:
            await edge.close()


async def _listen(app: App, routes: web.Application) -> web.AppRunner:
    settings = app.settings
    server = web.AppRunner(routes, shutdown_timeout=1.0)
    await server.setup()
    site = web.TCPSite(server, settings.webhook_listen_host, settings.webhook_listen_port)
    await site.start()
    return server
