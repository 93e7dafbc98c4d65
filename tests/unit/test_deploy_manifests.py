"""The deployment files, checked offline: deploy/k8s/ against the Kubernetes schemas (strict), and
what a deployer would trip over: probes, routes, keys, names, selectors; then the Dockerfile,
deploy/start.sh and compose.yaml against the code they start. No cluster and no Docker engine:
the manifests go through the schemas and these checks; compose.yaml through these checks, and
through Docker Compose's own loader (`docker compose config`, which needs no engine) where the
machine has Compose v2."""
from __future__ import annotations

import ast
import copy
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any, Iterator

import kubernetes_validate
import pytest
import yaml

from bot.identity.secret import MIN_SECRET_CHARS

PROJECT = Path(__file__).resolve().parents[2]
K8S = PROJECT / "deploy" / "k8s"
START = PROJECT / "deploy" / "start.sh"
# The newest Kubernetes schemas that kubernetes-validate 1.28.3 carries; its later releases need a
# jsonschema newer than the one Rasa 3.6 pins. Every kind used here is stable and unchanged since.
KUBERNETES_VERSION = "1.28"
IMAGE = "common-ground"
NAMESPACE = "common-ground"
CHANNEL_PATHS = ["/webhooks/slack/", "/webhooks/botframework/", "/webhooks/web/", "/socket.io/",
                 "/webhooks/rest/", "/webhooks/reports/", "/webhooks/reminders/"]
ROLES = {"migrate", "actions", "rasa"}
# Read by the libraries and tools in the image rather than by our code (the Dockerfile's ENV).
THIRD_PARTY_ENV = {"PATH", "PYTHONUNBUFFERED", "PYTHONWARNINGS", "PIP_NO_CACHE_DIR", "PIP_DISABLE_PIP_VERSION_CHECK",
                   "RASA_TELEMETRY_ENABLED", "TF_CPP_MIN_LOG_LEVEL", "SQLALCHEMY_SILENCE_UBER_WARNING"}


# ---- what the code reads --------------------------------------------------------------------------

def env_names_in_code() -> set[str]:
    """Every environment variable bot/ and actions/ read: the *_ENV constants and os.environ.get("...")."""
    names: set[str] = set()
    for path in [*(PROJECT / "bot").rglob("*.py"), *(PROJECT / "actions").rglob("*.py")]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign):
                targets = [t for target in node.targets
                           for t in (target.elts if isinstance(target, ast.Tuple) else [target])]
                values = node.value.elts if isinstance(node.value, ast.Tuple) else [node.value]
                for target, value in zip(targets, values):
                    if isinstance(target, ast.Name) and target.id.endswith("_ENV") \
                            and isinstance(value, ast.Constant) and isinstance(value.value, str):
                        names.add(value.value)
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                    and node.func.attr in ("get", "getenv") and node.args \
                    and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str) \
                    and "environ" in ast.unparse(node.func):
                names.add(node.args[0].value)
    return names


CODE_ENV = env_names_in_code()


