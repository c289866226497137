"""The thin path of the sales flow, driven only over HTTP, as a user would."""
from __future__ import annotations

import itertools
import os
import re
import subprocess
import time
import uuid
from pathlib import Path

import requests

README = Path(__file__).parents[1] / "README.md"

LEAD = {
    "first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com",
    "company": "Analytical Engines Ltd", "budget_amount": "12000.00", "budget_currency": "EUR",
    "timeline": "2027-03-31", "source": "referral",
}
_leads_made = itertools.count(1)


def a_lead(**changes) -> dict:
    """LEAD as another person each time (email, company), so duplicate detection lets it in."""
    n = f"{uuid.uuid4().hex[:8]}{next(_leads_made)}"
    return {**LEAD, "email": f"ada+{n}@example.com", "company": f"Analytical Engines {n}", **changes}
LINES = [
    {"description": "Engine licence", "quantity": "2", "unit_price": "4999.99", "tax_rate": "19"},
    {"description": "Support hours", "quantity": "0.333", "unit_price": "1200", "discount_percent": "10",
     "tax_rate": "7"},
]


class Api:
    def __init__(self, base_url: str, wait_for_gateway: float = 0):
        self.base_url = base_url
        self.http = requests.Session()
        # How long to keep knocking while nothing listens (a gateway being restarted).
        # Only a refused connection is retried: the request never reached anyone.
        self.wait_for_gateway = wait_for_gateway

    def _send(self, method: str, path: str, **kwargs) -> requests.Response:
        deadline = time.monotonic() + self.wait_for_gateway
        while True:
            try:
                return self.http.request(method, self.base_url + path, timeout=30, **kwargs)
            except requests.ConnectionError as exc:
                if "NewConnectionError" not in repr(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def post(self, path: str, body: dict | None = None, expect: int = 200, headers: dict | None = None) -> dict:
        resp = self._send("POST", path, json=body or {}, headers=headers)
        assert resp.status_code == expect, f"POST {path}: {resp.status_code} {resp.text}"
        return resp.json()

    def patch(self, path: str, body: dict, expect: int = 200, headers: dict | None = None) -> dict:
        resp = self._send("PATCH", path, json=body, headers=headers)
        assert resp.status_code == expect, f"PATCH {path}: {resp.status_code} {resp.text}"
        return resp.json()

    def get(self, path: str, expect: int = 200) -> dict:
        resp = self._send("GET", path)
        assert resp.status_code == expect, f"GET {path}: {resp.status_code} {resp.text}"
        return resp.json()

    def eventually(self, path: str, timeout: float = 20) -> dict:
        """A record another service creates from an event: one GET that asks the gateway
        to wait for it (Prefer: wait=N, at most the gateway's 30 s a time), no polling."""
        deadline = time.monotonic() + timeout
        while True:
            left = max(1, round(deadline - time.monotonic()))
            resp = self._send("GET", path, headers={"Prefer": f"wait={left}"})
            if resp.status_code == 200:
                return resp.json()
            assert resp.status_code == 404, f"GET {path}: {resp.status_code} {resp.text}"
            assert time.monotonic() < deadline, f"{path} did not appear within {timeout}s"


def convert_lead(api: Api, lead: dict | None = None) -> dict:
    created = api.post("/leads", lead or a_lead(), expect=201)
    api.post(f"/leads/{created['id']}/qualify")
    return api.post(f"/leads/{created['id']}/convert", {})


def quote_and_accept(api: Api, opportunity_id: str) -> dict:
    quote = api.post("/quotes", {"opportunity_id": opportunity_id, "lines": LINES}, expect=201)
    api.post(f"/quotes/{quote['id']}/send")
    return api.post(f"/quotes/{quote['id']}/accept")


def run_flow(api: Api) -> dict:
    """Lead to paid invoice; returns every record the flow made."""
    lead = convert_lead(api)
    opportunity = api.eventually(f"/opportunities/{lead['converted_opportunity_id']}")
    quote = quote_and_accept(api, opportunity["id"])
    order = api.eventually(f"/orders/{quote['order_id']}")
    invoice = api.get(f"/invoices/{order['invoice_ids'][0]}")
    paid = api.post(f"/invoices/{invoice['id']}/payments",
                    {"amount": invoice["balance_due"], "reference": f"BANK-{invoice['number']}"}, expect=201)
    return {"lead": lead, "opportunity": opportunity, "quote": quote, "order": order, "invoice": paid}


def run_readme_tour(base_url: str, env: dict[str, str]) -> list[str]:
    """Run the README's tour (its bash block) from the repository's root against
    base_url, in env (where the gateway's database is); returns what it printed."""
    return run_readme_blocks("tour", base_url, env)


def run_readme_blocks(marker: str, base_url: str, env: dict[str, str], replace: dict[str, str] | None = None,
                      ) -> list[str]:
    """Run the README's bash blocks marked ``<!-- marker… -->``, in order, as one script
    (``replace``: text to put in for other text, e.g. an endpoint's URL); what it printed."""
    script = "\n".join(re.findall(rf"<!-- {marker}.*?-->\s*```bash\n(.*?)```", README.read_text(), re.S))
    assert script, f"the README has no block marked {marker}"
    script = f"A={base_url}\n" + script.replace("A=http://127.0.0.1:8080/api/v1", f"A={base_url}")
    for text, replacement in (replace or {}).items():
        assert text in script, f"the README's {marker} block no longer holds {text}"
        script = script.replace(text, replacement)
    script = script.replace("127.0.0.1:50051", f"127.0.0.1:{env.get('CRM_GRPC_PORT', '50051')}")
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", script], capture_output=True, text=True, timeout=120,
                          cwd=README.parent, env={**os.environ, **env})
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()
