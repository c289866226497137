"""Offline checks of the deployment files: no cluster, no Docker engine needed.

    python deploy/check.py

Parses every YAML file under deploy/ and docker-compose.yml, follows each
kustomization's references, and checks the rules deploy/README.md promises for every
Deployment and Job (resources, probes, securityContext, selectors, each process's
broker login). When `kustomize` or `kubectl` is on PATH it also renders base and each
overlay and checks the result, where generated names and overlay patches are applied. Needs only PyYAML (nameko
already brings it into the project's venv). Exits non-zero on any problem.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import yaml

DEPLOY = Path(__file__).resolve().parent
ROOT = DEPLOY.parent
K8S = DEPLOY / "k8s"
COMPOSE = ROOT / "docker-compose.yml"
COMPOSE_INIT_SQL = DEPLOY / "compose" / "init-databases.sql"
DEV_OVERLAY = K8S / "overlays" / "dev" / "kustomization.yaml"
# Our images: built by deploy/images/Dockerfile, whose entrypoint is tini.
OWN_IMAGE_PREFIX = "crm-"
# Secrets a real cluster creates itself (deploy/README.md); only dev generates them.
EXTERNAL_SECRETS = {"crm-connections", "crm-broker-setup", "crm-broker-management"}
# Components whose Deployments need a PodDisruptionBudget.
BUDGETED_COMPONENTS = ("service", "relay", "api")

problems: list[str] = []


def problem(where: str, message: str) -> None:
    problems.append(f"{where}: {message}")


def load_all(path: Path) -> list[dict]:
    try:
        return [doc for doc in yaml.safe_load_all(path.read_text()) if doc is not None]
    except yaml.YAMLError as exc:
        problem(str(path.relative_to(ROOT)), f"does not parse: {exc}")
        return []


# --- kustomize layout ---------------------------------------------------------

def check_kustomization(path: Path) -> list[dict]:
    """Check that what the kustomization names exists; return its resource objects."""
    where = str(path.relative_to(ROOT))
    (kustomization,) = load_all(path) or [{}]
    objects: list[dict] = []
    for entry in kustomization.get("resources", []):
        target = path.parent / entry
        if target.is_dir():
            if not (target / "kustomization.yaml").exists():
                problem(where, f"resource {entry} is a directory without kustomization.yaml")
        elif target.is_file():
            objects += load_all(target)
        else:
            problem(where, f"resource {entry} does not exist")
    for generator in kustomization.get("configMapGenerator", []) + kustomization.get("secretGenerator", []):
        for entry in generator.get("files", []) + generator.get("envs", []):
            file = entry.split("=", 1)[-1]
            if not (path.parent / file).is_file():
                problem(where, f"generator {generator['name']} reads {file}, which does not exist")
    for patch in kustomization.get("patches", []):
        if "path" in patch and not (path.parent / patch["path"]).is_file():
            problem(where, f"patch {patch['path']} does not exist")
    return objects


# --- workload rules ---------------------------------------------------------------

def is_own(container: dict) -> bool:
    return container.get("image", "").split("/")[-1].startswith(OWN_IMAGE_PREFIX)


def check_container(where: str, container: dict, pod: dict, init: bool) -> None:
    where = f"{where} container {container.get('name')}"
    resources = container.get("resources", {})
    for kind, keys in (("requests", ("cpu", "memory")), ("limits", ("memory",))):
        for key in keys:
            if key not in resources.get(kind, {}):
                problem(where, f"no resources.{kind}.{key}")
    security = container.get("securityContext", {})
    if security.get("allowPrivilegeEscalation") is not False:
        problem(where, "securityContext.allowPrivilegeEscalation is not false")
    if "ALL" not in security.get("capabilities", {}).get("drop", []):
        problem(where, "securityContext.capabilities does not drop ALL")
    if not is_own(container):
        if not init and "readinessProbe" not in container:
            problem(where, "infrastructure container without a readinessProbe")
        return
    if security.get("readOnlyRootFilesystem") is not True:
        problem(where, "securityContext.readOnlyRootFilesystem is not true")
    if "command" in container:
        problem(where, "sets command, which replaces the image's tini entrypoint: use args")
    empty_dirs = {v["name"] for v in pod.get("volumes", []) if "emptyDir" in v}
    if not any(m.get("mountPath") == "/tmp" and m.get("name") in empty_dirs
               for m in container.get("volumeMounts", [])):
        problem(where, "no emptyDir mounted on /tmp (the root filesystem is read-only)")


def database_variable(args: list[str]) -> str | None:
    """The database URL a CRM process reads. Without it the process quietly uses a
    SQLite file in its container's /tmp, private to that container and lost with it."""
    if (len(args) == 3 and args[:2] in (["crm-service", "run"], ["crm-service", "setup"])
            or len(args) == 2 and args[0] == "crm-relay"):
        return f"{args[-1].upper()}_DATABASE_URL"
    if args[:1] == ["crm-gateway"]:  # the API tokens
        return "GATEWAY_DATABASE_URL"
    return None