def test_the_code_reads_the_names_the_deployment_sets():
    # The scan itself: if it found nothing, every check of names below would pass vacuously.
    assert {"COMMON_GROUND_SECRET", "COMMON_GROUND_DATABASE_URL", "COMMON_GROUND_REDIS_URL", "COMMON_GROUND_PUBLIC_URL",
            "COMMON_GROUND_ACTIONS_HOST", "COMMON_GROUND_ACTIONS_TOKEN", "COMMON_GROUND_REPORTS_DIR",
            "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "TEAMS_APP_ID", "TEAMS_APP_PASSWORD"} <= CODE_ENV


# ---- the manifests --------------------------------------------------------------------------------

def load_manifests() -> list[tuple[str, dict[str, Any]]]:
    docs = []
    for path in sorted(K8S.glob("*.yaml")):
        if path.name == "kustomization.yaml":
            continue
        for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            if doc:
                docs.append((path.name, doc))
    return docs


MANIFESTS = load_manifests()


def of_kind(kind: str) -> list[dict[str, Any]]:
    return [doc for _, doc in MANIFESTS if doc["kind"] == kind]


def named(kind: str, name: str) -> dict[str, Any]:
    found = [doc for doc in of_kind(kind) if doc["metadata"]["name"] == name]
    assert len(found) == 1, f"expected one {kind} named {name}, found {len(found)}"
    return found[0]


def workloads() -> list[dict[str, Any]]:
    return of_kind("Deployment") + of_kind("StatefulSet")


def containers(workload: dict[str, Any]) -> Iterator[dict[str, Any]]:
    spec = workload["spec"]["template"]["spec"]
    yield from spec.get("initContainers", [])
    yield from spec["containers"]


def ours(workload: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The containers that run this project's image."""
    return (c for c in containers(workload) if c["image"].split(":")[0] == IMAGE)


RASA = named("Deployment", "common-ground-rasa")
ACTIONS = named("Deployment", "common-ground-actions")


def container(workload: dict[str, Any], name: str) -> dict[str, Any]:
    return next(c for c in containers(workload) if c["name"] == name)


def memory_bytes(quantity: str) -> float:
    units = {"Ki": 2 ** 10, "Mi": 2 ** 20, "Gi": 2 ** 30, "K": 1e3, "M": 1e6, "G": 1e9}
    number, unit = re.fullmatch(r"([0-9.]+)([A-Za-z]*)", quantity).groups()
    return float(number) * units.get(unit, 1)


def test_kustomization_lists_every_manifest_and_sets_the_image():
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text(encoding="utf-8"))
    files = {path.name for path in K8S.glob("*.yaml")} - {"kustomization.yaml"}
    assert sorted(kustomization["resources"]) == sorted(files)
    assert kustomization["namespace"] == NAMESPACE
    assert [image["name"] for image in kustomization["images"]] == [IMAGE]


@pytest.mark.parametrize("name,doc", MANIFESTS, ids=[f"{n}:{d['kind']}/{d['metadata']['name']}" for n, d in MANIFESTS])
def test_manifest_matches_the_kubernetes_schema(name, doc):
    kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)
    if doc["kind"] != "Namespace":
        assert doc["metadata"]["namespace"] == NAMESPACE


@pytest.mark.parametrize("breakage", ["misspelt field", "wrong type", "missing field"])
def test_the_validator_reports_a_broken_manifest(breakage):
    broken = copy.deepcopy(RASA)
    rasa = broken["spec"]["template"]["spec"]["containers"][-1]
    if breakage == "misspelt field":
        rasa["readinesProbe"] = rasa.pop("readinessProbe")
    elif breakage == "wrong type":
        broken["spec"]["replicas"] = "two"
    else:
        del broken["spec"]["selector"]
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES_VERSION, strict=True)


def test_rasa_runs_several_replicas_with_probes_on_the_loaded_model():
    assert RASA["spec"]["replicas"] >= 2
    rasa = container(RASA, "rasa")
    ports = {port["name"]: port["containerPort"] for port in rasa["ports"]}
    assert ports == {"http": 5005}
    # Rasa 3.6 loads the model before it listens: GET / answers only once the model is loaded.
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert rasa[probe]["httpGet"] == {"path": "/", "port": "http"}, probe
    startup = rasa["startupProbe"]
    assert startup["periodSeconds"] * startup["failureThreshold"] >= 180   # model loading takes its time
    assert memory_bytes(rasa["resources"]["requests"]["memory"]) >= 1.4e9    # measured 1.1-1.4 GB
    assert memory_bytes(rasa["resources"]["limits"]["memory"]) >= memory_bytes(rasa["resources"]["requests"]["memory"])
    assert rasa["args"] == ["rasa"]


def test_the_action_server_listens_for_the_cluster_and_answers_probes():
    actions = container(ACTIONS, "actions")
    assert actions["args"] == ["actions"]
    env = {e["name"]: e.get("value") for e in actions["env"]}
    assert env["COMMON_GROUND_ACTIONS_HOST"] == "0.0.0.0"
    assert {port["name"]: port["containerPort"] for port in actions["ports"]} == {"http": 5055}
    for probe in ("readinessProbe", "livenessProbe"):
        assert actions[probe]["httpGet"] == {"path": "/health", "port": "http"}
    assert memory_bytes(actions["resources"]["requests"]["memory"]) >= 0.35e9


