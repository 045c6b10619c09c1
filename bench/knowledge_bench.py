#!/usr/bin/env python
"""Knowledge-base benchmark: the operator's suggestions on 10 000 articles, in one run.

    .venv/bin/python bench/knowledge_bench.py [--articles 10000] [--repeat 10] [--show-misses]

1. Loads the demo district into a throwaway SQLite database in bench/out/ (its knowledge base:
   five articles written from each published guide, two written by the centre) and pads it to N
   published articles with generated ones that use the same words people use (社保, 户口, 营业执照,
   退休人员, 外地户籍, 要带什么, 多久…), so they compete with the real answers.
2. Reads bench/knowledge_queries.tsv (what a caller asks as the operator types it, the items one
   of which the answer must be about, and the topic it must answer) and reports how often the
   right article is first, and in the first three, of the suggestions — on the demo base alone
   (measured before padding) and on the padded one.
3. Reports the latency of ``knowledge.selectors.suggest`` (the engine search, then one query for
   the articles) and of the desk's suggestion fragment over HTTP (Django's test client, logged in
   as the demo operator) side by side with /healthz in the same run, p50/p95, with the index warm;
   the time to rebuild the index; the process's memory. Goal: p95 ≤ 50 ms.
Not part of the test suite.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
QUERIES = ROOT / "bench" / "knowledge_queries.tsv"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

SUBJECTS = [
    "社保", "医保", "公积金", "户口", "身份证", "营业执照", "社保卡", "养老保险", "失业保险", "生育保险", "工伤保险",
    "低保", "残疾人证", "居住证", "驾驶证", "行驶证", "护照", "港澳通行证", "结婚证", "房产证", "不动产权证",
    "出生证明", "准生证", "就业登记", "创业补贴", "技能补贴", "高龄津贴", "临时救助", "廉租房", "公租房", "人才公寓",
    "落户", "迁户口", "学籍", "入学", "转学", "医疗报销", "门诊慢特病", "异地就医", "退休手续", "养老金", "丧葬费",
    "抚恤金", "食品许可证", "卫生许可证", "税务登记", "发票", "个税", "契税", "车船税", "不动产登记", "抵押登记",
    "公司注销", "个体户", "商标", "消费投诉", "噪音扰民", "占道经营", "违章建筑", "物业纠纷", "欠薪", "劳动合同",
    "劳动仲裁", "社会团体", "民办学校", "诊所", "药店", "燃气开户", "水电过户", "有线电视", "宽带", "无犯罪证明",
    "公证", "法律援助", "老年证", "优待证", "退役军人", "义务兵优待金", "危房改造", "农机补贴", "种粮补贴", "宅基地",
    "林权证", "采伐许可", "取水许可", "排污许可", "施工许可", "渣土运输", "户外广告", "犬只登记", "电动车上牌",
    "核酸证明", "疫苗接种", "健康证", "教师资格证", "导游证", "出租车营运证", "网约车证",
]
WHO = ["退休人员", "外地户籍", "残疾人", "在校学生", "企业职工", "灵活就业人员", "农村居民", "新市民", "军人家属",
       "老年人", "个体经营者", "外籍人员", "困难家庭", "失业人员", "新生儿家长"]
ASKS = [("怎么办理？", "按规定程序向相关部门提出申请，经审核后办理。"),
        ("需要带什么材料？", "一般需要本人身份证原件、户口簿及相关证明材料，具体以办事指南为准。"),
        ("在哪里办？", "可到区政务服务中心相应窗口办理，部分事项可在乡镇便民服务中心办理。"),
        ("多久能办好？", "材料齐全的，一般在承诺时限内办结，具体以办事指南公布的时限为准。"),
        ("收费吗？", "按国家和省规定的标准执行，没有收费依据的一律不收费。"),
        ("能网上办吗？", "可登录政务服务网或手机端申请，上传材料后在线审核。"),
        ("政策是什么？", "按照现行政策规定执行，符合条件的可以享受，具体标准以最新文件为准。"),
        ("找哪个部门？", "由对应的主管部门负责，可拨打12345转接咨询。")]


def rss_mb() -> int:
    with open("/proc/self/status") as fh:
        return next(int(line.split()[1]) // 1024 for line in fh if line.startswith("VmRSS:"))


def read_queries() -> list[tuple[str, set[str], str]]:
    rows = []
    for line in QUERIES.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        query, codes, topic = line.split("\t")
        rows.append((query, set(codes.split("|")), topic))
    return rows


def pad(n: int) -> None:
    """Pad the base to ``n`` generated articles (tagged ``bench``), in one bulk insert."""
    from django.db import transaction
    from django.utils import timezone

    from onetrip.catalog import engine
    from onetrip.knowledge.models import Article, ArticleState, Source
    from onetrip.knowledge.services import KNOWLEDGE

    have = 0
    combos = [(s, w, a) for s in SUBJECTS for w in WHO for a in ASKS]
    random.Random(7).shuffle(combos)
    now = timezone.now()
    with transaction.atomic():
        Article.objects.bulk_create([
            Article(question=f"{who}{subject}{ask}", answer=f"{who}办理{subject}：{answer}", tags=f"bench,{subject}",
                    source=Source.WRITTEN, state=ArticleState.PUBLISHED, created_at=now, updated_at=now)
            for subject, who, (ask, answer) in combos[have:n]], batch_size=1000)
        engine.touch(KNOWLEDGE)
    print(f"  padded to {n} generated articles", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--show-misses", action="store_true")
    args = parser.parse_args()
    if args.articles > len(SUBJECTS) * len(WHO) * len(ASKS):
        parser.error(f"at most {len(SUBJECTS) * len(WHO) * len(ASKS)} generated articles")
    OUT.mkdir(parents=True, exist_ok=True)
    db_path = OUT / "knowledge.sqlite3"
    import catalog_bench

    catalog_bench.setup_django(db_path)
    print(f"Building the demo and {args.articles} generated articles in {db_path} (the demo is kept for the next run)…",
          flush=True)
    catalog_bench.build(0)

    from django.test import Client

    from onetrip.accounts.models import User
    from onetrip.catalog import engine
    from onetrip.knowledge import selectors
    from onetrip.knowledge.models import Article

    queries = read_queries()
    from onetrip.knowledge.services import KNOWLEDGE

    Article.objects.filter(tags__startswith="bench").delete()  # the demo's own base first
    engine.touch(KNOWLEDGE)
    padded_ids: set[int] = set()
    items_of = {a.pk: {i.code for i in a.items.all()} for a in Article.objects.prefetch_related("items")}

    def score(*, demo_only: bool) -> tuple[float, float]:
        at1 = at3 = 0
        for query, codes, topic in queries:
            found = [s.article for s in selectors.suggest(query, limit=10)]
            if demo_only:
                found = [a for a in found if a.pk not in padded_ids]
            right = [bool(items_of.get(a.pk, set()) & codes) and a.topic == topic for a in found[:3]]
            at1 += bool(right[:1] and right[0])
            at3 += any(right)
            if args.show_misses and not any(right):
                print(f"  MISS {query} (want {topic} of {'|'.join(sorted(codes))}): "
                      + "; ".join(a.question for a in found[:3]))
        return at1 / len(queries), at3 / len(queries)

    demo1, demo3 = score(demo_only=True)  # before the padding: the demo's own base
    pad(args.articles)
    padded_ids = set(Article.objects.filter(tags__startswith="bench").values_list("id", flat=True))
    total = selectors.current().count()
    rss_before = rss_mb()
    t0 = time.perf_counter()
    engine.index()
    first = time.perf_counter() - t0
    t0 = time.perf_counter()
    engine.build(engine.current_stamp())
    rebuild = time.perf_counter() - t0
    pad1, pad3 = score(demo_only=False)

    operator = User.objects.get(username="rexian")
    client = Client()
    client.force_login(operator)
    suggest_times, http_times, health_times = [], [], []
    for _ in range(args.repeat):
        for query, _c, _t in queries:
            t0 = time.perf_counter()
            selectors.suggest(query)
            suggest_times.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            r = client.get("/staff/knowledge/suggest/", {"q": query})
            http_times.append(time.perf_counter() - t0)
            assert r.status_code == 200
            t0 = time.perf_counter()
            client.get("/healthz")
            health_times.append(time.perf_counter() - t0)
    rss_after = rss_mb()
    pct = catalog_bench.pct
    print()
    print(f"query set: {len(queries)} questions ({QUERIES.relative_to(ROOT)}); knowledge base: {total} current "
          f"articles ({len(padded_ids)} generated)")
    print(f"right answer first, demo base      {demo1 * 100:6.1f} %   in the first three {demo3 * 100:6.1f} %")
    print(f"right answer first, padded base    {pad1 * 100:6.1f} %   in the first three {pad3 * 100:6.1f} %")
    print(f"suggest() (engine + one query)     p50 {pct(suggest_times, 50):5.1f} ms  p95 "
          f"{pct(suggest_times, 95):5.1f} ms  ({len(suggest_times)} calls; goal p95 ≤ 50 ms)")
    print(f"GET /staff/knowledge/suggest/      p50 {pct(http_times, 50):5.1f} ms  p95 {pct(http_times, 95):5.1f} ms")
    print(f"GET /healthz (same client, same run) p50 {pct(health_times, 50):5.1f} ms  p95 "
          f"{pct(health_times, 95):5.1f} ms  → suggestions cost {pct(http_times, 50) / pct(health_times, 50):.1f}× "
          f"/healthz at p50")
    print(f"index rebuild after a change       {rebuild * 1000:7.0f} ms   (first search of the process: "
          f"{first * 1000:.0f} ms)")
    print(f"process memory                     {rss_before} MB before the first search, {rss_after} MB after")


if __name__ == "__main__":
    main()
