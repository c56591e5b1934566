"""The `kam` command: write the sample, load an export folder, print any report.

    kam sample [FOLDER] [--scale sample|M|L] [--seed N]
    kam ingest [FOLDER]
    kam report NAME [--data FOLDER] [--period YYYY-MM | YYYY-Qn] [--format table|csv|json]
    kam app [--data FOLDER] [--port N]
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import unicodedata
from pathlib import Path

import pandas as pd

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO_ROOT / "data" / "sample"


def default_folder() -> Path:
    return Path(os.environ.get("KAM_DATA", DEFAULT_DATA))


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    return args.func(args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kam", description="KAM Cockpit (大客户经营驾驶舱): load exports and print reports.")
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")

    p = sub.add_parser("sample", help="write the bundled sample export folder",
                       description="Write a realistic sample export folder, deterministic from a seed.")
    p.add_argument("folder", nargs="?", type=Path, default=None,
                   help="where to write (default: data/sample, or data/bench/<scale> for M and L)")
    p.add_argument("--scale", choices=["sample", "M", "L"], default="sample",
                   help="sample: ~3,000 groups with planted flaws; M: 10,000 groups; L: 50,000 groups, ~60M billing rows")
    p.add_argument("--seed", type=int, default=7, help="random seed (same seed, same files)")
    p.set_defaults(func=cmd_sample)

    p = sub.add_parser("ingest", help="load an export folder into its warehouse",
                       description="Load every export file of FOLDER into a new warehouse and publish it "
                                   "all-or-nothing. Exit 0 when data loaded (even with rows set aside), "
                                   "1 when nothing could be loaded, 2 when the refresh failed.")
    p.add_argument("folder", nargs="?", type=Path, default=None, help="export folder (default: $KAM_DATA or data/sample)")
    p.add_argument("--quiet", action="store_true", help="no progress lines")
    p.add_argument("--settings", type=Path, default=None,
                   help="settings file, for quality.future_days (default: $KAM_SETTINGS or settings.toml)")
    p.add_argument("--rows", action="store_true",
                   help="also list every row set aside or superseded: file, line, column, reason, value")
    p.set_defaults(func=cmd_ingest)

    from kam.figures.reports import CONTRACT_REPORTS
    p = sub.add_parser("report", help="print a report table",
                       description="Print the same table a page shows. NAME is one of: "
                                   + ", ".join(CONTRACT_REPORTS) + ".")
    p.add_argument("name", metavar="NAME", help="report name")
    p.add_argument("--data", type=Path, default=None, help="export folder (default: $KAM_DATA or data/sample)")
    p.add_argument("--period", default=None, help="YYYY-MM or YYYY-Qn (default: the latest bill_month)")
    p.add_argument("--format", choices=["table", "csv", "json"], default="table", help="output format")
    p.add_argument("--settings", type=Path, default=None, help="settings file (default: settings.toml)")
    p.add_argument("--rows", action="store_true",
                   help="quality only: one line per row set aside or superseded (file, line, column, reason, value)")
    p.add_argument("--user", default=None,
                   help="print what this user of users.toml may see (their role's branch scope); default: everything")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("app", help="start the dashboard",
                       description="Start KAM Cockpit in Streamlit on an export folder.")
    p.add_argument("--data", type=Path, default=None, help="export folder (default: $KAM_DATA or data/sample)")
    p.add_argument("--port", type=int, default=8501, help="port (default 8501)")
    p.set_defaults(func=cmd_app)
    return parser


def cmd_sample(args) -> int:
    from kam.tooling.sample import write_sample
    folder = args.folder or (DEFAULT_DATA if args.scale == "sample" else REPO_ROOT / "data" / "bench" / args.scale)
    folder.mkdir(parents=True, exist_ok=True)
    result = write_sample(folder, seed=args.seed, scale=args.scale, progress=print)
    print(f"wrote {len(result['files'])} files to {folder}")
    return 0


def cmd_ingest(args) -> int:
    from kam.figures.settings import SettingsError, load_settings
    from kam.storage.warehouse import RefreshFailed, refresh
    folder = args.folder or default_folder()
    try:
        future_days = load_settings(args.settings).quality.future_days
    except SettingsError as exc:
        print(f"refresh not started: {exc}", file=sys.stderr)
        return 2
    try:
        report = refresh(folder, progress=None if args.quiet else (lambda m: print(f"  {m}", file=sys.stderr)),
                         future_days=future_days)
    except RefreshFailed as exc:
        print(f"refresh failed: {exc}", file=sys.stderr)
        return 2
    print(format_ingest_report(report))
    if args.rows:
        rows = set_aside_listing(folder)
        print("\nRows set aside or superseded (file, line, column, reason, value):")
        print(_table(rows.fillna("")) if not rows.empty else "  none")
    return 0 if report.loaded_anything else 1


def set_aside_listing(folder: Path, wh=None) -> pd.DataFrame:
    """Every row set aside or superseded at the last refresh, where it is in its file and why;
    phone numbers masked (the command line shows no role that may see them)."""
    from kam.figures.query import Warehouse
    frame = (wh or Warehouse(folder)).query("pages/data_set_aside", {"see_phones": False})
    return frame[["dataset", "file", "line", "column", "reason", "value"]]


def format_ingest_report(report) -> str:
    lines = [f"KAM ingest {report.folder} (run {report.run_id})", "", "Datasets:"]
    frame = pd.DataFrame(report.datasets)
    if not frame.empty:
        frame["check"] = (frame.rows_read == frame.loaded + frame.set_aside + frame.superseded).map(
            {True: "adds up", False: "DOES NOT ADD UP"})
        lines.append(_table(frame))
    problems = [f for f in report.files if f.status in ("failed", "unknown")]
    if problems:
        lines += ["", "Files not loaded:"]
        lines += [f"  {f.file}: {f.error}" for f in problems]
    if report.removed:
        lines += ["", "Removed what earlier refreshes left behind:"]
        lines += [f"  {name}" for name in report.removed]
    if report.reasons:
        lines += ["", "Rows set aside or superseded (dataset, file, reason, rows):"]
        lines += [f"  {r['dataset']:<12} {_ljust(r['file'], 28)} {r['reason']:<18} {r['rows']:>6}"
                  for r in report.reasons]
    return "\n".join(lines)


def _width(text: str) -> int:
    """Columns a terminal gives the text: a Chinese character takes two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _ljust(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def cmd_report(args) -> int:
    from kam.figures.period import Period
    from kam.figures.query import NoData, Warehouse
    from kam.figures.reports import CONTRACT_REPORTS, available_reports, run_report
    from kam.figures.settings import load_settings

    if args.name not in CONTRACT_REPORTS:
        print(f"unknown report {args.name!r}; one of: {', '.join(CONTRACT_REPORTS)}", file=sys.stderr)
        return 2
    if args.name not in available_reports():
        print(f"report {args.name!r} is not available in this version", file=sys.stderr)
        return 2
    try:
        period = Period.parse(args.period) if args.period else None
    except ValueError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    from kam.app import auth
    viewer = auth.LOCAL_VIEWER
    if args.user:
        users = auth.load_users(auth.role_file()) if auth.role_file() else {}
        if args.user not in users:
            print(f"unknown user {args.user!r} (no such entry in the users file)", file=sys.stderr)
            return 2
        viewer = auth.viewer_from_entry(args.user, users[args.user])
        if not auth.may_print(viewer, args.name):
            print(f"report {args.name!r} is not open to the role {viewer.role}", file=sys.stderr)
            return 3
    wh = Warehouse(args.data or default_folder(), load_settings(args.settings))
    if args.rows and args.name != "quality":
        print("--rows is for the quality report", file=sys.stderr)
        return 2
    try:
        if args.rows:
            frame = set_aside_listing(wh.folder, wh)
        else:
            frame = run_report(wh, args.name, period, auth.report_scope(viewer, args.name))
    except NoData as exc:
        print(str(exc), file=sys.stderr)
        return 1
    print(render(frame, args.format))
    return 0


def render(frame: pd.DataFrame, fmt: str) -> str:
    """Rates stay fractions and money keeps two decimals; dates print as ISO text.

    The table is for reading: each number written out by the kind of its column (kam.app.fmt.column_kind:
    counts whole, money to the fen, other numbers to six decimals), never in scientific notation.
    """
    out = frame.copy()
    for col in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[col]):
            out[col] = out[col].astype(str)
        elif out[col].dtype == object:
            out[col] = out[col].map(_plain)
    if fmt == "json":
        return json.dumps(json.loads(out.to_json(orient="records", force_ascii=False, double_precision=10)),
                          ensure_ascii=False, indent=1)
    if fmt == "csv":
        return out.to_csv(index=False).rstrip("\n")
    return _table(readable(out)) if not out.empty else "(no rows)"


