"""Synthetic demonstration data: organisations, subjects and their records, reproducible from a seed.

Nothing here is anyone's real data. Names come from pools of common characters, identifiers are made up
with valid check characters (USCCs under GB 32100, citizen numbers under GB 11643 with real district codes),
and every record says in its remarks that it is demonstration data. All of it goes through the ingestion
pipeline like any delivery (``records.ingest.run``), so whatever is generated is checked as a department's
file would be, and delivering the same seed again only finds duplicates (ING-3).

Subject ``i`` and each of its records are drawn from their own ``random.Random`` seeded with the seed, the
stream and ``i``: a subject is the same whichever pass rebuilds it, the first N subjects of a larger run are
those of a smaller one, and rows are produced one at a time, so a million subjects take no more memory than
sixty. Identifiers are a bijection of ``i`` (mixed by the seed), so no two subjects of a run share one.
"""

from __future__ import annotations

import random
import string
from collections.abc import Callable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from math import gcd
from typing import Any, Literal

from sqlalchemy import Engine, select
from stdnum.cn import ric as _ric
from stdnum.cn import uscc as _uscc

from xinyong import demo_cases, demo_evaluation, demo_government, demo_lists, demo_market, demo_tips
from xinyong.access import service as access
from xinyong.access.actors import system_actor
from xinyong.access.models import Organisation
from xinyong.access.policy import policy
from xinyong.db.bootstrap import outdated
from xinyong.db.bulk import refresh_statistics
from xinyong.db.engine import display_url, make_engine, session_factory, transaction
from xinyong.demo_exchange import generate as generate_exchange
from xinyong.errors import XinyongError
from xinyong.profiles.loader import load_profile
from xinyong.records import ingest
from xinyong.rules.calendar import ONE_DAY
from xinyong.rules.identifiers import USCC_ALPHABET
from xinyong.settings import Settings

Progress = Callable[[str, int, int], None]
Values = dict[str, str]
Row = tuple[Values, Values]  # (item fields, other columns such as severity)

DEMO_REMARK = "演示数据（合成生成，非真实信息）"
EARLIEST = date(2023, 1, 1)
LATEST = date(2026, 11, 20)

# ------------------------------------------------------------------------------------------- organisations


@dataclass(frozen=True)
class DemoOrg:
    code: str
    name: str
    kind: str
    body: str  # characters 9-16 of the USCC (organisation code without its check character)

    @property
    def uscc(self) -> str:
        return _uscc_of("11", "370100", self.body)


ORGANISATIONS: tuple[DemoOrg, ...] = (
    DemoOrg("demo-scjgj", "某市市场监督管理局", "provider", "MB190001"),
    DemoOrg("demo-xzspj", "某市行政审批服务局", "provider", "MB190002"),
    DemoOrg("demo-tax", "国家税务总局某市税务局", "provider", "MB190003"),
    DemoOrg("demo-hrss", "某市人力资源和社会保障局", "provider", "MB190004"),
    DemoOrg("demo-sthj", "某市生态环境局", "provider", "MB190005"),
    DemoOrg("demo-yjglj", "某市应急管理局", "provider", "MB190006"),
    DemoOrg("demo-fgw", "某市发展和改革委员会", "provider", "MB190007"),
    DemoOrg("demo-court", "某市中级人民法院", "court", "MB190008"),
    DemoOrg("demo-czj", "某市财政局", "user", "MB190009"),
    DemoOrg("demo-ggzy", "某市公共资源交易中心", "user", "MB190010"),
)
ORG = {org.code: org for org in ORGANISATIONS}

# ------------------------------------------------------------------------------------------------ places

# Real prefectures and districts; every district code is in use (stdnum's table) for births 1950-2004.
CITIES: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...] = (
    (
        "山东省",
        "济南",
        (("370102", "历下区"), ("370103", "市中区"), ("370104", "槐荫区"), ("370112", "历城区")),
    ),
    (
        "山东省",
        "青岛",
        (("370202", "市南区"), ("370203", "市北区"), ("370211", "黄岛区"), ("370214", "城阳区")),
    ),
    ("山东省", "烟台", (("370602", "芝罘区"), ("370611", "福山区"), ("370613", "莱山区"))),
    ("山东省", "潍坊", (("370702", "潍城区"), ("370703", "寒亭区"), ("370705", "奎文区"))),
    ("山东省", "临沂", (("371302", "兰山区"), ("371311", "罗庄区"), ("371312", "河东区"))),
    ("江苏省", "南京", (("320102", "玄武区"), ("320104", "秦淮区"), ("320106", "鼓楼区"))),
    ("浙江省", "杭州", (("330102", "上城区"), ("330105", "拱墅区"), ("330106", "西湖区"))),
    ("河北省", "石家庄", (("130102", "长安区"), ("130104", "桥西区"), ("130105", "新华区"))),
    ("河南省", "郑州", (("410102", "中原区"), ("410103", "二七区"), ("410105", "金水区"))),
    ("湖北省", "武汉", (("420102", "江岸区"), ("420103", "江汉区"), ("420106", "武昌区"))),
    ("湖南省", "长沙", (("430102", "芙蓉区"), ("430103", "天心区"), ("430104", "岳麓区"))),
    ("四川省", "成都", (("510104", "锦江区"), ("510105", "青羊区"), ("510107", "武侯区"))),
    ("陕西省", "西安", (("610102", "新城区"), ("610103", "碑林区"), ("610113", "雁塔区"))),
    ("辽宁省", "沈阳", (("210102", "和平区"), ("210103", "沈河区"), ("210105", "皇姑区"))),
    ("安徽省", "合肥", (("340102", "瑶海区"), ("340103", "庐阳区"), ("340104", "蜀山区"))),
    ("福建省", "福州", (("350102", "鼓楼区"), ("350103", "台江区"), ("350104", "仓山区"))),
    ("山西省", "太原", (("140105", "小店区"), ("140106", "迎泽区"), ("140107", "杏花岭区"))),
    ("云南省", "昆明", (("530102", "五华区"), ("530103", "盘龙区"), ("530111", "官渡区"))),
    ("黑龙江省", "哈尔滨", (("230102", "道里区"), ("230103", "南岗区"), ("230104", "道外区"))),
)
# Enterprises are mostly from the platform's own province: the first cities weigh more.
CITY_WEIGHTS = tuple(6 if province == "山东省" else 1 for province, _, _ in CITIES)
DISTRICTS: tuple[str, ...] = tuple(code for _, _, districts in CITIES for code, _ in districts)
ROADS = (
    "人民路", "解放路", "建设路", "中山路", "和平路", "文化路", "新华路", "工业路", "长江路", "黄河路",
    "幸福路", "光明路", "育才路", "胜利路", "朝阳路", "青年路", "花园路", "东风路", "滨河路", "经十路",
)  # fmt: skip
BUILDINGS = ("", "", "", "商务大厦", "科技园", "创业中心", "金融广场", "产业园")

