"""The files the fake Telegram keeps: what people send and the bot uploads, by file_id (for
getFile and for sending again) and by file_path (for the download under /file/bot<token>/)."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.support.fake_telegram.errors import ApiError
from tests.support.fake_telegram.spec import short


@dataclass
class StoredFile:
    """A file as Telegram keeps it (photos: one per size)."""

    file_id: str
    file_unique_id: str
    data: bytes = field(repr=False)
    file_path: str
    file_name: str | None = None
    mime_type: str | None = None
    width: int | None = None
    height: int | None = None


class FileStore:
    """Files by file_id and by file_path, numbered in the order they were stored."""

    def __init__(self) -> None:
        self.by_id: dict[str, StoredFile] = {}
        self.by_path: dict[str, StoredFile] = {}
        self._counter = 0

    def store(
        self,
        data: bytes,
        prefix: str,
        folder: str,
        file_name: str | None = None,
        mime_type: str | None = None,
        size: tuple[int, int] | None = None,
    ) -> StoredFile:
        """A new file; its file_id starts with `prefix` (Telegram's look for its kind)."""
        self._counter += 1
        number = self._counter
        suffix = Path(file_name).suffix if file_name else ".jpg" if folder == "photos" else ""
        stored = StoredFile(
            file_id=f"{prefix}{number:06d}",
            file_unique_id=f"AQAD{number:06d}",
            data=data,
            file_path=f"{folder}/file_{number}{suffix}",
            file_name=file_name,
            mime_type=mime_type,
            width=size[0] if size else None,
            height=size[1] if size else None,
        )
        self.by_id[stored.file_id] = stored
        self.by_path[stored.file_path] = stored
        return stored

    def store_photo(self, data: bytes, prefix: str) -> tuple[list[dict[str, Any]], bytes]:
        """PhotoSize entries, smallest first; the largest is `data` itself. Real images get
        real thumbnails; other bytes get nominal sizes that all hold `data`."""
        variants = _photo_variants(data)
        sizes = []
        for width, height, blob in variants:
            stored = self.store(blob, prefix, "photos", None, "image/jpeg", (width, height))
            sizes.append(photo_size(stored))
        return sizes, data

    def known(self, method: str, name: str, value: Any) -> StoredFile | None:
        """The stored file a parameter names by file_id; None for a URL (Telegram fetches it);
        ApiError for anything else."""
        if isinstance(value, str) and value.startswith(("http://", "https://")):
            return None
        stored = self.by_id.get(value) if isinstance(value, str) else None
        if stored is None:
            raise ApiError(
                400,
                "Bad Request: wrong file identifier/HTTP URL specified",
                violation=f"{method}: {name} {short(value)} is neither a known file_id nor a URL",
            )
        return stored


def photo_size(stored: StoredFile) -> dict[str, Any]:
    """The PhotoSize object of a stored photo."""
    return {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "width": stored.width or 1280,
        "height": stored.height or 960,
        "file_size": len(stored.data),
    }


def nominal_sizes(url: Any) -> list[dict[str, Any]]:
    """The PhotoSize list of a photo sent by URL (the fake does not fetch it)."""
    return [{"file_id": f"url:{url}", "file_unique_id": "url", "width": 1280, "height": 960}]


def _image_size(data: bytes) -> tuple[int, int] | None:
    try:
        from PIL import Image

        with Image.open(io.BytesIO(data)) as image:
            return image.size
    except Exception:
        return None


def _thumbnail(data: bytes, side: int) -> tuple[int, int, bytes]:
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        small = image.convert("RGB")
        small.thumbnail((side, side))
        buffer = io.BytesIO()
        small.save(buffer, "JPEG", quality=80)
        return small.width, small.height, buffer.getvalue()


def _photo_variants(data: bytes) -> list[tuple[int, int, bytes]]:
    """(width, height, bytes) smallest first, 2-3 of them; the last is the original."""
    size = _image_size(data)
    if size is None:
        return [(90, 68, data), (320, 240, data), (1280, 960, data)]
    width, height = size
    smaller = [side for side in (90, 320) if max(width, height) > side]
    try:
        variants = [_thumbnail(data, side) for side in smaller] or [(width, height, data)]
    except Exception:
        variants = [(width, height, data)]
    return [*variants, (width, height, data)]
