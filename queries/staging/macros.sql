-- grain: no rows. Value parsers shared by the staging models: each takes the text of one cell as
-- exported and returns the typed value, or NULL when the text cannot be read (the staging model then
-- sets the row aside with its reason). Forms accepted are those of docs/exports.md.
--
-- Speed: a province exports tens of millions of bill rows, and every parser runs once per cell.
-- Each parser therefore first tries the one form exports almost always use (a single strptime
-- format or a plain cast, no regular expression) and falls back to the full list only for the
-- cells that form does not read: coalesce() evaluates its second argument only for the rows whose
-- first is NULL. The fast form is always the first form the full list tries, on the same text, so
-- the value is the same either way (strptime and casts ignore surrounding spaces, as trim does).

create or replace macro kam_text(s) as nullif(trim(s), '');

-- a date followed by HH:MM or HH:MM:SS
create or replace macro kam_date_time_all(s) as
    try_strptime(kam_text(s), [
        '%Y-%m-%d %H:%M:%S', '%Y/%m/%d %H:%M:%S', '%Y%m%d %H:%M:%S', '%Y.%m.%d %H:%M:%S',
        '%Y-%m-%d %H:%M', '%Y/%m/%d %H:%M', '%Y%m%d %H:%M', '%Y.%m.%d %H:%M',
        '%Y-%m-%dT%H:%M:%S', '%Y-%m-%d %H:%M:%S.%f']);
create or replace macro kam_date_time(s) as
    coalesce(try_strptime(s, '%Y-%m-%d %H:%M:%S'), kam_date_time_all(s));

-- 2026-06-03, 2026/6/3, 20260603, 2026.06.03 (spreadsheets add a 00:00:00 time: forgiven)
create or replace macro kam_date(s) as
    cast(coalesce(try_strptime(s, '%Y-%m-%d'),
                  try_strptime(kam_text(s), ['%Y-%m-%d', '%Y/%m/%d', '%Y%m%d', '%Y.%m.%d']),
                  kam_date_time(s)) as date);

-- a timestamp as above; a bare date is taken at 00:00
create or replace macro kam_timestamp(s) as
    coalesce(kam_date_time(s),
             try_strptime(kam_text(s), ['%Y-%m-%d', '%Y/%m/%d', '%Y%m%d', '%Y.%m.%d']));

-- 202606, 2026-06, 2026/06, 2026年6月 → the first day of the month
create or replace macro kam_month(s) as
    cast(coalesce(
        try_strptime(s, '%Y%m'),
        try_strptime(
            regexp_replace(regexp_replace(kam_text(s), '^(\d{4})年(\d{1,2})月$', '\1-\2'), '[/]', '-'),
            ['%Y%m', '%Y-%m'])) as date);

-- 1234.5, 1,234.50, ¥1234.50, ￥1,234.50, -12.00 (adjustments are valid). Exactly these forms:
-- commas only as thousands separators (1,234 — never 12,50 or 1,2,3), digits only before an
-- optional fraction (no 1e3, 1_000, +5, .5 — forms a cast would otherwise accept).
create or replace macro kam_amount_form(s) as
    regexp_matches(kam_text(s), '^(-?[¥￥]?|[¥￥]-)\s*(\d+|\d{1,3}(,\d{3})+)(\.\d+)?$');
create or replace macro kam_amount(s) as
    case when regexp_matches(s, '^-?\d+(\.\d+)?$') then try_cast(s as decimal(18, 2))
         when kam_amount_form(s)
         then try_cast(regexp_replace(kam_text(s), '[,¥￥\s]', '', 'g') as decimal(18, 2)) end;

-- integers written as 3 or 3.0 (spreadsheets turn numbers into floats); 2.5 is not a whole
-- number and reads as nothing (set aside), never rounded
create or replace macro kam_int(s) as
    case when regexp_matches(kam_text(s), '^-?\d+(\.0+)?$')
         then try_cast(regexp_replace(kam_text(s), '\.0+$', '') as integer) end;

-- Enumerations: a cell already holding the code (the usual case) is the code; anything else
-- (Chinese labels, other case, spaces) goes through the full table of spellings.

create or replace macro kam_star_level(s) as
    case
        when kam_text(s) in ('★', '一星', '一星级', '1星', '1星级') then 1
        when kam_text(s) in ('★★', '二星', '二星级', '2星', '2星级') then 2
        when kam_text(s) in ('★★★', '三星', '三星级', '3星', '3星级') then 3
        else kam_int(s)
    end;

