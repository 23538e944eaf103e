"""The rest of a reply, rendered in the background while its first sentence plays. Rendered on
the loop's own thread, a neural voice held the loop up for a tenth of each sentence's length:
with Piper speaking, a partner's bare "stop" said as the next sentence was being rendered was
acted on 0.8 s after it ended instead of 0.3."""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator

_END = object()


class ReadAhead:
    """Pulls `items` on a daemon thread as fast as they come; `ready()` hands them out in order
    without waiting. An exception raised by `items` is raised by `ready()` in its turn."""

    def __init__(self, items: Iterator) -> None:
        self._items = items
        self._queue: queue.Queue = queue.Queue()
        self._cancelled = threading.Event()
        self._thread = threading.Thread(target=self._pull, name="read-ahead", daemon=True)
        self._thread.start()

    def ready(self):
        """The next item if it has been made, else None; StopIteration after the last."""
        try:
            item = self._queue.get_nowait()
        except queue.Empty:
            return None
        if item is _END:
            self._queue.put(_END)  # (asked again, still the end)
            raise StopIteration
        if isinstance(item, _Failure):
            raise item.error
        return item

    def cancel(self) -> None:
        """Make nothing more (what is being made is finished and dropped)."""
        self._cancelled.set()

    def _pull(self) -> None:
        try:
            for item in self._items:
                if self._cancelled.is_set():
                    return
                self._queue.put(item)
        except Exception as error:  # noqa: BLE001 - handed to the loop, which reports it
            self._queue.put(_Failure(error))
            return
        self._queue.put(_END)


class InPlace:
    """The same hand-out, made on the caller's thread when asked for (the tests' virtual clock,
    where a background thread would race it)."""

    def __init__(self, items: Iterator) -> None:
        self._items = items

    def ready(self):
        return next(self._items)

    def cancel(self) -> None:
        pass


class _Failure:
    def __init__(self, error: Exception) -> None:
        self.error = error
