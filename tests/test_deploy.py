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


def _logins(environment) -> set[str]:
    return {name for name in environment if "AMQP_URI" in name or "BROKER" in name}


# What each process logs in to the broker with (crm broker setup's users): only what
# its work needs (libs/crmkit/README.md, "Broker users").
SERVICE, RELAY, LOG_READER = {"AMQP_URI"}, {"CRM_RELAY_AMQP_URI"}, {"CRM_EVENTS_LOG_AMQP_URI"}
BROKER_SETUP = {"AMQP_URI", "CRM_BROKER_MANAGEMENT_URL", "CRM_SERVICE_BROKER_PASSWORD", "CRM_RELAY_BROKER_PASSWORD",
                "CRM_LOG_READER_BROKER_PASSWORD"}


def _expected_login(command: str) -> set[str]:
    if command == "crm-service run subscriptions":  # it makes the queue subscriptions' logins
        return SERVICE | {"CRM_BROKER_MANAGEMENT_URL"}
    if command.startswith("crm-service "):
        return SERVICE
    if command.startswith("crm-relay "):
        return RELAY
    return {"crm-dispatcher": SERVICE | LOG_READER, "crm-gateway": SERVICE | LOG_READER, "crm-gateway setup": set(),
            "crm broker setup": BROKER_SETUP}[command]


def test_each_process_logs_in_to_the_broker_as_its_own_user():
    import yaml

    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    logins = {name: (" ".join(service["command"]), _logins(service.get("environment", {})))
              for name, service in compose.items() if name not in ("rabbitmq", "postgres")}
    base = ROOT / "deploy" / "k8s" / "base"
    objects = [doc for resource in yaml.safe_load((base / "kustomization.yaml").read_text())["resources"]
               for doc in yaml.safe_load_all((base / resource).read_text()) if doc]
    for o in objects:
        if o["kind"] in ("Deployment", "Job"):
            pod = o["spec"]["template"]["spec"]
            for container in pod.get("initContainers", []) + pod["containers"]:
                where = f"{o['kind']} {o['metadata']['name']} {container['name']}"
                logins[where] = (" ".join(container["args"]), _logins(e["name"] for e in container.get("env", [])))
    assert any(command == "crm broker setup" for command, _ in logins.values())
    for where, (command, given) in logins.items():
        assert given == _expected_login(command), f"{where} ({command}) logs in with {sorted(given)}"
    readers = {command for command, given in logins.values() if "CRM_EVENTS_LOG_AMQP_URI" in given}
    assert readers == {"crm-dispatcher", "crm-gateway"}
    administrators = {command for command, given in logins.values() if "CRM_BROKER_MANAGEMENT_URL" in given}
    assert administrators == {"crm broker setup", "crm-service run subscriptions"}


def test_the_offline_checks_catch_a_process_with_another_login(tmp_path):
    """deploy/check.py on a copy where the leads workers got the log reader's login and
    a relay in Compose the services' one: both are problems."""
    import shutil

    shutil.copytree(ROOT / "deploy", tmp_path / "deploy")
    shutil.copy(ROOT / "docker-compose.yml", tmp_path)
    leads = tmp_path / "deploy" / "k8s" / "base" / "leads.yaml"
    leads.write_text(leads.read_text().replace(
        "          env: &env\n",
        "          env: &env\n            - name: CRM_EVENTS_LOG_AMQP_URI\n"
        "              valueFrom: {secretKeyRef: {name: crm-connections, key: EVENTS_LOG_AMQP_URI}}\n", 1))
    compose = tmp_path / "docker-compose.yml"
    compose.write_text(compose.read_text().replace(
        "    command: [\"crm-relay\", \"deals\"]\n    environment: *deals-relay-env\n",
        "    command: [\"crm-relay\", \"deals\"]\n    environment:\n      <<: *deals-relay-env\n"
        "      AMQP_URI: *service-login\n", 1))
    done = subprocess.run([sys.executable, str(tmp_path / "deploy" / "check.py")], capture_output=True, text=True,
                          cwd=tmp_path, timeout=120)
    assert done.returncode == 1, done.stdout + done.stderr
    assert ("Deployment leads container setup: a service process gets CRM_EVENTS_LOG_AMQP_URI, which is not its "
            "to have") in done.stdout
    assert "deals-relay: a relay process gets AMQP_URI, which is not its to have" in done.stdout
