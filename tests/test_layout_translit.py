"""Query readings: wrong keyboard layout (nlu.layout) and Latin transliteration (nlu.translit)."""

from __future__ import annotations

import pytest

from nlu.layout import (
    looks_like_wrong_layout_cyrillic,
    looks_like_wrong_layout_latin,
    to_cyrillic,
    to_latin,
)
from nlu.translit import SCHEMES, to_cyrillic_variants, transliterate

# ---------------------------------------------------------------------------------------------
# Keyboard layout
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("djqyf b vbh", "война и мир"),
        ("ufhhb gjnnth", "гарри поттер"),
        ("vfcnth b vfhufhbnf", "мастер и маргарита"),
        ("[jp;'", "хозжэ"),
        ("]", "ъ"),
        (",.", "бю"),
        ("`~", "ёЁ"),
        ('{}:"<>', "ХЪЖЭБЮ"),
        ("Djqyf B Vbh", "Война И Мир"),
        ("1984 jhe'kk", "1984 оруэлл"),
        ("уже по-русски", "уже по-русски"),
    ],
)
def test_to_cyrillic(typed: str, meant: str) -> None:
    assert to_cyrillic(typed) == meant


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("руддщ цщкдв", "hello world"),
        ("еру ргтештп", "the hunting"),
        ("б", ","),
        ("ю", "."),
        ("х", "["),
        ("ъ", "]"),
        ("ж", ";"),
        ("э", "'"),
        ("Руддщ", "Hello"),
        ("ё", "`"),
        ("451 latin", "451 latin"),
    ],
)
def test_to_latin(typed: str, meant: str) -> None:
    assert to_latin(typed) == meant


@pytest.mark.parametrize(
    "word",
    ["война", "мир", "гарри", "поттер", "толстой", "чук и гек", "Мастер", "ёлка", "123 сказки"],
)
def test_layout_round_trip(word: str) -> None:
    assert to_cyrillic(to_latin(word)) == word


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("djqyf b vbh", True),
        ("[jp;'", True),
        ("ujhtn 1812", True),
        ("harry potter", True),  # plain English passes too: the engine decides
        ("harry potter!", False),
        ("война", False),
        ("1984", False),
        ("", False),
        ("djqyf и мир", False),
    ],
)
def test_looks_like_wrong_layout_latin(text: str, expected: bool) -> None:
    assert looks_like_wrong_layout_latin(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("руддщ цщкдв", True),
        ("война и мир", True),
        ("ёж", True),
        ("hello", False),
        ("руддщ!", False),
        ("1984", False),
        ("руддщ world", False),
    ],
)
def test_looks_like_wrong_layout_cyrillic(text: str, expected: bool) -> None:
    assert looks_like_wrong_layout_cyrillic(text) is expected


# ---------------------------------------------------------------------------------------------
# Transliteration, Cyrillic → Latin
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "scheme", "latin"),
    [
        ("война и мир", "informal", "voyna i mir"),
        ("гарри поттер", "icao", "garri potter"),
        ("щука", "icao", "shchuka"),
        ("щука", "gost_7_79_b", "shhuka"),
        ("щука", "informal", "schuka"),
        ("цветаева", "gost_7_79_b", "czvetaeva"),
        ("отцы", "gost_7_79_b", "otcy"),
        ("цирк", "gost_7_79_b", "cirk"),
        ("хармс", "gost_7_79_b", "xarms"),
        ("война", "gost_7_79_b", "vojna"),
        ("ёжик", "gost_7_79_b", "yozhik"),
        ("объявление", "gost_7_79_b", "obyavlenie"),
        ("юность", "icao", "iunost"),
        ("замятин", "icao", "zamiatin"),
        ("ёжик", "icao", "ezhik"),
        ("подъезд", "icao", "podieezd"),
        ("тихий", "icao", "tikhii"),
        ("есенин", "bgn_pcgn", "yesenin"),
        ("достоевский", "bgn_pcgn", "dostoyevskiy"),
        ("шинель", "bgn_pcgn", "shinel'"),
        ("объём", "bgn_pcgn", 'ob"yom'),
        ("чехов", "scientific", "chehov"),
        ("замятин", "scientific", "zamjatin"),
        ("ёжик", "scientific", "jozhik"),
        ("царевна", "scientific", "carevna"),
        ("вишнёвый", "informal", "vishnevyi"),
        ("тихий", "informal", "tihiy"),
        ("экран", "informal", "ekran"),
    ],
)
def test_transliterate(text: str, scheme: str, latin: str) -> None:
    assert transliterate(text, scheme) == latin


@pytest.mark.parametrize("scheme", sorted(SCHEMES))
def test_transliterate_keeps_non_letters_and_capitals(scheme: str) -> None:
    assert transliterate("451 градус, Щука!", scheme).startswith("451 gradus, ")
    assert transliterate("Щука", scheme)[0] == "S"
    assert transliterate("harry", scheme) == "harry"


def test_transliterate_rejects_an_unknown_scheme() -> None:
    with pytest.raises(ValueError, match="unknown transliteration scheme"):
        transliterate("мир", "klingon")


