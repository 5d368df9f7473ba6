"""Typed callback data: packing, strict unpacking, the registry."""

from __future__ import annotations

import re
from typing import Annotated, Literal

import pytest

from bot import callbacks as cb
from bot.core.callbacks import REGISTRY, BadCallback, CallbackData, NoneAs, Range
from storage.models import AthleteStatus


class Sample(CallbackData, prefix="zzsample"):
    item: str
    count: Annotated[int, Range(1, 50)]
    status: Annotated[AthleteStatus | None, NoneAs("all")]
    flag: bool
    pick: Literal["a", "b"]


def test_round_trip_and_typed_fields() -> None:
    data = Sample(item="x_1", count=7, status=None, flag=True, pick="b").pack()
    assert data == "zzsample:x_1:7:all:1:b"
    assert Sample.unpack(data) == Sample(item="x_1", count=7, status=None, flag=True, pick="b")
    active = Sample.unpack("zzsample:y:50:active:0:a")
    assert active.status is AthleteStatus.ACTIVE and active.flag is False and active.count == 50


@pytest.mark.parametrize(
    "forged",
    [
        None,
        "",
        "zzsample",
        "zzsample:x:7:all:1",
        "zzsample:x:7:all:1:b:extra",
        "zzsample:x:0:all:1:b",  # below the range
        "zzsample:x:51:all:1:b",
        "zzsample:x:007000:all:1:b",
        "zzsample:x:seven:all:1:b",
        "zzsample:x:7:retired:1:b",
        "zzsample:x:7:all:yes:b",
        "zzsample:x:7:all:1:c",
        "zzsample::7:all:1:b",
        "zzsample:💥:7:all:1:b",
    ],
)
def test_anything_else_is_a_bad_callback(forged: str | None) -> None:
    with pytest.raises(BadCallback):
        Sample.unpack(forged)


def test_packing_refuses_what_could_not_be_read_back() -> None:
    with pytest.raises(ValueError):
        Sample(item="a:b", count=1, status=None, flag=False, pick="a").pack()
    with pytest.raises(ValueError):
        Sample(item="x" * 60, count=1, status=None, flag=False, pick="a").pack()  # > 64 bytes


def test_a_prefix_is_registered_once() -> None:
    assert REGISTRY["zzsample"] is Sample
    with pytest.raises(ValueError, match="defined twice"):

        class Again(CallbackData, prefix="zzsample"):
            pass


def test_matching_routes_some_values() -> None:
    pattern = cb.Menu.matching(item=("athletes", "athletes_back"))
    assert pattern.match(cb.Menu(item="athletes_back").pack())
    assert not pattern.match(cb.Menu(item="addathlete").pack())
    assert isinstance(pattern, re.Pattern)
