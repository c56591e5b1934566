"""Data (数据): what was loaded, what was set aside and why, uploads and refresh."""
import streamlit as st

from kam.app import ui
from kam.app.fmt import DASH
from kam.app.downloads import to_csv_bytes
from kam.storage.uploads import UploadRefused, save_upload
from kam.storage.warehouse import RefreshFailed, refresh

c = ui.ctx()
st.title(c.t("page.data"))
st.caption(c.t("data.folder", folder=str(c.wh.folder)))


def run_refresh() -> None:
    """Load the folder with progress per file; readers keep the old data until it is done."""
    with st.status(c.t("data.refresh_running"), expanded=True) as status:
        try:
            report = refresh(c.wh.folder, progress=st.write)
        except RefreshFailed as exc:
            status.update(label=c.t("data.refresh_failed"), state="error")
            st.error(str(exc))
            return
        c.wh.sync()
        status.update(label=c.t("data.refresh_succeeded", run=report.run_id), state="complete",
                      expanded=False)


def upload_files() -> None:
    """Checked uploads (type, size, zip bombs, names) into the export folder, then a refresh."""
    with st.expander(c.t("data.upload"), icon=":material/upload_file:"):
        uploads = st.file_uploader(c.t("data.upload_help"), type=["csv", "txt", "xlsx", "parquet"],
                                   accept_multiple_files=True, key="data_uploads")
        if st.button(c.t("data.upload_and_refresh"), disabled=not uploads, key="data_upload_button"):
            for upload in uploads:
                try:
                    saved = save_upload(c.wh.folder, upload.name, upload.getvalue())
                    st.success(c.t("data.saved", file=saved.name))
                except UploadRefused as exc:
                    st.error(str(exc))
            run_refresh()


# ---------------------------------------------------------------- upload and refresh (data administrators)
if c.viewer.can("upload"):
    upload_files()
if c.viewer.can("refresh") and st.button(c.t("data.refresh"), icon=":material/refresh:",
                                         key="data_refresh_button"):
    run_refresh()

if not c.wh.loaded:
    st.info(c.t("app.no_data", folder=str(c.wh.folder)))
    st.stop()

# ---------------------------------------------------------------- datasets and files
st.subheader(c.t("data.datasets"))
datasets = ui.label_column(c.query("pages/data_datasets"), "dataset", "dataset", c.lang)
ui.show_table(c, datasets, "datasets", key="data_datasets")

st.subheader(c.t("data.files"))
files = c.query("pages/data_files")
problems = files[files.status.isin(["failed", "unknown"])]
for row in problems.itertuples():
    reason = "unknown_file" if row.status == "unknown" else "unreadable_file"
    st.warning(f"**{row.file}** — {c.t('reason.' + reason)}: {row.error}")
ui.show_table(c, files.drop(columns=["sha256"]), "files", key="data_files")

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
            st.dataframe(rows.drop(columns=["dataset", "reason"]), hide_index=True, width="stretch",
                         placeholder=DASH)

    everything = c.query("pages/data_set_aside", {"see_phones": c.scope.see_phone_numbers})
    st.download_button(c.t("data.download_set_aside", rows=len(everything)),
                       to_csv_bytes(everything, c.scope.see_phone_numbers),
                       file_name="set_aside_rows.csv", mime="text/csv", key="data_download_set_aside")

ui.definitions(c, "rows_read", "set_aside", "superseded")