# ---------------------------------------------------------------------------------------------- names

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
    "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴"
)
GIVEN_MALE = "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆帅旭宁龙林阳志峰建国庆文博海东亮成"
GIVEN_FEMALE = "芳娜敏静丽艳娟霞秀玲桂英红梅琳雪燕萍婷慧莉倩颖洁佳琪欣悦雯晶璐丹蕾月瑶思怡嘉雅"
# 字号 (trade names) are two of these; combinations that are well-known brands are left out.
TRADE_CHARS = "华盛鑫瑞恒泰宏达丰源兴隆信诚安康博远嘉明创新凯润德尚正通宇辰浩天禾沃晟弘昊启航腾跃美佳"
FAMOUS = frozenset({"华润", "恒大", "美的", "格力", "海尔", "联想", "新华", "华为", "中兴", "泰康", "安康"})
TRADE_NAMES: tuple[str, ...] = tuple(
    a + b for a in TRADE_CHARS for b in TRADE_CHARS if a != b and a + b not in FAMOUS
)

# ------------------------------------------------------------------------------------------ industries


@dataclass(frozen=True)
class Industry:
    word: str
    scope: str
    licences: tuple[str, ...]
    risks: tuple[str, ...]  # violations this trade is exposed to, beside the ones every employer is


INDUSTRIES: tuple[Industry, ...] = (
    Industry("商贸", "日用百货、五金产品、预包装食品销售", ("food_ops",), ("false_ad", "price", "quality")),
    Industry("科技", "技术开发、技术咨询、技术服务", (), ("false_ad",)),
    Industry("信息技术", "软件开发、信息系统集成服务", (), ()),
    Industry("餐饮管理", "餐饮服务、餐饮管理", ("food_ops",), ("food_expired", "food_health", "price")),
    Industry("食品", "食品生产、食品销售", ("food_prod", "food_ops"), ("food_expired", "quality")),
    Industry(
        "建筑工程",
        "建设工程施工、施工专业作业",
        ("construction", "safety"),
        ("safety_training", "hidden_danger", "dust", "overtime"),
    ),
    Industry(
        "装饰工程", "住宅室内装饰装修、建筑装饰工程施工", ("construction",), ("dust", "safety_training")
    ),
    Industry("物流", "道路货物运输、仓储服务", ("transport",), ("safety_training", "overtime")),
    Industry("医药", "药品零售、第二类医疗器械销售", ("drug",), ("false_ad", "price")),
    Industry(
        "化工",
        "化工产品销售、危险化学品经营",
        ("hazchem", "safety"),
        ("air", "water", "hidden_danger", "eia"),
    ),
    Industry("机械设备", "通用设备制造、机械设备销售", (), ("air", "safety_training", "eia")),
    Industry("环保科技", "环保技术推广、污水处理及其再生利用", (), ("water",)),
    Industry("服装", "服装制造、服装服饰零售", (), ("quality", "overtime")),
    Industry("人力资源", "职业中介活动、劳务派遣服务", ("hr",), ("social_insurance",)),
    Industry("文化传媒", "广告设计、代理、发布", (), ("false_ad",)),
    Industry("物业管理", "物业管理、家政服务", (), ("overtime",)),
    Industry("家具", "家具制造、家具销售", (), ("air", "quality")),
)
CROPS = ("蔬菜种植", "果品种植", "粮食种植", "生猪养殖", "茶叶种植", "食用菌种植")
SHOPS: tuple[tuple[str, bool], ...] = (  # (shop, sells food)
    ("便利店", True), ("小吃店", True), ("面馆", True), ("超市", True), ("水果店", True),
    ("五金店", False), ("理发店", False), ("服装店", False), ("汽车维修部", False), ("文具店", False),
)  # fmt: skip


# ------------------------------------------------------------------------------------------- subjects

Kind = Literal["enterprise", "individual_business", "cooperative", "person"]
CATEGORY: dict[Kind, str] = {
    "enterprise": "法人及非法人组织",
    "cooperative": "法人及非法人组织",
    "individual_business": "个体工商户",
    "person": "自然人",
}


@dataclass(frozen=True)
class Subject:
    index: int
    kind: Kind
    name: str
    code: str  # USCC, or citizen identity number for a person
    representative: str  # legal representative or operator; a person's own name
    address: str
    industry: Industry | None  # enterprises only
    food: bool  # sells or serves food
    founded: date | None
    birth: date | None = None
    sex: str | None = None  # 男 / 女

    @property
    def organisation(self) -> bool:
        return self.kind != "person"

    def identity(self) -> Values:
        """The subject columns shared by the 双公示 items."""
        if self.kind == "person":
            return {"subject_category": "自然人", "id_type": "身份证", "id_number": self.code}
        return {
            "subject_category": CATEGORY[self.kind],
            "uscc": self.code,
            "legal_representative": self.representative,
        }


def _org_check(body: str) -> str:
    """GB 11714 check character of an 8-character organisation code body."""
    total = sum(int(ch, 36) * w for ch, w in zip(body, (3, 7, 9, 10, 5, 8, 4, 2), strict=True))
    check = 11 - total % 11
    return "X" if check == 10 else "0" if check == 11 else str(check)


def _uscc_of(category: str, region: str, body: str) -> str:
    first17 = category + region + body + _org_check(body)
    return first17 + str(_uscc.calc_check_digit(first17))


def _base31(number: int, width: int) -> str:
    chars = []
    for _ in range(width):
        number, digit = divmod(number, len(USCC_ALPHABET))
        chars.append(USCC_ALPHABET[digit])
    return "".join(reversed(chars))


ORG_SPACE = len(USCC_ALPHABET) ** 6
BIRTH_FIRST = date(1950, 1, 1)
BIRTH_DAYS = (date(2004, 12, 31) - BIRTH_FIRST).days + 1
PERSON_SPACE = len(DISTRICTS) * BIRTH_DAYS * 999


def _stride(space: int, start: int) -> int:
    """A multiplier coprime to ``space``, so ``i * stride + offset`` visits each value once."""
    stride = start
    while gcd(stride, space) != 1:
        stride += 1
    return stride


# Near the golden section of the space, so consecutive subjects' identifiers land far apart.
ORG_STRIDE = _stride(ORG_SPACE, int(ORG_SPACE * 0.6180339887))
PERSON_STRIDE = _stride(PERSON_SPACE, int(PERSON_SPACE * 0.6180339887))


