"""deploy/: the compose file and the Kubernetes manifests are checked by parsing them (no container
engine here): every variable they set is one the code (or the image that gets it) reads and
docs/deploy.md explains; they run the topology tests/test_cluster.py proves with the same files."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Dict, Iterator, List, Set

import pytest
import yaml

from conftest import REPO

DEPLOY = REPO / "deploy"
SOURCES = ("nagarik", "channels", "stores", "brokers", "actions", "components", "rasa_sdk_plugins", "scripts")
RASA = Path(yaml.__file__).parent.parent / "rasa"
# Read by the images the files use, not by Nagarik's code: the official postgres image's settings.
IMAGE_SETTINGS = {"POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB"}
# Read by Rasa itself (each is checked against Rasa's installed source below).
RASA_SETTINGS = {"RASA_TELEMETRY_ENABLED"}


def _python_reads() -> Set[str]:
    """Every environment variable named in the project's code: environ.get("X"), environ["X"],
    os.getenv("X") and the X_VARIABLE = "X" constants that those read through."""
    pattern = re.compile(r"""(?:environ(?:\.get)?\(|environ\[|getenv\()\s*["']([A-Z][A-Z0-9_]+)["']|_VARIABLE\s*=\s*["']([A-Z][A-Z0-9_]+)["']|\$\{?([A-Z][A-Z0-9_]+)""")
    names: Set[str] = set()
    for folder in SOURCES:
        for path in (REPO / folder).rglob("*"):
            if path.suffix in (".py", ".sh") and path.is_file():
                for match in pattern.finditer(path.read_text(encoding="utf-8", errors="replace")):
                    names.update(name for name in match.groups() if name)
    return names


def _file_reads() -> Set[str]:
    """The ${X} that Rasa (endpoints, credentials) and HAProxy fill in from the environment."""
    names: Set[str] = set()
    for path in (DEPLOY / "endpoints.yml", REPO / "credentials.yml", REPO / "credentials.facebook.yml", DEPLOY / "haproxy.cfg"):
        names.update(re.findall(r"\$\{([A-Z][A-Z0-9_]+)\}", path.read_text(encoding="utf-8")))
    return names


@pytest.fixture(scope="module")
def reads() -> Set[str]:
    return _python_reads() | _file_reads() | RASA_SETTINGS


@pytest.fixture(scope="module")
def compose() -> Dict[str, Any]:
    return yaml.safe_load((DEPLOY / "compose.yml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def manifests() -> List[Dict[str, Any]]:
    return [d for d in yaml.safe_load_all((DEPLOY / "kubernetes" / "nagarik.yaml").read_text(encoding="utf-8")) if d]


def _compose_variables(compose: Dict[str, Any]) -> Dict[str, Set[str]]:
    return {name: set((service.get("environment") or {}).keys()) for name, service in compose["services"].items()}


def _containers(manifests: List[Dict[str, Any]]) -> Iterator[Dict[str, Any]]:
    for document in manifests:
        template = document.get("spec", {}).get("template", {})
        yield from template.get("spec", {}).get("containers", [])


def _kubernetes_variables(manifests: List[Dict[str, Any]]) -> Set[str]:
    names = {key for d in manifests if d["kind"] == "ConfigMap" for key in d["data"]}
    names |= {variable["name"] for container in _containers(manifests) for variable in container.get("env", [])}
    return names


def test_rasa_reads_the_rasa_settings_set() -> None:
    for name in RASA_SETTINGS:
        assert any(name in path.read_text(errors="replace") for path in RASA.rglob("*.py")), name


def test_every_variable_set_is_one_the_code_reads(compose, manifests, reads) -> None:
    set_in_compose = set().union(*_compose_variables(compose).values())
    unknown = (set_in_compose | _kubernetes_variables(manifests)) - reads - IMAGE_SETTINGS
    assert not unknown, f"set but read by nothing: {sorted(unknown)}"


def test_every_variable_set_is_explained_in_the_deploy_guide(compose, manifests) -> None:
    guide = (REPO / "docs" / "deploy.md").read_text(encoding="utf-8")
    for name in set().union(*_compose_variables(compose).values()) | _kubernetes_variables(manifests):
        assert f"`{name}`" in guide, f"docs/deploy.md does not explain {name}"


def test_the_variables_the_files_need_are_set(compose) -> None:
    variables = _compose_variables(compose)
    haproxy_needs = set(re.findall(r"\$\{([A-Z0-9_]+)\}", (DEPLOY / "haproxy.cfg").read_text()))
    assert haproxy_needs == variables["haproxy"]
    endpoints_need = set(re.findall(r"\$\{([A-Z0-9_]+)\}", (DEPLOY / "endpoints.yml").read_text()))
    credentials_need = {"WHATSAPP_VERIFY_TOKEN", "WHATSAPP_APP_SECRET", "WHATSAPP_ACCESS_TOKEN", "WHATSAPP_PHONE_NUMBER_ID"}
    for name in ("rasa1", "rasa2"):
        assert endpoints_need | credentials_need | {"DATABASE_URL", "REDIS_URL"} <= variables[name]
    for name in ("actions1", "actions2", "web", "migrate"):
        assert "DATABASE_URL" in variables[name]


def test_compose_runs_the_tested_topology(compose) -> None:
    services = compose["services"]
    assert {"postgres", "redis", "haproxy", "rasa1", "rasa2", "actions1", "actions2", "web", "migrate"} <= set(services)
    for name in ("rasa1", "rasa2"):
        command = services[name]["command"]
        assert command[:2] == ["rasa", "run"] and command[command.index("--endpoints") + 1] == "deploy/endpoints.yml"
        assert command[command.index("--credentials") + 1] == "credentials.yml"
    for name in ("actions1", "actions2"):
        assert services[name]["command"][:4] == ["python", "-m", "rasa_sdk", "--actions"]
    assert services["web"]["command"] == ["nagarik", "web", "--port", "8000"]
    assert "./haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro" in services["haproxy"]["volumes"]
    assert services["rasa1"]["environment"]["ACTION_SERVER_URL"] == "http://haproxy:5055/webhook"


def test_kubernetes_runs_the_same_topology_with_the_same_readiness(manifests) -> None:
    deployments = {d["metadata"]["name"]: d for d in manifests if d["kind"] == "Deployment"}
    assert deployments["rasa"]["spec"]["replicas"] == 2 and deployments["actions"]["spec"]["replicas"] == 2
    haproxy = (DEPLOY / "haproxy.cfg").read_text()
    checks = re.findall(r"option httpchk GET (\S+)", haproxy)
    probes = {c["name"]: c["readinessProbe"]["httpGet"]["path"] for c in _containers(manifests) if "readinessProbe" in c}
    assert [probes["rasa"], probes["actions"]] == checks
    rasa = next(c for c in _containers(manifests) if c["name"] == "rasa")
    assert rasa["command"][rasa["command"].index("--endpoints") + 1] == "deploy/endpoints.yml"
    web = next(c for c in _containers(manifests) if c["name"] == "web")
    assert web["command"] == ["nagarik", "web", "--port", "8000"]


def test_deploy_endpoints_differ_from_the_repositorys_only_in_the_action_server_url() -> None:
    ours = yaml.safe_load((REPO / "endpoints.yml").read_text())
    deployed = yaml.safe_load((DEPLOY / "endpoints.yml").read_text())
    assert deployed["action_endpoint"].pop("url") == "${ACTION_SERVER_URL}"
    ours["action_endpoint"].pop("url")
    assert deployed == ours


def test_rasa_fills_in_the_action_server_url(monkeypatch) -> None:
    from rasa.utils.endpoints import read_endpoint_config

    monkeypatch.setenv("ACTION_SERVER_URL", "http://haproxy:5055/webhook")
    assert read_endpoint_config(str(DEPLOY / "endpoints.yml"), "action_endpoint").url == "http://haproxy:5055/webhook"