def check_database_url(where: str, container: dict) -> None:
    variable = database_variable(container.get("args", []))
    if variable and variable not in {e["name"] for e in container.get("env", [])}:
        problem(where, f"container {container.get('name')} runs {' '.join(container['args'])} without {variable}")


# --- broker logins ------------------------------------------------------------------

# Each kind of process logs in to the broker as its own user (`crm broker setup`), which
# may do only what that process's work needs (libs/crmkit/README.md, "Broker users"):
# the settings of these each kind gets, and no other.
PASSWORDS = {"crm-service": "CRM_SERVICE_BROKER_PASSWORD", "crm-relay": "CRM_RELAY_BROKER_PASSWORD",
             "crm-log-reader": "CRM_LOG_READER_BROKER_PASSWORD"}
LOGINS = {
    "service": {"AMQP_URI"},  # crm-service run|setup <svc>
    "relay": {"CRM_RELAY_AMQP_URI"},
    "subscriptions service": {"AMQP_URI"},  # crm-service run subscriptions
    "dispatcher": {"AMQP_URI", "CRM_EVENTS_LOG_AMQP_URI"},  # queue deliveries; the log
    "gateway": {"AMQP_URI", "CRM_EVENTS_LOG_AMQP_URI"},  # RPC and revocations; the event streams
    "gateway setup": set(),  # only migrates its database
    # The administrator's login, the users' passwords, and AMQP_URI for the vhost.
    "broker setup": {"AMQP_URI", "CRM_BROKER_MANAGEMENT_URL", *PASSWORDS.values()},
}
# What a kind may get besides, from its own Secret, optional: the subscriptions service
# makes the queue subscriptions' logins through the management API when the Secret
# crm-broker-management exists (RabbitMQ has no narrower right to make users).
OPTIONAL_LOGINS = {"subscriptions service": {"CRM_BROKER_MANAGEMENT_URL": ("crm-broker-management",
                                                                           "MANAGEMENT_URL")}}
LOGIN_SETTINGS = set().union(*LOGINS.values())
# The broker user each login URI names.
LOGIN_USERS = {"AMQP_URI": "crm-service", "CRM_RELAY_AMQP_URI": "crm-relay",
               "CRM_EVENTS_LOG_AMQP_URI": "crm-log-reader"}
# Where a pod takes each from: (Secret, key).
SECRET_KEYS = {"AMQP_URI": ("crm-connections", "AMQP_URI"),
               "CRM_RELAY_AMQP_URI": ("crm-connections", "RELAY_AMQP_URI"),
               "CRM_EVENTS_LOG_AMQP_URI": ("crm-connections", "EVENTS_LOG_AMQP_URI"),
               "CRM_BROKER_MANAGEMENT_URL": ("crm-broker-setup", "MANAGEMENT_URL"),
               "CRM_SERVICE_BROKER_PASSWORD": ("crm-broker-setup", "SERVICE_PASSWORD"),
               "CRM_RELAY_BROKER_PASSWORD": ("crm-broker-setup", "RELAY_PASSWORD"),
               "CRM_LOG_READER_BROKER_PASSWORD": ("crm-broker-setup", "LOG_READER_PASSWORD")}


def process_kind(args: list[str]) -> str | None:
    if args == ["crm-service", "run", "subscriptions"]:
        return "subscriptions service"
    if len(args) == 3 and args[:2] in (["crm-service", "run"], ["crm-service", "setup"]):
        return "service"
    if len(args) == 2 and args[0] == "crm-relay":
        return "relay"
    return {("crm-dispatcher",): "dispatcher", ("crm-gateway",): "gateway", ("crm-gateway", "setup"): "gateway setup",
            ("crm", "broker", "setup"): "broker setup"}.get(tuple(args))