class Subjects:
    """Subject ``i`` of a seed, rebuilt on demand from its own random stream."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        mix = random.Random(f"xinyong-demo/{seed}/offsets")
        self.org_offset = mix.randrange(ORG_SPACE)
        self.person_offset = mix.randrange(PERSON_SPACE)
        self._rng = random.Random()

    @staticmethod
    def _kind(rng: random.Random) -> Kind:
        roll = rng.random()
        if roll < 0.15:
            return "person"
        if roll < 0.26:
            return "individual_business"
        if roll < 0.28:
            return "cooperative"
        return "enterprise"

    def get(self, index: int) -> Subject:
        rng = self._rng
        rng.seed(f"xinyong-demo/{self.seed}/subject/{index}")
        kind = self._kind(rng)
        province, city, districts = rng.choices(CITIES, weights=CITY_WEIGHTS)[0]
        region, district = rng.choice(districts)
        address = f"{province}{city}市{district}{rng.choice(ROADS)}{rng.randint(1, 399)}号"
        building = rng.choice(BUILDINGS)
        if building:
            address += f"{rng.choice(TRADE_NAMES)}{building}{rng.randint(1, 28)}层"
        if kind == "person":
            return self._person(index, rng, address)
        body = "MA" + _base31((index * ORG_STRIDE + self.org_offset) % ORG_SPACE, 6)
        trade = rng.choice(TRADE_NAMES)
        representative = _person_name(rng, rng.random() < 0.7)
        founded = date(2005, 1, 1) + timedelta(
            days=rng.randrange((date(2025, 12, 31) - date(2005, 1, 1)).days)
        )
        industry, food = None, False
        if kind == "enterprise":
            industry = rng.choice(INDUSTRIES)
            suffix = rng.choices(("有限公司", "股份有限公司", "有限责任公司"), weights=(85, 8, 7))[0]
            name, category = f"{city}{trade}{industry.word}{suffix}", "91"
            food = "food_ops" in industry.licences
        elif kind == "cooperative":
            name, category = f"{city}市{district}{trade}{rng.choice(CROPS)}专业合作社", "93"
        else:
            shop, food = rng.choice(SHOPS)
            owner = f"{representative[0]}记" if rng.random() < 0.4 else trade
            name, category = f"{city}市{district}{owner}{shop}", "92"
        return Subject(
            index=index,
            kind=kind,
            name=name,
            code=_uscc_of(category, region, body),
            representative=representative,
            address=address,
            industry=industry,
            food=food,
            founded=founded,
        )

    def _person(self, index: int, rng: random.Random, address: str) -> Subject:
        mixed = (index * PERSON_STRIDE + self.person_offset) % PERSON_SPACE
        mixed, region = divmod(mixed, len(DISTRICTS))
        sequence, day = divmod(mixed, BIRTH_DAYS)
        born = BIRTH_FIRST + timedelta(days=day)
        first17 = f"{DISTRICTS[region]}{born:%Y%m%d}{sequence + 1:03d}"
        male = (sequence + 1) % 2 == 1
        name = _person_name(rng, male)
        return Subject(
            index=index,
            kind="person",
            name=name,
            code=first17 + _ric.calc_check_digit(first17 + "0"),  # stdnum drops the last character
            representative=name,
            address=address,
            industry=None,
            food=False,
            founded=None,
            birth=born,
            sex="男" if male else "女",
        )


def _person_name(rng: random.Random, male: bool) -> str:
    pool = GIVEN_MALE if male else GIVEN_FEMALE
    given = rng.choice(pool) + (rng.choice(pool) if rng.random() < 0.75 else "")
    return rng.choice(SURNAMES) + given


# A stream's rows for one subject: (subject, its random stream, whether no subject before had any).
Maker = Callable[[Subject, random.Random, bool], Iterator[Row]]

# --------------------------------------------------------------------------------------- small helpers


def _day(rng: random.Random, first: date = EARLIEST, last: date = LATEST) -> date:
    return first + timedelta(days=rng.randrange((last - first).days + 1))


def _takes(rng: random.Random, rate: float, eager: bool) -> bool:
    """Whether a subject has records of a stream: with chance ``rate``, or surely when ``eager`` (no subject
    before it had any, so that even a small run shows every item). One draw either way."""
    return rng.random() < rate or (eager and rate > 0)


def _active_from(subject: Subject, days: int = 30) -> date | None:
    """The first day records about ``subject`` may bear: an organisation is decided on once it exists.
    None when that is after :data:`LATEST`."""
    first = EARLIEST if subject.founded is None else max(EARLIEST, subject.founded + timedelta(days=days))
    return first if first <= LATEST else None


def _years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _wan(yuan: int) -> str:
    """Yuan as 万元 without trailing zeros: 2000 -> 0.2."""
    return format((Decimal(yuan) / 10000).normalize(), "f")


def _yuan(rng: random.Random, low: float, high: float) -> int:
    """An amount between ``low`` and ``high`` 万元, rounded as departments round fines."""
    amount = rng.uniform(low, high) * 10000
    step = 100 if amount < 100_000 else 1000
    return max(step, int(amount // step * step))


_FORMATTER = string.Formatter()


def _fill(template: str, rng: random.Random, known: Mapping[str, str]) -> str:
    """Replace each ``{name}`` with ``known[name]`` or a choice from ``POOLS[name]``, left to right."""
    values: dict[str, str] = {}
    for _, name, _, _ in _FORMATTER.parse(template):
        if name and name not in values:
            values[name] = known[name] if name in known else rng.choice(POOLS[name])
    return template.format_map(values)


POOLS: dict[str, tuple[str, ...]] = {
    "claim": ("国家级产品", "最佳品质", "行业第一品牌", "100%有效", "根治", "无任何副作用", "销量全国第一"),
    "product": (
        "电线电缆（导体电阻项目）",
        "儿童服装（纤维含量项目）",
        "电热水壶（耐久性项目）",
        "转换器插座（结构项目）",
        "塑料购物袋（厚度项目）",
        "LED灯具（骚扰电压项目）",
        "电动自行车乘员头盔（冲击吸收性能项目）",
    ),
    "food": ("酸奶", "面包", "饼干", "火腿肠", "方便面", "果汁饮料", "调味酱", "速冻水饺"),
    "n": tuple(str(n) for n in range(2, 31)),
    "tax": ("增值税", "企业所得税", "个人所得税", "印花税", "城市维护建设税"),
    "air_pollutant": ("颗粒物", "二氧化硫", "氮氧化物", "非甲烷总烃"),
    "water_pollutant": ("化学需氧量", "氨氮", "总磷", "悬浮物"),
    "outlet": ("1号排气筒", "2号排气筒", "喷涂车间排气筒"),
    "hazard": (
        "配电箱未设置防护措施",
        "安全出口被杂物堵塞",
        "危险化学品仓库未按规定设置通风设施",
        "作业现场未设置安全警示标志",
        "有限空间作业未执行审批制度",
    ),
    "site": ("施工工地", "物料堆场", "拆除作业现场"),
    "dust_fault": ("未对裸露地面进行覆盖", "运输车辆未冲洗即驶出", "未设置围挡"),
}

# ------------------------------------------------------------------------------------------ penalties


@dataclass(frozen=True)
class Violation:
    provider: str
    type: str
    facts: str
    basis: str
    fine: tuple[float, float]  # 万元, for a general case
    domain: str = ""  # 所属领域 (food, drug ... have a longer minimum under order 58)
    people: bool = False  # also committed by natural persons
    weight: float = 1.0  # how often, against the others open to the same subject


VIOLATIONS: dict[str, Violation] = {
    "false_ad": Violation(
        "demo-scjgj",
        "发布虚假广告",
        "当事人在其经营场所及网络店铺发布含有“{claim}”等内容的广告，无事实依据，欺骗、误导消费者。",
        "《中华人民共和国广告法》第二十八条、第五十五条第一款",
        (2, 20),
    ),
    "price": Violation(
        "demo-scjgj",
        "不按规定明码标价",
        "执法人员现场检查发现，当事人经营场所内{n}种商品未按规定标明价格。",
        "《中华人民共和国价格法》第十三条第一款、第四十二条",
        (0.1, 0.5),
    ),
    "quality": Violation(
        "demo-scjgj",
        "销售不合格产品",
        "经监督抽查检验，当事人销售的{product}不符合标准要求，检验结论为不合格。",
        "《中华人民共和国产品质量法》第三十九条、第五十条",
        (0.5, 5),
    ),
    "food_expired": Violation(
        "demo-scjgj",
        "经营超过保质期的食品",
        "执法人员现场检查发现，当事人经营场所货架上摆放超过保质期的{food}{n}件，仍在销售。",
        "《中华人民共和国食品安全法》第三十四条第（十）项、第一百二十四条第一款第（五）项",
        (5, 10),
        domain="食品",
    ),
    "food_health": Violation(
        "demo-scjgj",
        "安排未取得健康证明的人员从事接触直接入口食品的工作",
        "当事人安排{n}名未取得健康证明的人员从事接触直接入口食品的工作。",
        "《中华人民共和国食品安全法》第四十五条、第一百二十六条第一款第（六）项",
        (0.5, 2),
        domain="食品",
    ),
    "unlicensed": Violation(
        "demo-scjgj",
        "未经设立登记从事经营活动",
        "当事人未经设立登记，在{address}从事经营活动，经责令改正后拒不改正。",
        "《中华人民共和国市场主体登记管理条例》第三条、第四十三条",
        (1, 3),
        people=True,
    ),
    "late_filing": Violation(
        "demo-tax",
        "未按照规定期限办理纳税申报和报送纳税资料",
        "当事人未按照规定期限办理{period}{tax}纳税申报。",
        "《中华人民共和国税收征收管理法》第二十五条、第六十二条",
        (0.02, 0.2),
        people=True,
    ),
    "books": Violation(
        "demo-tax",
        "未按照规定设置、保管账簿或者保管记账凭证和有关资料",
        "当事人{year}年度未按照规定设置账簿，未保管记账凭证和有关资料。",
        "《中华人民共和国税收征收管理法》第六十条第一款第（二）项",
        (0.1, 0.5),
    ),
    "tax_evasion": Violation(
        "demo-tax",
        "偷税",
        "当事人{year}年度通过在账簿上多列支出、少列收入的手段，少缴{tax}。",
        "《中华人民共和国税收征收管理法》第六十三条第一款",
        (5, 50),
        weight=0.15,
    ),
    "overtime": Violation(
        "demo-hrss",
        "违反法律规定延长劳动者工作时间",
        "当事人安排{n}名劳动者延长工作时间，超过法律规定的限度。",
        "《中华人民共和国劳动法》第四十一条；《劳动保障监察条例》第二十五条",
        (0.1, 1.5),
    ),
    "social_insurance": Violation(
        "demo-hrss",
        "未按规定办理社会保险登记",
        "当事人自用工之日起未为{n}名职工办理社会保险登记，经责令限期改正后逾期仍不改正。",
        "《中华人民共和国社会保险法》第五十八条第一款、第八十四条",
        (0.5, 5),
    ),
    "air": Violation(
        "demo-sthj",
        "超过大气污染物排放标准排放大气污染物",
        "经监测，当事人{outlet}排放的{air_pollutant}浓度超过"
        "《大气污染物综合排放标准》（GB 16297-1996）规定的排放限值。",
        "《中华人民共和国大气污染防治法》第十八条、第九十九条第（二）项",
        (10, 30),
    ),
    "water": Violation(
        "demo-sthj",
        "超过水污染物排放标准排放水污染物",
        "经监测，当事人废水总排放口排放的废水中{water_pollutant}浓度超过"
        "《污水综合排放标准》（GB 8978-1996）规定的排放限值。",
        "《中华人民共和国水污染防治法》第十条、第八十三条第（二）项",
        (10, 30),
    ),
    "eia": Violation(
        "demo-sthj",
        "建设项目环境影响评价文件未经批准擅自开工建设",
        "当事人新建生产线项目，环境影响报告表未经审批即擅自开工建设。",
        "《中华人民共和国环境影响评价法》第二十五条、第三十一条第一款",
        (5, 20),
    ),
    "dust": Violation(
        "demo-sthj",
        "施工工地未采取有效防尘降尘措施",
        "当事人{site}{dust_fault}，未采取有效防尘降尘措施。",
        "《中华人民共和国大气污染防治法》第六十九条、第一百一十五条第一款第（一）项",
        (1, 5),
    ),
    "safety_training": Violation(
        "demo-yjglj",
        "未按照规定对从业人员进行安全生产教育和培训",
        "当事人未按照规定对{n}名从业人员进行安全生产教育和培训，且未如实记录培训情况。",
        "《中华人民共和国安全生产法》第二十八条、第九十七条第（三）项",
        (1, 5),
        domain="安全生产",
    ),
    "hidden_danger": Violation(
        "demo-yjglj",
        "未采取措施消除事故隐患",
        "执法人员检查发现当事人{hazard}，责令限期消除后，当事人未采取措施消除事故隐患。",
        "《中华人民共和国安全生产法》第四十一条、第一百零二条",
        (1, 5),
        domain="安全生产",
    ),
}
# Every employer may break tax and labour rules; these are the violations any organisation can have.
EVERYONE = ("late_filing", "books")
EMPLOYERS = ("overtime", "social_insurance")
SERIOUS_ONLY = frozenset({"tax_evasion"})
NUMBER_PREFIX = {
    "demo-scjgj": "某市监处罚",
    "demo-tax": "某税稽罚",
    "demo-hrss": "某人社监罚字",
    "demo-sthj": "某环罚字",
    "demo-yjglj": "（某）应急罚",
}


def _violations(subject: Subject, provider: str) -> list[str]:
    if subject.kind == "person":
        return [k for k, v in VIOLATIONS.items() if v.people and v.provider == provider]
    codes = [*EVERYONE, "tax_evasion"]
    if subject.kind == "individual_business":
        codes += ["unlicensed", "price"] + (["food_expired", "food_health"] if subject.food else ["quality"])
    else:
        codes += list(EMPLOYERS) + (list(subject.industry.risks) if subject.industry else [])
    return [code for code in dict.fromkeys(codes) if VIOLATIONS[code].provider == provider]


PENALTY_RATES: dict[str, dict[Kind, float]] = {
    "demo-scjgj": {"enterprise": 0.14, "individual_business": 0.2, "cooperative": 0.05, "person": 0.04},
    "demo-tax": {"enterprise": 0.08, "individual_business": 0.06, "cooperative": 0.04, "person": 0.03},
    "demo-hrss": {"enterprise": 0.06, "individual_business": 0.0, "cooperative": 0.02, "person": 0.0},
    "demo-sthj": {"enterprise": 0.1, "individual_business": 0.0, "cooperative": 0.0, "person": 0.0},
    "demo-yjglj": {"enterprise": 0.1, "individual_business": 0.0, "cooperative": 0.0, "person": 0.0},
}
CONFISCATE = "没收违法所得、没收非法财物"


def _penalties(provider: str) -> Maker:
    org = ORG[provider]

    def make(subject: Subject, rng: random.Random, eager: bool) -> Iterator[Row]:
        if not _takes(rng, PENALTY_RATES[provider][subject.kind], eager):
            return
        pool = _violations(subject, provider)
        first = _active_from(subject)
        if not pool or first is None:
            return
        weights = [VIOLATIONS[code].weight for code in pool]
        serial = subject.index * 2 + 1  # document numbers never repeat within a run
        for k in range(1 if rng.random() < 0.8 else 2):
            code = rng.choices(pool, weights)[0]
            violation = VIOLATIONS[code]
            decided = _day(rng, first)
            roll = rng.random()
            severity = "严重" if code in SERIOUS_ONLY or roll < 0.12 else "轻微" if roll < 0.22 else "一般"
            low, high = violation.fine
            categories: list[str]
            fine = confiscated = 0
            if severity == "轻微":
                categories = ["警告"] if rng.random() < 0.5 else ["罚款"]
                fine = _yuan(rng, low / 4, low) if categories == ["罚款"] else 0
            elif severity == "一般":
                categories = rng.choice((["罚款"], ["警告", "罚款"], ["罚款", CONFISCATE]))
                fine = _yuan(rng, low, high)
            else:
                categories = rng.choice((["罚款", CONFISCATE], ["责令停产停业", "罚款"], ["罚款"]))
                fine = _yuan(rng, high, high * 3)
            if CONFISCATE in categories:
                confiscated = _yuan(rng, 0.05, max(0.1, low))
            content = "；".join(
                part
                for part in (
                    "警告" if "警告" in categories else "",
                    "责令停产停业整顿" if "责令停产停业" in categories else "",
                    f"罚款人民币{fine}元" if fine else "",
                    f"没收违法所得人民币{confiscated}元" if confiscated else "",
                )
                if part
            )
            known = {
                "address": subject.address,
                "year": str(decided.year - 1),
                "period": f"{decided.year}年{max(1, decided.month - 1)}月",
            }
            values: Values = {
                "subject_name": subject.name,
                **subject.identity(),
                "document_number": f"{NUMBER_PREFIX[provider]}〔{decided.year}〕{serial + k}号",
                "violation_type": violation.type,
                "violation_facts": _fill(violation.facts, rng, known),
                "penalty_basis": violation.basis,
                "penalty_category": ";".join(categories),
                "penalty_content": content,
                "decision_date": decided.isoformat(),
                "valid_until": _years(decided, 3 if severity == "严重" else 1).isoformat(),
                "authority": org.name,
                "authority_uscc": org.uscc,
                "source": org.name,
                "source_uscc": org.uscc,
                "remarks": DEMO_REMARK,
            }
            if fine:
                values["fine_amount"] = _wan(fine)
            if confiscated:
                values["confiscation_amount"] = _wan(confiscated)
            extra = {"severity": severity}
            if violation.domain:
                extra["domain"] = violation.domain
            yield values, extra

    return make


# ------------------------------------------------------------------------------------------- licences


@dataclass(frozen=True)
class Licence:
    provider: str
    certificate: str
    document: str
    category: str
    number: str  # prefix of the licence number
    years: int | None


LICENCES: dict[str, Licence] = {
    "registration": Licence("demo-scjgj", "营业执照", "准予设立登记通知书", "登记", "", None),
    "amendment": Licence("demo-scjgj", "营业执照", "准予变更登记通知书", "登记", "", None),
    "food_ops": Licence("demo-scjgj", "食品经营许可证", "食品经营许可决定书", "普通", "JY", 5),
    "food_prod": Licence("demo-scjgj", "食品生产许可证", "食品生产许可决定书", "普通", "SC", 5),
    "drug": Licence("demo-scjgj", "药品经营许可证", "药品经营许可决定书", "普通", "鲁DA", 5),
    "construction": Licence("demo-xzspj", "建筑业企业资质证书", "建筑业企业资质许可决定书", "认可", "D3", 5),
    "safety": Licence("demo-xzspj", "安全生产许可证", "安全生产许可决定书", "普通", "（鲁）安许证字", 3),
    "transport": Licence(
        "demo-xzspj", "道路运输经营许可证", "道路运输经营许可决定书", "普通", "鲁交运管许可字", 4
    ),
    "hr": Licence("demo-xzspj", "人力资源服务许可证", "人力资源服务许可决定书", "普通", "（鲁）人服证字", 5),
    "ride_hailing": Licence(
        "demo-xzspj", "网络预约出租汽车驾驶员证", "网络预约出租汽车驾驶员证核发决定书", "认可", "鲁网约驾", 6
    ),
    "special_work": Licence("demo-xzspj", "特种作业操作证", "特种作业操作证核发决定书", "认可", "鲁特作", 6),
    "road_worker": Licence(
        "demo-xzspj", "道路运输从业人员从业资格证", "道路运输从业人员从业资格核发决定书", "认可", "鲁从业", 6
    ),
    "hazchem": Licence(
        "demo-xzspj", "危险化学品经营许可证", "危险化学品经营许可决定书", "普通", "鲁济危化经字", 3
    ),
}
PERSON_LICENCES = ("ride_hailing", "special_work", "road_worker")
LICENCE_PREFIX = {"demo-scjgj": "某市监许", "demo-xzspj": "某审批许"}


def _licences(provider: str) -> Maker:
    """Every organisation has its registration (设立 or, before 双公示 began, a later 变更), and the licences
    of its trade; every person a qualification, so each subject has at least one record."""
    org = ORG[provider]

    def make(subject: Subject, rng: random.Random, eager: bool) -> Iterator[Row]:
        if subject.founded is None:
            wanted = [rng.choice(PERSON_LICENCES)]
        else:
            wanted = ["registration" if subject.founded >= date(2015, 10, 1) else "amendment"]
            if subject.industry is not None:
                wanted += [code for code in subject.industry.licences if rng.random() < 0.8]
            elif subject.food and rng.random() < 0.8:
                wanted.append("food_ops")
        serial = subject.index * 4 + 1
        for k, code in enumerate(wanted):
            licence = LICENCES[code]
            if licence.provider != provider:
                continue
            first = date(2021, 1, 1)
            if subject.founded is not None:
                first = max(first, subject.founded)
            if subject.birth is not None:
                first = max(first, _years(subject.birth, 20))
            decided = _day(rng, first)
            number = f"{licence.number}{decided.year}{subject.index:07d}{k}"
            if code == "registration" and subject.founded is not None:
                decided, number = subject.founded, subject.code
                content = f"准予设立登记。住所：{subject.address}"
            elif code == "amendment":
                number = subject.code
                change = rng.choice(("住所", "法定代表人", "经营范围", "注册资本"))
                content = f"准予变更登记。变更事项：{change}。住所：{subject.address}"
            elif subject.kind == "person":
                content = f"准予核发{licence.certificate}"
            else:
                scope = subject.industry.scope if subject.industry else "预包装食品销售、散装食品销售"
                content = f"许可项目：{scope}。经营场所：{subject.address}"
            values: Values = {
                "subject_name": subject.name,
                **subject.identity(),
                "document_name": licence.document,
                "document_number": f"{LICENCE_PREFIX[provider]}〔{decided.year}〕{serial + k}号",
                "licence_category": licence.category,
                "certificate_name": licence.certificate,
                "licence_number": number,
                "licence_content": content,
                "decision_date": decided.isoformat(),
                "valid_from": decided.isoformat(),
                "authority": org.name,
                "authority_uscc": org.uscc,
                "source": org.name,
                "source_uscc": org.uscc,
                "remarks": DEMO_REMARK,
            }
            if licence.years:
                values["valid_until"] = (_years(decided, licence.years) - ONE_DAY).isoformat()
            yield values, {}

    return make


# ------------------------------------------------------------------------------------- abnormal operation

ABNORMAL: tuple[tuple[str, str], ...] = (  # (reason for listing, reason for removal)
    (
        "未依照《企业信息公示暂行条例》第八条规定的期限公示年度报告",
        "补报未报年份的年度报告并公示",
    ),
    (
        "未在市场监督管理部门依照《企业信息公示暂行条例》第十条规定责令的期限内公示有关企业信息",
        "履行公示义务，公示有关企业信息",
    ),
    ("公示企业信息隐瞒真实情况、弄虚作假", "更正其公示的信息"),
    (
        "通过登记的住所或者经营场所无法联系",
        "依法办理住所或者经营场所变更登记，或者提出通过登记的住所或者经营场所可以重新取得联系",
    ),
)


def _abnormal(subject: Subject, rng: random.Random, eager: bool) -> Iterator[Row]:
    first = _active_from(subject, 180)  # after the first annual report was due
    if not _takes(rng, 0.06, eager) or subject.kind == "person" or first is None:
        return
    org = ORG["demo-scjgj"]
    decided = _day(rng, first)
    if subject.kind == "individual_business":
        reason = "未按照规定报送年度报告，标记为经营异常状态"
        removal = "补报未报年份的年度报告并公示，恢复正常记载状态"
    else:
        reason, removal = rng.choice(ABNORMAL)
    values: Values = {
        "subject_name": subject.name,
        "uscc": subject.code,
        "legal_representative": subject.representative,
        "listing_reason": reason,
        "document_number": f"某市监异列字〔{decided.year}〕第{subject.index + 1}号",
        "decision_date": decided.isoformat(),
        "authority": org.name,
        "authority_uscc": org.uscc,
        "source": org.name,
        "source_uscc": org.uscc,
        "remarks": DEMO_REMARK,
    }
    if rng.random() < 0.4:
        removed = decided + timedelta(days=rng.randint(20, 365))
        if removed <= LATEST:
            values |= {
                "removal_reason": removal,
                "removal_date": removed.isoformat(),
                "removal_authority": org.name,
            }
    yield values, {"severity": "一般"}


# --------------------------------------------------------------------------------- dishonest debtors

# 最高人民法院《关于公布失信被执行人名单信息的若干规定》第一条 (formats.md §3).
CIRCUMSTANCES = (
    "有履行能力而拒不履行生效法律文书确定义务",
    "以伪造证据、暴力、威胁等方法妨碍、抗拒执行",
    "以虚假诉讼、虚假仲裁或者以隐匿、转移财产等方法规避执行",
    "违反财产报告制度",
    "违反限制消费令",
    "无正当理由拒不履行执行和解协议",
)
CIRCUMSTANCE_WEIGHTS = (60, 3, 8, 20, 6, 3)


def _debtors(subject: Subject, rng: random.Random, eager: bool) -> Iterator[Row]:
    first = _active_from(subject, 400)  # a contract, a judgment, then enforcement
    if not _takes(rng, 0.03, eager) or first is None:
        return
    court = ORG["demo-court"]
    published = _day(rng, first)
    filed = published - timedelta(days=rng.randint(15, 200))
    judged = filed - timedelta(days=rng.randint(30, 400))
    owed = _yuan(rng, 0.5, 300 if subject.organisation else 50)
    if rng.random() < 0.75:
        basis_unit, decided_by = court.name, "判决"
        basis = f"（{judged.year}）鲁01民{'初' if rng.random() < 0.6 else '终'}{rng.randint(100, 9999)}号"
    else:
        basis_unit, decided_by = "某仲裁委员会", "裁决"
        basis = f"（{judged.year}）某仲裁字第{rng.randint(100, 2999)}号"
    what = "货款" if subject.organisation else "借款本金"
    paid = 0 if rng.random() < 0.7 else _yuan(rng, 0.01, owed / 20000)
    circumstances = rng.choices(CIRCUMSTANCES, weights=CIRCUMSTANCE_WEIGHTS, k=2 if rng.random() < 0.1 else 1)
    values: Values = {
        "subject_name": subject.name,
        "party_type": "自然人" if subject.kind == "person" else "法人或其他组织",
        "case_number": f"（{filed.year}）鲁01执{subject.index + 1}号",
        "court": court.name,
        "province": "山东",
        "basis_document_number": basis,
        "filing_date": filed.isoformat(),
        "basis_unit": basis_unit,
        "obligation": f"被执行人于{decided_by}生效之日起十日内向申请执行人支付{what}人民币{owed}元及利息",
        "performance": "部分未履行" if paid else "全部未履行",
        "performed_part": f"已履行人民币{paid}元" if paid else "暂无",
        "unperformed_part": f"人民币{owed - paid}元及利息",
        "dishonest_circumstances": ",".join(dict.fromkeys(circumstances)),
        "publish_date": published.isoformat(),
        "source": court.name,
        "remarks": DEMO_REMARK,
    }
    if subject.kind == "person":
        assert subject.birth is not None and subject.sex is not None
        age = (
            published.year
            - subject.birth.year
            - ((published.month, published.day) < (subject.birth.month, subject.birth.day))
        )
        values |= {"id_number": subject.code, "sex": subject.sex, "age": str(age)}
    else:
        values |= {"uscc": subject.code, "legal_representative": subject.representative}
    yield values, {"severity": "严重"}


# ------------------------------------------------------------------------------------------- awards

AWARDS: dict[str, tuple[tuple[str, str, str, bool], ...]] = {  # (name, level, content, for persons)
    "demo-fgw": (
        ("诚信示范企业", "市级", "在诚信经营、守法履约方面表现突出，授予“诚信示范企业”称号", False),
        ("信用建设示范单位", "市级", "积极参与社会信用体系建设，授予“信用建设示范单位”称号", False),
        ("诚信之星", "市级", "诚实守信事迹突出，授予“诚信之星”称号", True),
    ),
    "demo-hrss": (
        (
            "劳动保障守法诚信示范单位",
            "市级",
            "依法用工、按时足额支付工资，评为劳动保障守法诚信示范单位",
            False,
        ),
        ("和谐劳动关系示范企业", "市级", "劳动关系和谐稳定，评为和谐劳动关系示范企业", False),
        ("技术能手", "市级", "在职业技能竞赛中成绩突出，授予“技术能手”称号", True),
    ),
}
AWARD_PREFIX = {"demo-fgw": "某发改信用", "demo-hrss": "某人社字"}


def _awards(provider: str) -> Maker:
    org = ORG[provider]

    def make(subject: Subject, rng: random.Random, eager: bool) -> Iterator[Row]:
        person = subject.kind == "person"
        if not _takes(rng, 0.015 if person else 0.04, eager):
            return
        choices = [award for award in AWARDS[provider] if award[3] == person]
        name, level, content, _ = rng.choice(choices)
        year = rng.randint(2022, 2026)
        if subject.founded is not None and subject.founded.year >= year:
            return
        # One decision names every awardee of the year: its number and date are the same for all.
        decision = random.Random(f"xinyong-demo/award/{provider}/{name}/{year}")
        decided = date(year, decision.randint(1, 10), decision.randint(1, 28))
        values: Values = {
            "subject_name": subject.name,
            "subject_category": CATEGORY[subject.kind],
            "award_name": name,
            "award_content": content,
            "award_level": level,
            "document_name": f"关于表彰{year}年度“{name}”的决定",
            "document_number": f"{AWARD_PREFIX[provider]}〔{year}〕{decision.randint(1, 60)}号",
            "decision_date": decided.isoformat(),
            "valid_until": (_years(decided, 3) - ONE_DAY).isoformat(),
            "authority": org.name,
            "authority_uscc": org.uscc,
            "source": org.name,
            "source_uscc": org.uscc,
            "remarks": DEMO_REMARK,
        }
        if person:
            values |= {"id_type": "身份证", "id_number": subject.code}
        else:
            values["uscc"] = subject.code
        yield values, {}

    return make


# ---------------------------------------------------------------------------------------- commitments

COMMITMENTS: tuple[tuple[str, str], ...] = (  # (type, matter)
    ("审批替代型", "食品经营许可告知承诺"),
    ("审批替代型", "公共场所卫生许可告知承诺"),
    ("审批替代型", "建筑工程施工许可告知承诺"),
    ("容缺受理型", "企业设立登记容缺受理"),
    ("容缺受理型", "道路运输经营许可容缺受理"),
    ("行业自律型", "诚信经营自律承诺"),
    ("主动型", "市场主体主动信用承诺"),
    ("信用修复型", "行政处罚信息信用修复承诺"),
)
PERSON_COMMITMENTS: tuple[tuple[str, str], ...] = (
    ("审批替代型", "职业资格证明事项告知承诺"),
    ("主动型", "个人诚信承诺"),
)
COMMITMENT_TEXT = (
    "{who}郑重承诺：所提交的材料真实、合法、有效；严格遵守相关法律法规和行业规范，依法诚信经营；"
    "如违背承诺，愿意接受有关部门依法依规作出的处理，并承担相应法律责任。"
)
RECEIVERS = ("demo-scjgj", "demo-xzspj", "demo-fgw", "demo-hrss")


def _commitments(subject: Subject, rng: random.Random, eager: bool) -> Iterator[Row]:
    person = subject.kind == "person"
    first = _active_from(subject, 0)
    if not _takes(rng, 0.05 if person else 0.18, eager) or first is None:
        return
    source = ORG["demo-fgw"]
    for k in range(1 if rng.random() < 0.85 else 2):
        kind, matter = rng.choice(PERSON_COMMITMENTS if person else COMMITMENTS)
        decided = _day(rng, first)
        receiver = ORG[rng.choice(RECEIVERS)]
        years = rng.choice((1, 3))
        until = _years(decided, years) - ONE_DAY
        values: Values = {
            "subject_name": subject.name,
            **subject.identity(),
            "commitment_type": kind,
            "commitment_matter": matter,
            "commitment_content": COMMITMENT_TEXT.format(who="本人" if person else "本单位"),
            "document_number": f"XYCN{decided:%Y%m%d}{subject.index:07d}{k}",
            "decision_date": decided.isoformat(),
            "valid_until": until.isoformat(),
            "authority": receiver.name,
            "authority_uscc": receiver.uscc,
            "fulfilment": "履约中" if until >= LATEST else "已履约",
            "source": source.name,
            "source_uscc": source.uscc,
            "remarks": DEMO_REMARK,
        }
        yield values, {}


# -------------------------------------------------------------------------------------------- tax A grade


def _tax_grades(subject: Subject, rng: random.Random, eager: bool) -> Iterator[Row]:
    if not _takes(rng, 0.2, eager) or subject.kind != "enterprise":
        return
    tax = ORG["demo-tax"]
    years = sorted(rng.sample(range(2022, 2026), rng.randint(1, 3)))
    for year in years:
        # The A-grade list of a year is published in April of the next (税务总局 annual evaluation).
        published = date(year + 1, 4, random.Random(f"xinyong-demo/tax/{year}").randint(10, 28))
        if subject.founded is not None and subject.founded.year >= year:
            continue
        yield (
            {
                "subject_name": subject.name,
                "uscc": subject.code,
                "tax_year": str(year),
                "grade": "A",
                "decision_date": published.isoformat(),
                "authority": tax.name,
                "authority_uscc": tax.uscc,
                "source": tax.name,
                "source_uscc": tax.uscc,
                "remarks": DEMO_REMARK,
            },
            {},
        )


# ---------------------------------------------------------------------------------------------- plan


@dataclass(frozen=True)
class Stream:
    """One delivery: each subject is offered to ``make``, which yields its rows for the item and provider."""

    item: str
    provider: str
    route: str
    label: str
    make: Maker


def _label(item: str, provider: str) -> str:
    return f"{ITEM_NAMES[item]} · {ORG[provider].name}"


ITEM_NAMES = {
    "admin-licence": "行政许可信息",
    "admin-penalty": "行政处罚信息",
    "abnormal-operation": "经营异常名录信息",
    "court-dishonest-debtor": "失信被执行人信息",
    "award": "表彰奖励信息",
    "commitment": "信用承诺信息",
    "tax-a-grade": "纳税信用A级纳税人",
}
PLAN: tuple[tuple[str, str, str, Maker], ...] = (
    ("admin-licence", "demo-scjgj", "api", _licences("demo-scjgj")),
    ("admin-licence", "demo-xzspj", "file", _licences("demo-xzspj")),
    *(
        ("admin-penalty", org, "api" if org == "demo-scjgj" else "file", _penalties(org))
        for org in NUMBER_PREFIX
    ),
    ("abnormal-operation", "demo-scjgj", "file", _abnormal),
    ("court-dishonest-debtor", "demo-court", "api", _debtors),
    ("award", "demo-fgw", "file", _awards("demo-fgw")),
    ("award", "demo-hrss", "file", _awards("demo-hrss")),
    ("commitment", "demo-fgw", "api", _commitments),
    ("tax-a-grade", "demo-tax", "file", _tax_grades),
)
STREAMS: tuple[Stream, ...] = tuple(
    Stream(item, provider, route, _label(item, provider), make) for item, provider, route, make in PLAN
)
ORG_STAGE = "演示机构"
LISTS_STAGE = "名单与联合奖惩"
CASES_STAGE = "异议与信用修复"
MORE_STAGE = "市场信用信息、信用评价、举报与政务诚信"


def stages() -> list[str]:
    """The stage names :func:`generate` reports progress under, in order."""
    return [ORG_STAGE, *(stream.label for stream in STREAMS), LISTS_STAGE, CASES_STAGE, MORE_STAGE]


def rows(
    stream: Stream, subjects: Subjects, count: int, *, progress: Progress | None = None
) -> Iterator[Row]:
    """The rows of one delivery for subjects ``0 .. count-1``, one subject at a time."""
    rng = random.Random()
    step = max(1, min(1000, count // 100))
    eager = True
    for index in range(count):
        if progress is not None and index % step == 0:
            progress(stream.label, index, count)
        rng.seed(f"xinyong-demo/{subjects.seed}/{stream.item}/{stream.provider}/{index}")
        for row in stream.make(subjects.get(index), rng, eager):
            eager = False
            yield row
    if progress is not None:
        progress(stream.label, count, count)


# -------------------------------------------------------------------------------------------- report


@dataclass
class ItemCounts:
    accepted: int = 0
    rejected: int = 0
    duplicates: int = 0

    def add(self, summary: ingest.Summary) -> None:
        self.accepted += summary.accepted
        self.rejected += summary.rejected
        self.duplicates += summary.duplicates


@dataclass
class DemoReport:
    seed: int
    subjects: int
    organisations_created: list[str] = field(default_factory=list)
    records: dict[str, ItemCounts] = field(default_factory=dict)  # by catalog item code
    jobs: list[int] = field(default_factory=list)
    rejects: list[dict[str, Any]] = field(default_factory=list)  # the first problems, if anything failed
    lists: demo_lists.ListCounts = field(default_factory=demo_lists.ListCounts)
    cases: demo_cases.CaseCounts = field(default_factory=demo_cases.CaseCounts)

    @property
    def accepted(self) -> int:
        return sum(c.accepted for c in self.records.values())

    @property
    def rejected(self) -> int:
        return sum(c.rejected for c in self.records.values())

    @property
    def duplicates(self) -> int:
        return sum(c.duplicates for c in self.records.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "seed": self.seed,
            "subjects": self.subjects,
            "organisations_created": self.organisations_created,
            "records": {
                code: {"accepted": c.accepted, "rejected": c.rejected, "duplicates": c.duplicates}
                for code, c in self.records.items()
            },
            "accepted": self.accepted,
            "rejected": self.rejected,
            "duplicates": self.duplicates,
            "jobs": self.jobs,
            "rejects": self.rejects,
            "lists": asdict(self.lists),
            "cases": asdict(self.cases),
        }


# ------------------------------------------------------------------------------------------ generate


def ensure_organisations(engine: Engine, settings: Settings) -> list[str]:
    """Register the demo organisations not yet known; returns the codes created. An organisation of the
    same code but another kind is refused: the catalog would refuse its deliveries anyway."""
    created = []
    rules = policy()
    with transaction(session_factory(engine)) as session:
        for org in ORGANISATIONS:
            found = session.scalar(select(Organisation).where(Organisation.code == org.code))
            if found is not None:
                if found.kind != org.kind:
                    raise XinyongError(
                        "demo.org_conflict",
                        f"机构代码 {org.code} 已登记为 {found.kind} 类机构，演示数据需要 {org.kind} 类",
                        field="org",
                    )
                continue
            access.create_org(
                session,
                by=system_actor(rules),
                now=settings.clock.now(),
                code=org.code,
                name=org.name,
                kind=org.kind,
                uscc=org.uscc,
            )
            created.append(org.code)
    return created


def generate(
    settings: Settings,
    *,
    subjects: int = 2000,
    seed: int = 20261123,
    progress: Progress | None = None,
) -> DemoReport:
    """Register the demo organisations and deliver synthetic records for ``subjects`` subjects.

    The same seed gives the same data: a second run adds nothing and counts every row as a duplicate.
    ``progress(stage, done, total)`` is called as each stage advances (stages: :func:`stages`); ``done``
    and ``total`` count subjects. The database must have been initialised (``xinyong init``).
    """
    if subjects < 0:
        raise XinyongError("demo.subjects_invalid", "主体数量不能为负数", field="subjects")
    engine = make_engine(settings.database_url)
    try:
        if "schema" in outdated(engine, settings):
            raise XinyongError(
                "database.not_initialised",
                f"数据库 {display_url(settings.database_url)} 未初始化，请先运行 xinyong init",
            )
        if progress is not None:
            progress(ORG_STAGE, 0, len(ORGANISATIONS))
        created = ensure_organisations(engine, settings)
        report = DemoReport(seed=seed, subjects=subjects, organisations_created=created)
        if progress is not None:
            progress(ORG_STAGE, len(ORGANISATIONS), len(ORGANISATIONS))
        profile = load_profile(settings.profile, (settings.data_dir / "profiles",))
        factory = session_factory(engine)
        actor = access.audit_actor(system_actor(policy()))
        people = Subjects(seed)
        for stream in STREAMS:
            filename = f"demo-{seed}-{stream.item}-{stream.provider}.csv" if stream.route == "file" else None
            delivery = ingest.Delivery(stream.provider, stream.item, stream.route, actor, filename)
            incoming = (
                ingest.IncomingRow(number, values, extra)
                for number, (values, extra) in enumerate(
                    rows(stream, people, subjects, progress=progress), start=1
                )
            )
            summary = ingest.run(
                factory, delivery=delivery, rows=incoming, profile=profile, clock=settings.clock
            )
            report.records.setdefault(stream.item, ItemCounts()).add(summary)
            report.jobs.append(summary.job)
            report.rejects.extend(summary.rejects[: max(0, 20 - len(report.rejects))])
        report.lists = demo_lists.generate(
            factory,
            settings,
            actor=actor,
            subjects=subjects,
            progress=None if progress is None else lambda done, total: progress(LISTS_STAGE, done, total),
        )
        report.cases = demo_cases.generate(
            factory,
            settings,
            actor=actor,
            progress=None if progress is None else lambda done, total: progress(CASES_STAGE, done, total),
        )
        # Market records come before the evaluation so that it grades them too.
        more = (demo_market.generate, demo_evaluation.generate, demo_tips.generate, demo_government.generate)
        for done, make in enumerate(more):
            if progress is not None:
                progress(MORE_STAGE, done, len(more))
            make(factory, settings, actor=actor)
        generate_exchange(factory, settings, actor=actor)  # the first package for the province (INT-1)
        with transaction(factory) as session:  # a bulk load: the planner needs the tables' new sizes
            refresh_statistics(session)
        if progress is not None:
            progress(MORE_STAGE, len(more), len(more))
        return report
    finally:
        engine.dispose()
