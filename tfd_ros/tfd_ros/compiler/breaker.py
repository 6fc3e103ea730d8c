"""
A small thread-safe circuit breaker for a remote service (pure Python).

Closed: calls pass. After ``failure_threshold`` consecutive failures it opens: calls are refused
until ``cooldown_s`` has passed; then it half-opens and lets one trial call through. The trial's
success closes it, its failure opens it again for another cool-down.
"""

import threading
import time
from typing import Callable

CLOSED = 'closed'
OPEN = 'open'
HALF_OPEN = 'half_open'


class CircuitBreaker:
    """Count consecutive failures and refuse calls while the service looks down."""

    def __init__(self, failure_threshold: int = 5, cooldown_s: float = 30.0,
                 clock: Callable[[], float] = time.monotonic):
        if failure_threshold < 1:
            raise ValueError('failure_threshold must be at least 1')
        if cooldown_s < 0.0:
            raise ValueError('cooldown_s must not be negative')
        self.failure_threshold = failure_threshold
        self.cooldown_s = cooldown_s
        self._clock = clock
        self._lock = threading.Lock()
        self._state = CLOSED
        self._failures = 0
        self._opened_at = 0.0
        self._trial_in_flight = False

    @property
    def state(self) -> str:
        """Return ``closed``, ``open`` or ``half_open`` (an open breaker past its cool-down)."""
        with self._lock:
            return self._current_state()

    @property
    def consecutive_failures(self) -> int:
        with self._lock:
            return self._failures

    def _current_state(self) -> str:
        if self._state == OPEN and self._clock() - self._opened_at >= self.cooldown_s:
            return HALF_OPEN
        return self._state

    def allow(self) -> bool:
        """Tell whether a call may go out now; in half-open state only one trial at a time."""
        with self._lock:
            state = self._current_state()
            if state == CLOSED:
                return True
            if state == OPEN:
                return False
            if self._trial_in_flight:
                return False
            self._state = HALF_OPEN
            self._trial_in_flight = True
            return True

    def record_success(self) -> None:
        with self._lock:
            self._state = CLOSED
            self._failures = 0
            self._trial_in_flight = False

    def record_failure(self) -> None:
        with self._lock:
            self._failures += 1
            if self._state == HALF_OPEN or self._failures >= self.failure_threshold:
                self._state = OPEN
                self._opened_at = self._clock()
            self._trial_in_flight = False

    def seconds_until_retry(self) -> float:
        """Return how long an open breaker still refuses calls (0 when it does not)."""
        with self._lock:
            if self._current_state() != OPEN:
                return 0.0
            return max(0.0, self.cooldown_s - (self._clock() - self._opened_at))

    def __repr__(self) -> str:
        return (f'CircuitBreaker(state={self.state!r}, failures={self.consecutive_failures}, '
                f'threshold={self.failure_threshold}, cooldown_s={self.cooldown_s})')
