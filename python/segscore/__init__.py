"""segscore: score segmentation masks across a dataset with named, reproducible metrics.

A thin, typed wrapper over the ``segscore`` binary shipped inside this wheel. Every keyword
option maps one to one onto the command-line flag of the same name (``labels="x.json"`` →
``--labels x.json``, ``fail_under=0.8`` → ``--fail-under 0.8``, ``no_include_background=True`` →
``--no-include-background``). A list or tuple repeats a repeatable flag
(``ignore_label=[254, 255]`` → ``--ignore-label 254 --ignore-label 255``) and is joined with
commas for the others (``classes=[1, 2]`` → ``--classes 1,2``).

    >>> import segscore
    >>> report = segscore.evaluate("gt/", "pred/", labels="dataset.json")
    >>> report.aggregate["mean"]
    >>> report.exit_code          # 0 ok, 1 gate failed, 3 data problems
    >>> report.to_pandas()        # per-image, per-class rows (needs pandas)

Errors (usage, configuration: exit 2; or a crash) raise :class:`SegscoreError` with the exit code
and segscore's message. Exit codes 1 (a gate failed) and 3 (data problems) still return the
report; ``check=True`` raises for them too.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional, Sequence, Union

from ._binary import binary_path

__all__ = ["Report", "SegscoreError", "evaluate", "explain", "binary_path", "__version__"]
__version__ = "@VERSION@"

PathLike = Union[str, "os.PathLike[str]"]
OptionValue = Union[str, int, float, bool, "os.PathLike[str]", Sequence[Union[str, int, float]], None]


class SegscoreError(RuntimeError):
    """segscore exited with an error; ``exit_code`` and ``message`` (its stderr) say which."""

    def __init__(self, exit_code: int, message: str, arguments: Sequence[str]) -> None:
        self.exit_code = exit_code
        self.message = message
        self.arguments = list(arguments)
        super().__init__(f"segscore exited with {exit_code}: {message.strip()}")


@dataclass
class Report:
    """The JSON report of one ``evaluate`` run, parsed."""

    raw: Dict[str, Any]
    exit_code: int
    stderr: str = ""
    aggregate: Dict[str, Any] = field(init=False)
    classes: List[Dict[str, Any]] = field(init=False)
    images: List[Dict[str, Any]] = field(init=False)
    config: Dict[str, Any] = field(init=False)

    def __post_init__(self) -> None:
        self.aggregate = dict(self.raw.get("aggregate") or {})
        self.classes = list(self.raw.get("classes") or [])
        self.images = list(self.raw.get("images") or [])
        self.config = dict(self.raw.get("config") or {})

    @property
    def passed(self) -> bool:
        """True when segscore exited with 0 (every gate passed, no data problem)."""
        return self.exit_code == 0

    def to_pandas(self) -> Any:
        """One row per image and class (``key``, ``class``, then the per-class values)."""
        try:
            import pandas  # type: ignore[import-not-found]
        except ImportError as error:  # pragma: no cover - depends on the environment
            raise ImportError("Report.to_pandas() needs pandas: pip install pandas") from error
        rows = []
        for image in self.images:
            for entry in image.get("classes") or []:
                row = {"key": image.get("key")}
                row.update({k: v for k, v in entry.items() if not isinstance(v, (dict, list))})
                rows.append(row)
        return pandas.DataFrame(rows)


# The flags segscore takes more than once; every other list option is one comma-separated value.
REPEATABLE = frozenset(
    {"gt_suffix", "pred_suffix", "roi_suffix", "ignore_label", "fail_under_class", "fail_over_class", "fail_over"}
)


def _text(value: Union[str, int, float, "os.PathLike[str]"]) -> str:
    return os.fspath(value) if isinstance(value, os.PathLike) else str(value)


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def _arguments(options: Mapping[str, OptionValue]) -> List[str]:
    arguments: List[str] = []
    for name, value in options.items():
        if value is None or value is False:
            continue
        flag = _flag(name)
        if value is True:
            arguments.append(flag)
        elif isinstance(value, (list, tuple)):
            if name in REPEATABLE:
                for item in value:
                    arguments += [flag, _text(item)]
            else:
                arguments += [flag, ",".join(_text(item) for item in value)]
        else:
            arguments += [flag, _text(value)]
    return arguments


def _run(arguments: Sequence[str]) -> "subprocess.CompletedProcess[str]":
    return subprocess.run([str(binary_path())] + list(arguments), capture_output=True, text=True)


def evaluate(gt: PathLike, pred: PathLike, *, check: bool = False, **options: OptionValue) -> Report:
    """Runs ``segscore evaluate GT PRED`` with ``options`` and returns the parsed JSON report.

    ``json`` is chosen here (a temporary file); every other report option (``csv=``, ``markdown=``,
    ``html=``…) is passed through. Raises :class:`SegscoreError` on exit 2 (usage or
    configuration), on any other unexpected exit, and, with ``check=True``, on exits 1 and 3.
    """
    if "json" in options:
        raise ValueError("evaluate() writes the JSON report itself; read it from the returned Report")
    with tempfile.TemporaryDirectory(prefix="segscore-") as folder:
        report_path = os.path.join(folder, "report.json")
        arguments = ["evaluate", os.fspath(gt), os.fspath(pred), "--json", report_path] + _arguments(options)
        done = _run(arguments)
        if done.returncode not in (0, 1, 3) or not os.path.exists(report_path):
            raise SegscoreError(done.returncode, done.stderr, arguments)
        with open(report_path, encoding="utf-8") as handle:
            report = Report(json.load(handle), done.returncode, done.stderr)
    if check and done.returncode != 0:
        raise SegscoreError(done.returncode, done.stderr, arguments)
    return report


def explain(*, json_output: bool = True, **options: OptionValue) -> Union[Dict[str, Any], str]:
    """Runs ``segscore explain`` with ``options``; the parsed JSON (or the text with ``json_output=False``)."""
    arguments = ["explain"] + _arguments(options) + (["--json"] if json_output else [])
    done = _run(arguments)
    if done.returncode != 0:
        raise SegscoreError(done.returncode, done.stderr, arguments)
    return json.loads(done.stdout) if json_output else done.stdout
