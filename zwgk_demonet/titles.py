"""Realistic Chinese titles for demo entries (fictional places and people).

Every character here must be encodable in GBK: the TRS portal is served in GBK.
No healthy title may match the catalog's placeholder patterns or contain a blank marker
(`spec.py` checks this when it builds a network).
"""

from __future__ import annotations

import random
from datetime import date

TOPICS = [
    "安全生产",
    "优化营商环境",
    "乡村振兴",
    "防汛抗旱",
    "森林防火",
    "文明城市创建",
    "重点项目建设",
    "招商引资",
    "农村人居环境整治",
    "消防安全",
    "食品安全",
    "民生实事",
    "耕地保护",
    "河湖长制",
    "信访维稳",
    "城镇燃气安全",
    "校园安全",
    "医保基金监管",
    "冬季供暖保障",
    "秋粮收购",
    "稳岗就业",
    "数字政府建设",
    "生态环境保护",
    "老旧小区改造",
    "义务教育优质均衡",
    "基层医疗服务能力提升",
    "欠薪治理",
    "扫黑除恶常态化",
    "社会救助",
    "养老服务体系建设",
    "粮食安全",
    "大气污染防治",
]
LEADERS = ["王建国", "李明华", "张志强", "刘文静", "陈晓东", "杨春林", "赵立新", "周海燕", "吴国平", "郑红梅"]
ACTIONS = [
    "{unit}召开{topic}工作推进会",
    "{leader}带队督导{topic}工作",
    "{unit}开展{topic}专项检查",
    "{unit}组织开展{topic}宣传活动",
    "{unit}召开{topic}工作部署会议",
    "{unit}扎实推进{topic}工作",
    "{leader}调研{topic}工作时强调压实责任抓好落实",
    "{unit}举办{topic}业务培训班",
    "{unit}召开党组理论学习中心组学习会议",
    "{unit}传达学习全市{topic}工作会议精神",
    "{unit}多措并举做好{topic}工作",
    "{unit}与{place}签订{topic}合作协议",
]
NOTICES = [
    "关于做好{year}年{topic}工作的通知",
    "关于开展{topic}专项整治行动的通知",
    "关于公布{year}年度{topic}先进单位名单的公示",
    "关于{topic}有关事项的公告",
    "关于征集{topic}意见建议的公告",
    "关于组织申报{year}年{topic}项目的通知",
    "{year}年{topic}工作考核结果公示",
    "关于调整{topic}工作领导小组成员的通知",
    "关于{year}年{topic}资金分配情况的公示",
]
POLICY_PLAIN = [
    "关于进一步加强{topic}工作的意见",
    "关于做好{year}年{topic}工作的通知",
    "关于建立{topic}工作长效机制的通知",
    "关于开展{topic}三年行动的实施意见",
    "关于落实{topic}责任制的通知",
]
POLICY_DOCS = [
    "{place}{topic}实施方案",
    "{place}{topic}管理办法",
    "{place}{topic}三年行动计划（{year}—{year2}年）",
    "{place}{topic}工作规则",
]
INTERP = ["《{doc}》政策解读", "图解：《{doc}》", "一图读懂《{doc}》", "《{doc}》解读问答"]
INTERP_PLAIN = ["{topic}相关政策问答", "{topic}政策要点解读", "专家解读{place}{topic}新举措"]
PLANS = [
    "{unit}{year}年工作计划",
    "{unit}{year}年上半年工作总结",
    "{unit}{year}年工作总结和{year2}年工作打算",
    "{place}“十五五”{topic}专项规划（征求意见稿）",
    "{place}{topic}发展规划（{year}—{year3}年）",
]
BUDGETS = [
    "{unit}{year}年部门预算公开",
    "{unit}{year}年部门决算公开",
    "{unit}{year}年“三公”经费预算情况",
    "{unit}{year}年“三公”经费决算情况",
    "{unit}{year}年政府采购预算",
    "{unit}{year}年绩效目标公开",
]
STAFF = [
    "关于{person}等同志职务任免的通知",
    "{unit}{year}年公开招聘工作人员公告",
    "{unit}关于拟任职干部的公示",
    "{unit}{year}年度拟录用公务员公示",
    "{unit}{year}年公开招聘工作人员拟聘用人员名单公示",
    "关于{person}同志试用期满考核结果的公示",
]
ORGS = [
    "{unit}主要职责",
    "{unit}内设机构及职能",
    "{unit}领导班子成员及分工",
    "{unit}下属单位基本情况",
    "{unit}办公地址及联系方式",
    "{unit}权责清单（{year}年版）",
]
GUIDES = ["{unit}政府信息公开指南", "{unit}政府信息公开指南（{year}年修订）", "{unit}依申请公开办理流程"]
RULES = [
    "{unit}政府信息公开工作制度",
    "{unit}政府信息公开保密审查制度",
    "{unit}政府信息主动公开制度",
    "{unit}政府信息依申请公开工作规程",
    "{unit}政府信息公开工作考核制度",
]
DECISIONS = [
    "关于{topic}重大行政决策事项征求意见的公告",
    "{place}{topic}决策草案听证会公告",
    "{place}{topic}决策事项实施情况评估",
]
HOT = [
    "{place}召开{topic}工作会议",
    "{place}全面启动{topic}工作",
    "{place}{topic}工作取得阶段性成效",
    "图说{place}{topic}",
    "{place}入选省级{topic}示范县区",
    "聚焦{topic} 推动高质量发展",
]
PLACEHOLDERS = {
    "rsxx": ["关于{year}年度无人事信息的情况说明", "{unit}{year}年无人事任免信息的情况说明"],
    "ghjh": ["暂无规划计划的说明", "{unit}关于{year}年无规划信息的情况说明"],
    "czyjs": ["暂无财政预决算信息的说明", "关于{year}年度无预决算公开事项的情况说明"],
    "zcwj": ["关于{year}年度未制发规范性文件的情况说明", "{unit}暂无政策文件的说明"],
    "zcjd": ["暂无政策解读的说明", "关于{year}年度无政策解读信息的情况说明"],
    "gzdt": ["关于{unit}暂无工作动态的情况说明", "暂无工作动态更新的说明"],
    "tzgg": ["关于暂无通知公告事项的说明", "{unit}{year}年无通知公告的情况说明"],
    "jgzn": ["机构职能信息暂无调整的说明", "关于{unit}机构职能无变化的情况说明"],
}

