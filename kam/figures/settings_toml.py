"""A tiny TOML writer, for saving settings (Python reads TOML but cannot write it).

It writes the shapes settings.toml uses: tables, arrays of tables, inline tables, scalar lists.
"""
from __future__ import annotations

import datetime as dt
import json
import math
import re
from typing import Any

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def _key(k: Any) -> str:
    k = str(k)
    return k if _BARE_KEY.match(k) else _string(k)


def _string(s: str) -> str:
    # JSON string escapes are valid TOML basic-string escapes; TOML also forbids a raw DEL.
    return json.dumps(s, ensure_ascii=False).replace("\x7f", "\\u007f")


def _is_plain(v: Any) -> bool:
    """A value that fits on one line: scalars, lists of them, and dicts of those (inline tables)."""
    if isinstance(v, dict):
        return all(_is_plain(x) and not isinstance(x, dict) for x in v.values())
    if isinstance(v, list):
        return all(not isinstance(x, (dict, list)) or (isinstance(x, list) and _is_plain(x)) for x in v)
    return True


def _value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf") if math.isinf(v) else repr(v)
    if isinstance(v, str):
        return _string(v)
    if isinstance(v, (dt.datetime, dt.date, dt.time)):
        return v.isoformat()
    if isinstance(v, list):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{_key(k)} = {_value(x)}" for k, x in v.items()) + " }" if v else "{}"
    raise TypeError(f"cannot write {type(v).__name__} to TOML")


def _is_table_array(v: Any) -> bool:
    return isinstance(v, list) and bool(v) and all(isinstance(x, dict) for x in v)


def dumps_toml(data: dict) -> str:
    """TOML for the shapes settings use: tables, arrays of tables, inline tables, scalar lists."""
    out: list[str] = []
    _emit(out, [], data, header=None)
    return "\n".join(out).strip() + "\n"


def _emit(out: list[str], path: list[str], table: dict, header: str | None) -> None:
    own, nested = [], []
    for k, v in table.items():
        top_level_section = not path and isinstance(v, dict)
        if _is_table_array(v) or (isinstance(v, dict) and (top_level_section or not _is_plain(v))):
            nested.append((k, v))  # TOML wants a table's own keys before any sub-table header
        else:
            own.append(f"{_key(k)} = {_value(v)}")
    # A table holding only sub-tables needs no header of its own ([capacity] before [[capacity.bands]]),
    # but an array element always does: its header is what starts the element.
    if header and (own or not nested or header.startswith("[[")):
        out += ["", header]
    out += own
    for k, v in nested:
        sub = [*path, _key(k)]
        if isinstance(v, dict):
            _emit(out, sub, v, f"[{'.'.join(sub)}]")
        else:
            for item in v:
                _emit(out, sub, item, f"[[{'.'.join(sub)}]]")
