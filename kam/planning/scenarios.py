"""Planners' named scenarios, saved as JSON in the export folder: `<folder>/.kam/scenarios/<name>.json`.

A scenario belongs to the data it was made for, so it lives beside the exports, not in the
code. The file name comes from the planner's name, sanitised so that no name can leave the
folder or clash with the file system (`../x`, `a/b`, `CON`, a name of only dots); the name as
typed is kept inside the file and shown in lists. One folder holds both kinds (`staffing`,
`model`); a name already used by the other kind is refused rather than overwritten.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

KINDS = ("staffing", "model")
MAX_STEM = 60
_UNSAFE = re.compile(r"[^\w\-]+")  # \w is Unicode: 扩张方案 stays readable
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}


class ScenarioError(ValueError):
    """A scenario name that cannot be used, or a file that is not a scenario of the expected kind."""


@dataclass(frozen=True)
class Scenario:
    name: str  # as the planner typed it
    kind: str
    levers: dict
    saved_at: str = ""

    @property
    def stem(self) -> str:
        return sanitise(self.name)


def scenarios_dir(folder: Path | str) -> Path:
    return Path(folder) / ".kam" / "scenarios"


def sanitise(name: str) -> str:
    """A safe file stem for a scenario name: letters (any script), digits, `-` and `_` only.

    Runs of anything else (spaces, dots, slashes) become one `_`; leading and trailing `_`/`-`
    are dropped; at most MAX_STEM characters. Raises ScenarioError when nothing usable is left.
    """
    text = unicodedata.normalize("NFKC", str(name or "")).strip()
    stem = _UNSAFE.sub("_", text).strip("_-")[:MAX_STEM].strip("_-")
    if not stem:
        raise ScenarioError(f"not a usable scenario name: {name!r}")
    if stem.lower() in _RESERVED:
        stem += "_"
    return stem


def path_for(folder: Path | str, name: str) -> Path:
    return scenarios_dir(folder) / f"{sanitise(name)}.json"


def save(folder: Path | str, kind: str, name: str, levers: dict) -> Path:
    """Write the scenario atomically (a reader sees the old file or the new, never half of one)."""
    if kind not in KINDS:
        raise ScenarioError(f"unknown scenario kind {kind!r}")
    path = path_for(folder, name)
    if path.exists():
        existing = _read(path)
        if existing.kind != kind:
            raise ScenarioError(f"the name {name!r} is already used by a {existing.kind} scenario")
    path.parent.mkdir(parents=True, exist_ok=True)
    doc = {"name": str(name).strip(), "kind": kind,
           "saved_at": dt.datetime.now().isoformat(timespec="seconds"), "levers": levers}
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, delete=False,
                                     prefix=path.stem, suffix=".tmp") as f:
        json.dump(doc, f, ensure_ascii=False, indent=1, default=str)
    os.replace(f.name, path)
    return path


def load(folder: Path | str, name: str, kind: str | None = None) -> Scenario:
    path = path_for(folder, name)
    if not path.exists():
        raise ScenarioError(f"no scenario named {name!r}")
    scenario = _read(path)
    if kind is not None and scenario.kind != kind:
        raise ScenarioError(f"{name!r} is a {scenario.kind} scenario, not a {kind} one")
    return scenario


def list_scenarios(folder: Path | str, kind: str | None = None) -> list[Scenario]:
    """The saved scenarios (of one kind), by name; unreadable files are skipped."""
    found = []
    for path in sorted(scenarios_dir(folder).glob("*.json")):
        try:
            scenario = _read(path)
        except ScenarioError:
            continue
        if kind is None or scenario.kind == kind:
            found.append(scenario)
    return sorted(found, key=lambda s: s.name)


def delete(folder: Path | str, name: str) -> None:
    path_for(folder, name).unlink(missing_ok=True)


def _read(path: Path) -> Scenario:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise ScenarioError(f"{path.name} cannot be read: {e}") from None
    if not isinstance(doc, dict) or doc.get("kind") not in KINDS or not isinstance(doc.get("levers"), dict):
        raise ScenarioError(f"{path.name} is not a scenario file")
    return Scenario(str(doc.get("name") or path.stem), doc["kind"], doc["levers"], str(doc.get("saved_at", "")))


# ------------------------------------------------------------------------ the same two widgets on every planner page

def picker(context, kind: str, show, defaults) -> None:
    """"Open a saved scenario" and "back to the settings": `show(levers)` puts levers into the page's widgets
    (a saved scenario's, or `defaults` — the settings' own). Widget keys start with the page's name (kind)."""
    import streamlit as st

    prefix = "staffing" if kind == "staffing" else "model_matrix"

    def open_saved() -> None:
        name = st.session_state.get(f"{prefix}_open")
        if not name:
            return
        try:
            show(load(context.wh.folder, name, kind).levers)
            st.session_state[f"{prefix}_name"] = name
        except (ScenarioError, ValueError, TypeError) as exc:  # a file edited by hand
            st.session_state[f"{prefix}_saved"] = (False, str(exc))

    pick, reset = st.columns([3, 1], vertical_alignment="bottom")
    pick.selectbox(context.t("planning.open_scenario"), [s.name for s in list_scenarios(context.wh.folder, kind)],
                   index=None, placeholder=context.t("planning.choose"), key=f"{prefix}_open", on_change=open_saved)
    reset.button(context.t("planning.reset"), on_click=show, args=(defaults,), key=f"{prefix}_reset",
                 icon=":material/restart_alt:")


def saver(context, kind: str, levers: dict) -> None:
    """A name box and a Save button (for roles that may save scenarios), and what saving said."""
    import streamlit as st

    prefix = "staffing" if kind == "staffing" else "model_matrix"

    def save_now(name: str) -> None:
        try:
            path = save(context.wh.folder, kind, name, levers)
            st.session_state[f"{prefix}_saved"] = (True, context.t("planning.saved", file=path.name))
        except ScenarioError as exc:
            st.session_state[f"{prefix}_saved"] = (False, str(exc))

    name_col, save_col = st.columns([3, 1], vertical_alignment="bottom")
    name = name_col.text_input(context.t("planning.scenario_name"), key=f"{prefix}_name")
    may_save = context.viewer.can("save_scenarios")
    # on_click, not `if st.button(...)`: the callback runs before the page, with the levers shown when clicked
    save_col.button(context.t("planning.save"), key=f"{prefix}_save", disabled=not (name and may_save),
                    icon=":material/save:", help=None if may_save else context.t("planning.no_save_right"),
                    on_click=save_now, args=(name,))
    if said := st.session_state.pop(f"{prefix}_saved", None):
        (st.success if said[0] else st.error)(said[1])
