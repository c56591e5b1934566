"""The app's colours, one palette per meaning, defined here once and used by every chart and badge.

Two rules:
- Green and red say good and bad for the figure shown (a fall in churn is good), and nothing else is
  drawn in them: categories that carry no judgement (branches, fee items, the three SLA clocks) take
  the neutral series colours, which hold no red or green.
- A meaning keeps its colours on every page: A类 is the same blue on the overview and the classes page,
  紧急 is always red, 一般 always grey.

Each palette is keyed by the code the data carries (class "A", severity 1, workload "over"), never by a
translated label, so the colour does not depend on the viewer's language.
"""
from __future__ import annotations

# ---------------------------------------------------------------- status: the only red and green
GOOD = "#2f9e44"
BAD = "#e03131"
CAUTION = "#f59f00"  # worth a look, not a failure: under-loaded, over-staffed
NEUTRAL = "#8c96a0"
REFERENCE = "#343a40"  # targets, province lines, thresholds drawn over the data
MUTED = "#c3cfdd"  # the other bars when one is picked out
LINK = "rgba(140, 150, 160, 0.35)"  # flows of a Sankey diagram: NEUTRAL, see-through

STATUS = {"good": GOOD, "bad": BAD, "caution": CAUTION, "neutral": NEUTRAL}
# st.metric(delta_color=...) and st.badge(color=...) take colour names, not hex: the same meanings.
STATUS_NAME = {"good": "green", "bad": "red", "caution": "orange", "neutral": "gray"}

# ---------------------------------------------------------------- categories without a judgement
# Plotly's and Streamlit's default colourways start blue, red, green: a chart that leaves its colours
# to them paints its second series red whatever it means. Every trace gets one of these instead.
SERIES = ("#3b6fb6", "#17a2b8", "#8e6cc4", "#b07d48", "#d17fb5", "#5c6f82", "#9aa53c", "#6cb4e4",
          "#a5673f", "#4c5b9c")

# ---------------------------------------------------------------- one palette per meaning
CLASS = {"A": "#1c4f8a", "B": "#4c8fd6", "C": "#a3c9ee"}  # ordinal: darker is more valuable
STAR = {1: "#c7b8e8", 2: "#8e6cc4", 3: "#553494"}  # ordinal: darker is more senior, never red
SEVERITY = {1: BAD, 2: CAUTION, 3: NEUTRAL}  # 紧急, 重要, 一般
WORKLOAD = {"over": BAD, "within": GOOD, "under": CAUTION}  # 超负荷, 合理, 不饱和
GAP = {"short": BAD, "within": GOOD, "surplus": CAUTION}  # 缺编, 合理, 超编
CLASS_MOVE = {"upgrade": GOOD, "downgrade": BAD, "keep": NEUTRAL}  # 建议升级, 建议降级, 等级相符
BREACHED = {True: BAD, False: GOOD}  # a ticket's clock breached or kept
BACKLOG = {"within": GOOD, "over_1x": CAUTION, "over_2x": BAD}  # open tickets by age against their clock
SLA_STAGE = {"response": SERIES[0], "resolve": SERIES[1], "followup": SERIES[2]}  # 按时响应/解决/回访
ORDER_STAGE = {"visited": "#a9d6c9", "handled": "#6fbfa8", "contracted": "#3a9e86", "built": "#1d7a66",
               "activated": "#0b5446"}  # the green channel's funnel, in order: ordinal, one hue
VIP_TIER = {"diamond": "#3d2a73", "gold": "#6a4fb0", "silver": "#9c88d1", "vip": "#c9bde9", "none": "#dcd6ea"}
COHORT = {"changed": SERIES[0], "unchanged": NEUTRAL}  # groups whose manager changed, against the rest
FEE_ITEM = {"voice": SERIES[0], "data": SERIES[1], "sms": SERIES[2], "line": SERIES[3], "fixed": SERIES[4],
            "vnet": SERIES[5], "conference": SERIES[6], "ict": SERIES[7], "cloud": SERIES[8], "iot": SERIES[9],
            "5g_private": "#2f6f8f", "idc": "#7a5195", "other": NEUTRAL}
THEME = {"reward": SERIES[0], "communicate": SERIES[1], "upgrade": SERIES[2], "optimize": SERIES[3],
         "unspecified": NEUTRAL}

# Continuous scales, for heat maps: more is darker.
SEQUENTIAL = "Blues"
SEQUENTIAL_GOOD = "Greens"  # where more is better (visits made, product penetration)

MEANINGS = {"class": CLASS, "star": STAR, "severity": SEVERITY, "workload": WORKLOAD, "gap": GAP,
            "class_move": CLASS_MOVE, "breached": BREACHED, "backlog": BACKLOG, "sla_stage": SLA_STAGE,
            "order_stage": ORDER_STAGE, "vip_tier": VIP_TIER, "cohort": COHORT, "fee_item": FEE_ITEM,
            "theme": THEME, "status": STATUS}
# Every colour a chart may use (tests check that no other colour reaches the screen).
ALL = frozenset({*SERIES, GOOD, BAD, CAUTION, NEUTRAL, REFERENCE, MUTED, LINK,
                 *(c for palette in MEANINGS.values() for c in palette.values())})


def colour(meaning: str, code) -> str:
    """The colour of one code of a meaning ("severity", 1 → red); a code outside it is neutral grey."""
    palette = MEANINGS[meaning]
    if code not in palette and isinstance(code, str) and code.isdigit():
        code = int(code)  # star levels and severities arrive as text from some queries
    return palette.get(code, NEUTRAL)


def good_or_bad(value: float | None, higher_is_better: bool = True) -> str:
    """Green when the change is good for the figure, red when bad, grey when none: churn down is green."""
    if value is None or value != value or value == 0:
        return NEUTRAL
    return GOOD if (value > 0) == higher_is_better else BAD


def series(i: int) -> str:
    """The i-th neutral category colour (branches, managers), repeating after ten."""
    return SERIES[i % len(SERIES)]