@pytest.mark.parametrize("workload", [RASA, ACTIONS], ids=["rasa", "actions"])
def test_each_server_pod_migrates_first(workload):
    init = workload["spec"]["template"]["spec"]["initContainers"]
    assert [c["args"] for c in init] == [["migrate"]]
    assert {e["name"] for e in init[0]["env"]} == {"COMMON_GROUND_DATABASE_URL"}


def test_several_rasa_replicas_share_locks_and_database():
    env = {e["name"] for e in container(RASA, "rasa")["env"]}
    assert {"COMMON_GROUND_REDIS_URL", "COMMON_GROUND_DATABASE_URL", "COMMON_GROUND_SECRET",
            "COMMON_GROUND_PUBLIC_URL"} <= env
    config = named("ConfigMap", "common-ground-config")["data"]
    assert config["COMMON_GROUND_REDIS_URL"].startswith("redis://redis:")
    assert config["COMMON_GROUND_PUBLIC_URL"].startswith("https://")
    secret = named("Secret", "common-ground-secrets")["stringData"]
    assert secret["COMMON_GROUND_DATABASE_URL"].startswith("postgresql://")


def test_every_env_var_is_one_the_code_reads():
    for workload in workloads():
        for c in ours(workload):
            unknown = {e["name"] for e in c.get("env", [])} - CODE_ENV
            assert not unknown, f"{workload['metadata']['name']}/{c['name']} sets {unknown}, which no code reads"


def test_every_key_reference_names_a_key_that_exists():
    stores = {("Secret", d["metadata"]["name"]): set(d.get("stringData", {})) | set(d.get("data", {}))
              for d in of_kind("Secret")}
    stores |= {("ConfigMap", d["metadata"]["name"]): set(d.get("data", {})) for d in of_kind("ConfigMap")}
    references = 0
    for workload in workloads():
        for c in containers(workload):
            for env in c.get("env", []):
                source = env.get("valueFrom", {})
                for kind, ref in (("Secret", source.get("secretKeyRef")), ("ConfigMap", source.get("configMapKeyRef"))):
                    if ref:
                        references += 1
                        assert ref["key"] in stores.get((kind, ref["name"]), set()), \
                            f"{workload['metadata']['name']}/{c['name']}: {kind} {ref['name']} has no key {ref['key']}"
        for volume in workload["spec"]["template"]["spec"].get("volumes", []):
            if "configMap" in volume:
                for item in volume["configMap"].get("items", []):
                    assert item["key"] in stores[("ConfigMap", volume["configMap"]["name"])]
            if "persistentVolumeClaim" in volume:
                named("PersistentVolumeClaim", volume["persistentVolumeClaim"]["claimName"])
    assert references >= 10


def test_services_select_the_pods_they_name_and_their_ports():
    for service in of_kind("Service"):
        selector = service["spec"]["selector"]
        matched = [w for w in workloads()
                   if selector.items() <= w["spec"]["template"]["metadata"]["labels"].items()]
        assert len(matched) == 1, f"Service {service['metadata']['name']} selects {len(matched)} workloads"
        names = {port.get("name") for c in containers(matched[0]) for port in c.get("ports", [])}
        for port in service["spec"]["ports"]:
            assert port["targetPort"] in names, f"Service {service['metadata']['name']}: no port {port['targetPort']}"
    for workload in workloads():
        assert workload["spec"]["selector"]["matchLabels"].items() <= workload["spec"]["template"]["metadata"]["labels"].items()


def service_for(workload: dict[str, Any]) -> dict[str, Any]:
    labels = workload["spec"]["template"]["metadata"]["labels"]
    return next(s for s in of_kind("Service") if s["spec"]["selector"].items() <= labels.items())


