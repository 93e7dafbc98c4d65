"""data/rules/forms.yml is what scripts/make_rules.py generates (edit the script, not the file)."""
import importlib.util

from tests.helpers.servers import PROJECT


def test_generated_rules_are_current():
    spec = importlib.util.spec_from_file_location("make_rules", PROJECT / "scripts" / "make_rules.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.TARGET.read_text() == module.render(), "run .venv/bin/python scripts/make_rules.py"
