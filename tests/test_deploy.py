"""The container and Kubernetes files, checked offline (there is no cluster here)."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[1]


def test_deploy_manifests_pass_the_offline_checks():
    done = subprocess.run([sys.executable, str(ROOT / "deploy" / "check.py")], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "OK: 0 problem(s)" in done.stdout


def test_every_procfile_process_runs_in_compose_and_kubernetes():
    import yaml

    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    commands = {" ".join(service.get("command", [])) for service in compose.values()}
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            assert line.split(":", 1)[1].strip() in commands, f"{line} is not in docker-compose.yml"
