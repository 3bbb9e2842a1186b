"""Which engine reads which language: the bundled PP-OCR models or Tesseract's language packs.

The models inside the ``rapidocr`` wheel read Chinese (simplified and traditional), English and
the Latin-script European languages. Korean comes out empty and Japanese garbled, and Cyrillic,
Greek, Arabic, Indic and Thai scripts are not in their alphabet at all, so those languages go to
Tesseract with the Debian pack for the language (``tesseract-ocr-<code>``), and a missing pack is
reported as such instead of silently reading with English.
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

#: Languages the bundled models read well.
BUNDLED = frozenset(
    {"en", "zh", "zh-hans", "zh-hant", "fr", "de", "es", "it", "pt", "nl", "sv", "da", "no", "fi",
     "pl", "cs", "sk", "ro", "hu", "id", "ms"}
)  # fmt: skip

_NAMES = {"ja": "Japanese", "ko": "Korean", "zh-hant": "Traditional Chinese", "ru": "Russian"}


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


def choose_engine(
    langs: list[str], engine: str | None, installed: set[str] | None = None
) -> EngineChoice:
    """The engine and options that read ``langs``; ``engine`` is the user's explicit choice or
    None. ``installed`` (Tesseract's packs) is looked up when Tesseract is needed."""
    from vlocr.ocr.registry import DEFAULT_ENGINE

    if not langs or engine == "vlm":  # the VLM reads what its model reads
        return EngineChoice(engine or DEFAULT_ENGINE)
    needs_tesseract = [c for c in langs if c not in BUNDLED]
    if engine is None and not needs_tesseract:
        return EngineChoice(DEFAULT_ENGINE, reason="the bundled models read " + ", ".join(langs))
    if engine not in (None, "tesseract"):
        if needs_tesseract:
            names = ", ".join(_NAMES.get(c, c) for c in needs_tesseract)
            raise InvalidOptionError(
                f"the {engine} engine's bundled models cannot read {names}",
                "drop --engine to let vlocr pick Tesseract, or pass --engine tesseract",
            )
        return EngineChoice(engine)
    if installed is None:
        from vlocr.ocr.tesseract import available_languages

        installed = available_languages()
    packs = list(dict.fromkeys(TESSERACT_PACKS[c] for c in langs))
    missing = [p for p in packs if p not in installed]
    if missing:
        debs = " ".join(f"tesseract-ocr-{p.replace('_', '-')}" for p in missing)
        raise EngineUnavailableError(
            f"Tesseract's language pack {', '.join(missing)} is not installed",
            f"apt-get install {debs}",
        )
    why = "" if engine else f"the bundled models cannot read {', '.join(needs_tesseract)}"
    return EngineChoice("tesseract", {"lang": "+".join(packs)}, why)
