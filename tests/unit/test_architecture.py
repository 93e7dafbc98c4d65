"""The layers in .importlinter hold, a planted upward import is caught, and bot/ has no import cycle."""
import shutil
import subprocess
import sys
from pathlib import Path

import grimp

from tests.helpers.servers import PROJECT

LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def lint_imports(cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=cwd, capture_output=True, text=True, timeout=120)


def test_the_import_contracts_are_kept():
    result = lint_imports(PROJECT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 kept, 0 broken" in result.stdout


def lint_with_planted_import(tmp_path: Path, module: str, line: str) -> subprocess.CompletedProcess:
    """lint-imports on a copy of the code with one import line added to `module` (a path under bot/)."""
    for folder in ("bot", "actions"):
        shutil.copytree(PROJECT / folder, tmp_path / folder, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(PROJECT / ".importlinter", tmp_path)
    target = tmp_path / "bot" / module
    target.write_text(target.read_text() + f"\n{line}  # planted\n")
    return lint_imports(tmp_path)


def test_an_upward_import_breaks_the_layers(tmp_path):
    result = lint_with_planted_import(tmp_path, "storage/repository.py", "from bot.conversation.guide import Guide")
    assert result.returncode != 0
    assert "Each layer imports only the layers below it BROKEN" in result.stdout
    assert "bot.storage.repository -> bot.conversation.guide" in result.stdout


def test_a_framework_import_in_the_domain_is_caught(tmp_path):
    result = lint_with_planted_import(tmp_path, "assessment/scoring.py", "import rasa_sdk")
    assert "know nothing of Rasa, its SDK or Sanic BROKEN" in result.stdout


def _cycles(graph: grimp.ImportGraph, package: str) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan), imports under TYPE_CHECKING included."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for other in sorted(graph.find_modules_directly_imported_by(module)):
            if not other.startswith(package):
                continue
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            group = []
            while True:
                other = stack.pop()
                group.append(other)
                if other == module:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for module in sorted(m for m in graph.modules if m.startswith(package)):
        if module not in index:
            visit(module)
    return found


def test_no_module_of_bot_imports_itself_through_others():
    sys.path.insert(0, str(PROJECT))
    assert _cycles(grimp.build_graph("bot"), "bot") == []
