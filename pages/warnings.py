"""预警清单 (early warnings): what managers must act on this week — high-value members leaving, revenue
sliding three months running, contracts expiring with no renewal, arrears by age — per branch and
per manager, the money at stake first; each row opens the group's profile. An account manager sees
their own groups only (the query layer's scope)."""
import pandas as pd
import streamlit as st

from kam.app import fmt, ui
from kam.figures.reports import run_report

c = ui.ctx()
ui.require_data(c)
st.title(c.t("page.warnings"))

KINDS = ("high_value_churn", "revenue_slide", "contract_expiry", "arrears")
rules = c.wh.settings.warnings
as_of = c.wh.as_of()
st.caption(c.t("warnings.caption", period=c.period.label, as_of=f"{as_of:%Y-%m-%d}" if as_of else fmt.DASH,
               tiers="、".join(c.t(f"vip_tier.{t}") for t in rules.high_value_tiers),
               slide=fmt.fmt_pct(rules.revenue_slide), days=rules.expiry_days))
exported = dict(c.wh.query("meta/optional_datasets").values.tolist())
for dataset, kind in (("contracts", "contract_expiry"), ("arrears", "arrears")):
    if not exported.get(dataset):  # an optional export: without it, that kind of warning cannot exist
        st.info(c.t("warnings.not_exported", dataset=c.t(f"dataset.{dataset}"), kind=c.t(f"warnings.kind.{kind}")))

warnings = c.query("pages/warnings_list")
rates = c.query("pages/warnings_rates").iloc[0]

# ---------------------------------------------------------------- each kind: how many, how much at stake
cards = st.columns(6)
for column, kind in zip(cards, KINDS):
    rows = warnings[warnings.kind == kind]
    ui.metric(c, column, c.t(f"warnings.kind.{kind}"), len(rows), help=c.t(f"metric.warning_{kind}.help"),
              note=c.t("warnings.at_stake", amount=fmt.fmt_figure(rows.amount.astype(float).sum(), "money", c.lang)),
              tone="bad" if len(rows) else "neutral")
for column, rate, counts in ((cards[4], "renewal_rate", ("contracts_renewed", "contracts_ending")),
                             (cards[5], "collection_rate", ("amount_paid", "amount_due"))):
    ui.metric(c, column, c.t(f"metric.{rate}.name"), fmt.fmt_pct(rates[rate]), help=c.t(f"metric.{rate}.help"),
              note=c.t("warnings.of", kept=fmt.fmt_figure(rates[counts[0]], "count" if rate == "renewal_rate"
                                                          else "money", c.lang),
                       base=fmt.fmt_figure(rates[counts[1]], "count" if rate == "renewal_rate" else "money", c.lang)))

# ---------------------------------------------------------------- filters: kind, branch, manager
picked = st.query_params.get("kind")
left, middle, right = st.columns(3)
kinds = left.multiselect(c.t("warnings.kinds"), KINDS, default=[picked] if picked in KINDS else list(KINDS),
                         format_func=lambda k: c.t(f"warnings.kind.{k}"), key="warnings_kinds")
names = ui.branch_names(c)
branch = middle.selectbox(c.t("column.branch"), [None, *sorted(set(warnings.branch_id))], key="warnings_branch",
                          format_func=lambda b: c.t("app.all_branches") if b is None else names.get(b, b))
shown = warnings[warnings.kind.isin(kinds) & ((warnings.branch_id == branch) if branch else True)]
managers = shown.dropna(subset=["manager_id"]).drop_duplicates("manager_id")
manager_names = dict(zip(managers.manager_id, managers.manager_name))
manager = right.selectbox(c.t("column.manager_id"), [None, *sorted(manager_names)], key="warnings_manager",
                          format_func=lambda m: c.t("warnings.all_managers") if m is None else manager_names[m])
if manager:
    shown = shown[shown.manager_id == manager]


def detail(r) -> str:
    """What the warning is about, in the viewer's words (the report keeps the codes)."""
    if r.kind == "high_value_churn":
        return c.t(f"vip_tier.{r.detail}")
    if r.kind == "revenue_slide":
        return c.t("warnings.detail.slide", months=r.detail, share=fmt.fmt_pct(r.value))
    if r.kind == "contract_expiry":
        return c.t("warnings.detail.expiry", contract=r.detail, days=int(r.value))
    return c.t("warnings.detail.arrears", bucket=r.detail.replace("<=", "≤"), months=int(r.value))


list_tab, branch_tab, manager_tab = st.tabs([c.t(f"warnings.tab.{t}") for t in ("list", "branch", "manager")])
with list_tab:
    if shown.empty:
        st.success(c.t("warnings.none"))
    else:
        table = shown.assign(kind=[c.t(f"warnings.kind.{k}") for k in shown.kind],
                             detail=[detail(r) for r in shown.itertuples()])
        table = table[["profile", "kind", "group_name", "branch_name", "manager_name", "subscriber_id", "detail",
                       "amount", "event_date"]]
        ui.drill_table(c, table, "warnings", "profile", key="warnings_list")
summary = c.query("pages/warnings_summary")
for tab, level in ((branch_tab, "branch"), (manager_tab, "manager")):
    with tab:
        part = summary[summary.level == level].drop(columns=["level"])
        part = part.drop(columns=["manager_id", "manager_name"]) if level == "branch" else part
        ui.show_table(c, part, f"warnings_by_{level}", key=f"warnings_by_{level}")

ui.definitions(c, *(f"warning_{k}" for k in KINDS), "renewal_rate", "collection_rate")
