"""Which engine reads which language, from what each engine declares it reads.

Every engine in ``registry.READS`` declares the languages (and scripts) it reads. The bundled
PP-OCR models read Chinese (simplified and traditional), English and the Latin-script European
languages; Korean comes out empty and Japanese garbled, and Cyrillic, Greek, Arabic, Indic and
Thai are not in their alphabet. Tesseract reads every language it has a pack for
(``tesseract-ocr-<code>``); a missing pack is reported as such instead of silently reading with
English. ``--lang`` takes several codes (``ko,en``, ``zh,ja``); Chinese, Japanese and Korean
documents carry Latin text (``Exit 3``, prices, codes), so for those Tesseract also gets its
English pack when it is installed (``ko`` reads as ``kor+eng``, as PaddleOCR's Korean model also
reads Latin).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from vlocr.errors import EngineUnavailableError, InvalidOptionError

#: ISO 639-1 (and zh-Hans / zh-Hant) -> Tesseract's pack name.
TESSERACT_PACKS: dict[str, str] = {
    "en": "eng", "zh": "chi_sim", "zh-hans": "chi_sim", "zh-hant": "chi_tra", "ja": "jpn",
    "ko": "kor", "fr": "fra", "de": "deu", "es": "spa", "it": "ita", "pt": "por", "nl": "nld",
    "sv": "swe", "da": "dan", "no": "nor", "fi": "fin", "pl": "pol", "cs": "ces", "sk": "slk",
    "ro": "ron", "hu": "hun", "tr": "tur", "id": "ind", "ms": "msa", "vi": "vie", "ru": "rus",
    "uk": "ukr", "bg": "bul", "sr": "srp", "el": "ell", "ar": "ara", "fa": "fas", "he": "heb",
    "hi": "hin", "bn": "ben", "ta": "tam", "th": "tha",
}  # fmt: skip

#: The scripts each language is written in (what engines declare they read).
SCRIPTS: dict[str, frozenset[str]] = {
    "zh": frozenset({"Han"}), "zh-hans": frozenset({"Han"}), "zh-hant": frozenset({"Han"}),
    "ja": frozenset({"Han", "Kana"}), "ko": frozenset({"Hangul"}),
    "ru": frozenset({"Cyrillic"}), "uk": frozenset({"Cyrillic"}), "bg": frozenset({"Cyrillic"}),
    "sr": frozenset({"Cyrillic"}), "el": frozenset({"Greek"}), "ar": frozenset({"Arabic"}),
    "fa": frozenset({"Arabic"}), "he": frozenset({"Hebrew"}), "hi": frozenset({"Devanagari"}),
    "bn": frozenset({"Bengali"}), "ta": frozenset({"Tamil"}), "th": frozenset({"Thai"}),
}  # fmt: skip

#: Languages whose documents carry Latin text: English is read along with them when the engine
#: needs a pack for it and the pack is installed (never an error when it is not).
LATIN_COMPANION = frozenset({"zh", "zh-hans", "zh-hant", "ja", "ko"})

_NAMES = {
    "ja": "Japanese", "ko": "Korean", "zh-hant": "Traditional Chinese", "ru": "Russian",
    "zh": "Chinese", "en": "English",
}  # fmt: skip


def scripts_of(langs: list[str]) -> frozenset[str]:
    """The scripts ``langs`` are written in (Latin for those not listed in ``SCRIPTS``)."""
    return frozenset().union(*(SCRIPTS.get(c, frozenset({"Latin"})) for c in langs))


@dataclass(frozen=True)
class EngineChoice:
    engine: str
    options: dict[str, str] = field(default_factory=dict)
    reason: str = ""


def parse_langs(text: str | list[str] | None) -> list[str]:
    """``"en,ko"`` / ``"en+ko"`` / a list -> normalised codes; unknown codes are an error."""
    if not text:
        return []
    parts = text if isinstance(text, list) else text.replace("+", ",").split(",")
    codes = [p.strip().lower().replace("_", "-") for p in parts if p.strip()]
    unknown = [c for c in codes if c not in TESSERACT_PACKS]
    if unknown:
        raise InvalidOptionError(
            f"unknown language {', '.join(unknown)}",
            "use ISO 639-1 codes such as en, zh, zh-Hant, ja, ko, fr, de, ru (comma-separated)",
        )
    return codes


def tesseract_packs(langs: list[str], installed: set[str]) -> tuple[list[str], list[str]]:
    """(packs to load, packs missing): the packs of ``langs`` in the user's order, then English
    for Chinese/Japanese/Korean when installed (``ko`` -> ``kor+eng``)."""
    packs = list(dict.fromkeys(TESSERACT_PACKS[c] for c in langs))
    missing = [p for p in packs if p not in installed]
    if any(c in LATIN_COMPANION for c in langs) and "eng" in installed and "eng" not in packs:
        packs.append("eng")
    return packs, missing


def _candidates(engine: str | None) -> list[str]:
    from vlocr.ocr.registry import DEFAULT_ENGINE, READS

    if engine is not None:
        return [engine]
    return list(dict.fromkeys([DEFAULT_ENGINE, *(n for n, r in READS.items() if r.auto)]))


def choose_engine(
    langs: list[str], engine: str | None, installed: set[str] | None = None
) -> EngineChoice:
    """The engine and options that read ``langs``; ``engine`` is the user's explicit choice or
    None. The first engine (the default first) whose declaration in ``registry.READS`` covers
    every language wins; an engine that reads through per-language packs (Tesseract) needs them
    installed. ``installed`` (Tesseract's packs) is looked up when such an engine is considered."""
    from vlocr.ocr.registry import DEFAULT_ENGINE, reads

    if not langs or engine == "vlm":  # the VLM reads what its model reads
        return EngineChoice(engine or DEFAULT_ENGINE)
    default_reads = reads(DEFAULT_ENGINE)
    beyond_default = [c for c in langs if default_reads and c not in default_reads.languages]
    missing_for: tuple[str, list[str]] | None = None
    for name in _candidates(engine):
        declared = reads(name)
        if declared is None:  # an engine without a declaration: the user's word is taken
            return EngineChoice(name)
        unread = [c for c in langs if c not in declared.languages]
        if unread:
            if engine is not None:
                names = ", ".join(_NAMES.get(c, c) for c in unread)
                raise InvalidOptionError(
                    f"the {engine} engine's bundled models cannot read {names}",
                    "drop --engine to let vlocr pick Tesseract, or pass --engine tesseract",
                )
            continue
        if not declared.packs:
            return EngineChoice(name, reason=f"{name} reads " + ", ".join(langs))
        if installed is None:
            from vlocr.ocr.tesseract import available_languages

            installed = available_languages()
        packs, missing = tesseract_packs(langs, installed)
        if missing:
            missing_for = missing_for or (name, missing)
            continue
        why = (
            f"{DEFAULT_ENGINE} does not read {', '.join(beyond_default)}; {name} reads them "
            f"with {'+'.join(packs)}"
            if beyond_default and engine is None
            else ""
        )
        return EngineChoice(name, {"lang": "+".join(packs)}, why)
    if missing_for is not None:
        missing = missing_for[1]
        debs = " ".join(f"tesseract-ocr-{p.replace('_', '-')}" for p in missing)
        raise EngineUnavailableError(
            f"Tesseract's language pack {', '.join(missing)} is not installed",
            f"apt-get install {debs}",
        )
    names = ", ".join(_NAMES.get(c, c) for c in langs)
    raise InvalidOptionError(
        f"no engine reads {names}", "see docs/languages.md for what each engine reads"
    )
