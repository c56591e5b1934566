"""Planners' named scenarios, saved as JSON in the export folder: `<folder>/.kam/scenarios/<name>.json`.

A scenario belongs to the data it was made for, so it lives beside the exports, not in the
code. The file name comes from the planner's name, sanitised so that no name can leave the
folder or clash with the file system (`../x`, `a/b`, `CON`, a name of only dots); the name as
typed is kept inside the file and shown in lists. One folder holds both kinds (`staffing`,
`model`).

Saving never loses a scenario without the planner saying so: saving under a name already saved
raises ScenarioExists (the page asks "overwrite?" and saves again with overwrite=True); a name
whose file is already taken by another name ("a b" and "a_b" both make a_b.json, "Plan" and
"plan" are one file on Windows and macOS) or by the other kind is refused with a message, also
when two planners save such names at the same moment (a new file's name is claimed exclusively).
Opening or deleting by a name only ever touches the file that holds that very name.
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

from kam.i18n import t

KINDS = ("staffing", "model")
MAX_STEM = 60
_UNSAFE = re.compile(r"[^\w\-]+")  # \w is Unicode: 扩张方案 stays readable
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}


class ScenarioError(ValueError):
    """A scenario name that cannot be used, or a file that is not a scenario of the expected kind.

    `key` and `params` let a page say it in the viewer's language (planning.scenario_error.<key>);
    str() is the English text, for the command line and logs.
    """

    def __init__(self, key: str, **params: object):
        self.key, self.params = key, params
        super().__init__(self.in_language("en"))

    def in_language(self, lang: str) -> str:
        params = dict(self.params)
        if params.get("kind") in KINDS:  # the kind in words, not its code
            params["kind"] = t(f"planning.scenario_kind.{params['kind']}", lang)
        return t(f"planning.scenario_error.{self.key}", lang, **params)


class ScenarioExists(ScenarioError):
    """A scenario of that name is saved already: save again with overwrite=True to replace it."""


@dataclass(frozen=True)
class Scenario:
    name: str  # as the planner typed it
    kind: str
    levers: dict
    saved_at: str = ""
    file: str = ""  # the file's name in the scenarios folder

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
        raise ScenarioError("unusable", name=str(name or "").strip())
    if stem.lower() in _RESERVED:
        stem += "_"
    return stem


def path_for(folder: Path | str, name: str) -> Path:
    return scenarios_dir(folder) / f"{sanitise(name)}.json"


def same_name(a: str, b: str) -> bool:
    """Two names a planner would call the same: equal after NFKC and trimming (全角 Ｇ is G)."""
    return unicodedata.normalize("NFKC", str(a)).strip() == unicodedata.normalize("NFKC", str(b)).strip()


def _taken(folder: Path | str, stem: str) -> Path | None:
    """The saved file that `stem` would write, compared without case (one file on Windows and macOS)."""
    folded = stem.casefold()
    return next((p for p in sorted(scenarios_dir(folder).glob("*.json")) if p.stem.casefold() == folded), None)


def save(folder: Path | str, kind: str, name: str, levers: dict, *, overwrite: bool = False) -> Path:
    """Write the scenario atomically (a reader sees the old file or the new, never half of one).

    Raises ScenarioExists when a scenario of that name is saved already (unless overwrite), and
    ScenarioError when the file is taken by another name or by the other kind of scenario.
    """
    if kind not in KINDS:
        raise ScenarioError("kind", kind=kind)
    name = str(name or "").strip()
    path = path_for(folder, name)
    taken = _taken(folder, path.stem)
    if taken is not None:
        try:
            existing = _read(taken)
        except ScenarioError:
            raise ScenarioError("unreadable_in_the_way", name=name, file=taken.name) from None
        if existing.kind != kind:
            raise ScenarioError("other_kind", name=name, kind=existing.kind)
        if not same_name(existing.name, name) or taken.name != path.name:
            raise ScenarioError("same_file", name=name, other=existing.name, file=taken.name)
        if not overwrite:
            raise ScenarioExists("exists", name=existing.name, file=taken.name,
                                 saved_at=existing.saved_at.replace("T", " ")[:16])  # to the minute
    path.parent.mkdir(parents=True, exist_ok=True)
    claimed = taken is None
    if claimed and not _claim(path):
        # another save took the file between the check and now: judge again, against what it wrote
        return save(folder, kind, name, levers, overwrite=overwrite)
    doc = {"name": name, "kind": kind,
           "saved_at": dt.datetime.now().isoformat(sep=" ", timespec="minutes"), "levers": levers}
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, delete=False,
                                     prefix=path.stem, suffix=".tmp") as f:
        tmp = Path(f.name)
    try:
        tmp.write_text(json.dumps(doc, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        if claimed:  # not left empty in the way of the next save
            path.unlink(missing_ok=True)
        raise
    return path


def _claim(path: Path) -> bool:
    """Create `path` empty if no file has its name yet (atomic: one of two racing saves wins)."""
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
        return True
    except FileExistsError:
        return False


def load(folder: Path | str, name: str, kind: str | None = None) -> Scenario:
    path = path_for(folder, name)
    if not path.exists():
        raise ScenarioError("missing", name=name)
    scenario = _read(path)
    if not same_name(scenario.name, name):  # "a b" asked, the file holds "a_b": not the scenario asked for
        raise ScenarioError("missing", name=name)
    if kind is not None and scenario.kind != kind:
        raise ScenarioError("wrong_kind", name=name, kind=scenario.kind)
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
    """Delete the scenario of that name; a file holding another name (or nothing readable) is left alone."""
    path = path_for(folder, name)
    try:
        held = _read(path).name
    except ScenarioError:
        return
    if same_name(held, name):
        path.unlink(missing_ok=True)


def _read(path: Path) -> Scenario:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise ScenarioError("unreadable", file=path.name, error=str(e)) from None
    if not isinstance(doc, dict) or doc.get("kind") not in KINDS or not isinstance(doc.get("levers"), dict):
        raise ScenarioError("not_scenario", file=path.name)
    return Scenario(str(doc.get("name") or path.stem), doc["kind"], doc["levers"], str(doc.get("saved_at", "")),
                    path.name)


# ------------------------------------------------------------------------ the same two widgets on every planner page

def picker(context, kind: str, show, defaults) -> None:
    """"Open a saved scenario" and "back to the settings": `show(levers)` puts levers into the page's widgets
    (a saved scenario's, or `defaults` — the settings' own). Widget keys start with the page's name (kind)."""
    import streamlit as st

    prefix = _prefix(kind)

    def open_saved() -> None:
        name = st.session_state.get(f"{prefix}_open")
        if not name:
            return
        try:
            show(load(context.wh.folder, name, kind).levers)
            st.session_state[f"{prefix}_name"] = name  # saving again starts from the name it was opened by
        except ScenarioError as exc:
            st.session_state[f"{prefix}_saved"] = (False, exc.in_language(context.lang))
        except (ValueError, TypeError) as exc:  # a file edited by hand
            st.session_state[f"{prefix}_saved"] = (False, context.t("planning.scenario_error.bad_levers",
                                                                    name=name, error=str(exc)))

    pick, reset = st.columns([3, 1], vertical_alignment="bottom")
    pick.selectbox(context.t("planning.open_scenario"), [s.name for s in list_scenarios(context.wh.folder, kind)],
                   index=None, placeholder=context.t("planning.choose"), key=f"{prefix}_open", on_change=open_saved)
    reset.button(context.t("planning.reset"), on_click=show, args=(defaults,), key=f"{prefix}_reset",
                 icon=":material/restart_alt:")