# ---------------------------------------------------------------------------------------------
# Transliteration, Latin → Cyrillic
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("latin", "cyrillic", "within"),
    [
        ("voina", "война", 3),
        ("voyna", "война", 1),
        ("garri", "гарри", 1),
        ("potter", "поттер", 1),
        ("mir", "мир", 1),
        ("tolstoi", "толстой", 2),
        ("tolstoy", "толстой", 2),
        ("tolstoj", "толстой", 2),
        ("shukshin", "шукшин", 1),
        ("chekhov", "чехов", 1),
        ("chehov", "чехов", 1),
        ("chexov", "чехов", 3),
        ("zamyatin", "замятин", 1),
        ("zamjatin", "замятин", 1),
        ("zamiatin", "замятин", 1),
        ("pushkin", "пушкин", 1),
        ("dostoevskiy", "достоевский", 3),
        ("dostoevskij", "достоевский", 3),
        ("dostoevsky", "достоевский", 3),
        ("dostoyevskiy", "достоевский", 3),
        ("schuka", "щука", 1),
        ("shchuka", "щука", 1),
        ("shhuka", "щука", 1),
        ("tsvetaeva", "цветаева", 1),
        ("czvetaeva", "цветаева", 1),
        ("master", "мастер", 1),
        ("margarita", "маргарита", 1),
        ("moi", "мой", 3),
        ("ty", "ты", 1),
        ("voy", "вой", 1),
        ("maxim", "максим", 3),
        ("xarms", "хармс", 1),
        ("cosmos", "космос", 2),
        ("shinel'", "шинель", 1),
        ("mariia", "мария", 1),
        ("obyavlenie", "объявление", 3),  # ГОСТ without its marks: ъ restored
        ('ob"yavlenie', "объявление", 1),
        ("syomka", "съёмка", 3),
        ("s``yomka", "съёмка", 1),
    ],
)
def test_variant_ranks(latin: str, cyrillic: str, within: int) -> None:
    assert cyrillic in to_cyrillic_variants(latin)[:within]


@pytest.mark.parametrize("latin", ["yozhik", "ezhik"])
def test_hedgehog_reads_with_or_without_yo(latin: str) -> None:
    top = to_cyrillic_variants(latin)[:3]
    assert "ёжик" in top or "ежик" in top


@pytest.mark.parametrize("latin", ["voina", "dostoevskiy", "x", "shchuka", "yozhik", "sobache"])
def test_variants_are_distinct_and_limited(latin: str) -> None:
    for limit in (1, 3, 8):
        found = to_cyrillic_variants(latin, limit)
        assert 1 <= len(found) <= limit
        assert len(set(found)) == len(found)


def test_variants_of_nothing() -> None:
    assert to_cyrillic_variants("") == []
    assert to_cyrillic_variants("mir", limit=0) == []


def test_variants_keep_digits_and_ignore_case() -> None:
    assert to_cyrillic_variants("Mir")[0] == "мир"
    assert to_cyrillic_variants("451")[0] == "451"


def test_variants_come_back_as_fresh_lists() -> None:
    to_cyrillic_variants("mir").append("junk")
    assert "junk" not in to_cyrillic_variants("mir")


# Authors and title words of school reading lists.
WORDS = """
толстой достоевский чехов пушкин лермонтов гоголь тургенев есенин цветаева ахматова булгаков
шолохов солженицын щедрин жуковский хармс чуковский маршак носов драгунский успенский гарри
поттер война мир мастер маргарита преступление наказание капитанская дочка мёртвые души шинель
ревизор вишнёвый сад чайка собачье сердце тихий дон муму отцы дети ёжик щука царевна лягушка
жук чудо юность детство отрочество я мы горький незнайка каштанка евгений онегин обломов
чиполлино буратино золотая рыбка мальчик алиса тимур белый бим пришвин бианки житков паустовский
катаев каверин гайдар кассиль осеева зощенко михалков барто заходер крапивин булычёв волков
прокофьева рыбаков железников распутин астафьев платонов куприн бунин грибоедов крылов некрасов
тютчев маяковский пастернак мандельштам бродский набоков ильф стругацкий беляев сказки
приключения путешествие остров сокровищ тайна капитанов клык робинзон алые паруса хозяйка
медной горы серебряное копытце бежин луг тарас бульба вечера хуторе диканьки станционный
смотритель дубровский бедная лиза герой нашего времени уроки французского аксаков лесков
салтыков гончаров островский радищев карамзин державин фонвизин бажов пантелеев чарушин сладков
токмакова мошковская берестов усачёв цыферов козлов сутеев снежная королева аленький цветочек
хижина дядюшки тома кошкин дом конёк горбунок двенадцать месяцев шёл солдат живая шляпа чучело
листья вьюга семья счастье мужчина щелкунчик мышиный король
""".split()


def _plain(word: str) -> str:
    return word.replace("ё", "е")


def _rank(word: str, scheme: str) -> int | None:
    """Where the original word stands among the readings of its transliteration (ё = е)."""
    variants = [_plain(v) for v in to_cyrillic_variants(transliterate(word, scheme))]
    return variants.index(_plain(word)) if _plain(word) in variants else None


@pytest.mark.parametrize("scheme", sorted(SCHEMES))
@pytest.mark.parametrize("word", WORDS)
def test_transliteration_reads_back(word: str, scheme: str) -> None:
    assert _rank(word, scheme) is not None, transliterate(word, scheme)


@pytest.mark.parametrize("scheme", sorted(SCHEMES))
def test_transliteration_reads_back_near_the_top(scheme: str) -> None:
    ranks = [_rank(word, scheme) for word in WORDS]
    top3 = sum(rank is not None and rank < 3 for rank in ranks) / len(WORDS)
    top1 = sum(rank == 0 for rank in ranks) / len(WORDS)
    assert top3 >= 0.9, (scheme, top3)
    assert top1 >= 0.8, (scheme, top1)
