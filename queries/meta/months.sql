-- grain: one row per month with billing, newest first: the periods a viewer can pick.
select month_start, month_label, quarter_start
from calendar_months
order by month_start desc