def check_login_names(where: str, kind: str | None, given: set[str]) -> None:
    if kind is None:
        return
    given &= LOGIN_SETTINGS
    for missing in sorted(LOGINS[kind] - given):
        problem(where, f"a {kind} process without {missing}")
    for extra in sorted(given - LOGINS[kind] - OPTIONAL_LOGINS.get(kind, {}).keys()):
        problem(where, f"a {kind} process gets {extra}, which is not its to have")


def check_logins(where: str, container: dict) -> None:
    """A container gets its kind's broker settings, each from its Secret's key (after
    kustomize, a generated Secret's name has a hash appended)."""
    where = f"{where} container {container.get('name')}"
    env = {e["name"]: e for e in container.get("env", [])}
    kind = process_kind(container.get("args", []))
    check_login_names(where, kind, set(env))
    optional = OPTIONAL_LOGINS.get(kind, {})
    for name in sorted(LOGIN_SETTINGS & set(env)):
        ref = env[name].get("valueFrom", {}).get("secretKeyRef", {})
        secret, key = optional.get(name) or SECRET_KEYS[name]
        if not (ref.get("key") == key and re.fullmatch(rf"{secret}(-[a-z0-9]+)?", ref.get("name", ""))):
            problem(where, f"{name} is not taken from Secret {secret}, key {key}")
        elif ref.get("optional") and name not in optional:
            problem(where, f"{name} is optional: without it the process would log in as another user")


def check_probes(where: str, component: str, container: dict) -> None:
    args = container.get("args", [])
    env = {e["name"]: e.get("value") for e in container.get("env", [])}
    if args == ["crm-gateway"]:  # the gateway promises HTTP probes on /health
        for probe in ("readinessProbe", "livenessProbe"):
            if container.get(probe, {}).get("httpGet", {}).get("path") != "/health":
                problem(where, f"gateway container without an HTTP {probe} on /health")
        # Both servers bind to 127.0.0.1 by default, where neither probes nor the Services reach.
        if env.get("CRM_GATEWAY_HOST") != "0.0.0.0":
            problem(where, "gateway container without CRM_GATEWAY_HOST=0.0.0.0")
        if env.get("CRM_GRPC_HOST") != "0.0.0.0":
            problem(where, "gateway container without CRM_GRPC_HOST=0.0.0.0")
        port = int(env.get("CRM_GRPC_PORT") or 50051)
        if port not in {p.get("containerPort") for p in container.get("ports", [])}:
            problem(where, f"gateway container does not declare its gRPC port {port} (CRM_GRPC_PORT)")
    if component in ("service", "relay") and "livenessProbe" in container:
        probe = container["livenessProbe"]
        if "exec" in probe and "python" in " ".join(probe["exec"].get("command", [])):
            problem(where, "an exec liveness probe that only runs Python proves nothing; remove it")


def check_deployment(where: str, deployment: dict) -> None:
    spec = deployment.get("spec", {})
    template = spec.get("template", {})
    pod = template.get("spec", {})
    labels = template.get("metadata", {}).get("labels", {})
    selector = spec.get("selector", {}).get("matchLabels", {})
    if not selector:
        problem(where, "no selector.matchLabels")
    for key, value in selector.items():
        if labels.get(key) != value:
            problem(where, f"selector {key}={value} does not match the pod template's labels")
    for key in ("app.kubernetes.io/name", "app.kubernetes.io/component"):
        if key not in deployment.get("metadata", {}).get("labels", {}) or key not in labels:
            problem(where, f"label {key} missing on the Deployment or its pod template")
    if "terminationGracePeriodSeconds" not in pod:
        problem(where, "no terminationGracePeriodSeconds")
    if pod.get("securityContext", {}).get("runAsNonRoot") is not True:
        problem(where, "pod securityContext.runAsNonRoot is not true")
    containers = pod.get("containers", [])
    if not containers:
        problem(where, "no containers")
    for container in pod.get("initContainers", []):
        check_container(where, container, pod, init=True)
        check_database_url(where, container)
        check_logins(where, container)
    for container in containers:
        check_container(where, container, pod, init=False)
        check_database_url(where, container)
        check_logins(where, container)
        check_probes(where, labels.get("app.kubernetes.io/component", ""), container)