def test_the_ingress_routes_each_channel_to_the_rasa_service_with_sticky_sessions():
    ingress = named("Ingress", "common-ground")
    rasa_service = service_for(RASA)
    routes = {path["path"]: path["backend"]["service"]
              for rule in ingress["spec"]["rules"] for path in rule["http"]["paths"]}
    assert sorted(routes) == sorted(CHANNEL_PATHS)
    port_names = {port["name"] for port in rasa_service["spec"]["ports"]}
    for path, backend in routes.items():
        assert backend["name"] == rasa_service["metadata"]["name"], path
        assert backend["port"]["name"] in port_names, path
    annotations = ingress["metadata"]["annotations"]
    assert annotations["nginx.ingress.kubernetes.io/affinity"] == "cookie"   # socket.io across replicas
    hosts = {rule["host"] for rule in ingress["spec"]["rules"]}
    public = named("ConfigMap", "common-ground-config")["data"]["COMMON_GROUND_PUBLIC_URL"]
    assert hosts == {public.removeprefix("https://").rstrip("/")}
    assert {h for tls in ingress["spec"]["tls"] for h in tls["hosts"]} == hosts


def test_the_autoscaler_scales_the_rasa_deployment():
    (hpa,) = of_kind("HorizontalPodAutoscaler")
    assert hpa["apiVersion"] == "autoscaling/v2"
    target = hpa["spec"]["scaleTargetRef"]
    assert (target["kind"], target["name"]) == ("Deployment", RASA["metadata"]["name"])
    assert hpa["spec"]["minReplicas"] >= 2
    assert hpa["spec"]["maxReplicas"] > hpa["spec"]["minReplicas"]
    rasa = container(RASA, "rasa")
    assert "cpu" in rasa["resources"]["requests"]     # a CPU target needs a CPU request


def test_the_endpoints_configmap_calls_the_action_service_with_the_key():
    endpoints = yaml.safe_load(named("ConfigMap", "common-ground-config")["data"]["endpoints.yml"])
    action = endpoints["action_endpoint"]
    assert action["headers"] == {"Authorization": "Bearer ${COMMON_GROUND_ACTIONS_TOKEN}"}
    actions_service = service_for(ACTIONS)
    assert action["url"] == f"http://{actions_service['metadata']['name']}:{actions_service['spec']['ports'][0]['port']}/webhook"
    # The same stores as the repository's endpoints.yml, and the same text as the image's copy.
    repository = yaml.safe_load((PROJECT / "endpoints.yml").read_text(encoding="utf-8"))
    assert {k: v for k, v in endpoints.items() if k != "action_endpoint"} == \
           {k: v for k, v in repository.items() if k != "action_endpoint"}
    assert endpoints == yaml.safe_load((PROJECT / "deploy" / "endpoints.yml").read_text(encoding="utf-8"))
    mount = next(m for m in container(RASA, "rasa")["volumeMounts"] if m["name"] == "endpoints")
    assert mount["mountPath"] == "/app/deploy/endpoints.yml" and "deploy/endpoints.yml" in START.read_text()


def test_both_servers_share_the_reports_volume():
    claim = named("PersistentVolumeClaim", "reports")
    assert "ReadWriteMany" in claim["spec"]["accessModes"]
    directory = named("ConfigMap", "common-ground-config")["data"]["COMMON_GROUND_REPORTS_DIR"]
    for workload, name in ((RASA, "rasa"), (ACTIONS, "actions")):
        volumes = {v["name"]: v for v in workload["spec"]["template"]["spec"]["volumes"]}
        mounts = {m["mountPath"]: m["name"] for m in container(workload, name)["volumeMounts"]}
        assert volumes[mounts[directory]]["persistentVolumeClaim"]["claimName"] == "reports"


