"""Data (数据): what was loaded, what was set aside and why, uploads and refresh.

Everything the storage layer says (why a file cannot be read, a refresh's progress, why an
upload is refused) arrives as a message, code and fields, and is said here in the viewer's
language (kam.i18n.Message.text); codes in tables (dataset, status, reason) as their labels.
"""
import logging

import streamlit as st

from kam.app import set_aside, ui
from kam.app.fmt import DASH
from kam.app.downloads import to_csv_bytes, to_xlsx_bytes
from kam.i18n import label_of
from kam.storage.parse_files import stored_reason
from kam.storage import quarantine
from kam.storage.uploads import UploadRefused, save_upload
from kam.storage.warehouse import RefreshFailed, refresh

log = logging.getLogger(__name__)
c = ui.ctx()
st.title(c.t("page.data"))
st.caption(c.t("data.folder", folder=ui.plain(c.wh.folder)))


def run_refresh(uploaded: tuple[str, ...] = ()):
    """Load the folder with progress per file; readers keep the old data until it is done.

    An uploaded file (`uploaded`: its names) that could not be loaded is moved aside into
    quarantine and the folder is loaded again without it: it cannot fail every later refresh."""
    with st.status(c.t("data.refresh_running"), expanded=True) as status:
        try:
            report = refresh(c.wh.folder, progress=lambda message: st.write(ui.plain(message.text(c.lang))),
                             future_days=c.wh.settings.quality.future_days)
        except RefreshFailed as exc:
            log.warning("refresh of %s failed: %s", c.wh.folder, exc)  # masked already
            status.update(label=c.t("data.refresh_failed"), state="error")
            st.error(ui.plain(exc.message.text(c.lang)))
            return
        bad = [f for f in report.files if f.file in uploaded and f.status in ("failed", "unknown")]
        for outcome in bad:
            quarantine.move_aside(c.wh.folder, outcome.file, outcome.reason, outcome.error)
        if bad:
            try:
                # the manifest forgets them; the other files are unchanged
                report = refresh(c.wh.folder, future_days=c.wh.settings.quality.future_days)
            except RefreshFailed as exc:
                status.update(label=c.t("data.refresh_failed"), state="error")
                st.error(ui.plain(exc.message.text(c.lang)))
                return
        c.wh.sync()
        status.update(label=c.t("data.refresh_succeeded", run=report.run_id), state="complete",
                      expanded=False)
    for outcome in bad:  # outside the progress, which folds away: said where it stays in view
        st.warning(c.t("quarantine.moved", file=ui.plain(outcome.file),
                       reason=ui.plain(outcome.reason.text(c.lang) if outcome.reason else outcome.error)))


def upload_files() -> None:
    """Checked uploads (type, size, zip bombs, names) into the export folder, then a refresh."""
    with st.expander(c.t("data.upload"), icon=":material/upload_file:"):
        # No type= filter: Streamlit would refuse another type in English; our own check says why.
        uploads = st.file_uploader(c.t("data.upload_help"), accept_multiple_files=True, key="data_uploads")
        if st.button(c.t("data.upload_and_refresh"), disabled=not uploads, key="data_upload_button"):
            saved_names = []
            for upload in uploads:
                try:
                    saved = save_upload(c.wh.folder, upload.name, upload.getvalue())
                    saved_names.append(saved.name)
                    st.success(c.t("data.saved", file=ui.plain(saved.name)))
                except UploadRefused as exc:
                    st.error(ui.plain(exc.message.text(c.lang)))
            run_refresh(tuple(saved_names))


def quarantined_files() -> None:
    """The uploads moved aside, with why; a data administrator removes or restores them."""
    held = quarantine.listed(c.wh.folder)
    if not held:
        return
    st.subheader(c.t("quarantine.title"))
    st.caption(c.t("quarantine.help"))
    st.dataframe({c.t("quarantine.file"): [q.file for q in held],
                  c.t("quarantine.reason"): [q.reason.text(c.lang) if q.reason else q.error for q in held],
                  c.t("quarantine.moved_at"): [f"{q.moved_at:%Y-%m-%d %H:%M}" for q in held]},
                 hide_index=True, width="stretch", key="data_quarantine", placeholder=DASH)
    if not c.viewer.can("upload"):
        return
    picked = st.selectbox(c.t("quarantine.pick"), [q.file for q in held], key="data_quarantine_pick")
    left, right, _ = st.columns([1, 1, 1])
    try:
        if left.button(c.t("quarantine.remove"), icon=":material/delete:", key="data_quarantine_remove"):
            quarantine.remove(c.wh.folder, picked)
            st.session_state["data_quarantine_done"] = c.t("quarantine.removed", file=ui.plain(picked))
            st.rerun()
        if right.button(c.t("quarantine.restore"), icon=":material/undo:", key="data_quarantine_restore"):
            quarantine.restore(c.wh.folder, picked)
            st.session_state["data_quarantine_done"] = c.t("quarantine.restored", file=ui.plain(picked))
            st.rerun()
    except quarantine.QuarantineError as exc:
        st.error(ui.plain(exc.message.text(c.lang)))