create or replace macro kam_mgmt_model(s) as
    case when s in ('support', 'parallel', 'vertical') then s else
    case lower(kam_text(s))
            when 'support' then 'support' when '支撑式' then 'support'
            when 'parallel' then 'parallel' when '并列式' then 'parallel'
            when 'vertical' then 'vertical' when '垂直式' then 'vertical'
        end
    end;

create or replace macro kam_employment(s) as
    case when s in ('staff', 'outsourced') then s else
    case lower(kam_text(s))
            when 'staff' then 'staff' when '正式' then 'staff'
            when 'outsourced' then 'outsourced' when '社会化' then 'outsourced' when '外包' then 'outsourced'
        end
    end;

create or replace macro kam_sector(s) as
    case when s in ('government', 'enterprise') then s else
    case lower(kam_text(s))
            when 'government' then 'government' when '政府' then 'government'
            when 'enterprise' then 'enterprise' when '企业' then 'enterprise'
        end
    end;

create or replace macro kam_class(s) as
    case when s in ('A', 'B', 'C') then s else
    case upper(replace(kam_text(s), '类', ''))
            when 'A' then 'A' when 'B' then 'B' when 'C' then 'C'
        end
    end;

create or replace macro kam_vip_tier(s) as
    case when s in ('diamond', 'gold', 'silver', 'vip', 'none') then s else
    case lower(kam_text(s))
            when 'diamond' then 'diamond' when '钻石卡' then 'diamond'
            when 'gold' then 'gold' when '金卡' then 'gold'
            when 'silver' then 'silver' when '银卡' then 'silver'
            when 'vip' then 'vip' when '贵宾卡' then 'vip'
            when 'none' then 'none' when '无' then 'none' when '普通' then 'none'
        end
    end;

create or replace macro kam_fee_item(s) as
    case when s in ('voice', 'data', 'sms', 'line', 'fixed', 'vnet', 'conference', 'ict', 'cloud', 'iot',
                    '5g_private', 'idc', 'other') then s else
    case lower(kam_text(s))
            when 'voice' then 'voice' when '语音' then 'voice'
            when 'data' then 'data' when '流量' then 'data' when '数据' then 'data'
            when 'sms' then 'sms' when '短信' then 'sms'
            when 'line' then 'line' when '专线' then 'line'
            when 'fixed' then 'fixed' when '固话' then 'fixed'
            when 'vnet' then 'vnet' when '集团v网' then 'vnet' when '短号' then 'vnet'
            when 'conference' then 'conference' when '会议电话' then 'conference'
            when 'ict' then 'ict' when '信息化' then 'ict' when '信息化/ict' then 'ict'
            when '信息化(ict)' then 'ict' when '信息化（ict）' then 'ict'  -- as the Chinese screens label it
            when 'cloud' then 'cloud' when '移动云' then 'cloud' when '云' then 'cloud'
            when 'iot' then 'iot' when '物联网' then 'iot'
            when '5g_private' then '5g_private' when '5g专网' then '5g_private'
            when 'idc' then 'idc' when '数据中心' then 'idc'
            when 'other' then 'other' when '其他' then 'other'
        end
    end;

create or replace macro kam_visit_kind(s) as
    case when s in ('visit', 'received', 'care') then s else
    case lower(kam_text(s))
            when 'visit' then 'visit' when '走访' then 'visit'
            when 'received' then 'received' when '来访' then 'received'
            when 'care' then 'care' when '关怀' then 'care' when '友情服务' then 'care'
        end
    end;

create or replace macro kam_theme(s) as
    case when s in ('reward', 'communicate', 'upgrade', 'optimize') then s else
    case lower(kam_text(s))
            when 'reward' then 'reward' when '回馈' then 'reward'
            when 'communicate' then 'communicate' when '沟通' then 'communicate'
            when 'upgrade' then 'upgrade' when '提升' then 'upgrade'
            when 'optimize' then 'optimize' when '优化' then 'optimize'
        end
    end;

create or replace macro kam_category(s) as
    case when s in ('billing', 'attitude', 'network', 'provisioning', 'fault', 'other') then s else
    case lower(kam_text(s))
            when 'billing' then 'billing' when '计费差错' then 'billing'
            when 'attitude' then 'attitude' when '服务态度' then 'attitude'
            when 'network' then 'network' when '网络质量' then 'network'
            when 'provisioning' then 'provisioning' when '业务开通' then 'provisioning'
            when 'fault' then 'fault' when '故障' then 'fault'
            when 'other' then 'other' when '其他' then 'other'
        end
    end;

create or replace macro kam_severity(s) as
    case kam_text(s)
        when '紧急' then 1 when '重要' then 2 when '一般' then 3
        else kam_int(s)
    end;