def test_the_secret_placeholders_stop_the_servers(monkeypatch):
    from bot.identity import secret as server_secret
    values = named("Secret", "common-ground-secrets")["stringData"]
    assert "COMMON_GROUND_ACTIONS_TOKEN" not in values    # derived from the secret at start
    placeholder = values["COMMON_GROUND_SECRET"]
    assert len(placeholder) < MIN_SECRET_CHARS
    monkeypatch.setenv("COMMON_GROUND_SECRET", placeholder)
    server_secret.server_secret.cache_clear()
    try:
        with pytest.raises(server_secret.SecretError):
            server_secret.server_secret()
    finally:
        server_secret.server_secret.cache_clear()
    # The database password is written twice; the shipped one is refused by start.sh and postgres.yaml.
    url_password = re.match(r"postgresql://[^:]+:([^@]+)@", values["COMMON_GROUND_DATABASE_URL"]).group(1)
    assert url_password == values["POSTGRES_PASSWORD"] == "CHANGE-ME"
    postgres = container(named("StatefulSet", "postgres"), "postgres")
    assert "*CHANGE-ME*" in " ".join(postgres["command"])
    # Channels ship off (empty settings), never with a made-up credential.
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "TEAMS_APP_ID", "TEAMS_APP_PASSWORD"):
        assert values[name] == ""


# ---- the image's start script ---------------------------------------------------------------------

def start(role: str, **env: str) -> subprocess.CompletedProcess:
    clean = {"PATH": os.environ["PATH"], **env}
    return subprocess.run(["sh", str(START), role], env=clean, capture_output=True, text=True, timeout=30)


def test_start_script_is_valid_and_knows_the_three_roles():
    assert os.access(START, os.X_OK)
    assert subprocess.run(["sh", "-n", str(START)], capture_output=True).returncode == 0
    text = START.read_text(encoding="utf-8")
    assert {role for role in re.findall(r"^  (\w+)\)$", text, re.M)} == ROLES
    for module in re.findall(r"python -m (\w+)", text):
        assert (PROJECT / module / "__main__.py").is_file(), module
    model = re.search(r"--model (\S+)", text).group(1)
    dockerfile = (PROJECT / "Dockerfile").read_text(encoding="utf-8")
    name, out = re.search(r"rasa train --fixed-model-name (\S+) --out (\S+)", dockerfile).groups()
    assert model == f"{out}/{name}.tar.gz"
    for path in re.findall(r"--(?:endpoints|credentials) (\S+)", text):
        assert (PROJECT / path).is_file(), path


@pytest.mark.parametrize("role", ["rasa", "actions", "migrate"])
def test_start_script_refuses_the_placeholders(role):
    done = start(role, COMMON_GROUND_SECRET="x" * 48,
                 COMMON_GROUND_DATABASE_URL="postgresql://common_ground:CHANGE-ME@postgres:5432/common_ground")
    assert done.returncode == 78 and "COMMON_GROUND_DATABASE_URL" in done.stderr


@pytest.mark.parametrize("role", ["rasa", "actions"])
def test_start_script_refuses_a_server_without_the_shared_secret(role):
    done = start(role)
    assert done.returncode == 78 and "COMMON_GROUND_SECRET" in done.stderr


# ---- the Dockerfile -------------------------------------------------------------------------------

def dockerfile_lines() -> list[str]:
    text = (PROJECT / "Dockerfile").read_text(encoding="utf-8")
    return [line for line in text.replace("\\\n", " ").splitlines() if line.strip() and not line.startswith("#")]


def test_dockerfile_copies_what_exists_and_starts_the_script():
    lines = dockerfile_lines()
    assert lines[0].startswith("FROM ") and any(line.startswith("FROM python:3.10-slim") for line in lines)
    for line in lines:
        if line.startswith("COPY ") and "--from=" not in line:
            *sources, _ = line.split()[1:]
            for source in sources:
                assert (PROJECT / source).exists(), source
    user = next(line for line in lines if line.startswith("USER "))
    assert not user.split()[1].startswith(("0", "root"))
    entrypoint = next(line for line in lines if line.startswith("ENTRYPOINT "))
    assert yaml.safe_load(entrypoint.split(" ", 1)[1]) == ["deploy/start.sh"]
    command = next(line for line in lines if line.startswith("CMD "))
    assert yaml.safe_load(command.split(" ", 1)[1])[0] in ROLES
    env_line = " ".join(line for line in lines if line.startswith("ENV "))
    assert set(re.findall(r"([A-Z_]+)=", env_line)) <= CODE_ENV | THIRD_PARTY_ENV
    assert any("pip install" in line and "requirements.lock" in line for line in lines)