def readable(frame: pd.DataFrame) -> pd.DataFrame:
    """Numbers as text by kind: 2945 not 2.945000e+03, ¥ amounts with two decimals, "—" when missing.

    A report with a `kind` column (the overview: one KPI per row) writes its value columns row by row.
    """
    from kam.app import fmt
    out = frame.copy()
    row_kinds = out["kind"] if "kind" in out.columns else None
    for col in out.columns:
        kind = fmt.column_kind(str(col), out[col])
        if kind in (fmt.TEXT, fmt.BOOL, fmt.DATE, fmt.MONTH, fmt.DATETIME):
            continue
        if row_kinds is not None and kind in (fmt.COUNT, fmt.NUMBER) and col in ("value", "previous", "year_ago"):
            out[col] = [_plain_number(v, k) for v, k in zip(out[col], row_kinds)]
        else:
            out[col] = [_plain_number(v, kind) for v in out[col]]
    return out


def _plain_number(value, kind: str) -> str:
    """One number for a terminal: whole for counts, two decimals for money, up to six otherwise."""
    from kam.app import fmt
    if fmt.is_missing(value):
        return fmt.DASH
    number = float(value)
    if kind in (fmt.COUNT, fmt.PLAIN_INT) or (kind != fmt.MONEY and number.is_integer() and kind != fmt.RATE):
        return f"{number:.0f}"
    if kind == fmt.MONEY:
        return f"{number:.2f}"
    return f"{number:.6f}".rstrip("0").rstrip(".") if number else "0"


def _table(frame: pd.DataFrame) -> str:
    """A plain-text table whose columns line up in a terminal when cells hold Chinese."""
    with pd.option_context("display.unicode.east_asian_width", True):
        return frame.to_string(index=False)


def _plain(value):
    """Decimals as floats (money has two decimals already), dates as ISO text."""
    import datetime as dt
    import decimal
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def cmd_app(args) -> int:
    env = dict(os.environ, KAM_DATA=str(args.data or default_folder()))
    return subprocess.call([sys.executable, "-m", "streamlit", "run", str(REPO_ROOT / "app.py"),
                            "--server.port", str(args.port), "--browser.gatherUsageStats", "false"], env=env)


if __name__ == "__main__":
    sys.exit(main())
