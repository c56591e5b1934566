"""Labels in the user's language: one translation table per language, for every layer that speaks.

It sits at the bottom of the layers (it imports nothing of kam): the command line, the planners'
models (a lever error), the readers' messages and the pages all say things in the viewer's language.

The table of a language is kam/i18n/locales/<lang>.toml (shared labels) merged with one file
per area, kam/i18n/locales/<area>.<lang>.toml, so that each area's labels sit together; a key
defined in two files is an error (duplicate_keys() lists them, a test keeps it empty).

Keys are dotted (`data.refresh`, `reason.bad_date`, `column.group_id`), grouped by TOML tables.
A missing label shows its key instead of failing: a page with one untranslated word is better
than a page that does not render. tests/test_i18n.py keeps the two tables in step.
"""
from __future__ import annotations

import functools
import logging
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

LANGS = {"zh": "中文", "en": "English"}
DEFAULT_LANG = "zh"
LOCALES_DIR = Path(__file__).resolve().parent / "locales"

log = logging.getLogger(__name__)


def _flatten(table: dict, prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in table.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, dict):
            out |= _flatten(value, dotted + ".")
        else:
            out[dotted] = str(value)
    return out


def locale_files(lang: str) -> list[Path]:
    """The files that make up one language's table: the shared one first, then each area's."""
    return [LOCALES_DIR / f"{lang}.toml", *sorted(LOCALES_DIR.glob(f"*.{lang}.toml"))]


def _read(path: Path) -> dict[str, str]:
    try:
        with open(path, "rb") as f:
            return _flatten(tomllib.load(f))
    except (OSError, tomllib.TOMLDecodeError) as e:
        log.error("translation file %s cannot be read: %s", path.name, e)
        return {}


@functools.cache
def labels(lang: str) -> dict[str, str]:
    """Every label of a language, by dotted key ({} for an unknown language)."""
    if lang not in LANGS:
        return {}
    merged: dict[str, str] = {}
    for path in locale_files(lang):
        merged |= _read(path)
    return merged


def duplicate_keys() -> list[str]:
    """Keys defined in more than one file of a language: `lang key: file, file`."""
    found = []
    for lang in LANGS:
        seen: dict[str, str] = {}
        for path in locale_files(lang):
            for key in _read(path):
                if key in seen:
                    found.append(f"{lang} {key}: {seen[key]}, {path.name}")
                seen.setdefault(key, path.name)
    return found


def t(key: str, lang: str = DEFAULT_LANG, **fmt: object) -> str:
    """The label for key in lang, with {fields} filled from fmt; the key itself if there is none."""
    label = labels(lang if lang in LANGS else DEFAULT_LANG).get(key)
    if label is None:
        return key
    if not fmt:
        return label
    try:
        return label.format(**fmt)
    except (KeyError, IndexError, ValueError):
        return label  # a field the caller did not pass: show the text rather than fail


def label_of(area: str, code: object, lang: str = DEFAULT_LANG) -> str:
    """The label of a code value (`label_of("fee_item", "line", "zh")` → 专线); the code when unknown."""
    if code is None or code != code:  # None, or NaN: an empty cell of a table
        return ""
    key = f"{area}.{code}"
    label = t(key, lang)
    return str(code) if label == key else label


def column_label(name: str, lang: str = DEFAULT_LANG, dataset: str | None = None) -> str:
    """A column header; a dataset may word a shared column its own way (managers.leave_date = 离职日期)."""
    if dataset:
        specific = t(f"column.{dataset}.{name}", lang)
        if specific != f"column.{dataset}.{name}":
            return specific
    return label_of("column", name, lang)


def export_header(name: str, lang: str = DEFAULT_LANG, dataset: str | None = None) -> str:
    """A column as export files head it: the contract's Chinese header on a Chinese screen (the
    column labels are those headers, tests/test_i18n.py), the contract's own name otherwise."""
    return column_label(name, lang, dataset) if lang == "zh" else name


@dataclass(frozen=True)
class Message:
    """Something a lower layer says (a reader's error, a refresh's progress), kept as a label key
    and its fields until it is shown, so that each screen says it in its viewer's language.

    str() is the English text with the fields as given (dataset codes, canonical column names):
    what the command line prints and logs keep. text(lang) is what a screen shows: the label in
    lang, a `dataset` (or `mart`) field as its name, a `column` field as the export heads it, and a
    field holding a Message in lang too.
    """
    key: str
    params: dict = field(default_factory=dict)

    def __str__(self) -> str:
        return t(self.key, "en", **{k: str(v) if isinstance(v, Message) else v for k, v in self.params.items()})

    def text(self, lang: str = DEFAULT_LANG) -> str:
        dataset = self.params.get("dataset")
        shown = {}
        for name, value in self.params.items():
            if isinstance(value, Message):
                value = value.text(lang)
            elif name in ("dataset", "mart") and value:
                value = label_of(name, value, lang)
            elif name == "column" and value:
                value = export_header(str(value), lang, dataset)
            shown[name] = value
        return t(self.key, lang, **shown)


def missing_keys() -> dict[str, list[str]]:
    """For each language, the keys another language has and it lacks; {} when all are in step."""
    every = set().union(*(labels(lang).keys() for lang in LANGS))
    gaps = {lang: sorted(every - labels(lang).keys()) for lang in LANGS}
    return {lang: keys for lang, keys in gaps.items() if keys}
