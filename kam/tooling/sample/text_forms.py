"""Values as an export writes them: ids, dates, times and amounts, in the forms the contract accepts."""
from __future__ import annotations

import numpy as np

from kam.tooling.sample.scales import NEVER


def group_ids(numbers: np.ndarray) -> np.ndarray:
    """G00001 ... for group numbers from 0 (five digits hold every scale, L's 50,000 included)."""
    return np.array([f"G{i + 1:05d}" for i in np.asarray(numbers).tolist()], dtype=object)


def manager_ids(numbers: np.ndarray) -> np.ndarray:
    """M0001 ... for manager numbers from 0; '' for -1 (unassigned)."""
    return np.array([f"M{i + 1:04d}" if i >= 0 else "" for i in np.asarray(numbers).tolist()], dtype=object)


def _dates(days: np.ndarray, style: str = "iso") -> list[str]:
    """Day numbers as text ('' for NEVER) in one of the forms the contract accepts."""
    days = np.asarray(days)
    iso = np.datetime_as_string(np.where(days < NEVER, days, 0).astype("datetime64[D]"))
    out = iso.tolist()
    if style == "compact":
        out = [s.replace("-", "") for s in out]
    elif style == "slash":   # 2023/6/3, as Excel-minded CRM screens print it
        out = [f"{s[:4]}/{int(s[5:7])}/{int(s[8:10])}" for s in out]
    elif style == "dot":
        out = [s.replace("-", ".") for s in out]
    return [s if d < NEVER else "" for s, d in zip(out, days.tolist())]


def _times(seconds: np.ndarray, minutes_only: bool = False) -> list[str]:
    """Seconds as 'YYYY-MM-DD HH:MM:SS' (or HH:MM), '' for -1."""
    seconds = np.asarray(seconds)
    text = np.datetime_as_string(np.maximum(seconds, 0).astype("datetime64[s]")).tolist()
    cut = 16 if minutes_only else 19
    return [t[:cut].replace("T", " ") if s >= 0 else "" for t, s in zip(text, seconds.tolist())]


def _amounts(values: np.ndarray, mixed: bool = False, rng=None) -> list[str]:
    """Yuan with two decimals; `mixed` writes each in one of the forms the field exports."""
    plain = [f"{v:.2f}" for v in values.tolist()]
    if not mixed:
        return plain
    form = rng.integers(0, 4, len(plain))
    out = []
    for v, p, f in zip(values.tolist(), plain, form.tolist()):
        if v < 0 or f == 0:
            out.append(p)
        elif f == 1:
            out.append(f"{v:,.2f}")
        elif f == 2:
            out.append(f"¥{p}")
        else:
            out.append(f"￥{v:,.2f}")
    return out
