"""The rest of a reply is made in the background and handed out in order, without waiting."""

import threading
import time

import pytest

from voice_coach.voice.read_ahead import InPlace, ReadAhead


def slowly(items, gate):
    for item in items:
        gate.wait()
        yield item


def test_nothing_is_handed_out_before_it_is_made_and_asking_does_not_wait():
    gate = threading.Event()
    ahead = ReadAhead(slowly(["second", "third"], gate))
    began = time.monotonic()
    assert ahead.ready() is None
    assert time.monotonic() - began < 0.05
    gate.set()


def test_items_come_in_order_then_the_end():
    ahead = ReadAhead(iter(["second", "third"]))
    got = []
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            item = ahead.ready()
        except StopIteration:
            break
        if item is not None:
            got.append(item)
    assert got == ["second", "third"]


def failing():
    yield "second"
    raise ValueError("the voice broke")


def test_a_failure_while_making_is_raised_in_its_turn():
    ahead = ReadAhead(failing())
    deadline = time.monotonic() + 5
    assert_next = None
    while time.monotonic() < deadline and assert_next is None:
        assert_next = ahead.ready()
    assert assert_next == "second"
    with pytest.raises(ValueError, match="the voice broke"):
        while time.monotonic() < deadline:
            ahead.ready()


def test_in_place_makes_each_when_asked():
    made = []

    def items():
        for name in ("second", "third"):
            made.append(name)
            yield name

    in_place = InPlace(items())
    assert made == []
    assert in_place.ready() == "second"
    assert made == ["second"]
