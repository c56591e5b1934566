"""The benchmark's own smoke test: at scale S every measurement is produced and every ratio is the
quotient of two measured numbers. No timing thresholds: how fast is for docs/benchmarks.md."""
from __future__ import annotations

import math
import shutil

import pytest

from kam.tooling import bench, bench_pandas


@pytest.fixture(scope="module")
def smoke(tmp_path_factory, sample_folder):
    """One benchmark run at S on a copy of the session's sample, one page in the browser."""
    root = tmp_path_factory.mktemp("bench")
    folder = root / "S"
    shutil.copytree(sample_folder, folder, ignore=shutil.ignore_patterns(".kam"))
    (folder / ".bench-ready").write_text(bench._marker_text("S"))  # reuse it, as a second run would
    out = root / "benchmarks.md"
    pages = ["overview"] if shutil.which(bench.CHROMIUM) else None
    result = bench.run(["S"], out=out, root=root, browser=pages is not None, pages=pages, say=lambda _m: None,
                       repeat=1)
    return result, out, pages


def rows(result, prefix):
    return [r for r in result.rows if r.measure.startswith(prefix)]


def test_every_measurement_is_produced(smoke):
    result, _out, pages = smoke
    measures = {r.measure for r in result.rows}
    assert {"ingest: full refresh", "ingest GBK: full refresh", "ingest GBK ÷ UTF-8: full refresh",
            "ingest: incremental refresh, one new month", "memory: peak of a full refresh"} <= measures
    for name in bench.report_names():
        assert {f"report {name}: warm", f"report {name}: cold"} <= measures, name
    if pages:
        assert {"page overview: warm", "memory: peak of the app, every page opened"} <= measures
    for r in result.rows:
        assert r.scale == "S"
        assert isinstance(r.ours, float) and math.isfinite(r.ours) and r.ours > 0, r


def test_every_ratio_is_the_quotient_of_two_measured_numbers(smoke):
    result, _out, _pages = smoke
    for r in result.rows:
        if r.measure.startswith("ingest"):
            assert r.limit is not None and r.limit > 0 and r.versus, r
        if r.limit is not None:
            assert r.ratio == pytest.approx(r.ours / r.limit), r
        else:
            assert r.ratio is None, r
        if r.pandas is not None:
            assert r.pandas > 0 and r.pandas_ratio == pytest.approx(r.pandas / r.ours), r
        else:
            assert r.pandas_ratio is None, r
    # every warm report and every ingest row (but the GBK ÷ UTF-8 one) is measured against pandas
    for r in rows(result, "report") + rows(result, "ingest: ") + rows(result, "ingest GBK: "):
        if not r.measure.endswith("cold"):
            assert r.pandas is not None, r
    gbk = next(r for r in result.rows if r.measure == "ingest GBK ÷ UTF-8: full refresh")
    full = next(r for r in result.rows if r.measure == "ingest: full refresh")
    utf8_gbk = next(r for r in result.rows if r.measure == "ingest GBK: full refresh")
    assert gbk.limit == full.ours and gbk.ours == utf8_gbk.ours


def test_each_pandas_table_is_the_reports_table(smoke):
    """The pandas side computes the same table, so the ratio compares the same work."""
    result, _out, _pages = smoke
    for r in rows(result, "report"):
        if r.measure.endswith("warm"):
            assert "pandas table: same" in r.note, r


def test_targets_are_judged_and_the_doc_is_written(smoke):
    result, out, _pages = smoke
    judged = [r for r in result.rows if r.target]
    assert judged and all(r.met in (True, False) for r in judged)  # S is the largest scale of this run
    text = out.read_text(encoding="utf-8")
    assert "| measure | scale | ours |" in text and "## Targets at scale S" in text
    assert f"{result.machine['cores']} cores" in text
    for r in result.rows:
        assert r.measure in text


def test_the_gbk_copy_is_gb18030_with_chinese_headers(smoke):
    """Billing files transcoded once: GB18030 with the contract's Chinese headers; the rest linked."""
    from kam.storage.readers import _sniff_encoding
    result, out, _ = smoke
    gbk = out.parent / "S-gbk"
    billing = sorted(p for p in gbk.iterdir() if bench._is_billing_text(p))
    assert billing and all(_sniff_encoding(p) == "gb18030" for p in billing if p.name.endswith(".csv"))
    assert "账期" in billing[0].read_bytes().decode("gb18030").splitlines()[0]


def test_the_new_month_is_one_month_after_the_last(smoke):
    _result, out, _ = smoke
    extra = list((out.parent / "S-extra").glob("billing_*.csv"))
    assert [p.name for p in extra] == ["billing_202611.csv"]
    lines = extra[0].read_text().splitlines()
    assert lines[0].startswith("bill_month,") and len(lines) > 1000
    assert all(line.startswith("202611,") for line in lines[1:])


def test_pages_are_read_from_the_apps_list():
    stems = bench.page_stems()
    assert stems[0] == "overview" and "data" in stems


def test_phases_of_a_refresh_come_from_its_progress_messages():
    marks = [(1.0, "a.csv: 3 rows read (billing)"), (5.0, "branches: checked"), (6.0, "billing: checked"),
             (7.0, "mart calendar_months: built"), (9.0, "mart group_months: built"), (9.5, "published x")]
    assert bench._phases(marks, 10.0) == {"parse": 5.0, "settle": 2.0, "marts": 2.0, "publish": 1.0}


def test_judging_uses_the_targets_of_the_issue():
    rows_ = [bench.Row("ingest: full refresh", "L", 30.0, target="x").compare("bare", 20.0),   # 1.5×
             bench.Row("ingest: full refresh", "M", 100.0, target="x").compare("bare", 20.0),  # not L
             bench.Row("report x: warm", "L", 0.4, target="x").against_pandas(3.0),            # 7.5×
             bench.Row("report y: warm", "L", 0.4, target="x").against_pandas(5.0),            # 12.5×
             bench.Row("page z: warm", "L", 2.5, target="x")]
    bench.judge(rows_, "L")
    assert [r.met for r in rows_] == [True, None, False, True, False]


def test_agreement_tells_a_different_cell(tmp_path):
    import pandas as pd
    a = pd.DataFrame({"k": ["x", "y"], "v": [1.0, 2.0]})
    assert bench_pandas.agreement(a, a.copy()) == "same"
    assert bench_pandas.agreement(a, a.assign(v=[1.0, 2.5])) == "1 column(s) differ: v"
    assert bench_pandas.agreement(a, a.iloc[:1]).startswith("rows differ")
