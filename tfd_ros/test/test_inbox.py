"""The bounded intake queue: order, capacity, stale shedding, clean stop (pure Python)."""

import threading

from tfd_ros.inbox import Inbox


def test_items_are_handled_in_order_and_stale_ones_shed():
    handled, shed = [], []
    gate, entered = threading.Event(), threading.Event()
    now = [0.0]

    def handle(text):
        entered.set()
        gate.wait(5.0)
        handled.append(text)

    inbox = Inbox(capacity=3, handle=handle, shed=lambda t, waited: shed.append((t, waited)),
                  max_delay_s=lambda: 1.0, clock=lambda: now[0])
    assert inbox.put('a')
    assert entered.wait(5.0)  # the worker holds 'a'; the queue is empty again
    assert len(inbox) == 1
    assert inbox.put('b') and inbox.put('c') and inbox.put('d')
    assert not inbox.put('e')  # full: the caller sheds it
    now[0] = 5.0  # everything still queued is now stale
    gate.set()
    inbox.stop()
    assert handled == ['a']
    assert [t for t, _ in shed] == ['b', 'c', 'd']
    assert all(waited == 5.0 for _, waited in shed)


def test_stop_serves_what_is_queued():
    handled = []
    inbox = Inbox(capacity=100, handle=handled.append, shed=lambda t, w: None,
                  max_delay_s=lambda: 60.0)
    for i in range(50):
        assert inbox.put(str(i))
    inbox.stop()
    assert handled == [str(i) for i in range(50)]
    assert len(inbox) == 0


def test_offer_runs_inline_when_idle_and_keeps_order_when_busy():
    threads, handled = [], []
    gate, entered = threading.Event(), threading.Event()

    def handle(text):
        threads.append(threading.current_thread().name)
        if text == 'slow':
            entered.set()
            gate.wait(5.0)
        handled.append(text)

    inbox = Inbox(capacity=10, handle=handle, shed=lambda t, w: None,
                  max_delay_s=lambda: 60.0, name='worker')
    assert inbox.offer('now') is None  # idle: handled in this thread, before it returns
    assert handled == ['now'] and threads == [threading.current_thread().name]
    assert inbox.put('slow') and entered.wait(5.0)
    assert inbox.offer('after') is None  # busy: queued behind 'slow', not run inline
    assert handled == ['now']
    gate.set()
    inbox.stop()
    assert handled == ['now', 'slow', 'after']
    assert threads[1:] == ['worker', 'worker']


def test_refused_at_once_when_the_wait_would_exceed_the_delay():
    handled, shed = [], []
    gate, entered = threading.Event(), threading.Event()
    now = [0.0]

    def handle(text):  # each item takes 0.1 s of the inbox's clock
        if text == 'slow':
            entered.set()
            gate.wait(5.0)
        now[0] += 0.1
        handled.append(text)

    inbox = Inbox(capacity=100, handle=handle, shed=lambda t, waited: shed.append(t),
                  max_delay_s=lambda: 0.35, clock=lambda: now[0])
    assert inbox.offer('a') is None  # idle: handled inline, measured at 0.1 s
    assert inbox.put('slow') and entered.wait(5.0)
    assert [inbox.offer(t, inline=False) for t in 'bcd'] == [None, None, None]
    refusal = inbox.offer('e', inline=False)  # 'slow', b, c, d ahead: 0.4 s > 0.35 s
    assert refusal and '4 ahead' in refusal and '100.000 ms each' in refusal
    assert not inbox.put('f')
    gate.set()
    inbox.stop()
    assert handled == ['a', 'slow', 'b', 'c', 'd'] and shed == []


def test_refusal_names_a_full_queue():
    gate, entered = threading.Event(), threading.Event()

    def handle(text):
        entered.set()
        gate.wait(5.0)

    inbox = Inbox(capacity=1, handle=handle, shed=lambda t, w: None, max_delay_s=lambda: 60.0)
    assert inbox.put('a') and entered.wait(5.0)  # the worker holds 'a'
    assert inbox.put('b')
    refusal = inbox.offer('c', inline=False)
    gate.set()
    inbox.stop()
    assert refusal == 'full, 1 queued'
