"""Photos and documents: what people send (served by URL) and what the bot uploads.

VK's upload is three steps: `*.getMessagesUploadServer` gives an upload URL, the file is POSTed
there as multipart (VK's upload server answers JSON of its own: `server`, `photo`, `hash` for a
photo, `file` for a document), and `photos.saveMessagesPhoto` / `docs.save` turn that answer
into an object whose `photo<owner>_<id>` / `doc<owner>_<id>` string goes into
messages.send's `attachment`. Every file is kept, so a test can read the bytes behind an
attachment string (`file_bytes`), and each is served at its URL as VK's CDN would.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.support.fake_http import Upload
from tests.support.fake_vk.spec import BAD_PARAMETER, VkError

ATTACHMENT_RE = re.compile(r"(photo|doc|video|audio|wall|market|poll|link)(-?\d+)_(\d+)(?:_(\w+))?")
PHOTO_FIELDS = ("photo", "file", "file0", "file1", "file2", "file3", "file4")
UPLOAD_SERVER_ID = 851234
INVALID_HASH = 121
# VK's letters for a photo's sizes, by the longest side they fit in.
SIZE_TYPES = (("s", 75), ("m", 130), ("x", 604), ("y", 807), ("z", 1080), ("w", 2560))
# VK's document types: 1 text, 2 archive, 3 gif, 4 image, 5 audio, 6 video, 7 e-book, 8 other.
DOC_TYPES = {
    "txt": 1, "pdf": 1, "doc": 1, "docx": 1, "csv": 1, "xlsx": 1, "xls": 1, "odt": 1, "rtf": 1,
    "zip": 2, "rar": 2, "7z": 2, "gz": 2,
    "gif": 3,
    "jpg": 4, "jpeg": 4, "png": 4, "webp": 4,
    "mp3": 5, "ogg": 5,
    "mp4": 6,
    "epub": 7, "fb2": 7, "djvu": 7,
}  # fmt: skip


@dataclass
class Media:
    """A photo or a document VK holds, as an attachment and as bytes."""

    kind: str  # "photo" | "doc"
    owner_id: int
    media_id: int
    access_key: str
    data: bytes = field(repr=False)
    title: str | None  # a document's title, a photo's file name
    object: dict[str, Any] = field(repr=False)  # the photo/doc object VK answers and sends

    @property
    def ref(self) -> str:
        """The attachment string messages.send takes: "photo-5_42"."""
        return f"{self.kind}{self.owner_id}_{self.media_id}"

    def attachment(self) -> dict[str, Any]:
        """The message attachment: {"type": "photo", "photo": {...}}."""
        return {"type": self.kind, self.kind: dict(self.object)}


@dataclass
class _Pending:
    """What the upload server got and not yet saved."""

    kind: str
    data: bytes = field(repr=False)
    filename: str | None


class FileStore:
    """The files of one fake VK: served URLs, uploads, photos and documents by attachment."""

    def __init__(self, url: Callable[[str], str], now: Callable[[], int], group_id: int) -> None:
        self._url = url
        self._now = now
        self.group_id = group_id
        self.served: dict[str, tuple[bytes, str]] = {}  # path under /files/ → bytes, type
        self.media: dict[str, Media] = {}  # by ref
        self.uploads: list[Upload] = []  # every file part the bot uploaded
        self._pending: dict[str, _Pending] = {}
        self._counter = 0

    def _next(self) -> int:
        self._counter += 1
        return self._counter

    def serve(self, data: bytes, name: str, content_type: str) -> str:
        """Keep `data` at a URL of the fake; the URL."""
        path = f"{self._next()}/{name}"
        self.served[path] = (data, content_type)
        return self._url(f"files/{path}")

    # Media ------------------------------------------------------------------------------

    def photo(self, owner_id: int, data: bytes, *, name: str = "photo.jpg") -> Media:
        media_id = 457_239_000 + self._next()
        access_key = hashlib.sha1(f"photo{media_id}".encode()).hexdigest()[:18]
        sizes = [
            {
                "type": kind,
                "width": width,
                "height": height,
                "url": self.serve(variant, f"{kind}.jpg", _content_type(variant)),
            }
            for kind, width, height, variant in _photo_sizes(data)
        ]
        photo = {
            "id": media_id,
            "owner_id": owner_id,
            "album_id": -3,
            "date": self._now(),
            "access_key": access_key,
            "sizes": sizes,
            "text": "",
            "has_tags": False,
        }
        media = Media("photo", owner_id, media_id, access_key, data, name, photo)
        self.media[media.ref] = media
        return media

    def doc(self, owner_id: int, data: bytes, title: str) -> Media:
        media_id = 678_000_000 + self._next()
        access_key = hashlib.sha1(f"doc{media_id}".encode()).hexdigest()[:18]
        ext = title.rsplit(".", 1)[-1].lower() if "." in title else ""
        doc = {
            "id": media_id,
            "owner_id": owner_id,
            "title": title,
            "size": len(data),
            "ext": ext,
            "date": self._now(),
            "type": DOC_TYPES.get(ext, 8),
            "url": self.serve(data, title or "file", "application/octet-stream"),
            "access_key": access_key,
        }
        media = Media("doc", owner_id, media_id, access_key, data, title, doc)
        self.media[media.ref] = media
        return media

    def resolve(self, attachment: str) -> Media:
        """The media behind one attachment string; VkError 100 (a violation) if there is none
        or its access key is missing or wrong (another owner's file needs it)."""
        match = ATTACHMENT_RE.fullmatch(attachment.strip())
        if match is None:
            raise VkError(
                BAD_PARAMETER,
                f"attachment {attachment!r} is invalid",
                violation=f"attachment {attachment!r} is not <type><owner_id>_<media_id>",
            )
        kind, owner, media_id, key = match.groups()
        media = self.media.get(f"{kind}{owner}_{media_id}")
        if media is None:
            raise VkError(
                BAD_PARAMETER,
                f"attachment {attachment!r} is invalid",
                violation=f"attachment {attachment!r} was never uploaded or received",
            )
        if media.owner_id != -self.group_id and key != media.access_key:
            raise VkError(
                BAD_PARAMETER,
                f"attachment {attachment!r}: access denied",
                violation=f"attachment {attachment!r} belongs to {media.owner_id} and needs "
                "its access_key (<type><owner_id>_<media_id>_<access_key>)",
            )
        return media

    def file_bytes(self, attachment: str) -> bytes:
        """The bytes behind an attachment string (an access key may follow) or a served URL."""
        for path, (data, _) in self.served.items():
            if attachment == self._url(f"files/{path}"):
                return data
        match = ATTACHMENT_RE.fullmatch(attachment.strip())
        ref = f"{match[1]}{match[2]}_{match[3]}" if match else attachment
        if ref not in self.media:
            raise KeyError(f"no file {attachment!r}; known: {sorted(self.media)}")
        return self.media[ref].data

    # The upload server --------------------------------------------------------------------

    def upload_server(self, kind: str) -> str:
        """A fresh upload URL for a photo or a document."""
        return self._url(f"upload/{kind}/{self._next()}")

    def receive(self, kind: str, uploads: dict[str, Upload]) -> tuple[dict[str, Any], str | None]:
        """What VK's upload server answers to a POST, and the violation in it (if any)."""
        self.uploads.extend(uploads.values())
        names = PHOTO_FIELDS if kind == "photo" else ("file",)
        part = next((uploads[name] for name in names if name in uploads), None)
        if part is None:
            fields = ", ".join(sorted(uploads)) or "none"
            problem = f"upload: no file part named {' or '.join(names)} (got {fields})"
            return {"error": "ERR_UPLOAD_FILE_NOT_UPLOADED: file not uploaded"}, problem
        token = hashlib.sha1(f"{kind}{self._next()}".encode()).hexdigest()
        self._pending[token] = _Pending(kind, part.data, part.filename)
        if kind == "doc":
            return {"file": token}, None
        if _image_size(part.data) is None:
            answer = {"server": UPLOAD_SERVER_ID, "photo": "[]", "hash": _hash(token)}
            return answer, f"upload: {part.filename or 'the file'} is not an image VK can read"
        photo = json.dumps([{"photo": token, "sizes": [], "kid": _hash(token)[:8]}])
        return {"server": UPLOAD_SERVER_ID, "photo": photo, "hash": _hash(token)}, None

    def save_photo(self, photo: str, server: int | None, hash_: str | None) -> list[dict]:
        """photos.saveMessagesPhoto: the saved photo objects."""
        try:
            items = json.loads(photo)
            tokens = [item["photo"] for item in items]
        except (ValueError, TypeError, KeyError):
            raise VkError(
                BAD_PARAMETER,
                "photos_list is invalid",
                violation=f"photo {photo[:60]!r} is not what the upload server answered",
            ) from None
        if not tokens:  # the upload held no image: already a violation at the upload
            raise VkError(BAD_PARAMETER, "photos_list is invalid")
        saved = []
        for token in tokens:
            pending = self._pending.get(token)
            if pending is None or pending.kind != "photo":
                raise VkError(
                    BAD_PARAMETER,
                    "photos_list is invalid",
                    violation=f"{token!r} was never uploaded",
                )
            if server != UPLOAD_SERVER_ID or hash_ != _hash(token):
                raise VkError(
                    INVALID_HASH,
                    violation="server and hash must be passed as the upload server answered them",
                )
            media = self.photo(-self.group_id, pending.data, name=pending.filename or "photo")
            saved.append(dict(media.object))
        return saved

    def save_doc(self, file: str, title: str | None) -> dict[str, Any]:
        """docs.save: {"type": "doc", "doc": {...}}."""
        pending = self._pending.get(file)
        if pending is None or pending.kind != "doc":
            raise VkError(
                BAD_PARAMETER,
                "file is invalid",
                violation=f"file {file[:60]!r} is not what the upload server answered",
            )
        media = self.doc(-self.group_id, pending.data, title or pending.filename or "file")
        return media.attachment()


def _hash(token: str) -> str:
    return hashlib.md5(f"hash:{token}".encode()).hexdigest()


def _image_size(data: bytes) -> tuple[int, int] | None:
    try:
        from PIL import Image

        with Image.open(io.BytesIO(data)) as image:
            return image.size
    except Exception:
        return None


def _content_type(data: bytes) -> str:
    """image/png, image/jpeg, …; application/octet-stream for bytes that are no image."""
    try:
        from PIL import Image

        with Image.open(io.BytesIO(data)) as image:
            return Image.MIME.get(image.format or "", "application/octet-stream")
    except Exception:
        return "application/octet-stream"


def _photo_sizes(data: bytes) -> list[tuple[str, int, int, bytes]]:
    """(type, width, height, bytes), smallest first: thumbnails VK would make, then the
    original under the letter its size earns. Bytes that are no image get one nominal size."""
    size = _image_size(data)
    if size is None:
        return [("x", 604, 453, data)]
    width, height = size
    longest = max(width, height)
    original = next((kind for kind, side in SIZE_TYPES if longest <= side), "w")
    sizes = []
    for kind, side in SIZE_TYPES:
        if side >= longest:
            break
        if kind in ("s", "x"):
            sizes.append((kind, *_thumbnail(data, side)))
    return [*sizes, (original, width, height, data)]


def _thumbnail(data: bytes, side: int) -> tuple[int, int, bytes]:
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        small = image.convert("RGB")
        small.thumbnail((side, side))
        buffer = io.BytesIO()
        small.save(buffer, "JPEG", quality=80)
        return small.width, small.height, buffer.getvalue()
