"""Barcodes read from phone-like photos, and barcode images drawn for labels."""

from __future__ import annotations

import io
import struct
import zlib
from types import SimpleNamespace

import numpy as np
import pytest
import zxingcpp
from PIL import Image, ImageDraw, ImageFilter

from nlu import barcode
from nlu.barcode import barcode_image, read_barcodes


def _ean13(first12: str) -> str:
    total = sum((1 if i % 2 == 0 else 3) * int(c) for i, c in enumerate(first12))
    return first12 + str((10 - total % 10) % 10)


LIBRARY_CODE = _ean13("200000004217")  # in-store prefix 2, as library systems number copies
ISBN_CODE = _ean13("978569912014")


def _noise(size: tuple[int, int], seed: int) -> Image.Image:
    """A grey, noisy, unevenly lit desk."""
    rng = np.random.default_rng(seed)
    width, height = size
    light = np.linspace(100, 160, width)[None, :, None]
    pixels = light + rng.normal(0, 18, (height, width, 3))
    return Image.fromarray(pixels.clip(0, 255).astype(np.uint8), "RGB")


def _photo(
    *labels: bytes, angle: float = 0, size: tuple[int, int] = (2000, 1500), seed: int = 1
) -> Image.Image:
    """Labels on a noisy desk, the camera turned by ``angle``, a little soft, 4/5 of ``size``."""
    scene = _noise(size, seed)
    x = size[0] // 10
    for label in labels:
        sticker = Image.open(io.BytesIO(label)).convert("RGB")
        scene.paste(sticker, (x, size[1] // 3))
        x += sticker.width + 60
    scene = scene.rotate(angle, Image.Resampling.BICUBIC, expand=True, fillcolor=(90, 90, 90))
    scene = scene.filter(ImageFilter.GaussianBlur(1.0))
    return scene.resize((scene.width * 4 // 5, scene.height * 4 // 5), Image.Resampling.BILINEAR)


def _jpeg(image: Image.Image, **save_options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=70, **save_options)
    return out.getvalue()


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _spy_on_zxing(monkeypatch: pytest.MonkeyPatch) -> list[tuple[tuple[int, int], list[int]]]:
    """Record (image size, orientations of what was found) for every call into zxing-cpp."""
    calls: list[tuple[tuple[int, int], list[int]]] = []
    real = zxingcpp.read_barcodes

    def spy(image: Image.Image, **options: object) -> list[zxingcpp.Barcode]:
        found = real(image, **options)
        calls.append((image.size, [b.orientation for b in found]))
        return found

    monkeypatch.setattr(barcode.zxingcpp, "read_barcodes", spy)
    return calls


# Round trips ---------------------------------------------------------------------------------


def test_the_tests_check_digits_are_right() -> None:
    assert ISBN_CODE == "9785699120147"  # «978-5-699-12014-7»
    assert LIBRARY_CODE == "2000000042176"


def test_a_library_ean13_reads_back() -> None:
    assert read_barcodes(barcode_image(LIBRARY_CODE)) == [LIBRARY_CODE]
    assert read_barcodes(barcode_image(LIBRARY_CODE[:12], "EAN13")) == [LIBRARY_CODE]


@pytest.mark.parametrize("inventory", ["1-00042", "INV-2024/17", "0001234", "Ab c.9+%"])
def test_a_code128_inventory_number_reads_back(inventory: str) -> None:
    assert read_barcodes(barcode_image(inventory, "Code128")) == [inventory]


@pytest.mark.parametrize(
    ("fmt", "text", "read"),
    [
        ("EAN8", "96385074", "96385074"),
        ("UPCA", "012345678905", "0012345678905"),  # UPC-A reads as its EAN-13 form
        ("Code39", "LIB-0042", "LIB-0042"),
        ("ITF", "00012345", "00012345"),
        ("EAN13", ISBN_CODE, ISBN_CODE),
    ],
)
def test_other_linear_formats_read_back(fmt: str, text: str, read: str) -> None:
    assert read_barcodes(barcode_image(text, fmt, scale=3)) == [read]


def test_a_drawn_barcode_has_a_white_quiet_zone() -> None:
    image = Image.open(io.BytesIO(barcode_image(LIBRARY_CODE, scale=4)))
    assert image.format == "PNG"
    assert image.width == (95 + 2 * barcode.QUIET_ZONE) * 4  # EAN-13 is 95 modules wide
    margin = barcode.QUIET_ZONE * 4
    pixels = np.asarray(image.convert("L"))
    for edge in (pixels[:margin], pixels[-margin:], pixels[:, :margin], pixels[:, -margin:]):
        assert edge.min() == 255
    assert pixels.min() == 0


@pytest.mark.parametrize(
    ("text", "fmt"),
    [
        ("2000000042175", "EAN13"),  # wrong check digit
        ("ИНВ-1", "Code128"),
        ("", "Code128"),
        ("12345", "NoSuchFormat"),
    ],
)
def test_what_a_barcode_cannot_carry_is_a_value_error(text: str, fmt: str) -> None:
    with pytest.raises(ValueError):
        barcode_image(text, fmt)


def test_scale_must_be_positive() -> None:
    with pytest.raises(ValueError):
        barcode_image(LIBRARY_CODE, scale=0)


# Phone photos --------------------------------------------------------------------------------


@pytest.mark.parametrize("angle", [0, 7, -7, 90, 97, 180])
def test_a_phone_photo_of_a_library_label_is_read(angle: float) -> None:
    photo = _jpeg(_photo(barcode_image(LIBRARY_CODE, scale=6), angle=angle))
    assert read_barcodes(photo) == [LIBRARY_CODE]


@pytest.mark.parametrize("angle", [0, 7, 90])
def test_a_phone_photo_of_an_inventory_label_is_read(angle: float) -> None:
    photo = _jpeg(_photo(barcode_image("1-00042", "Code128", scale=5), angle=angle, seed=2))
    assert read_barcodes(photo) == ["1-00042"]


def test_a_sideways_photo_is_turned_upright_by_its_exif_orientation(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    upright = _photo(barcode_image(LIBRARY_CODE, scale=6), seed=3)
    stored = upright.transpose(Image.Transpose.ROTATE_90)  # the sensor's pixels, on their side
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: turn 90° clockwise to view
    calls = _spy_on_zxing(monkeypatch)

    assert read_barcodes(_jpeg(stored, exif=exif.tobytes())) == [LIBRARY_CODE]
    assert calls == [(upright.size, [0])]  # zxing got the photo as it is meant to be seen


def test_several_labels_each_once() -> None:
    library = barcode_image(LIBRARY_CODE, scale=5)
    labels = (library, barcode_image("1-00042", "Code128", scale=5), library)
    found = read_barcodes(_jpeg(_photo(*labels, size=(2400, 1500), seed=4)))
    assert sorted(found) == sorted([LIBRARY_CODE, "1-00042"])
    assert len(found) == 2


def test_a_large_photo_is_scaled_down_before_decoding(monkeypatch: pytest.MonkeyPatch) -> None:
    photo = _jpeg(_photo(barcode_image(LIBRARY_CODE, scale=10), size=(4800, 3200), seed=5))
    calls = _spy_on_zxing(monkeypatch)
    assert read_barcodes(photo) == [LIBRARY_CODE]
    assert max(calls[0][0]) == barcode.MAX_SIDE


def test_a_faint_print_is_read_with_stretched_contrast(monkeypatch: pytest.MonkeyPatch) -> None:
    drawn = Image.open(io.BytesIO(barcode_image(LIBRARY_CODE, scale=6))).convert("L")
    faint = drawn.point(lambda v: 120 + 15 * v // 255)  # grey bars on grey paper
    calls = _spy_on_zxing(monkeypatch)
    assert read_barcodes(_jpeg(_photo(_png(faint), seed=6))) == [LIBRARY_CODE]
    assert [orientations for _, orientations in calls] == [[], [0]]  # only the second try


def test_black_bars_on_a_transparent_png_are_read() -> None:
    drawn = Image.open(io.BytesIO(barcode_image("1-00042", "Code128"))).convert("L")
    transparent = Image.new("RGBA", drawn.size, (0, 0, 0, 0))
    transparent.putalpha(Image.eval(drawn, lambda v: 255 - v))  # bars opaque, the rest clear
    assert read_barcodes(_png(transparent)) == ["1-00042"]


def test_a_webp_screenshot_is_read() -> None:
    out = io.BytesIO()
    Image.open(io.BytesIO(barcode_image(LIBRARY_CODE))).save(out, format="WEBP", quality=80)
    assert read_barcodes(out.getvalue()) == [LIBRARY_CODE]


# Misreads ------------------------------------------------------------------------------------


def _reading(text: str, fmt: zxingcpp.BarcodeFormat, left: float, top: float) -> SimpleNamespace:
    """A stand-in for a zxing-cpp reading of a 400×200 px barcode."""
    corner = SimpleNamespace
    position = SimpleNamespace(
        top_left=corner(x=left, y=top),
        top_right=corner(x=left + 400, y=top),
        bottom_right=corner(x=left + 400, y=top + 200),
        bottom_left=corner(x=left, y=top + 200),
    )
    return SimpleNamespace(text=text, format=fmt, position=position, orientation=0)


def test_two_numbers_read_from_one_ean13_are_both_dropped(monkeypatch: pytest.MonkeyPatch) -> None:
    ean13, code128 = zxingcpp.BarcodeFormat.EAN13, zxingcpp.BarcodeFormat.Code128
    readings = [
        _reading(ISBN_CODE, ean13, 100, 100),
        _reading("0707689120141", ean13, 101, 303),  # just below: the same barcode's edge
        _reading(ISBN_CODE, ean13, 100, 101),
        _reading(LIBRARY_CODE, ean13, 700, 100),  # a sticker beside it
        _reading("1-00042", code128, 100, 150),  # other symbologies are not second-guessed
    ]
    monkeypatch.setattr(barcode.zxingcpp, "read_barcodes", lambda image, **options: readings)
    assert read_barcodes(barcode_image(LIBRARY_CODE)) == [LIBRARY_CODE, "1-00042"]


def test_a_blurred_isbn_is_read_right_or_not_at_all() -> None:
    # zxing-cpp 2.2–3.1 reads this one barcode as 9785699120147 and as 0707689120141.
    scene = _noise((1600, 1200), seed=1).convert("L")
    scene.paste(Image.open(io.BytesIO(barcode_image(ISBN_CODE, scale=4))), (200, 300))
    blurred = scene.filter(ImageFilter.GaussianBlur(0.6))
    assert read_barcodes(_png(blurred)) in ([], [ISBN_CODE])


# Nothing to read -----------------------------------------------------------------------------


def test_a_photo_without_a_barcode_reads_nothing() -> None:
    scene = _noise((1600, 1200), seed=7)
    draw = ImageDraw.Draw(scene)
    for i in range(12):  # a shelf of book spines
        draw.rectangle((100 + i * 110, 200, 160 + i * 110, 1000), fill=(30 + 15 * i, 60, 90))
    assert read_barcodes(_jpeg(scene)) == []


def _png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims a huge image: a decompression bomb to Pillow."""
    png = _png(Image.new("L", (1, 1), 255))
    ihdr = b"IHDR" + struct.pack(">II", width, height) + png[24:29]
    return png[:12] + ihdr + struct.pack(">I", zlib.crc32(ihdr)) + png[33:]


@pytest.mark.parametrize(
    "data",
    [
        b"not an image",
        b"",
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 40,  # a PNG signature and nothing sensible after it
        _jpeg(_noise((400, 300), seed=8))[:500],  # an upload cut short
        _png_claiming(30_000, 30_000),
    ],
    ids=["text", "empty", "broken-png", "truncated-jpeg", "decompression-bomb"],
)
def test_what_is_not_an_image_reads_nothing(data: bytes) -> None:
    assert read_barcodes(data) == []