def check_job(where: str, job: dict) -> None:
    """A one-shot (broker-setup): the pod rules of a Deployment, without probes."""
    pod = job.get("spec", {}).get("template", {}).get("spec", {})
    if pod.get("securityContext", {}).get("runAsNonRoot") is not True:
        problem(where, "pod securityContext.runAsNonRoot is not true")
    if pod.get("restartPolicy") not in ("OnFailure", "Never"):
        problem(where, "a Job's pods need restartPolicy OnFailure or Never")
    if "ttlSecondsAfterFinished" not in job.get("spec", {}):
        problem(where, "no ttlSecondsAfterFinished: a finished Job stays, and the next apply of a new "
                       "image fails (a Job's pod template is immutable)")
    for container in pod.get("initContainers", []) + pod.get("containers", []):
        check_container(where, container, pod, init=True)
        check_logins(where, container)


def selects(selector: dict, labels: dict) -> bool:
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def check_objects(where: str, objects: list[dict], rendered: bool) -> None:
    deployments = [o for o in objects if o.get("kind") == "Deployment"]
    templates = {d["metadata"]["name"]: d["spec"]["template"] for d in deployments}
    for deployment in deployments:
        check_deployment(f"{where} Deployment {deployment['metadata']['name']}", deployment)
    jobs = [o for o in objects if o.get("kind") == "Job"]
    for job in jobs:
        check_job(f"{where} Job {job['metadata']['name']}", job)
    for config in (o for o in objects if o.get("kind") == "ConfigMap"):
        for key in sorted(LOGIN_SETTINGS & set(config.get("data", {}))):
            problem(f"{where} ConfigMap {config['metadata']['name']}",
                    f"holds {key}: every process would get it; a login is a Secret's, given per process")
    budgets = [o for o in objects if o.get("kind") == "PodDisruptionBudget"]
    for budget in budgets:
        selector = budget.get("spec", {}).get("selector", {}).get("matchLabels", {})
        if not any(selects(selector, t["metadata"]["labels"]) for t in templates.values()):
            problem(f"{where} PodDisruptionBudget {budget['metadata']['name']}", "selects no Deployment")
    for name, template in templates.items():
        labels = template["metadata"]["labels"]
        if labels.get("app.kubernetes.io/component") in BUDGETED_COMPONENTS and not any(
                selects(b["spec"]["selector"].get("matchLabels", {}), labels) for b in budgets):
            problem(f"{where} Deployment {name}", "no PodDisruptionBudget covers it")
    for service in (o for o in objects if o.get("kind") == "Service"):
        selector = service.get("spec", {}).get("selector", {})
        matched = [t for t in templates.values() if selects(selector, t["metadata"]["labels"])]
        if not matched:
            problem(f"{where} Service {service['metadata']['name']}", "selects no Deployment")
        ports = {p.get("name") for t in matched for c in t["spec"]["containers"] for p in c.get("ports", [])}
        for port in service.get("spec", {}).get("ports", []):
            if isinstance(port.get("targetPort"), str) and port["targetPort"] not in ports:
                problem(f"{where} Service {service['metadata']['name']}",
                        f"targetPort {port['targetPort']} is no container port of the pods it selects")
    if rendered:
        check_references(where, objects, {**templates, **{j["metadata"]["name"]: j["spec"]["template"] for j in jobs}})


