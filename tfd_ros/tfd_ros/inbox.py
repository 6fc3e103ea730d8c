"""A bounded queue between a fast receiver and one worker thread (pure Python, no rclpy).

The receiving callback enqueues, so the middleware's queue never backs up while
instructions are compiled; the worker takes items in order and sheds those that waited
longer than the allowed delay instead of working on stale orders. While the node keeps up
(nothing queued or in progress, and the item arrived moments ago) ``offer`` handles the
item at once in the caller's thread, saving the hand-over; order is kept because only one
item is ever in progress.

Admission: an item is refused at once, not after its wait, when the queue is full, or when the
items ahead of it would take longer than the allowed delay at the measured time per handled item
(a moving average). It would only have been shed as stale later, and the worker would have
spent its turn finding that out.
"""

from collections import deque
import sys
import threading
import time
from typing import Callable, Optional

SWITCH_INTERVAL_S = 0.0005
SERVICE_WEIGHT = 0.1  # weight of the newest handling time in the moving average


class Inbox:
    """FIFO of ``(text, enqueued_at)`` with ``capacity`` slots, served by one thread."""

    def __init__(self, capacity: int, handle: Callable[[str], None],
                 shed: Callable[[str, float], None], max_delay_s: Callable[[], float],
                 clock: Callable[[], float] = time.monotonic, name: str = 'inbox'):
        self._items: deque = deque()
        self._capacity = capacity
        self._handle = handle
        self._shed = shed
        self._max_delay_s = max_delay_s
        self._clock = clock
        self._ready = threading.Condition()
        self._running = True
        self._busy = False
        self._service_s = 0.0  # moving average of the time one handled item takes; 0: unknown
        self._thread = threading.Thread(target=self._serve, name=name, daemon=True)
        # The receiving thread needs the interpreter lock only briefly per item; a short
        # switch interval lets it in while the worker compiles (the default is 5 ms).
        sys.setswitchinterval(min(sys.getswitchinterval(), SWITCH_INTERVAL_S))
        self._thread.start()

    def put(self, text: str) -> bool:
        """Enqueue ``text``; return False (nothing enqueued) when it is refused."""
        return self.offer(text, inline=False) is None

    def offer(self, text: str, inline: bool = True) -> Optional[str]:
        """Handle ``text`` now when ``inline`` and idle, else enqueue it.

        Return None when it was taken, or why it was refused (nothing enqueued).
        """
        with self._ready:
            run_now = inline and self._running and not self._items and not self._busy
            if run_now:
                self._busy = True
            else:
                refusal = self._refusal()
                if refusal:
                    return refusal
                self._items.append((text, self._clock()))
                self._ready.notify()
        if run_now:
            self._timed(text)
        return None

    def _refusal(self) -> Optional[str]:
        # Called with the lock held.
        ahead = len(self._items) + (1 if self._busy else 0)
        if len(self._items) >= self._capacity:
            return f'full, {len(self._items)} queued'
        wait_s = ahead * self._service_s
        if wait_s > self._max_delay_s():
            return (f'{ahead} ahead in the queue, about {wait_s:.2f} s of work at '
                    f'{1000.0 * self._service_s:.3f} ms each, more than the allowed delay')
        return None

    def _timed(self, text: str) -> None:
        started = self._clock()
        try:
            self._handle(text)
        finally:
            self._release(self._clock() - started)

    def _release(self, took_s: Optional[float] = None) -> None:
        with self._ready:
            if took_s is not None:  # a handled item: update the moving average
                self._service_s = (took_s if not self._service_s else
                                   self._service_s + SERVICE_WEIGHT * (took_s - self._service_s))
            self._busy = False
            if self._items:
                self._ready.notify()

    def __len__(self) -> int:
        with self._ready:
            return len(self._items) + (1 if self._busy else 0)

    def _serve(self) -> None:
        while True:
            with self._ready:
                while (self._running and not self._items) or (self._items and self._busy):
                    self._ready.wait()
                if not self._running and not self._items:
                    return
                text, enqueued = self._items.popleft()
                self._busy = True
            waited = self._clock() - enqueued
            if waited > self._max_delay_s():
                try:
                    self._shed(text, waited)
                finally:
                    self._release()
            else:
                self._timed(text)

    def stop(self, timeout_s: float = 5.0) -> None:
        """Serve what is queued, then end the worker thread."""
        with self._ready:
            self._running = False
            self._ready.notify_all()
        self._thread.join(timeout_s)
