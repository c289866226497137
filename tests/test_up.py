"""`make up` as a newcomer runs it (crm-up, SQLite by default): labelled output, the
README's tour ends with a paid invoice, and Ctrl-C stops it all."""
import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

from crmkit.testing import RabbitVhost, free_port
from flow import run_readme_tour

ROOT = Path(__file__).parents[1]


def test_make_up_then_the_readme_tour_ends_paid_and_ctrl_c_stops_everything(tmp_path):
    port = free_port()
    with RabbitVhost() as vhost:
        bin_dir = Path(sys.executable).parent
        env = {**os.environ, "AMQP_URI": vhost.amqp_uri, "CRM_DATA_DIR": str(tmp_path),
               "CRM_GATEWAY_PORT": str(port), "CRM_GRPC_PORT": str(free_port()),
               "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
        env.pop("CRM_LOG_FORMAT", None)
        # `make up` is exactly this once .venv is built: PATH=.venv/bin:$PATH crm-up
        up = subprocess.Popen([str(bin_dir / "crm-up")], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
        try:
            deadline = time.monotonic() + 90
            while True:
                with contextlib.suppress(requests.ConnectionError):  # not listening yet
                    if requests.get(f"http://127.0.0.1:{port}/health", timeout=1).ok:
                        break
                assert up.poll() is None and time.monotonic() < deadline, "crm-up did not come up"
                time.sleep(0.2)
            lines = run_readme_tour(f"http://127.0.0.1:{port}/api/v1", env)
            assert lines[-5:] == ["paid", "closed_won 1 1 1", "new", "closed_won paid", "NOT_FOUND"]
        finally:
            up.send_signal(signal.SIGINT)
            output, _ = up.communicate(timeout=60)
    assert up.returncode == 0, output[-3000:]
    names = ("leads", "leads-relay", "deals", "deals-relay", "billing", "billing-relay", "subscriptions",
             "subscriptions-relay", "dispatcher", "gateway")
    for name in names:
        assert f"{name.ljust(max(map(len, names)))} | " in output, f"no labelled line from {name}"
    assert "lead " in output and "invoice INV-" in output  # readable text logs, not JSON
    for name in ("leads", "deals", "billing", "subscriptions"):
        assert f"{name} stopped" in output
    assert re.search(r"dispatcher \S+ stopped", output)
    assert "killing it" not in output  # everything stopped within the grace period