POOLS = {
    "gzdt": ACTIONS,
    "tzgg": NOTICES,
    "zcwj": POLICY_PLAIN,
    "zcjd": INTERP_PLAIN,
    "ghjh": PLANS,
    "czyjs": BUDGETS,
    "rsxx": STAFF,
    "jgzn": ORGS,
    "xxgkzn": GUIDES,
    "xxgkzd": RULES,
    "zdjc": DECISIONS,
    "rdgz": HOT,
}


def fill(template: str, rng: random.Random, ctx: dict, day: date) -> str:
    values = {
        "unit": ctx["short"],
        "place": ctx["place"],
        "topic": rng.choice(TOPICS),
        "leader": rng.choice(LEADERS),
        "person": rng.choice(LEADERS),
        "year": day.year,
        "year2": day.year + 1,
        "year3": day.year + 4,
    }
    return template.format(**values)


def title_for(cid: str, rng: random.Random, ctx: dict, day: date) -> str:
    return fill(rng.choice(POOLS[cid]), rng, ctx, day)


def policy_doc(rng: random.Random, ctx: dict, day: date) -> str:
    return fill(rng.choice(POLICY_DOCS), rng, ctx, day)


def placeholder_title(cid: str, rng: random.Random, ctx: dict, day: date) -> str:
    return fill(rng.choice(PLACEHOLDERS[cid]), rng, ctx, day)


def body_paragraphs(title: str, rng: random.Random, ctx: dict) -> list[str]:
    topic = rng.choice(TOPICS)
    return [
        f"为深入贯彻落实上级关于{topic}工作的决策部署，{ctx['short']}结合工作实际，认真研究制定工作措施。",
        f"会议指出，{title.strip('《》')}事关群众切身利益，各有关单位要提高政治站位，细化任务分工，"
        "明确时间节点，确保各项工作落到实处。",
        f"下一步，{ctx['short']}将持续加强统筹调度和督导检查，推动{topic}各项工作取得新成效。",
    ]
