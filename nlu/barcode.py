"""Barcodes in a photo a librarian takes with a phone, and barcode images for labels.

Messenger-neutral: image bytes in (JPEG, PNG, WebP — whatever Pillow opens), barcode texts out.
zxing-cpp does the decoding; this module makes the photo easy for it: upright by its EXIF
orientation, grayscale, no larger than ``MAX_SIDE`` px. Decoding is blocking CPU work, about
10 ms for a 1600×1200 phone photo and 40 ms for one with no barcode; a 12-megapixel photo of
noise took 0.6 s. zxing-cpp (3.1) and Pillow let go of the GIL while they work (an event loop
beside a 1.4 s decode in a thread went on ticking, its longest pause 44 ms), so an async caller
runs ``read_barcodes`` in a worker thread: the dispatcher does, before an event's transaction.

zxing-cpp runs with its default options (try_rotate, try_downscale, try_invert), and once more on
a contrast-stretched copy if it found nothing. Blur makes zxing-cpp now and then read one EAN-13
twice, rightly and as another number whose check digit happens to agree (9785699120147 and
0707689120141 from one barcode): such contradicting EAN/UPC readings are both dropped — for a book
a misread is worse than asking for another photo.

Only linear symbologies are read (``FORMATS``); QR codes and other matrix codes are ignored.
UPC-A comes back in its 13-digit EAN-13 form with a leading zero, as zxing-cpp 3 reports it.
"""

from __future__ import annotations

import io
import logging

import zxingcpp
from PIL import Image, ImageOps

logger = logging.getLogger(__name__)

FORMATS = "EAN13,EAN8,UPCA,Code128,Code39,ITF"
"""The symbologies read, as zxing-cpp names them: books (EAN/UPC) and library labels."""

MAX_SIDE = 2000
"""Larger photos are scaled down to this longest side before decoding."""

QUIET_ZONE = 12
"""White margin around a drawn barcode, in modules (EAN-13 needs 11, the others 10 or less)."""

_FORMATS = zxingcpp.barcode_formats_from_str(FORMATS)
_EAN_UPC = frozenset(
    (zxingcpp.BarcodeFormat.EAN13, zxingcpp.BarcodeFormat.EAN8, zxingcpp.BarcodeFormat.UPCA)
)
# Two readings closer than this share of a barcode's size are of the same barcode.
_SAME_PLACE = 0.02


def read_barcodes(data: bytes) -> list[str]:
    """Texts of the barcodes in an image, de-duplicated, in zxing's order.

    [] when there is none, and when ``data`` is not an image Pillow can open: never raises for
    what a user sent.
    """
    image = _prepare(data)
    if image is None:
        return []
    return _decode(image) or _decode(ImageOps.autocontrast(image, cutoff=1))


def barcode_image(text: str, fmt: str = "EAN13", *, scale: int = 4) -> bytes:
    """A PNG of ``text`` as a ``fmt`` barcode ("EAN13", "Code128", …), ``scale`` px per module.

    EAN/UPC take their digits with or without the check digit. Raises ValueError for an unknown
    format, for content the format cannot carry (a wrong check digit, Cyrillic in Code 128) and
    for scale < 1.
    """
    if scale < 1:
        raise ValueError(f"scale must be at least 1, not {scale}")
    bars = _symbol(text, _format(fmt))
    bars = bars.resize((bars.width * scale, bars.height * scale), Image.Resampling.NEAREST)
    framed = ImageOps.expand(bars, border=QUIET_ZONE * scale, fill=255)
    out = io.BytesIO()
    framed.save(out, format="PNG", optimize=True)
    return out.getvalue()


# Reading ---------------------------------------------------------------------------------------


