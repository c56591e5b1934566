"""The query layer: run a named SQL file against the current warehouse, safely from many threads.

One in-memory DuckDB connection holds the warehouse file attached read-only, and
views in its main schema point at the attached tables. A refresh attaches the new
file under a new alias, repoints the views and detaches the old one: a query already
running finishes on the old data, the next one sees the new, never a mix. Each call
runs on its own cursor, because a DuckDB connection is not thread-safe.
"""
from __future__ import annotations

import datetime as dt
import json
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from kam.figures.period import Period
from kam.storage.sql import bind, load_sql
from kam.storage.warehouse import current_warehouse


class NoData(Exception):
    """The export folder has never been loaded."""


@dataclass(frozen=True)
class Scope:
    """What a viewer may see: None means every branch."""
    branches: tuple[str, ...] | None = None
    manager_id: str | None = None
    see_phone_numbers: bool = False


EVERYONE = Scope()


class Warehouse:
    CACHE_SIZE = 512

    def __init__(self, folder: Path, settings=None):
        self.folder = Path(folder)
        self._con = duckdb.connect(":memory:", config={"threads": 2})
        self._lock = threading.RLock()
        self._alias: str | None = None
        self._file: Path | None = None
        self._generation = 0
        self._cache: OrderedDict = OrderedDict()
        self.settings = None
        self.sync()
        if settings is not None:
            self.use_settings(settings)

    # ------------------------------------------------------------ keeping current

    @property
    def version(self) -> str:
        """Changes with every refresh and every settings change: part of each cache key."""
        settings_version = getattr(self.settings, "version", "")
        return f"{self._file.name if self._file else 'empty'}:{settings_version}"

    @property
    def loaded(self) -> bool:
        return self._file is not None

    def sync(self) -> bool:
        """Switch to the newest published warehouse if there is one; True when it changed."""
        latest = current_warehouse(self.folder)
        if latest is None or latest == self._file:
            return False
        with self._lock:
            if latest == self._file:
                return False
            self._generation += 1
            alias = f"wh_{self._generation}"
            self._con.execute(f"attach $path as {alias} (read_only)", {"path": str(latest)})
            tables = [r[0] for r in self._con.execute(
                "select table_name from duckdb_tables() where database_name = $db "
                "union select view_name from duckdb_views() where database_name = $db and not internal",
                {"db": alias}).fetchall()]
            for name in tables:
                self._con.execute(f'create or replace view main."{name}" as select * from {alias}."{name}"')
            old = self._alias
            self._alias, self._file = alias, latest
            if old:
                self._con.execute(f"detach {old}")
            self._cache.clear()
            return True

    def use_settings(self, settings) -> None:
        """Register the settings' tables (cfg_*) so report SQL can join them."""
        with self._lock:
            for name, frame in settings.tables().items():
                self._con.register(f"{name}_frame", frame)
                self._con.execute(f'create or replace table main."{name}" as select * from "{name}_frame"')
                self._con.unregister(f"{name}_frame")
            self.settings = settings
            self._cache.clear()

    # ------------------------------------------------------------ running queries

    def query(self, name: str, params: dict | None = None, scope: Scope = EVERYONE) -> pd.DataFrame:
        """Run queries/<name>.sql with bound parameters; cached by name, parameters and version."""
        if not self.loaded:
            raise NoData(f"no warehouse yet for {self.folder}: run `kam ingest {self.folder}`")
        available = dict(self.settings.sql_params()) if self.settings is not None else {}
        available.update(params or {})
        # The scope always comes from the viewer, never from a caller's parameters.
        available["branches"] = self._scope_branches(scope)
        available["manager_scope"] = scope.manager_id
        sql = load_sql(name)
        bound = bind(sql, available)
        key = (name, _freeze(bound), self.version)
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key].copy()
        cursor = self._con.cursor()
        try:
            frame = cursor.execute(sql, bound).df()
        finally:
            cursor.close()
        with self._lock:
            self._cache[key] = frame
            while len(self._cache) > self.CACHE_SIZE:
                self._cache.popitem(last=False)
        return frame.copy()

    def _scope_branches(self, scope: Scope) -> list[str]:
        if scope.branches is not None:
            return list(scope.branches)
        return self.query_all_branches()

    def query_all_branches(self) -> list[str]:
        cursor = self._con.cursor()
        try:
            return [r[0] for r in cursor.execute(load_sql("meta/all_branches")).fetchall()]
        finally:
            cursor.close()

    def scalar(self, name: str, params: dict | None = None, scope: Scope = EVERYONE):
        frame = self.query(name, params, scope)
        return None if frame.empty else frame.iat[0, 0]

    # ------------------------------------------------------------ time

    def months(self) -> list[dt.date]:
        return [pd.Timestamp(m).date() for m in self.query("meta/months")["month_start"]]

    def default_period(self) -> Period | None:
        months = self.months()
        return Period.month_of(months[0]) if months else None

    def as_of(self) -> dt.datetime | None:
        """The settings' as-of override, else the latest time in the exports."""
        override = getattr(getattr(self.settings, "time", None), "as_of", None)
        if override:
            return override if isinstance(override, dt.datetime) else \
                dt.datetime.fromisoformat(str(override))
        value = self.scalar("meta/as_of")
        return None if value is None or pd.isna(value) else pd.Timestamp(value).to_pydatetime()

    def period_params(self, period: Period) -> dict:
        params = period.sql_params()
        as_of = self.as_of()
        params["as_of"] = as_of or dt.datetime.combine(period.end, dt.time()) + dt.timedelta(days=1)
        params["snapshot_month"] = self.snapshot_month(period)
        return params

    def snapshot_month(self, period: Period) -> dt.date:
        """The 拍照月: the settings' month, else December of the year before the period (metrics.md)."""
        chosen = getattr(getattr(self.settings, "retention", None), "snapshot_month", None)
        return chosen or dt.date(period.start.year - 1, 12, 1)


def _freeze(params: dict) -> str:
    return json.dumps(params, sort_keys=True, default=str)