create or replace macro kam_channel(s) as
    case when s in ('hotline', 'manager', 'store', 'online') then s else
    case lower(kam_text(s))
            when 'hotline' then 'hotline' when '热线' then 'hotline'
            when 'manager' then 'manager' when '客户经理' then 'manager'
            when 'store' then 'store' when '营业厅' then 'store'
            when 'online' then 'online' when '网上' then 'online'
        end
    end;

-- A target's period: a month as kam_month reads it → '2026-06'; a quarter written 2026-Q3, 2026Q3,
-- 2026年第3季度 or 2026年三季度 → '2026-Q3' (the labels of kam/figures/period.py).
create or replace macro kam_quarter_digit(d) as
    case d when '一' then '1' when '二' then '2' when '三' then '3' when '四' then '4' else d end;
create or replace macro kam_period(s) as
    coalesce(
        strftime(kam_month(s), '%Y-%m'),
        case
            when regexp_matches(upper(kam_text(s)), '^\d{4}-?Q[1-4]$')
                then left(kam_text(s), 4) || '-Q' || right(kam_text(s), 1)
            when regexp_matches(kam_text(s), '^\d{4}年第?[1-4一二三四]季度$')
                then left(kam_text(s), 4) || '-Q'
                     || kam_quarter_digit(regexp_extract(kam_text(s), '([1-4一二三四])季度$', 1))
        end);

create or replace macro kam_kpi(s) as
    case when s in ('revenue', 'members', 'member_churn_rate', 'arpu', 'visit_compliance',
                    'sla_resolve_compliance', 'star_fit_rate', 'orders_activated') then s else
    case lower(kam_text(s))
            when 'revenue' then 'revenue' when '收入' then 'revenue'
            when 'members' then 'members' when '在册成员' then 'members'
            when 'member_churn_rate' then 'member_churn_rate' when '成员流失率' then 'member_churn_rate'
            when 'arpu' then 'arpu'
            when 'visit_compliance' then 'visit_compliance' when '走访达标率' then 'visit_compliance'
            when 'sla_resolve_compliance' then 'sla_resolve_compliance' when '按时解决率' then 'sla_resolve_compliance'
            when 'star_fit_rate' then 'star_fit_rate' when '星级匹配率' then 'star_fit_rate'
            when 'orders_activated' then 'orders_activated' when '开通工单' then 'orders_activated'
        end
    end;

-- The KPIs that are rates (fractions 0–1): their targets may be written as a percentage.
create or replace macro kam_is_rate_kpi(k) as
    k in ('member_churn_rate', 'visit_compliance', 'sla_resolve_compliance', 'star_fit_rate');

-- A target value: a number in the amount forms (1,234.50, ¥1234.5), or a percentage 85% → 0.85.
create or replace macro kam_percent(s) as
    case when right(kam_text(s), 1) in ('%', '％')
              and regexp_matches(trim(left(kam_text(s), length(kam_text(s)) - 1)), '^-?\d+(\.\d+)?$')
         then cast(try_cast(trim(left(kam_text(s), length(kam_text(s)) - 1)) as decimal(18, 6)) * 0.01
                   as decimal(18, 6)) end;
create or replace macro kam_target_value(s) as
    coalesce(case when kam_amount_form(s)
                  then try_cast(regexp_replace(kam_text(s), '[,¥￥\s]', '', 'g') as decimal(18, 6)) end,
             kam_percent(s));

-- The first rule a row breaks, as {column, reason, value}; NULL when it breaks none.
-- checks: a list of such structs or NULLs, in the order the rules should be reported.
create or replace macro kam_first_failure(checks) as
    list_filter(checks, lambda c: c is not null)[1];

-- The same as kam_first_failure([...]) written as coalesce(c1, c2, ...): the staging models use
-- coalesce, which builds no list per row and stops at the first rule broken.

-- One rule on one cell: `ok` false → the cell's failure, else NULL.
create or replace macro kam_rule(col, reason, raw, ok) as
    case when not coalesce(ok, false) then {'column': col, 'reason': reason, 'value': raw} end;

-- The usual rules of a typed cell: required and present, and readable when present.
-- (A parsed value is never NULL for a present cell that reads, so the usual row stops at the first test.)
create or replace macro kam_cell(col, raw, parsed, required, bad_reason) as
    case
        when parsed is not null then null
        when kam_text(raw) is null then
            case when required then {'column': col, 'reason': 'required', 'value': raw} end
        else {'column': col, 'reason': bad_reason, 'value': raw}
    end;