# ---------------------------------------------------------------- upload and refresh (data administrators)
if c.viewer.can("upload"):
    upload_files()
if c.viewer.can("refresh") and st.button(c.t("data.refresh"), icon=":material/refresh:",
                                         key="data_refresh_button"):
    run_refresh()
if done := st.session_state.pop("data_quarantine_done", None):
    st.success(done)
quarantined_files()

if not c.wh.loaded:
    st.info(c.t("app.no_data", folder=ui.plain(c.wh.folder)))
    st.stop()

# ---------------------------------------------------------------- datasets and files
st.subheader(c.t("data.datasets"))
datasets = ui.label_column(c.query("pages/data_datasets"), "dataset", "dataset", c.lang)
ui.show_table(c, datasets, "datasets", key="data_datasets")

st.subheader(c.t("data.files"))
files = c.query("pages/data_files")
# Why a file failed, in the viewer's language (a manifest written before codes were kept: its English).
files["error"] = [why.text(c.lang) if (why := stored_reason(code, params)) else error
                  for code, params, error in zip(files.error_code, files.error_params, files.error)]
for row in files[files.status.isin(["failed", "unknown"])].itertuples():
    st.warning(f"**{ui.plain(row.file)}** — {ui.plain(row.error)}")
shown_files = files.drop(columns=["sha256", "error_code", "error_params"]).assign(
    dataset=files.dataset.map(lambda d: label_of("dataset", d, c.lang)),
    status=files.status.map(lambda s: label_of("status", s, c.lang)),
    encoding=files.encoding.map(lambda e: label_of("encoding", e, c.lang)),
    delimiter=files.delimiter.map(lambda d: label_of("delimiter", d, c.lang) if d else ""),
    extra_columns=files.extra_columns.map(lambda cols: "、".join(cols) if cols is not None else ""))
ui.show_table(c, shown_files, "files", key="data_files")

# ---------------------------------------------------------------- set aside, by reason
st.subheader(c.t("data.set_aside"))
quality = c.query("reports/quality")
if quality.empty:
    st.success(c.t("data.nothing_set_aside"))
else:
    shown = ui.label_column(ui.label_column(quality, "reason", "reason", c.lang), "dataset", "dataset", c.lang)
    ui.show_table(c, shown, "quality", key="data_quality")

    st.markdown(f"**{c.t('data.examples')}**")
    examples = c.query("pages/data_examples", {"per_reason": 3})
    for (dataset, reason), rows in examples.groupby(["dataset", "reason"], sort=True):
        title = f"{c.t('dataset.' + dataset)} · {c.t('reason.' + reason)} ({len(rows)})"
        with st.expander(title):
            st.dataframe(set_aside.readable(rows, dataset, c.lang), hide_index=True, width="stretch",
                         placeholder=DASH)

    # One file per dataset, headed as its exports are: a data administrator corrects and re-uploads it.
    st.markdown(f"**{c.t('set_aside.download')}**")
    st.caption(c.t("set_aside.download_help"))
    everything = c.query("pages/data_set_aside", {"see_phones": c.scope.see_phone_numbers})
    # rows of a file that matches no dataset have none: nothing to download for them
    options = sorted(everything.dataset.dropna().unique())
    if options:
        # The dataset picked is part of the view (dataset=…): a copied link opens the same rows.
        if st.query_params.get("dataset") in options:
            st.session_state["data_set_aside_dataset"] = st.query_params["dataset"]
        picked = st.selectbox(c.t("set_aside.download_dataset"), options, key="data_set_aside_dataset",
                              format_func=lambda d: c.t("dataset." + d),
                              on_change=lambda: st.query_params.update(
                                  dataset=st.session_state["data_set_aside_dataset"]))
        rows = set_aside.readable(everything[everything.dataset == picked], picked, c.lang, for_upload=True)
        # The query masked phone numbers for a viewer who may not see them, in every cell.
        left, right, _ = st.columns([1, 1, 3])
        left.download_button(c.t("set_aside.download_csv", rows=len(rows)),
                             to_csv_bytes(rows, c.scope.see_phone_numbers),
                             file_name=set_aside.file_name(picked, c.lang, ".csv"), mime="text/csv",
                             key="data_download_set_aside")
        right.download_button(c.t("set_aside.download_xlsx", rows=len(rows)),
                              lambda: to_xlsx_bytes(rows, c.scope.see_phone_numbers, sheet=c.t("dataset." + picked)),
                              file_name=set_aside.file_name(picked, c.lang, ".xlsx"),
                              mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                              key="data_download_set_aside_xlsx")

ui.definitions(c, "rows_read", "set_aside", "superseded")