def test_dockerignore_keeps_secrets_and_local_state_out():
    ignored = {line.strip() for line in (PROJECT / ".dockerignore").read_text().splitlines()
               if line.strip() and not line.startswith("#")}
    assert {".env", "var", ".venv", "models", ".git"} <= ignored
    # ... but nothing the image needs.
    for needed in ("bot", "actions", "data", "knowledge", "deploy/start.sh", "deploy/endpoints.yml",
                   "domain.yml", "config.yml", "credentials.yml", "alembic.ini", "requirements.lock"):
        assert needed not in ignored and (PROJECT / needed).exists(), needed


# ---- compose.yaml ---------------------------------------------------------------------------------

COMPOSE = yaml.safe_load((PROJECT / "compose.yaml").read_text(encoding="utf-8"))


def test_compose_runs_each_role_of_our_image_with_names_the_code_reads():
    services = COMPOSE["services"]
    assert {"postgres", "redis", "migrate", "actions", "rasa"} <= set(services)
    for name, service in services.items():
        if service.get("image", "").split(":")[0] != IMAGE:
            continue
        assert service["build"] == "." and service["command"][0] in ROLES, name
        unknown = set(service.get("environment", {})) - CODE_ENV
        assert not unknown, f"compose service {name} sets {unknown}, which no code reads"
        for volume in service.get("volumes", []):
            assert volume.split(":")[0] in COMPOSE["volumes"], volume
    assert services["migrate"]["command"] == ["migrate"]
    for server in ("actions", "rasa"):
        assert services[server]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert services["rasa"]["environment"]["COMMON_GROUND_REDIS_URL"].startswith("redis://redis:")
    assert services["actions"]["environment"]["COMMON_GROUND_ACTIONS_HOST"] == "0.0.0.0"
    # The image's endpoints.yml reaches the action server by this service's name.
    endpoints = yaml.safe_load((PROJECT / "deploy" / "endpoints.yml").read_text(encoding="utf-8"))
    assert endpoints["action_endpoint"]["url"] == "http://actions:5055/webhook"


def compose_command() -> list[str] | None:
    """Docker Compose v2, the `docker compose` plugin or a v2 `docker-compose`, if this machine has one
    (its `config` needs no engine)."""
    for command in (["docker", "compose"], ["docker-compose"]):
        if shutil.which(command[0]):
            done = subprocess.run([*command, "version"], capture_output=True, text=True)
            if done.returncode == 0 and re.search(r"\bv?2\.", done.stdout):
                return command
    return None


def compose_config(tmp_path: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    command = compose_command()
    if command is None:
        pytest.skip("no Docker Compose v2 on this machine: compose.yaml checked by the tests above only")
    env_file = tmp_path / "test.env"
    env_file.write_text("".join(f"{k}={v}\n" for k, v in env.items()), encoding="utf-8")
    return subprocess.run([*command, "--project-directory", str(PROJECT), "-f", str(PROJECT / "compose.yaml"),
                           "--env-file", str(env_file), "config", "--format", "json"],
                          capture_output=True, text=True, timeout=60, env={"PATH": os.environ["PATH"]})


def test_docker_compose_accepts_the_file_with_an_env_file(tmp_path):
    done = compose_config(tmp_path, {"POSTGRES_PASSWORD": "pw", "COMMON_GROUND_SECRET": "s" * 48,
                                     "COMMON_GROUND_PUBLIC_URL": "https://chat.example.org"})
    assert done.returncode == 0, done.stderr
    resolved = yaml.safe_load(done.stdout)
    assert resolved["services"]["rasa"]["environment"]["COMMON_GROUND_DATABASE_URL"] == \
        "postgresql://common_ground:pw@postgres:5432/common_ground"


def test_docker_compose_refuses_to_run_without_the_secrets(tmp_path):
    done = compose_config(tmp_path, {"POSTGRES_PASSWORD": "pw", "COMMON_GROUND_PUBLIC_URL": "https://chat.example.org"})
    assert done.returncode != 0 and "COMMON_GROUND_SECRET" in done.stderr