def _prepare(data: bytes) -> Image.Image | None:
    """The photo upright, in grayscale, at most MAX_SIDE px; None if it is not an image."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.draft("L", _fitted(image.size))  # JPEG: let libjpeg decode at a reduced scale
            upright = ImageOps.exif_transpose(image)
            gray = _on_white(upright).convert("L")
    except Exception as exc:  # Pillow's decoders raise all sorts for broken or hostile files
        logger.debug("not a readable image: %s, %d bytes", type(exc).__name__, len(data))
        return None
    gray.thumbnail((MAX_SIDE, MAX_SIDE))
    return gray


def _fitted(size: tuple[int, int]) -> tuple[int, int]:
    """``size`` scaled down to a longest side of MAX_SIDE (unchanged if already smaller)."""
    ratio = min(1.0, MAX_SIDE / max(size))
    return max(1, round(size[0] * ratio)), max(1, round(size[1] * ratio))


def _on_white(image: Image.Image) -> Image.Image:
    """Transparent pixels made white: black bars on a transparent PNG must stay visible."""
    if image.mode not in ("RGBA", "LA", "PA") and "transparency" not in image.info:
        return image
    rgba = image.convert("RGBA")
    white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    return Image.alpha_composite(white, rgba)


def _decode(image: Image.Image) -> list[str]:
    """zxing-cpp's readings with its default options, the contradicted ones left out."""
    found = zxingcpp.read_barcodes(image, formats=_FORMATS)
    trusted = [barcode for barcode in found if barcode.text and not _contradicted(barcode, found)]
    return list(dict.fromkeys(_text(barcode) for barcode in trusted))


def _contradicted(barcode: zxingcpp.Barcode, found: list[zxingcpp.Barcode]) -> bool:
    """Whether another EAN/UPC reading, of a different number, lies on this one's place."""
    if barcode.format not in _EAN_UPC:
        return False
    box = _box(barcode)
    return any(
        other.format in _EAN_UPC and other.text != barcode.text and _overlap(box, _box(other))
        for other in found
    )


def _box(barcode: zxingcpp.Barcode) -> tuple[float, float, float, float]:
    """The reading's bounding box (left, top, right, bottom), grown by _SAME_PLACE of its size."""
    position = barcode.position
    corners = (position.top_left, position.top_right, position.bottom_right, position.bottom_left)
    xs, ys = [c.x for c in corners], [c.y for c in corners]
    margin = _SAME_PLACE * max(max(xs) - min(xs), max(ys) - min(ys))
    return min(xs) - margin, min(ys) - margin, max(xs) + margin, max(ys) + margin


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


def _text(barcode: zxingcpp.Barcode) -> str:
    """The barcode's text; UPC-A as 13 digits whatever the zxing-cpp version (2.x gives 12)."""
    if barcode.format == zxingcpp.BarcodeFormat.UPCA and len(barcode.text) == 12:
        return "0" + barcode.text
    return barcode.text


# Drawing ---------------------------------------------------------------------------------------


def _format(name: str) -> zxingcpp.BarcodeFormat:
    """The zxing-cpp format called ``name``; ValueError if there is none (2.x returns NONE)."""
    try:
        fmt = zxingcpp.barcode_format_from_str(name)
    except ValueError:
        fmt = zxingcpp.BarcodeFormat.NONE
    if fmt == zxingcpp.BarcodeFormat.NONE:
        raise ValueError(f"unknown barcode format: {name!r}")
    return fmt


def _symbol(text: str, fmt: zxingcpp.BarcodeFormat) -> Image.Image:
    """The barcode at one pixel per module, cropped to its bars (no quiet zone)."""
    if hasattr(zxingcpp, "create_barcode"):  # zxing-cpp >= 2.3 (write_barcode is deprecated in 3)
        bitmap = zxingcpp.write_barcode_to_image(zxingcpp.create_barcode(text, fmt))
    else:  # zxing-cpp 2.2
        bitmap = zxingcpp.write_barcode(fmt, text)
    symbol = Image.fromarray(bitmap).convert("L")
    bbox = ImageOps.invert(symbol).getbbox()
    if bbox is None:
        raise ValueError(f"nothing drawn for {text!r}")
    bars = symbol.crop(bbox)
    if bars.height == 1:  # zxing-cpp 2.2 draws a linear barcode as a single row
        bars = bars.resize((bars.width, 50), Image.Resampling.NEAREST)
    return bars
