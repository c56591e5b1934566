"""Who sees what: users and roles, login, and the scope each role gets.

Roles (issue: who sees what):
- executive: every page, every branch;
- planner: every page, plus saving scenarios and editing settings;
- regional_head: their branch in full detail; other branches only as comparison figures;
- account_manager: their own book (their profile and their groups);
- data_admin: the Data page, uploads and refresh.

The role file (`users.toml`, or $KAM_USERS) maps users to a role and, where it applies, a
branch or a manager. Passwords are stored as Argon2 hashes (argon2-cffi) and checked
by that library. With no role file the app runs in a clearly labelled single-user local
mode, meant for the bundled sample on one's own machine.
"""
from __future__ import annotations

import functools
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from kam.figures.query import Scope

REPO_ROOT = Path(__file__).resolve().parents[2]
ROLES = ("executive", "planner", "regional_head", "account_manager", "data_admin")
LOCAL = "local"

# Pages each role may open (page file stems). Every page checks this itself through ui.ctx().
_ANALYSIS = {"overview", "branches", "classes", "group_profile", "managers", "manager_profile",
             "turnover", "visits", "orders", "sla", "retention", "warnings"}
PAGE_ACCESS: dict[str, set[str]] = {
    "executive": _ANALYSIS | {"staffing", "model_matrix", "data"},
    "planner": _ANALYSIS | {"staffing", "model_matrix", "data"},
    "regional_head": _ANALYSIS | {"staffing"},
    "account_manager": {"manager_profile", "group_profile", "warnings"},
    "data_admin": {"data"},
    LOCAL: _ANALYSIS | {"staffing", "model_matrix", "data"},
}
CAPABILITIES: dict[str, set[str]] = {
    "planner": {"save_scenarios", "edit_settings"},
    "data_admin": {"upload", "refresh"},
    LOCAL: {"save_scenarios", "edit_settings", "upload", "refresh"},
}

_hasher = PasswordHasher()


class RoleFileError(ValueError):
    pass


@dataclass(frozen=True)
class Viewer:
    user: str
    role: str
    name: str = ""
    branch: str | None = None
    manager: str | None = None
    see_phone_numbers: bool = False

    def may_open(self, page: str) -> bool:
        return page in PAGE_ACCESS.get(self.role, set())

    def can(self, capability: str) -> bool:
        return capability in CAPABILITIES.get(self.role, set())

    @property
    def is_local(self) -> bool:
        return self.role == LOCAL

    def scope(self) -> Scope:
        """The rows this viewer may see in detail, applied inside every query."""
        if self.role in ("regional_head", "account_manager"):
            return Scope(branches=(self.branch,) if self.branch else (), manager_id=self.manager,
                         see_phone_numbers=self.see_phone_numbers)
        return Scope(see_phone_numbers=self.see_phone_numbers)

    def comparison_scope(self) -> Scope:
        """Branch-level comparison figures: a regional head compares with every branch."""
        if self.role == "regional_head":
            return Scope(see_phone_numbers=False)
        return self.scope()


LOCAL_VIEWER = Viewer("local", LOCAL, "local")

# Reports of branch-level comparison figures only: a regional head sees every branch there.
COMPARISON_REPORTS = frozenset({"branches"})
# The page each `kam report` table belongs to: a user may print it when they may open the page.
REPORT_PAGES = {"overview": "overview", "managers": "managers", "classes": "classes", "pareto": "classes",
                "sla": "sla", "visits": "visits", "funnel": "orders", "staffing": "staffing",
                "model": "model_matrix", "branches": "branches", "quality": "data", "targets": "overview",
                "retention": "retention", "warnings": "warnings"}


def may_print(viewer: "Viewer", report: str) -> bool:
    return viewer.may_open(REPORT_PAGES.get(report, report))


def report_scope(viewer: Viewer, report: str) -> Scope:
    return viewer.comparison_scope() if report in COMPARISON_REPORTS else viewer.scope()


def role_file() -> Path | None:
    path = Path(os.environ.get("KAM_USERS", REPO_ROOT / "users.toml"))
    return path if path.exists() else None


def load_users(path: Path) -> dict[str, dict]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise RoleFileError(f"{path.name}: cannot be read ({exc})") from None
    users = data.get("users", {})
    for user, entry in users.items():
        role = entry.get("role")
        if role not in ROLES:
            raise RoleFileError(f"{path.name}: users.{user}.role must be one of {', '.join(ROLES)}, got {role!r}")
        if role == "regional_head" and not entry.get("branch"):
            raise RoleFileError(f"{path.name}: users.{user}.branch is required for a regional_head")
        if role == "account_manager" and not (entry.get("manager") and entry.get("branch")):
            raise RoleFileError(f"{path.name}: users.{user}.manager and .branch are required for an account_manager")
    return users


def viewer_from_entry(user: str, entry: dict) -> Viewer:
    return Viewer(user=user, role=entry["role"], name=entry.get("name", user), branch=entry.get("branch"),
                  manager=entry.get("manager"), see_phone_numbers=bool(entry.get("see_phone_numbers", False)))


@functools.cache
def _dummy_hash() -> str:
    return _hasher.hash("no such user")


def check_password(users: dict[str, dict], user: str, password: str) -> Viewer | None:
    """The viewer when the password matches the stored hash; None otherwise (no hint which part failed).

    An unknown user (or one without a hash) is checked against a dummy hash: the answer takes
    as long as for a real user, so timing does not tell which user names exist.
    """
    entry = users.get(user)
    stored = entry.get("password_hash") if entry else None
    try:
        if _hasher.verify(stored or _dummy_hash(), password) and stored:
            return viewer_from_entry(user, entry)
    except (VerificationError, InvalidHashError):
        pass
    return None


def hash_password(password: str) -> str:
    return _hasher.hash(password)
