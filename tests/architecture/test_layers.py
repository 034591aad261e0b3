"""The apps' layers hold (docs/architecture.md): `make lint` runs import-linter's contract
from pyproject.toml, and the contract does catch a forbidden import."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint_imports(project: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--config", str(project / "pyproject.toml")],
        cwd=project,
        env={"PYTHONPATH": str(project), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def copy_of_the_tree(tmp_path_factory) -> Path:
    project = tmp_path_factory.mktemp("layers")
    shutil.copytree(
        ROOT / "gazette", project / "gazette", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copy(ROOT / "pyproject.toml", project / "pyproject.toml")
    return project


def test_the_tree_keeps_its_layers(copy_of_the_tree):
    result = _lint_imports(copy_of_the_tree)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "forbidden"),
    [
        ("core/progress.py", "gazette.news.models"),  # core imports no Gazette app
        ("news/text.py", "gazette.related.queries"),  # news knows no feature
        ("related/documents.py", "gazette.analytics.queries"),  # features are independent
        ("people/models.py", "gazette.news.queries"),  # people sits below news
    ],
)
def test_a_forbidden_import_breaks_the_contract(copy_of_the_tree, tmp_path, module, forbidden):
    project = tmp_path / "broken"
    shutil.copytree(copy_of_the_tree, project)
    path = project / "gazette" / module
    path.write_text(path.read_text() + f"\n\nimport {forbidden}  # noqa\n")
    result = _lint_imports(project)
    assert result.returncode == 1, result.stdout + result.stderr
    importer = "gazette." + module.removesuffix(".py").replace("/", ".")
    assert f"{importer} -> {forbidden}" in result.stdout
