"""The export contract (docs/exports.md) as data.

Readers use it to recognise files and headers; the staging SQL under
queries/staging/ applies the value rules. Keeping names and aliases here, in one
place, means a new alias from the field is a one-line change.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    name: str
    aliases: tuple[str, ...] = ()
    required: bool = False


@dataclass(frozen=True)
class Dataset:
    name: str
    name_starts: tuple[str, ...]
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    # (column, parent dataset, parent column): the value must exist among the parent's loaded rows.
    references: tuple[tuple[str, str, str], ...] = ()
    optional: bool = False
    zh: str = ""

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required_columns(self) -> list[str]:
        return [c.name for c in self.columns if c.required]


def _c(name: str, *aliases: str, required: bool = False) -> Column:
    return Column(name, aliases, required)


# Order matters: a dataset comes after the ones it refers to.
DATASETS: dict[str, Dataset] = {
    d.name: d
    for d in [
        Dataset(
            "branches", ("branches", "branch", "分公司"),
            (
                _c("branch_id", "分公司编码", required=True),
                _c("branch_name", "分公司名称", required=True),
                _c("mgmt_model", "管理模式"),
            ),
            key=("branch_id",), zh="分公司",
        ),
        Dataset(
            "managers", ("managers", "manager", "客户经理"),
            (
                _c("manager_id", "客户经理编码", "工号", required=True),
                _c("manager_name", "客户经理姓名", "姓名", required=True),
                _c("branch_id", "分公司编码", required=True),
                _c("star_level", "星级", required=True),
                _c("employment", "用工性质"),
                _c("hire_date", "入职日期"),
                _c("leave_date", "离职日期"),
                _c("county", "区县", "营业部"),
            ),
            key=("manager_id",), references=(("branch_id", "branches", "branch_id"),), zh="客户经理",
        ),
        Dataset(
            "groups", ("groups", "group", "集团客户", "集团"),
            (
                _c("group_id", "集团编码", required=True),
                _c("group_name", "集团名称", required=True),
                _c("branch_id", "分公司编码", required=True),
                _c("industry", "行业"),
                _c("sector", "客户类型"),
                _c("class", "集团等级", "价值等级", required=True),
                _c("manager_id", "客户经理编码"),
                _c("open_date", "建档日期"),
                _c("close_date", "离网日期", "销户日期"),
                _c("county", "区县", "营业部"),
            ),
            key=("group_id",),
            references=(("branch_id", "branches", "branch_id"), ("manager_id", "managers", "manager_id")), zh="集团客户",
        ),
        Dataset(
            "members", ("members", "member", "集团成员", "成员"),
            (
                _c("subscriber_id", "用户号码", "手机号码", required=True),
                _c("group_id", "集团编码", required=True),
                _c("vip_tier", "VIP等级", "客户级别"),
                _c("join_date", "加入日期", "入网日期", required=True),
                _c("leave_date", "离网日期", "退出日期"),
            ),
            key=("subscriber_id", "group_id", "join_date"),
            references=(("group_id", "groups", "group_id"),), zh="集团成员",
        ),
        Dataset(
            "billing", ("billing", "bill", "账单", "话费"),
            (
                _c("bill_month", "账期", "账务月份", required=True),
                _c("group_id", "集团编码", required=True),
                _c("subscriber_id", "用户号码"),
                _c("fee_item", "费用科目", "业务类型", required=True),
                _c("amount", "金额", "应收金额", required=True),
            ),
            key=("bill_month", "group_id", "subscriber_id", "fee_item"),
            references=(("group_id", "groups", "group_id"),),
            zh="账单",
        ),
        Dataset(
            "visits", ("visits", "visit", "走访"),
            (
                _c("visit_id", "记录编号", required=True),
                _c("manager_id", "客户经理编码", required=True),
                _c("group_id", "集团编码", required=True),
                _c("visit_date", "走访日期", required=True),
                _c("kind", "类型", required=True),
                _c("theme", "关怀主题"),
            ),
            key=("visit_id",),
            references=(("manager_id", "managers", "manager_id"), ("group_id", "groups", "group_id")), zh="走访记录",
        ),
        Dataset(
            "orders", ("orders", "order", "工单", "商机"),
            (
                _c("order_id", "工单编号", required=True),
                _c("group_id", "集团编码", required=True),
                _c("manager_id", "客户经理编码", required=True),
                _c("product", "产品", required=True),
                _c("visited_at", "走访时间", required=True),
                _c("handled_at", "业务办理时间"),
                _c("contracted_at", "合同签订时间"),
                _c("built_at", "工程实施完成时间"),
                _c("activated_at", "业务开通时间"),
                _c("monthly_value", "月合同金额"),
            ),
            key=("order_id",),
            references=(("group_id", "groups", "group_id"), ("manager_id", "managers", "manager_id")), zh="业务工单",
        ),
        Dataset(
            "complaints", ("complaints", "complaint", "投诉"),
            (
                _c("ticket_id", "工单编号", required=True),
                _c("group_id", "集团编码", required=True),
                _c("subscriber_id", "用户号码"),
                _c("category", "投诉类别", required=True),
                _c("severity", "紧急程度", required=True),
                _c("channel", "受理渠道"),
                _c("created_at", "受理时间", required=True),
                _c("first_response_at", "首次响应时间"),
                _c("resolved_at", "解决时间"),
                _c("followup_at", "回访时间"),
                _c("satisfaction", "满意度"),
            ),
            key=("ticket_id",), references=(("group_id", "groups", "group_id"),), zh="投诉工单",
        ),
        Dataset(
            "assignments", ("assignments", "变更"),
            (
                _c("group_id", "集团编码", required=True),
                _c("manager_id", "客户经理编码", required=True),
                _c("start_date", "开始日期", required=True),
                _c("end_date", "结束日期"),
            ),
            key=("group_id", "manager_id", "start_date"),
            optional=True, zh="客户经理变更记录",
        ),
        Dataset(
            "targets", ("targets", "target", "考核目标", "目标"),
            (
                _c("period", "考核周期", required=True),
                _c("branch_id", "分公司编码"),
                _c("kpi", "考核指标", required=True),
                _c("target", "目标值", required=True),
            ),
            key=("period", "branch_id", "kpi"),
            references=(("branch_id", "branches", "branch_id"),), optional=True, zh="考核目标",
        ),
        Dataset(
            "contracts", ("contracts", "contract", "合同", "协议"),
            (
                _c("contract_id", "合同编号", "协议编号", required=True),
                _c("group_id", "集团编码", required=True),
                _c("product", "产品", required=True),
                _c("start_date", "生效日期", required=True),
                _c("end_date", "到期日期", "失效日期", required=True),
                _c("monthly_value", "月合同金额"),
                _c("renewed_from", "续签自"),
            ),
            key=("contract_id",),
            # renewed_from names another contract of the same exports (settle_rows: a self-reference)
            references=(("group_id", "groups", "group_id"), ("renewed_from", "contracts", "contract_id")),
            optional=True, zh="合同",
        ),
        Dataset(
            "arrears", ("arrears", "欠费", "应收"),
            (
                _c("bill_month", "账期", required=True),
                _c("group_id", "集团编码", required=True),
                _c("amount_due", "应收金额", required=True),
                _c("amount_paid", "实收金额", "已缴金额", required=True),
                _c("last_paid_date", "最近缴费日期"),
            ),
            key=("bill_month", "group_id"),
            references=(("group_id", "groups", "group_id"),), optional=True, zh="欠费",
        ),
    ]
}

# Columns holding phone numbers: masked on screen, never logged.
PERSONAL_COLUMNS = frozenset({"subscriber_id"})

_BRACKETS = str.maketrans({"（": "(", "）": ")", "【": "[", "】": "]"})


def normalise_header(text: str) -> str:
    """Header text as compared: case, surrounding spaces and bracket width ignored."""
    text = unicodedata.normalize("NFKC", str(text)).translate(_BRACKETS)
    return re.sub(r"\s+", " ", text.strip().lstrip("\ufeff")).lower()


def header_map(dataset: Dataset) -> dict[str, str]:
    """Every accepted header spelling → canonical column name."""
    mapping: dict[str, str] = {}
    for col in dataset.columns:
        for spelling in (col.name, *col.aliases):
            mapping.setdefault(normalise_header(spelling), col.name)
    return mapping


def dataset_for_file(file_name: str) -> Dataset | None:
    """The dataset a file belongs to by the start of its name; the longest start wins."""
    stem = unicodedata.normalize("NFKC", file_name).lower()
    best: tuple[int, Dataset | None] = (0, None)
    for ds in DATASETS.values():
        for start in ds.name_starts:
            if stem.startswith(start.lower()) and len(start) > best[0]:
                best = (len(start), ds)
    return best[1]