def saver(context, kind: str, levers: dict) -> None:
    """A name box and a Save button (for roles that may save scenarios), and what saving said.

    Saving happens in the page's own run, after the page has read its widgets, so `levers` are the
    ones on screen when Save was clicked, and the name is read from the box when the click arrives
    (a click commits what was typed, Enter or not). (Saving in an on_click callback with the name and
    levers as arguments saved those of the run before: the previous name's file, over again.) The
    callback only notes the request in a plain session key, which outlives a rerun, unlike a button's
    value. The button is never disabled for an empty box either: a box filled but not yet committed
    would swallow the first click.
    """
    import streamlit as st

    prefix = _prefix(kind)
    name_key, asked_key, pending_key, said_key = (f"{prefix}_name", f"{prefix}_save_asked", f"{prefix}_pending",
                                                  f"{prefix}_saved")

    def write(name: str, overwrite: bool) -> None:
        try:
            path = save(context.wh.folder, kind, name, levers, overwrite=overwrite)
        except ScenarioExists as exc:  # ask first: the page shows the question below
            st.session_state[pending_key] = {"name": name.strip(), "levers": levers, **exc.params}
            return
        except ScenarioError as exc:
            st.session_state[said_key] = (False, exc.in_language(context.lang))
            return
        st.session_state.pop(pending_key, None)
        st.session_state[said_key] = (True, context.t("planning.saved", name=name.strip(), file=path.name))
        st.rerun()  # so that the list of saved scenarios above shows it

    def ask(what: str) -> None:
        st.session_state[asked_key] = (what, str(st.session_state.get(name_key) or ""))

    name_col, save_col = st.columns([3, 1], vertical_alignment="bottom")
    name_col.text_input(context.t("planning.scenario_name"), key=name_key,
                        placeholder=context.t("planning.scenario_name_hint"))
    may_save = context.viewer.can("save_scenarios")
    save_col.button(context.t("planning.save"), key=f"{prefix}_save", disabled=not may_save, on_click=ask,
                    args=("save",), icon=":material/save:",
                    help=None if may_save else context.t("planning.no_save_right"))
    pending = st.session_state.get(pending_key)
    asked = st.session_state.pop(asked_key, None) if may_save else None
    if asked and asked[0] == "save":
        if asked[1].strip():
            write(asked[1], overwrite=False)
            pending = st.session_state.get(pending_key)
        else:
            st.session_state[said_key] = (False, context.t("planning.name_needed"))
    elif asked and asked[0] == "overwrite" and pending:
        write(pending["name"], overwrite=True)
    elif asked and asked[0] == "cancel":
        st.session_state.pop(pending_key, None)
        pending = None
    name = str(st.session_state.get(name_key) or "")
    if pending and (not same_name(pending["name"], name) or pending["levers"] != levers):
        st.session_state.pop(pending_key)  # the name or the levers changed since: the question is moot
        pending = None
    if pending:
        st.warning(context.t("planning.overwrite_ask", name=pending["name"], file=pending["file"],
                             saved_at=pending.get("saved_at") or "—"), icon=":material/warning:")
        yes, no, _ = st.columns([1, 1, 4])
        yes.button(context.t("planning.overwrite"), key=f"{prefix}_overwrite", type="primary", on_click=ask,
                   args=("overwrite",))
        no.button(context.t("planning.cancel"), key=f"{prefix}_cancel", on_click=ask, args=("cancel",))
    if said := st.session_state.pop(said_key, None):
        (st.success if said[0] else st.error)(said[1])


def _prefix(kind: str) -> str:
    """The page's session_state prefix for a kind of scenario."""
    return "staffing" if kind == "staffing" else "model_matrix"
