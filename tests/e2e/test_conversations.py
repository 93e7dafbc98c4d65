"""The Rasa test stories in tests/stories, run through `rasa test core` against the trained model.

A story fails when a user line is understood as another intent or the bot would pick another
action; the failed stories are printed as Rasa wrote them.
"""
import subprocess
import sys
from pathlib import Path

from tests.helpers.servers import MODEL, PROJECT


def test_conversation_stories(tmp_path):
    assert MODEL.exists(), "no trained model: run `make train` (make test does it first)"
    result = subprocess.run(
        [str(Path(sys.executable).parent / "rasa"), "test", "core", "--model", str(MODEL),
         "--stories", str(PROJECT / "tests" / "stories"), "--out", str(tmp_path), "--fail-on-prediction-errors",
         "--no-plot"],
        cwd=PROJECT, capture_output=True, text=True, timeout=900,
        env={"RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONWARNINGS": "ignore",
             "PATH": str(Path(sys.executable).parent) + ":/usr/bin:/bin"},
    )
    failed = tmp_path / "failed_test_stories.yml"
    report = failed.read_text() if failed.exists() else ""
    assert result.returncode == 0 and "None of the test stories failed" in report, (
        report or result.stdout[-3000:] + result.stderr[-3000:])
