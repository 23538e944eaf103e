"""Shared fixtures. `room` is the virtual bedroom: a private PulseAudio server for the whole test
session, started on first use and stopped at the end, so `make test` needs nothing running."""

from __future__ import annotations

import pytest

from voice_coach.bench.virtual_room import RoomError, VirtualRoom


@pytest.fixture(scope="session")
def room(tmp_path_factory):
    virtual_room = VirtualRoom(tmp_path_factory.mktemp("room"))
    try:
        virtual_room.start()
    except RoomError as error:
        virtual_room.stop()
        pytest.fail(f"The virtual room could not be set up: {error}", pytrace=False)
    yield virtual_room
    virtual_room.stop()
