"""The fixed facts the province is drawn from: branches, classes, industries, fee items, VIP tiers,
SLA targets, and the pieces of people's and groups' names."""
from __future__ import annotations

import numpy as np

# (id, city, share of the province's business, management model, member-churn multiplier):
# the east-delta cities are big and churn little, the west and east wings churn more.
BRANCHES = [
    ("GZ", "广州", 0.17, "vertical", 0.9), ("SZ", "深圳", 0.19, "parallel", 1.0),
    ("FS", "佛山", 0.10, "parallel", 0.9), ("DG", "东莞", 0.10, "support", 1.1),
    ("ZH", "珠海", 0.05, "support", 0.8), ("ST", "汕头", 0.05, "support", 1.7),
    ("HZ", "惠州", 0.06, "parallel", 1.0), ("ZS", "中山", 0.05, "support", 0.9),
    ("JM", "江门", 0.05, "support", 1.2), ("ZJ", "湛江", 0.05, "vertical", 1.8),
    ("MM", "茂名", 0.04, "support", 1.6), ("ZQ", "肇庆", 0.04, "support", 1.3),
]
MGMT_ZH = {"support": "支撑式", "parallel": "并列式", "vertical": "垂直式"}

CLASSES = np.array(["A", "B", "C"])
INDUSTRIES = np.array(["政府", "金融", "教育", "医疗", "制造", "交通物流", "商贸", "其他"])
INDUSTRY_P = np.array([  # by class A, B, C: government and finance are the big accounts
    [.25, .20, .10, .10, .15, .08, .07, .05],
    [.12, .10, .12, .10, .22, .10, .14, .10],
    [.05, .04, .08, .06, .27, .10, .25, .15],
])
FEE_ITEMS = np.array(["voice", "data", "sms", "line", "fixed", "vnet", "conference", "ict", "other"])
FEE_ZH = dict(zip(FEE_ITEMS, ["语音", "流量", "短信", "专线", "固话", "集团V网", "会议电话", "信息化", "其他"]))
FEE_WEIGHTS = np.array([  # by class: leased lines and ICT are what the A groups buy
    [.18, .22, .03, .25, .05, .05, .03, .17, .02],
    [.30, .30, .05, .12, .07, .08, .02, .04, .02],
    [.42, .36, .06, .02, .06, .06, .00, .00, .02],
])
VIP_TIERS = np.array(["diamond", "gold", "silver", "vip", "none"])
VIP_ZH = {"diamond": "钻石卡", "gold": "金卡", "silver": "银卡", "vip": "贵宾卡", "none": "普通"}
VIP_P = np.array([[.04, .12, .18, .21, .45], [.02, .08, .15, .20, .55], [.01, .05, .12, .17, .65]])

VISITS_PER_MONTH = np.array([2.0, 1.0, 1 / 3])   # the visit standard: A 2/month, B 1, C 1/quarter
# How well each branch keeps to the visit standard (scales the chance a manager's month meets it):
# most branches keep it, 湛江 and 茂名 clearly do not (the visit alert has something to show).
VISIT_CULTURE = dict(GZ=1.02, SZ=1.0, FS=1.03, DG=1.01, ZH=1.02, ST=0.99, HZ=1.01, ZS=1.03,
                     JM=1.0, ZJ=0.72, MM=0.68, ZQ=1.01)
KIND_ZH = {"visit": "走访", "received": "来访", "care": "关怀"}
THEMES = np.array(["reward", "communicate", "upgrade", "optimize"])   # care theme of Q1..Q4
THEME_ZH = {"reward": "回馈", "communicate": "沟通", "upgrade": "提升", "optimize": "优化"}

# Complaint SLA targets in hours, [class][severity-1] (metrics.md, red channel).
RESPONSE_H = np.array([[1, 2, 4], [2, 4, 8], [4, 8, 24]], dtype=float)
RESOLVE_H = np.array([[4, 24, 48], [8, 48, 72], [24, 72, 120]], dtype=float)
CATEGORIES = np.array(["billing", "attitude", "network", "provisioning", "fault", "other"])
CHANNELS = np.array(["hotline", "manager", "store", "online"])
CHANNEL_ZH = {"hotline": "热线", "manager": "客户经理", "store": "营业厅", "online": "网上"}

SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余杜叶程苏魏吕丁沈姚卢钟")
GIVEN = list("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红玲芬燕彬斌宇浩凯健俊帆旭宁晨欣怡嘉琪涵轩婷鹏远慧海峰博")
BRANDS = ["华信", "粤海", "恒通", "金源", "明德", "新锐", "宏达", "鸿运", "海纳", "天成", "广联", "嘉禾",
          "汇通", "博雅", "瑞丰", "永安", "盛世", "东方", "南方", "誉达", "佳美", "智联", "卓越", "康泰",
          "润丰", "美雅", "立信", "众诚", "兴业", "创达", "信诚", "安泰"]
DEPTS = ["人民政府办公室", "公安局", "税务局", "人力资源和社会保障局", "交通运输局", "市场监督管理局",
         "自然资源局", "住房和城乡建设局", "生态环境局", "财政局", "应急管理局", "水务局", "民政局"]
DISTRICTS = ["东", "西", "南", "北", "中心", "新城", "高新", "开发"]
NAME_TEMPLATES = {
    "政府": ["{c}市{d}", "{c}市{x}区{d}"],
    "金融": ["{b}银行{c}分行", "{c}{b}证券营业部", "{c}{b}保险代理有限公司", "{c}农村商业银行{x}支行"],
    "教育": ["{c}市第{n}中学", "{c}{b}学校", "{c}{b}职业技术学院", "{c}市{x}区第{n}小学"],
    "医疗": ["{c}市第{n}人民医院", "{c}{b}医院", "{c}市{x}区妇幼保健院", "{c}{b}医药有限公司"],
    "制造": ["{c}{b}电子有限公司", "{c}{b}机械制造有限公司", "{c}{b}五金制品厂", "{c}{b}新材料股份有限公司"],
    "交通物流": ["{c}{b}物流有限公司", "{c}{b}运输集团有限公司", "{c}市公共交通有限公司{x}分公司",
             "{c}{b}供应链管理有限公司"],
    "商贸": ["{c}{b}贸易有限公司", "{c}{b}商贸有限公司", "{c}{b}百货有限公司", "{c}{b}酒店管理有限公司"],
    "其他": ["{c}{b}科技有限公司", "{c}{b}文化传媒有限公司", "{c}{b}物业管理有限公司", "{c}{b}建筑工程有限公司"],
}
# (industry, template number) of the public schools and hospitals above
PUBLIC_TEMPLATES = {("教育", 0), ("教育", 2), ("教育", 3), ("医疗", 0), ("医疗", 2)}
PHONE_PREFIXES = np.array([130, 131, 132, 133, 134, 135, 136, 137, 138, 139, 150, 151, 152, 153, 155,
                           156, 157, 158, 159, 166, 176, 177, 180, 181, 182, 183, 185, 186, 187, 188,
                           189, 191, 193, 198, 199], dtype=np.int64)
