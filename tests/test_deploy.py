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
    # The base's Deployments, from the files kustomization.yaml names (the overlays
    # change replicas, images and settings, never the processes).
    base = ROOT / "deploy" / "k8s" / "base"
    objects = [doc for resource in yaml.safe_load((base / "kustomization.yaml").read_text())["resources"]
               for doc in yaml.safe_load_all((base / resource).read_text()) if doc]
    deployed = {" ".join(container.get("args", [])) for o in objects if o["kind"] == "Deployment"
                for container in o["spec"]["template"]["spec"]["containers"]}
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            command = line.split(":", 1)[1].strip()
            assert command in commands, f"{line} is not in docker-compose.yml"
            assert command in deployed, f"{line} has no Deployment in deploy/k8s/base"
