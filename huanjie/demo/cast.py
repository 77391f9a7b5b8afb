"""A village's people, made up deterministically from the village code (no real persons)."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰飞红建国志文辉鹏海燕春梅林峰云亮"
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"


def id_number(area: str, birth: dt.date, seq: int) -> str:
    """A 身份证号 with a valid GB 11643 check digit (ISO 7064 MOD 11-2)."""
    body = f"{area}{birth:%Y%m%d}{seq:03d}"
    return body + ID_CHECK[sum(int(c) * w for c, w in zip(body, ID_WEIGHTS)) % 11]


@dataclass
class Person:
    name: str
    id: str
    birth_date: str
    woman: bool
    group: int

    def brief(self) -> dict:
        return {"name": self.name, "id": self.id}


@dataclass
class Cast:
    villagers: list[Person]
    members: list[Person]          # 正式党员
    probationary: list[Person]     # 预备党员
    rng: random.Random = field(repr=False, default_factory=random.Random)

    def pick(self, pool: list[Person], n: int, exclude: set[str] = frozenset()) -> list[Person]:
        chosen = [p for p in pool if p.name not in exclude]
        return chosen[:n]


def make_cast(village_code: str, households: int, groups: int, voter_count: int | None = None) -> Cast:
    rng = random.Random(village_code)
    voters = voter_count or max(60, min(households * 2, 400))
    names: set[str] = set()
    people: list[Person] = []
    area = "330102"
    while len(people) < voters:
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
        if name in names:
            continue
        names.add(name)
        birth = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 55))
        woman = rng.random() < 0.5
        seq = rng.randrange(0, 499) * 2 + (0 if woman else 1)
        people.append(Person(name, id_number(area, birth, seq), birth.isoformat(), woman, 1 + len(people) % groups))
    members = people[: max(30, voters // 8)]
    return Cast(villagers=people, members=members[:-3], probationary=members[-3:], rng=rng)
