"""Made-up people, companies and townships for the demo district. Every name says 演示/示例/测试
so nobody mistakes them for real; every ID number and USCC has a valid check character."""

from __future__ import annotations

import datetime as dt

from onetrip.core.identity import resident_id_check_digit, uscc_check_digit


def resident_id(first17: str) -> str:
    return first17 + resident_id_check_digit(first17)


def uscc(first17: str) -> str:
    return first17 + uscc_check_digit(first17)


TOWNSHIPS = [
    ("430703001", "玉霞街道", "Yuxia Subdistrict"),
    ("430703002", "武陵镇", "Wuling Town"),
    ("430703101", "灌溪镇", "Guanxi Town"),
    ("430703102", "石公桥镇", "Shigongqiao Town"),
    ("430703103", "周家店镇", "Zhoujiadian Town"),
]

COMPANIES = [
    {"uscc": uscc("91430703MA4L00001"), "name": "常德市鼎城区示例餐饮有限公司（演示）", "legal_representative": "赵示例",
     "address": "鼎城区玉霞街道演示路1号"},
    {"uscc": uscc("91430703MA4L00002"), "name": "鼎城区演示建筑工程有限公司（演示）", "legal_representative": "钱演示",
     "address": "鼎城区武陵镇样板大道8号"},
]

# People the registries know besides the accounts below: the legal representative of the second
# company, and the villager a proxy agent applies for in the demo.
REGISTRY_PEOPLE = [
    {"id_number": resident_id("43242119750315451"), "name": "钱演示", "sex": "male",
     "birth_date": dt.date(1975, 3, 15), "household_address": "湖南省常德市鼎城区武陵镇双桥坪社区武陵大道66号"},
    {"id_number": resident_id("43070319890101111"), "name": "王老伯（演示）", "sex": "male",
     "birth_date": dt.date(1989, 1, 1), "household_address": "湖南省常德市鼎城区武陵镇青山村3组12号"},
]
# The mobiles the company registry holds for the demo companies' legal representatives (where a
# delegation is confirmed by SMS).
LEGAL_REP_MOBILES = {COMPANIES[0]["uscc"]: "13907360003", COMPANIES[1]["uscc"]: "13907360005"}

# (username, password, role, real name, mobile, resident ID, department code or None, extra)
DEMO_PASSWORD = "OneTrip-demo-2026"  # noqa: S105 - printed for the demo on purpose
PEOPLE = [
    ("admin", "system_admin", "系统管理员（演示）", "", "", None, {}),
    ("shengaiban", "catalog_admin", "孙审改（演示）", "", "", None, {}),
    ("jiancha", "supervisor", "周监察（演示）", "", "", None, {}),
    ("rexian", "hotline_operator", "何热线（演示）", "", "", None, {}),
    ("chuangkou", "window_clerk", "吴窗口（演示）", "", "", "@hall", {}),
    ("scjg.officer", "officer", "郑承办（演示）", "", "", "SCJGJ", {}),
    ("scjg.head", "department_head", "王科长（演示）", "", "", "SCJGJ", {}),
    ("bdc.officer", "officer", "冯审核（演示）", "", "", "BDCDJZX", {}),
    ("daiban.wuling", "proxy_agent", "陈代办（演示）", "13907360009", "", None, {"division": "430703002"}),
    ("13907360001", "citizen", "张测试", "13907360001", resident_id("43070319900101123"), None, {}),
    ("13907360002", "citizen", "李示例", "13907360002", resident_id("43070319921212234"), None, {}),
    ("13907360003", "company_rep", "赵示例", "13907360003", resident_id("43070319960606345"), None,
     {"company": COMPANIES[0]["uscc"]}),
]

# The demo marketplace's intermediary agencies (中介机构), made up; each is a company in the demo
# company registry, and its contact person logs in with the mobile number as a company
# representative. "publish": published by the admin, or submitted and waiting for the review.
AGENCIES = [
    {"uscc": uscc("91430703MA4M00011"), "name": "常德市鼎城区沅澧环境评价咨询有限公司（演示）", "contact": "孙环评（演示）",
     "mobile": "13907360031", "legal_representative": "孙环评（演示）", "rid": resident_id("43242119800505951"),
     "address": "湖南省常德市鼎城区玉霞街道建设路66号", "staff": "18", "offers": "HPBG,GCKC,FCCH,AQPJ",
     "introduction": "从事建设项目环境影响评价、安全评价十余年（演示数据）。", "publish": "yes"},
    {"uscc": uscc("91430703MA4M00022"), "name": "鼎城区湘勘岩土工程勘察有限公司（演示）", "contact": "周勘察（演示）",
     "mobile": "13907360032", "legal_representative": "周勘察（演示）", "rid": resident_id("43242119790909953"),
     "address": "湖南省常德市鼎城区武陵镇武陵大道120号", "staff": "26", "offers": "GCKC,HPBG,FCCH",
     "introduction": "岩土工程勘察、勘测定界、不动产测绘（演示数据）。", "publish": "yes"},
    {"uscc": uscc("91430703MA4M00033"), "name": "常德鼎泰测绘科技有限公司（演示）", "contact": "吴测绘（演示）",
     "mobile": "13907360033", "legal_representative": "吴测绘（演示）", "rid": resident_id("43242119850303962"),
     "address": "湖南省常德市鼎城区玉霞街道临沅路9号", "staff": "15", "offers": "FCCH,GCKC,HPBG",
     "introduction": "房产测绘、不动产权籍调查、工程测量（演示数据）。", "publish": "yes"},
    {"uscc": uscc("91430703MA4M00044"), "name": "湖南善卷工程技术咨询有限公司（演示）", "contact": "郑审图（演示）",
     "mobile": "13907360034", "legal_representative": "郑审图（演示）", "rid": resident_id("43070319900808975"),
     "address": "湖南省常德市鼎城区灌溪镇灌溪大道18号", "staff": "11", "offers": "SGTSC,AQPJ",
     "introduction": "施工图设计文件审查、安全评价（演示数据）。", "publish": "no"},
]
