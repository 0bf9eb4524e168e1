"""`python -m bot report`: the chat's report on the head teacher's PC.

    python -m bot report --library school-1 --from 2026-09-01 --to 2026-12-31 --out report.xlsx
    python -m bot report --network --out network.xlsx
    python -m bot report --library school-1 --charts pictures/

The same figures, charts and spreadsheet as /report and /stats (db.reports, handlers.reports),
for a period given by dates (by default the school year so far, in the library's time zone).
Progress goes to stderr line by line, the files' paths to stdout; `--charts DIR` also writes
the pictures, and `overview.png`, the four of them on one page (the README's picture).
"""

from __future__ import annotations

import argparse
import asyncio
import io
import sys
from datetime import date
from functools import partial
from pathlib import Path

from PIL import Image
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import App
from db.clock import utcnow
from db.models import Library, Network
from db.people import library_by_code
from db.reports import library_report, network_report
from db.rules import local_today
from handlers.reports import library_files, network_files, school_year_start
from messages import texts
from messages.i18n import say
from messages.types import OutFile


def _progress(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


async def run_report(app: App, args: argparse.Namespace) -> int:
    now = utcnow()
    async with app.db.reading() as session:
        if args.library is not None:
            library = await library_by_code(session, args.library)
            if library is None:
                print(say(texts.CLI_UNKNOWN_LIBRARY, code=args.library), file=sys.stderr)
                return 2
            name, today = library.short_name, local_today(library, now)
        else:
            network = await _network(session, args.network)
            if network is None:
                print(texts.CLI_REPORT_NO_NETWORK, file=sys.stderr)
                return 2
            first = await session.scalar(
                select(Library).where(Library.network_id == network.id).order_by(Library.id)
            )
            name, today = network.name, local_today(first, now) if first else now.date()
        start, end = _period(args, today)
        if start > end:
            print(texts.CLI_REPORT_BAD_PERIOD, file=sys.stderr)
            return 2
        _progress(say(texts.CLI_REPORT_COUNTING, name=name, start=start, end=end))
        if args.library is not None:
            found = await library_report(session, library.id, start, end, now)
            draw = partial(library_files, found, library.code)
        else:
            whole = await network_report(session, network.id, start, end)
            draw = partial(network_files, whole, network.id)
    _progress(texts.CLI_REPORT_DRAWING)
    _write(await asyncio.to_thread(draw), args)
    _progress(texts.CLI_REPORT_DONE)
    return 0


def _period(args: argparse.Namespace, today: date) -> tuple[date, date]:
    end = args.end or today
    return args.start or school_year_start(end), end


async def _network(session: AsyncSession, number: int) -> Network | None:
    if number:
        return await session.get(Network, number)
    return await session.scalar(select(Network).order_by(Network.id))


def _write(files: list[OutFile], args: argparse.Namespace) -> None:
    """The spreadsheet where asked (or under its own name here), the charts into `--charts`."""
    book = next(f for f in files if f.kind == "document")
    out = args.out or Path(book.name)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(book.data)
    print(out)
    if args.charts is None:
        return
    args.charts.mkdir(parents=True, exist_ok=True)
    pictures = [f for f in files if f.kind == "photo"]
    for picture in pictures:
        path = args.charts / picture.name
        path.write_bytes(picture.data)
        print(path)
    overview = args.charts / "overview.png"
    overview.write_bytes(overview_png([p.data for p in pictures]))
    print(overview)


def overview_png(pictures: list[bytes]) -> bytes:
    """The charts on one page, two in a row, each at half its size."""
    images = [Image.open(io.BytesIO(data)).convert("RGB") for data in pictures]
    width, height = images[0].width // 2, images[0].height // 2
    rows = -(-len(images) // 2)
    sheet = Image.new("RGB", (width * 2, height * rows), "white")
    for n, image in enumerate(images):
        small = image.resize((width, height), Image.Resampling.LANCZOS)
        sheet.paste(small, ((n % 2) * width, (n // 2) * height))
    buffer = io.BytesIO()
    sheet.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