def check_references(where: str, objects: list[dict], templates: dict) -> None:
    """Every ConfigMap and Secret a pod (of a Deployment or a Job) names exists in the
    output (after hashing)."""
    present = {(o["kind"], o["metadata"]["name"]): o for o in objects if o.get("kind") in ("ConfigMap", "Secret")}
    for name, template in templates.items():
        pod = template["spec"]
        for container in pod.get("containers", []) + pod.get("initContainers", []):
            refs = [("ConfigMap", e["configMapRef"]["name"], None)
                    for e in container.get("envFrom", []) if "configMapRef" in e]
            refs += [("Secret", e["valueFrom"]["secretKeyRef"]["name"], e["valueFrom"]["secretKeyRef"]["key"])
                     for e in container.get("env", []) if "secretKeyRef" in e.get("valueFrom", {})]
            for kind, ref, key in refs:
                obj = present.get((kind, ref))
                if obj is None:
                    if not (kind == "Secret" and ref in EXTERNAL_SECRETS):
                        problem(f"{where} pod {name}", f"{kind} {ref} is not in the output")
                elif key is not None and key not in obj.get("data", {}) and key not in obj.get("stringData", {}):
                    problem(f"{where} pod {name}", f"Secret {ref} has no key {key}")
        for volume in pod.get("volumes", []):
            ref = volume.get("configMap", {}).get("name")
            if ref and ("ConfigMap", ref) not in present:
                problem(f"{where} Deployment {name}", f"ConfigMap {ref} (volume) is not in the output")


def render(directory: Path) -> list[dict] | None:
    if shutil.which("kustomize"):
        command = ["kustomize", "build", str(directory)]
    elif shutil.which("kubectl"):
        command = ["kubectl", "kustomize", str(directory)]
    else:
        return None
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        problem(str(directory.relative_to(ROOT)), f"kustomize build failed: {result.stderr.strip()}")
        return []
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


# --- docker-compose.yml ----------------------------------------------------------------

def check_compose() -> None:
    where = "docker-compose.yml"
    (compose,) = load_all(COMPOSE) or [{}]
    services = compose.get("services", {})
    for infra in ("rabbitmq", "postgres"):
        if "healthcheck" not in services.get(infra, {}):
            problem(where, f"{infra} has no healthcheck")
    for name, service in services.items():
        build = service.get("build")
        if isinstance(build, dict):
            dockerfile = ROOT / build.get("context", ".") / build.get("dockerfile", "Dockerfile")
            if not dockerfile.is_file():
                problem(where, f"{name} builds from {dockerfile}, which does not exist")
            package = build.get("args", {}).get("PACKAGE")
            if package is None:
                problem(where, f"{name} builds without a PACKAGE build arg")
        for dependency in service.get("depends_on", {}):
            if dependency not in services:
                problem(where, f"{name} depends on {dependency}, which is no service")
        command = service.get("command", [])
        environment = service.get("environment", {})
        for variable in ("CRM_GATEWAY_HOST", "CRM_GRPC_HOST"):
            if command == ["crm-gateway"] and environment.get(variable) != "0.0.0.0":
                problem(where, f"{name} runs the gateway without {variable}=0.0.0.0")
        variable = database_variable(command)
        if variable and variable not in environment:
            problem(where, f"{name} runs {' '.join(command)} without {variable}")
        # Every run, relay and gateway process waits for its setup to have succeeded.
        setup = setup_of(command)
        if setup:
            condition = service.get("depends_on", {}).get(setup[0], {}).get("condition")
            if condition != "service_completed_successfully":
                problem(where, f"{name} does not wait for {setup[0]} to complete successfully")
            if services.get(setup[0], {}).get("command") != setup[1]:
                problem(where, f"{setup[0]} does not run {' '.join(setup[1])}")
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0]
            if source.startswith(".") and not (ROOT / source).exists():
                problem(where, f"{name} mounts {source}, which does not exist")
    check_compose_logins(services)


def check_compose_logins(services: dict) -> None:
    """Each process's broker settings; each login URI names its user with the password
    broker-setup gives that user; each process with a login waits for broker-setup."""
    where = "docker-compose.yml"
    setups = [s for s in services.values() if process_kind(s.get("command", [])) == "broker setup"]
    if len(setups) != 1:
        problem(where, f"{len(setups)} services run crm broker setup; one must")
        return
    passwords = setups[0].get("environment", {})
    for name, service in services.items():
        kind = process_kind(service.get("command", []))
        environment = service.get("environment", {})
        check_login_names(f"{where} {name}", kind, set(environment))
        if kind in (None, "broker setup"):
            continue
        for variable in sorted(LOGIN_USERS.keys() & set(environment)):
            uri = urlsplit(environment[variable])
            user = LOGIN_USERS[variable]
            if uri.username != user or uri.password != passwords.get(PASSWORDS[user]):
                problem(where, f"{name}'s {variable} is not {user} with the password broker-setup gives it")
        if LOGIN_SETTINGS & set(environment) and not waits_for(services, name, "broker-setup"):
            problem(where, f"{name} logs in to the broker without waiting for broker-setup to complete")


