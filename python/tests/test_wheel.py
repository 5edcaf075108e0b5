"""Tests of the installed wheel (run by scripts/wheel-check.sh inside a fresh venv).

SEGSCORE_ROOT names the repository (for the demo fixtures); SEGSCORE_EXPECTED_JSON a report the
development build wrote on the demo, whose numbers the wheel's must equal.
"""

import json
import os
import shutil
import subprocess
import tempfile
import unittest

import segscore

ROOT = os.environ["SEGSCORE_ROOT"]
GT = os.path.join(ROOT, "Fixtures/demo/gt")
PRED = os.path.join(ROOT, "Fixtures/demo/pred")
LABELS = os.path.join(ROOT, "Fixtures/demo/labels.json")


class WheelTests(unittest.TestCase):
    def test_binary_is_inside_the_installed_package(self) -> None:
        path = segscore.binary_path()
        self.assertTrue(str(path).startswith(os.path.dirname(segscore.__file__)))
        self.assertTrue(os.access(path, os.X_OK))

    def test_console_script_prints_the_version(self) -> None:
        script = shutil.which("segscore")
        self.assertIsNotNone(script)
        done = subprocess.run([script, "--version"], capture_output=True, text=True, check=True)
        self.assertEqual(done.stdout.strip(), segscore.__version__)

    def test_evaluate_demo_gives_the_development_build_numbers(self) -> None:
        report = segscore.evaluate(GT, PRED, labels=LABELS)
        with open(os.environ["SEGSCORE_EXPECTED_JSON"], encoding="utf-8") as handle:
            expected = json.load(handle)
        self.assertEqual(report.exit_code, 0)
        self.assertTrue(report.passed)
        self.assertEqual(report.aggregate, expected["aggregate"])
        self.assertEqual(report.classes, expected["classes"])
        self.assertEqual(len(report.images), len(expected["images"]))
        self.assertEqual([c["name"] for c in report.classes], [c["name"] for c in expected["classes"]])

    def test_options_map_onto_flags(self) -> None:
        with tempfile.TemporaryDirectory() as folder:
            csv = os.path.join(folder, "per-image.csv")
            report = segscore.evaluate(GT, PRED, labels=LABELS, classes=[1, 2], csv=csv, variant="soft")
            self.assertTrue(os.path.getsize(csv) > 0)
        self.assertEqual(report.config.get("variant"), "soft")
        self.assertEqual(sorted(c["id"] for c in report.classes if c.get("id") is not None), [1, 2])

    def test_repeatable_flags_repeat_and_lists_join(self) -> None:
        from segscore import _arguments

        self.assertEqual(_arguments({"classes": [1, 2]}), ["--classes", "1,2"])
        self.assertEqual(_arguments({"ignore_label": [254, 255]}), ["--ignore-label", "254", "--ignore-label", "255"])
        self.assertEqual(_arguments({"no_include_background": True, "baseline": None, "flat": False}), ["--no-include-background"])

    def test_failed_gate_returns_exit_1_and_raises_with_check(self) -> None:
        report = segscore.evaluate(GT, PRED, labels=LABELS, fail_under=0.999)
        self.assertEqual(report.exit_code, 1)
        with self.assertRaises(segscore.SegscoreError) as caught:
            segscore.evaluate(GT, PRED, labels=LABELS, fail_under=0.999, check=True)
        self.assertEqual(caught.exception.exit_code, 1)

    def test_usage_error_raises_with_exit_2_and_the_message(self) -> None:
        with self.assertRaises(segscore.SegscoreError) as caught:
            segscore.evaluate(GT, PRED, variant="no-such-variant")
        self.assertEqual(caught.exception.exit_code, 2)
        self.assertIn("no-such-variant", caught.exception.message)

    def test_explain_returns_the_catalogue(self) -> None:
        catalogue = segscore.explain()
        self.assertIsInstance(catalogue, dict)
        self.assertIn("hard", [v["name"] for v in catalogue["variants"]])

    def test_to_pandas_has_a_row_per_image_and_class(self) -> None:
        try:
            import pandas  # noqa: F401
        except ImportError:
            self.skipTest("pandas is not installed in this venv")
        report = segscore.evaluate(GT, PRED, labels=LABELS)
        frame = report.to_pandas()
        self.assertEqual(len(frame), sum(len(image["classes"]) for image in report.images))


if __name__ == "__main__":
    unittest.main(verbosity=2)
