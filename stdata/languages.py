"""BCP-47 language tags: presets for `--langs`, normalisation, names and scripts (via langcodes).

Tags are normalised with langcodes (`eng` -> `en`), never guessed: a dataset's own codes (`jp`,
`eng_Latn`, `xquad.de`) are mapped in each task's source spec, not here.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import cache

import langcodes

from .errors import UsageError

PRESETS: dict[str, tuple[str, ...]] = {
    "1": ("en",),
    "11": ("en", "ar", "de", "es", "fr", "hi", "ja", "ru", "sw", "tr", "zh"),
    "25": (
        "en", "ar", "bn", "de", "es", "fa", "fr", "hi", "id", "it", "ja", "ko", "nl",
        "pl", "pt", "ru", "sw", "ta", "te", "th", "tr", "uk", "ur", "vi", "zh",
    ),
}  # fmt: skip
#: `all` means every language the registry knows (templates or sources); resolved by the caller.
ALL = "all"


@dataclass(frozen=True)
class LanguageInfo:
    tag: str
    name: str
    script: str


class UnknownLanguage(UsageError):
    pass


@cache
def normalize(code: str) -> str | None:
    """The standard BCP-47 form of `code`, or None if it names no known language."""
    code = code.strip()
    if not code or not langcodes.tag_is_valid(code):
        return None
    lang = langcodes.Language.get(code)
    if not lang.is_valid() or lang.language is None or "Unknown" in lang.language_name():
        return None
    return langcodes.standardize_tag(code)


@cache
def info(tag: str) -> LanguageInfo:
    lang = langcodes.Language.get(tag)
    return LanguageInfo(tag=tag, name=lang.display_name(), script=lang.maximize().script or "")


def _country_language(code: str) -> str | None:
    """The main language of the country `code` names (`jp` -> `ja`, `cn` -> `zh`): a common slip, and the
    spelling some datasets use for their configs (XWinograd's `jp`, mapped to `ja` in its task.yaml)."""
    if len(code) != 2 or not code.isalpha():
        return None
    region = langcodes.Language.get(f"und-{code.upper()}")
    if "Unknown" in region.territory_name():
        return None
    return region.maximize().language


def suggestions(code: str, known: tuple[str, ...] = ()) -> list[str]:
    """Close matches for an unknown code: the language of a country code, a language *named* `code`, similar known tags."""
    pool = set(known) | {t for tags in PRESETS.values() for t in tags}
    out = difflib.get_close_matches(code.lower(), sorted(pool), n=3, cutoff=0.4)
    try:
        named = str(langcodes.find(code))
        if named not in out:
            out.insert(0, named)
    except LookupError:
        pass
    country = _country_language(code.strip())
    if country:
        out = [country, *(t for t in out if t != country)]
    return out


def require(code: str, known: tuple[str, ...] = ()) -> str:
    """Normalise `code` or raise a one-line error with close matches."""
    tag = normalize(code)
    if tag is None:
        close = suggestions(code, known)
        hint = f"; did you mean {', '.join(f'{t} ({info(t).name})' for t in close)}?" if close else ""
        raise UnknownLanguage(f"unknown language code {code!r}{hint}")
    return tag


def resolve(spec: str | None, known: tuple[str, ...] = ()) -> list[str]:
    """Turn a `--langs` value (preset `1`/`11`/`25`, `all`, or a comma list) into tags.

    `known` is every language the registry has; it answers `all` and feeds suggestions.
    """
    if spec is None or not spec.strip():
        raise UsageError("--langs is empty; give a preset (1, 11, 25, all) or a comma list such as en,de")
    spec = spec.strip()
    if spec in PRESETS:
        return list(PRESETS[spec])
    if spec == ALL:
        return sorted(set(known))
    out: list[str] = []
    for part in spec.split(","):
        part = part.strip()
        if not part:
            continue
        if part in PRESETS or part == ALL:
            raise UsageError(f"preset {part!r} cannot be mixed with a list; use it alone")
        tag = require(part, known)
        if tag not in out:
            out.append(tag)
    if not out:
        raise UsageError(f"--langs {spec!r} names no language")
    return out
