"""The README's tour is a test: a newcomer's first walk must end with a paid invoice
(here on PostgreSQL; tests/test_up.py walks it on `make up`'s SQLite default)."""
import re

from flow import run_readme_tour


def test_the_readme_tour_ends_with_a_paid_invoice(stack):
    lines = run_readme_tour(stack.base_url, stack.env)
    assert lines[:2] == ["qualified", "50"]
    assert "invalid_transition" in lines[2] and "'current_state': 'draft'" in lines[2]
    assert lines[4] == "application/pdf"
    assert re.fullmatch(r"INV-\d{4}-\d{5}", lines[5])
    assert lines[-5:] == ["paid", "closed_won 1 1 1", "new", "closed_won paid", "NOT_FOUND"]
