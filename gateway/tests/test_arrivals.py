"""Prefer: wait's parsing and its bound on waiting requests (gateway.arrivals); the wait
itself, woken from the events log, is tested end to end in tests/test_gateway.py."""
from gateway.arrivals import Arrivals, wait_seconds


def test_the_wait_a_prefer_header_asks_for_capped_and_anything_else_ignored():
    assert wait_seconds("wait=10", 30) == 10
    assert wait_seconds('respond-async, wait="5"', 30) == 5
    assert wait_seconds("handling=lenient; wait=100", 30) == 30  # at most the gateway's
    for ignored in (None, "", "wait=0", "wait=soon", "wait=-1", "waiting=3", "wait=1e3", "nowait=3"):
        assert wait_seconds(ignored, 30) is None, ignored


def test_past_its_places_a_request_does_not_wait():
    arrivals = Arrivals("amqp://unused", max_waiting=2)
    with arrivals.place() as first, arrivals.place() as second, arrivals.place() as third:
        assert (first, second, third) == (True, True, False)
    with arrivals.place() as again:  # the places are given back
        assert again
