from datetime import date
from decimal import Decimal

from leads.scoring import DEFAULT_MODEL, evaluate, holds

TODAY = date(2026, 11, 22)


def test_each_condition():
    assert holds({"present": True}, "x", TODAY) and not holds({"present": True}, "", TODAY)
    assert holds({"present": False}, None, TODAY)
    assert holds({"equals": "web"}, "web", TODAY) and not holds({"equals": "web"}, None, TODAY)
    assert holds({"in": ["a", "b"]}, "b", TODAY)
    assert holds({"at_least": "50"}, 50, TODAY) and not holds({"at_least": 50}, Decimal("49.99"), TODAY)
    assert holds({"at_most": 10}, 10, TODAY) and not holds({"at_most": 10}, 11, TODAY)
    assert holds({"within_days": 90}, date(2027, 2, 20), TODAY)
    assert not holds({"within_days": 90}, date(2027, 2, 21), TODAY)
    assert not holds({"within_days": 90}, date(2026, 11, 21), TODAY)  # in the past: not buying soon


def test_factors_add_up_to_the_score_even_when_it_is_cut_to_fit():
    model = {"version": 1, "hot_from": 70, "warm_from": 40, "rules": [
        {"factor": "a", "points": 80, "when": {"field": "source", "equals": "web"}},
        {"factor": "b", "points": 60, "when": {"field": "title", "present": True}},
    ]}
    score, factors, rating = evaluate(model, {"source": "web", "title": "CEO"}, TODAY)
    assert (score, rating) == (100, "hot")
    assert factors[-1] == {"factor": "kept within 0..100 (was 140)", "points": -40}
    assert sum(f["points"] for f in factors) == score


def test_the_default_model_rates_a_complete_qualified_lead_hot_and_an_empty_one_cold():
    full = {"status": "qualified", "source": "referral", "email_key": "a@b.c", "phone_key": "+1", "company": "C",
            "title": "T", "employees": 600, "budget_amount": Decimal(1), "authority": True, "need": "n",
            "timeline": date(2026, 12, 1)}
    assert evaluate(DEFAULT_MODEL, full, TODAY)[2] == "hot"
    assert evaluate(DEFAULT_MODEL, {}, TODAY) == (0, [], "cold")
