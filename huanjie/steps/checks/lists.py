"""Legal lists kept as data (``data/*.yaml``): 十不选, the five exclusions, close relatives, items."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import yaml

DATA_DIR = Path(__file__).parent / "data"


@dataclass(frozen=True)
class Item:
    """One entry of a fixed list; ``matches`` accepts its key, short name or full title."""

    key: str
    short: str
    title: str

    def matches(self, text: str) -> bool:
        return str(text).strip() in (self.key, self.short, self.title)


@dataclass(frozen=True)
class ItemList:
    source: str
    items: tuple[Item, ...]

    def find(self, text: str) -> Item | None:
        return next((item for item in self.items if item.matches(text)), None)


@dataclass(frozen=True)
class NegativeItem:
    key: str
    group: int
    title: str
    severity: str               # 不能 (bar) | 不宜 (needs a township decision)
    lookback_years: int | None


@dataclass(frozen=True)
class NegativeList:
    version: str
    source: str
    items: dict[str, NegativeItem]

    def find(self, text: str) -> NegativeItem | None:
        text = str(text).strip()
        return self.items.get(text) or next((i for i in self.items.values() if i.title == text), None)


def _read(name: str) -> dict:
    return yaml.safe_load((DATA_DIR / name).read_text(encoding="utf-8"))


def _items(raw: dict) -> ItemList:
    return ItemList(raw["source"], tuple(Item(str(i["key"]), i["short"], i.get("title", i["short"]))
                                         for i in raw["items"]))


@functools.cache
def negative_list() -> NegativeList:
    raw = _read("negative_list.yaml")
    items = {i["key"]: NegativeItem(i["key"], i["group"], i["title"], i["severity"], i.get("lookback_years"))
             for i in raw["items"]}
    return NegativeList(str(raw["version"]), raw["source"], items)


@functools.cache
def party_exclusion_cases() -> ItemList:
    raw = _read("party_exclusions.yaml")
    return _items({"source": raw["source"], "items": raw["cases"]})


@functools.cache
def audit_items() -> ItemList:
    return _items(_read("audit_items.yaml"))


@functools.cache
def handover_items() -> ItemList:
    return _items(_read("handover_items.yaml"))


@functools.cache
def archive_items(election: str) -> ItemList:
    return _items(_read("archive_items.yaml")[election])


@functools.cache
def close_relatives() -> tuple[str, dict[str, str]]:
    """(source, relation word -> 近亲属 category)."""
    raw = _read("close_relatives.yaml")
    words = {word: category for category, listed in raw["categories"].items() for word in [category, *listed]}
    return raw["source"], words
