"""Just enough Russian inflection for generated titles: nouns, adjectives, past tenses.

Regular forms are derived by rule; the word lists spell out the irregular ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from bench.search import vocab

HUSHING = "жшчщ"
VELAR = "кгх"


@dataclass(frozen=True, slots=True)
class Noun:
    nom: str
    gender: str  # м, ж, с
    animate: bool
    gen: str
    plural: str | None  # nominative plural

    @property
    def acc(self) -> str:
        if self.gen.endswith("ой") and self.nom.endswith("ая"):  # «вселенная»
            return self.nom[:-2] + "ую"
        if self.gender != "с" and self.nom[-1] in "ая":
            return self.nom[:-1] + ("у" if self.nom[-1] == "а" else "ю")
        if self.gender == "м" and self.animate:
            return self.gen
        return self.nom

    @property
    def prep(self) -> str:
        """Prepositional singular («о маяке», «о истории»)."""
        if self.gen.endswith("ой") and self.nom.endswith("ая"):
            return self.gen
        if self.nom.endswith(("ия", "ие", "ий")):
            return self.nom[:-2] + "ии"
        if self.gender != "с" and self.nom[-1] in "ая":
            return self.nom[:-1] + "е"
        if self.gender == "ж" or self.gen.endswith("и"):
            return self.gen
        return self.gen[:-1] + "е"

    @property
    def prep_plural(self) -> str | None:
        """Prepositional plural («о динозаврах»)."""
        pl = self.plural
        if pl is None:
            return None
        if pl.endswith(("ые", "ие")):
            return pl[:-2] + ("ых" if pl.endswith("ые") else "их")
        if pl[-1] in "ая":
            return pl + "х"
        if pl[-1] == "ы" or pl[-2] in VELAR + HUSHING:
            return pl[:-1] + "ах"
        return pl[:-1] + "ях"


def _regular_noun(nom: str, gender: str) -> tuple[str, str]:
    """Genitive singular and nominative plural of a regular noun."""
    last, stem = nom[-1], nom[:-1]
    if gender in "мж" and last in "ая":  # книга, земля, дядя
        ending = "и" if last == "я" or stem[-1] in VELAR + HUSHING else "ы"
        return stem + ending, stem + ending
    if gender == "м":
        if last in "йь":
            return stem + "я", stem + "и"
        return nom + "а", nom + ("и" if last in VELAR + HUSHING else "ы")
    if gender == "ж":
        if last == "ь":
            return stem + "и", stem + "и"
        raise ValueError(f"irregular feminine noun needs its forms: {nom}")
    if last == "о":
        return stem + "а", stem + "а"
    if last in "её":
        ending = "а" if stem[-1] in HUSHING + "ц" else "я"
        return stem + ending, stem + ending
    raise ValueError(f"irregular neuter noun needs its forms: {nom}")


def parse_noun(entry: str) -> Noun:
    parts = entry.split()
    nom, tag = parts[0], parts[1]
    gender, animate = tag[0], tag.endswith("*")
    if len(parts) == 2:
        gen, plural = _regular_noun(nom, gender)
    elif len(parts) == 4:
        gen, plural = parts[2], parts[3]
    else:
        raise ValueError(f"bad noun entry: {entry!r}")
    return Noun(nom, gender, animate, gen, None if plural == "-" else plural)


@dataclass(frozen=True, slots=True)
class Adjective:
    """Forms by key: m, f, n, pl (nominative); gen_m, gen_f, gen_pl; prep_m, prep_f; acc_f."""

    lemma: str
    forms: dict[str, str]

    def agree(self, case: str, noun: Noun | None = None, *, plural: bool = False) -> str:
        if plural:
            return self.forms["pl" if case in ("nom", "acc") else "gen_pl"]
        gender = {"м": "m", "ж": "f", "с": "n"}[noun.gender if noun else "м"]
        if case == "nom":
            return self.forms[gender]
        if case == "acc":
            if gender == "f":
                return self.forms["acc_f"]
            if gender == "m" and noun is not None and noun.animate:
                return self.forms["gen_m"]
            return self.forms[gender]
        key = "f" if gender == "f" else "m"
        return self.forms[f"{case}_{key}"]


def parse_adjective(lemma: str) -> Adjective:
    stem, end = lemma[:-2], lemma[-2:]
    if end == "ый":
        kind = "hard"
    elif end == "ой":
        kind = "stressed"
    elif end == "ий" and stem[-1] in VELAR:
        kind = "velar"
    elif end == "ий" and stem[-1] in HUSHING:
        kind = "hushing"
    elif end == "ий" and stem[-1] == "н":
        kind = "soft"
    else:
        raise ValueError(f"adjective of an unknown pattern: {lemma}")
    soft_plural = kind in ("velar", "hushing", "soft") or stem[-1] in VELAR + HUSHING
    pl = stem + ("ие" if soft_plural else "ые")
    gen_pl = stem + ("их" if soft_plural else "ых")
    if kind in ("hushing", "soft"):
        forms = {
            "f": stem + ("яя" if kind == "soft" else "ая"),
            "n": stem + "ее",
            "gen_m": stem + "его",
            "gen_f": stem + "ей",
            "prep_m": stem + "ем",
            "prep_f": stem + "ей",
            "acc_f": stem + ("юю" if kind == "soft" else "ую"),
        }
    else:
        forms = {
            "f": stem + "ая",
            "n": stem + "ое",
            "gen_m": stem + "ого",
            "gen_f": stem + "ой",
            "prep_m": stem + "ом",
            "prep_f": stem + "ой",
            "acc_f": stem + "ую",
        }
    forms |= {"m": lemma, "pl": pl, "gen_pl": gen_pl}
    return Adjective(lemma, forms)


@dataclass(frozen=True, slots=True)
class Verb:
    infinitive: str
    past: dict[str, str]  # м, ж, с, pl

    def past_for(self, noun: Noun | None, *, plural: bool = False) -> str:
        return self.past["pl" if plural else (noun.gender if noun else "м")]


def parse_verb(entry: str) -> Verb:
    parts = entry.split()
    inf = parts[0]
    if len(parts) == 5:
        m, f, n, pl = parts[1:]
    elif len(parts) == 1 and inf.endswith("ться"):
        base = inf[:-4]
        m, f, n, pl = base + "лся", base + "лась", base + "лось", base + "лись"
    elif len(parts) == 1 and inf.endswith("ть"):
        base = inf[:-2]
        m, f, n, pl = base + "л", base + "ла", base + "ло", base + "ли"
    else:
        raise ValueError(f"irregular verb needs its past forms: {entry!r}")
    return Verb(inf, {"м": m, "ж": f, "с": n, "pl": pl})


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


@dataclass(frozen=True, slots=True)
class Lexicon:
    nouns: tuple[Noun, ...]
    animate: tuple[Noun, ...]
    plural_nouns: tuple[Noun, ...]
    adjectives: tuple[Adjective, ...]
    transitive: tuple[Verb, ...]
    intransitive: tuple[Verb, ...]

    def word_forms(self) -> set[str]:
        """Every distinct word form the generator can put into a title."""
        forms: set[str] = set()
        for noun in self.nouns:
            forms |= {noun.nom, noun.gen, noun.acc, noun.prep}
            if noun.plural:
                forms |= {noun.plural, noun.prep_plural or ""}
        for adj in self.adjectives:
            forms |= set(adj.forms.values())
        for verb in self.transitive + self.intransitive:
            forms |= {verb.infinitive, *verb.past.values()}
        forms.discard("")
        return forms


@cache
def lexicon() -> Lexicon:
    nouns = tuple(parse_noun(e) for e in _unique(vocab.NOUNS))
    return Lexicon(
        nouns=nouns,
        animate=tuple(n for n in nouns if n.animate),
        plural_nouns=tuple(n for n in nouns if n.plural),
        adjectives=tuple(parse_adjective(a) for a in _unique(vocab.ADJECTIVES)),
        transitive=tuple(parse_verb(v) for v in _unique(vocab.TRANSITIVE_VERBS)),
        intransitive=tuple(parse_verb(v) for v in _unique(vocab.INTRANSITIVE_VERBS)),
    )
