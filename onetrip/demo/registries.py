"""The demo district's registries: a few hundred made-up people and companies of 鼎城区 with valid
check characters, generated from a fixed seed (the same on every machine and every run), plus
the demo's own people and companies, so that their applications take materials from the
registries. Company names carry （演示）; the people's ID numbers all have sequence numbers 9xx,
which no real number of this generator's dates is known to need — they are made up."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from onetrip.demo import people
from onetrip.registries import services
from onetrip.registries.models import CompanyKind, CompanyState, RegisteredCompany, RegisteredPerson

SEED = 430703
PEOPLE_COUNT = 320
COMPANY_COUNT = 120

SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁"
            "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛段雷侯龙史黎贺顾毛郝龚邵万覃戴向易")
MALE = "伟强军平杰勇斌涛明辉刚健峰磊超波鹏华建国志文俊浩宇飞林海东亮松宏兵新春德忠成龙坤祥洪松柏"
FEMALE = "芳娜敏静丽艳娟霞秀英华玲桂兰红梅琴燕莉萍婷雪琳慧洁云莹倩颖佳玉凤荣淑珍霞菊萍"

# The district's townships and a few of their villages, communities and streets (made up where
# not public; the townships are those of the demo's divisions).
PLACES = {
    "玉霞街道": (("桥南社区", "建设路"), ("玉霞社区", "玉霞路"), ("鼎城社区", "鼎城路"), ("临沅社区", "临沅路")),
    "武陵镇": (("双桥坪社区", "武陵大道"), ("青山村", ""), ("白鹤村", ""), ("枫林社区", "枫林路")),
    "灌溪镇": (("岗市村", ""), ("新民村", ""), ("灌溪社区", "灌溪大道"), ("长岭村", "")),
    "石公桥镇": (("石公桥社区", "镇中街"), ("桃花村", ""), ("杨柳村", ""), ("大湖村", "")),
    "周家店镇": (("周家店社区", "周家店大道"), ("双河村", ""), ("兴隆村", ""), ("花园村", "")),
}
BUSINESS_NAMES = ("鑫盛", "德润", "湘沅", "鼎泰", "瑞丰", "恒通", "金禾", "沅澧", "善卷", "华信", "宏达", "福源", "顺捷",
                  "嘉禾", "昌隆", "兴旺", "绿源", "汇丰", "永安", "长盛", "新宇", "锦程", "润田", "和美")
TRADES = (("农业发展", CompanyKind.LIMITED), ("商贸", CompanyKind.LIMITED), ("建筑工程", CompanyKind.LIMITED),
          ("餐饮管理", CompanyKind.LIMITED), ("物流", CompanyKind.LIMITED), ("食品", CompanyKind.JOINT_STOCK),
          ("水稻种植专业合作社", CompanyKind.COOPERATIVE), ("蔬菜专业合作社", CompanyKind.COOPERATIVE),
          ("便利店", CompanyKind.INDIVIDUAL), ("小吃店", CompanyKind.INDIVIDUAL), ("五金店", CompanyKind.SOLE_PROPRIETORSHIP),
          ("装饰设计工作室", CompanyKind.PARTNERSHIP))
SUFFIX = {CompanyKind.LIMITED: "有限公司", CompanyKind.JOINT_STOCK: "股份有限公司", CompanyKind.COOPERATIVE: "",
          CompanyKind.INDIVIDUAL: "", CompanyKind.SOLE_PROPRIETORSHIP: "", CompanyKind.PARTNERSHIP: "（普通合伙）"}
USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def _address(rng: random.Random) -> str:
    town = rng.choice(list(PLACES))
    place, street = rng.choice(PLACES[town])
    if street:
        return f"湖南省常德市鼎城区{town}{place}{street}{rng.randint(1, 300)}号"
    return f"湖南省常德市鼎城区{town}{place}{rng.randint(1, 12)}组{rng.randint(1, 80)}号"


def _person(rng: random.Random, used: set[str]) -> dict[str, Any]:
    while True:
        born = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 55))
        male = rng.random() < 0.5
        # sequence 9xx; the last digit odd for men, even for women (GB 11643)
        seq = f"9{rng.randint(0, 9)}{rng.choice('13579' if male else '02468')}"
        # born before 鼎城区 was set up (1988): the code of its predecessor, 常德县 (432421)
        region = "430703" if born.year >= 1988 else "432421"
        number = people.resident_id(f"{region}{born:%Y%m%d}{seq}")
        if number not in used:
            used.add(number)
            break
    given = "".join(rng.choice(MALE if male else FEMALE) for _ in range(rng.choice((1, 2, 2))))
    return {"id_number": number, "name": rng.choice(SURNAMES) + given, "sex": "male" if male else "female",
            "birth_date": born, "household_address": _address(rng)}


def _known_people() -> list[dict[str, Any]]:
    """The demo's own people (accounts and the proxy agent's villager), as the registry holds them."""
    out = []
    for _username, _role, real_name, _mobile, rid, _dept, _extra in people.PEOPLE:
        if rid:
            out.append({"id_number": rid, "name": real_name, "birth_date": dt.date.fromisoformat(
                f"{rid[6:10]}-{rid[10:12]}-{rid[12:14]}"), "sex": "male" if int(rid[16]) % 2 else "female",
                "household_address": "湖南省常德市鼎城区玉霞街道桥南社区建设路18号"})
    for extra in people.REGISTRY_PEOPLE:
        out.append(dict(extra))
    for agency in people.AGENCIES:  # the marketplace's agencies' legal representatives
        rid = agency["rid"]
        out.append({"id_number": rid, "name": agency["legal_representative"], "sex": "male" if int(rid[16]) % 2
                    else "female", "birth_date": dt.date.fromisoformat(f"{rid[6:10]}-{rid[10:12]}-{rid[12:14]}"),
                    "household_address": agency["address"]})
    return out


def generate() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The demo registries' people and companies: the same lists on every run."""
    rng = random.Random(SEED)
    known = _known_people()
    used = {p["id_number"] for p in known}
    made = [_person(rng, used) for _ in range(PEOPLE_COUNT)]
    mobiles = iter(f"1397360{n:04d}" for n in rng.sample(range(10000), COMPANY_COUNT))
    companies = []
    for c in people.COMPANIES:
        rep = next(p for p in known if p["name"] == c["legal_representative"])
        companies.append({"uscc": c["uscc"], "name": c["name"], "kind": CompanyKind.LIMITED,
                          "legal_representative": rep["name"], "legal_representative_id_number": rep["id_number"],
                          "legal_representative_mobile": people.LEGAL_REP_MOBILES.get(c["uscc"], ""),
                          "address": "湖南省常德市" + c["address"], "status": CompanyState.ACTIVE,
                          "established_on": dt.date(2016, 5, 18)})
    for a in people.AGENCIES:  # the marketplace's agencies (demo/agencies.py)
        companies.append({"uscc": a["uscc"], "name": a["name"], "kind": CompanyKind.LIMITED,
                          "legal_representative": a["legal_representative"], "legal_representative_id_number": a["rid"],
                          "legal_representative_mobile": a["mobile"], "address": a["address"],
                          "status": CompanyState.ACTIVE, "established_on": dt.date(2012, 4, 9)})
    taken = {c["uscc"] for c in companies}
    for n in range(COMPANY_COUNT):
        trade, kind = rng.choice(TRADES)
        boss = made[n * 2 % len(made)] if n < len(made) // 2 else rng.choice(made)
        adult = boss["birth_date"] <= dt.date(2000, 1, 1)
        if not adult:
            boss = made[n % 50]
        name = f"常德市鼎城区{rng.choice(BUSINESS_NAMES)}{trade}{SUFFIX[kind]}（演示）"
        if kind == CompanyKind.INDIVIDUAL:
            name = f"鼎城区{boss['name']}{trade}（演示）"
        kind_char = {CompanyKind.INDIVIDUAL: "2", CompanyKind.COOPERATIVE: "3"}.get(kind, "1")
        while True:
            body = "".join(rng.choice(USCC_CHARS) for _ in range(5))
            code = people.uscc(f"9{kind_char}430703MA4D{body}")
            if code not in taken:
                taken.add(code)
                break
        roll = rng.random()
        status = (CompanyState.REVOKED if roll < 0.05 else CompanyState.CANCELLED if roll < 0.10
                  else CompanyState.SUSPENDED if roll < 0.13 else CompanyState.ACTIVE)
        companies.append({"uscc": code, "name": name, "kind": kind, "legal_representative": boss["name"],
                          "legal_representative_id_number": boss["id_number"],
                          "legal_representative_mobile": next(mobiles), "address": _address(rng), "status": status,
                          "established_on": dt.date(2005, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 20))})
    return known + made, companies


def load_registries() -> tuple[int, int]:
    """Load the demo registries (skipped when they are there: the counts of people and companies tell)."""
    everyone, companies = generate()
    if RegisteredPerson.objects.filter(id_number__in=[p["id_number"] for p in everyone]).count() == len(everyone) \
            and RegisteredCompany.objects.filter(uscc__in=[c["uscc"] for c in companies]).count() == len(companies):
        return 0, 0
    return services.import_records(actor=None, people=everyone, companies=companies)