def waits_for(services: dict, name: str, target: str, seen: frozenset = frozenset()) -> bool:
    """Does ``name`` start only after ``target`` completed successfully, itself or
    through what it waits for?"""
    for dependency, condition in services.get(name, {}).get("depends_on", {}).items():
        if dependency == target and condition.get("condition") == "service_completed_successfully":
            return True
        if dependency not in seen and waits_for(services, dependency, target, seen | {name}):
            return True
    return False


def setup_of(command: list[str]) -> tuple[str, list[str]] | None:
    """The Compose setup service a process waits for, and the command it runs."""
    if command[:2] == ["crm-service", "run"] or command[:1] == ["crm-relay"]:
        return f"{command[-1]}-setup", ["crm-service", "setup", command[-1]]
    if command == ["crm-gateway"]:
        return "gateway-setup", ["crm-gateway", "setup"]
    return None


def created_databases(sql: str) -> set[str]:
    return set(re.findall(r"CREATE DATABASE (\w+);", sql, flags=re.IGNORECASE))


def check_databases() -> None:
    """Compose's init script and the dev overlay's postgres-init create the same
    databases, and every database URL of the dev Secret names one of them."""
    compose = created_databases(COMPOSE_INIT_SQL.read_text())
    (overlay,) = load_all(DEV_OVERLAY) or [{}]
    generators = {g["name"]: g for g in overlay.get("configMapGenerator", []) + overlay.get("secretGenerator", [])}
    dev = created_databases("\n".join(generators.get("postgres-init", {}).get("literals", [])))
    if compose != dev:
        problem("deploy/k8s/overlays/dev", f"postgres-init creates {sorted(dev)}, "
                f"deploy/compose/init-databases.sql {sorted(compose)}: keep them the same")
    for literal in generators.get("crm-connections", {}).get("literals", []):
        key, _, url = literal.partition("=")
        if key.endswith("_DATABASE_URL") and url.rsplit("/", 1)[-1] not in dev:
            problem("deploy/k8s/overlays/dev", f"crm-connections {key} names a database postgres-init does not create")


def check_dev_logins() -> None:
    """The dev overlay's login URIs name the users broker-setup makes, with the
    passwords its crm-broker-setup Secret gives them."""
    (overlay,) = load_all(DEV_OVERLAY) or [{}]
    literals = {g["name"]: dict(literal.partition("=")[::2] for literal in g.get("literals", []))
                for g in overlay.get("secretGenerator", [])}
    connections, setup = literals.get("crm-connections", {}), literals.get("crm-broker-setup", {})
    for variable, user in LOGIN_USERS.items():
        key = SECRET_KEYS[variable][1]
        uri = urlsplit(connections.get(key, ""))
        password = setup.get(SECRET_KEYS[PASSWORDS[user]][1])
        if uri.username != user or uri.password != password:
            problem("deploy/k8s/overlays/dev", f"crm-connections {key} is not {user} with crm-broker-setup's password")


def main() -> int:
    for path in sorted(DEPLOY.rglob("*.y*ml")) + [COMPOSE]:
        load_all(path)
    for kustomization in sorted(K8S.rglob("kustomization.yaml")):
        directory = kustomization.parent
        where = str(directory.relative_to(ROOT))
        # Sources: what the files say before kustomize (names unhashed, overlay
        # patches not applied), so only the rules that hold there are checked.
        check_objects(where, check_kustomization(kustomization), rendered=False)
        rendered = render(directory)
        if rendered is None:
            print(f"skipped rendering {where}: neither kustomize nor kubectl on PATH")
        elif rendered:
            check_objects(f"{where} (rendered)", rendered, rendered=True)
            print(f"rendered {where}: {len(rendered)} objects")
    check_compose()
    check_databases()
    check_dev_logins()
    if not (DEPLOY / "images" / "Dockerfile").is_file():
        problem("deploy/images", "no Dockerfile")
    for line in problems:
        print(f"PROBLEM {line}")
    print(f"{'FAILED' if problems else 'OK'}: {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
