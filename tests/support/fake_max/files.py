"""Uploads and files: what POST /uploads hands out, the upload URL, and the files people send.

MAX uploads in two steps. POST /uploads?type=image|video|audio|file answers {"url": …} (video
and audio also carry the "token" the message will name); the client POSTs the file to that URL
as multipart, field "data", and the upload server answers with the token: for an image
{"photos": {"<id>": {"token": …}}}, for a file {"token": …}. The message then attaches
{"type": "image"|"file", "payload": {"token": …}}. Each upload URL takes one file.

Files are served at /files/<name> (uploaded ones and the photos people send), so the bot can
download what a person sent and a test can read what the bot attached.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.support.fake_http import Upload

UPLOAD_TYPES = ("image", "video", "audio", "file")
UPLOAD_FIELD = "data"


@dataclass
class Uploaded:
    """One file the bot uploaded (or a person sent), under its token."""

    kind: str  # image | video | audio | file
    token: str
    data: bytes = field(repr=False)
    filename: str
    content_type: str
    number: int  # photo_id / file id

    @property
    def name(self) -> str:
        return f"{self.kind}-{self.number}-{self.filename}"


@dataclass
class _Slot:
    kind: str
    token: str | None  # given in advance (video, audio)
    used: bool = False


class FileStore:
    """Upload slots, uploaded files by token, served files by name."""

    def __init__(self, url: Callable[[str], str]) -> None:
        self._url = url
        self._slots: dict[str, _Slot] = {}
        self.by_token: dict[str, Uploaded] = {}
        self.served: dict[str, Uploaded] = {}
        self._counter = 0

    def _next(self, what: str) -> tuple[int, str]:
        self._counter += 1
        digest = hashlib.sha1(f"max-{what}-{self._counter}".encode()).hexdigest()
        return self._counter, digest

    # POST /uploads ------------------------------------------------------------------------

    def endpoint(self, kind: str) -> dict[str, Any]:
        """The answer to POST /uploads?type=kind."""
        _, digest = self._next("slot")
        slot_id = digest[:20]
        token = f"tok.{kind}.{digest[20:36]}" if kind in ("video", "audio") else None
        self._slots[slot_id] = _Slot(kind, token)
        answer: dict[str, Any] = {"url": self._url(f"upload/{slot_id}")}
        if token is not None:
            answer["token"] = token
        return answer

    # The upload URL ------------------------------------------------------------------------

    def receive(self, slot_id: str, uploads: dict[str, Upload]) -> tuple[int, Any, str | None]:
        """(status, JSON answer, violation or None) for a multipart POST to an upload URL."""
        slot = self._slots.get(slot_id)
        if slot is None:
            return (
                404,
                {"code": "not.found", "message": "upload url"},
                (f"upload to {slot_id!r}: not a URL that POST /uploads handed out"),
            )
        if slot.used:
            return (
                400,
                {"code": "proto.payload", "message": "upload url used"},
                ("upload: this upload URL was used already (ask POST /uploads for another)"),
            )
        part = uploads.get(UPLOAD_FIELD)
        if part is None:
            names = ", ".join(uploads) or "none"
            return (
                400,
                {"code": "proto.payload", "message": "no data"},
                (f"upload: the file goes in the multipart field {UPLOAD_FIELD!r} (got: {names})"),
            )
        if not part.data:
            return 400, {"code": "proto.payload", "message": "empty file"}, "upload: empty file"
        slot.used = True
        stored = self.add(
            slot.kind, part.data, part.filename or "file", part.content_type, slot.token
        )
        if slot.kind == "image":
            return 200, {"photos": {str(stored.number): {"token": stored.token}}}, None
        return 200, {"token": stored.token}, None

    def add(
        self,
        kind: str,
        data: bytes,
        filename: str,
        content_type: str | None = None,
        token: str | None = None,
    ) -> Uploaded:
        """Keep a file under a token and serve it."""
        number, digest = self._next("file")
        stored = Uploaded(
            kind=kind,
            token=token or f"tok.{kind}.{digest[:24]}",
            data=data,
            filename=filename,
            content_type=content_type or _guess(kind, data),
            number=number,
        )
        self.by_token[stored.token] = stored
        self.served[stored.name] = stored
        return stored

    def external_image(self, url: str) -> dict[str, Any]:
        """An image the bot attached by its own URL (nothing uploaded, nothing served)."""
        number, digest = self._next("external")
        token = f"tok.image.{digest[:24]}"
        return {"type": "image", "payload": {"photo_id": number, "token": token, "url": url}}

    def url_of(self, stored: Uploaded) -> str:
        return self._url(f"files/{stored.name}")

    # Attachments as MAX shows them ------------------------------------------------------------

    def attachment(self, stored: Uploaded) -> dict[str, Any]:
        """The Attachment object a message carries for an uploaded file."""
        url = self.url_of(stored)
        if stored.kind == "image":
            payload = {"photo_id": stored.number, "token": stored.token, "url": url}
            return {"type": "image", "payload": payload}
        if stored.kind == "file":
            return {
                "type": "file",
                "payload": {"url": url, "token": stored.token},
                "filename": stored.filename,
                "size": len(stored.data),
            }
        return {"type": stored.kind, "payload": {"url": url, "token": stored.token}}


def _guess(kind: str, data: bytes) -> str:
    if data.startswith(b"\x89PNG"):
        return "image/png"
    if data.startswith(b"\xff\xd8"):
        return "image/jpeg"
    if data.startswith(b"%PDF"):
        return "application/pdf"
    return "image/jpeg" if kind == "image" else "application/octet-stream"
