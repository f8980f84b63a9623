"""Run a rule's job inside the Snakemake process: its own log file, bad input reported plainly.

Why in-process: a `script:` job starts an interpreter and imports pandas, pandera, NumPy and
matplotlib again (1.1-1.6 s of CPU) for milliseconds of work. The rules are `run:` blocks that
call :func:`run`, and the workflow profile sets `force-use-threads`, so Snakemake runs them in
threads of its own process and the imports are paid once (docs/design.md, "Jobs in one
process"). On SLURM each job still runs in its own job step, through the same function.

Because jobs share a process, nothing here touches process-wide state per job: each job's log
records go to its own file through one routing handler (keyed by thread), and the figures'
rcParams are serialized in :func:`surveyflow.rendering.style.figure_context`.

This module is imported when the workflow is parsed: it imports nothing heavy.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import re
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

from surveyflow.errors import InputError

_local = threading.local()
_setup_lock = threading.Lock()
_loaded: dict[str, ModuleType] = {}


class _JobLogRouter(logging.Handler):
    """Hands each record to the log file of the job running in the calling thread (if any)."""

    def emit(self, record: logging.LogRecord) -> None:
        handler = getattr(_local, "handler", None)
        if handler is not None and record.levelno >= handler.level:
            handler.handle(record)


_ROUTER = _JobLogRouter()


def _install_router() -> None:
    root = logging.getLogger()
    with _setup_lock:
        if _ROUTER not in root.handlers:
            root.addHandler(_ROUTER)
            if root.level > logging.INFO or root.level == logging.NOTSET:
                root.setLevel(logging.INFO)
            # matplotlib's PDF backend subsets fonts through fontTools, which logs every table.
            logging.getLogger("fontTools").setLevel(logging.WARNING)


def _script(path: Path) -> ModuleType:
    """The job script at `path` as a module, loaded once per process (thread-safe)."""
    key = str(path.resolve())
    with _setup_lock:
        module = _loaded.get(key)
        if module is None:
            spec = importlib.util.spec_from_file_location(f"surveyflow_job_{path.stem}", path)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            _loaded[key] = module
    return module


def run(script: str | Path, **job: Any) -> InputError | None:
    """Run `main(job)` of the job script `script`, logging to the job's log file.

    `job` holds what Snakemake gives a `run:` block (input, output, params, wildcards, log,
    threads). Returns the InputError that stopped the job, already written to its log, for the
    rule to raise with its one-paragraph message; any other exception is a bug and propagates.
    """
    _install_router()
    log = job.get("log")
    log_path = log[0] if log is not None and len(log) else None
    handler = None
    if log_path:
        handler = logging.FileHandler(log_path, mode="w", encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
        handler.setLevel(logging.INFO)
    _local.handler = handler
    try:
        main: Callable[[Any], None] = _script(Path(script)).main
        main(SimpleNamespace(**job))
    except InputError as exc:
        logging.getLogger("surveyflow").error("%s", exc)
        return exc
    finally:
        _local.handler = None
        if handler is not None:
            handler.close()
    return None


def job_code(scripts_dir: str | Path, script: str, relative_to: str | Path = ".") -> list[str]:
    """The job script and every library file it may import, found by reading the sources.

    These are inputs of the rule, so that editing any of them reruns the job (the modules a
    script imports lazily or names in a registry string count too). Paths are relative to
    `relative_to`, so that a copied project has the same inputs.
    """
    scripts_dir = Path(scripts_dir)
    package = scripts_dir / "surveyflow"
    seen: dict[Path, None] = {}
    todo = [scripts_dir / script, package / "__init__.py", package / "entry.py"]
    while todo:
        path = todo.pop()
        if path in seen or not path.is_file():
            continue
        seen[path] = None
        todo.extend(_imports_of(package, path))
    files = list(seen)
    if package / "rendering" / "fonts.py" in seen:  # the figures' typeface is part of the style
        files += sorted((package / "rendering" / "fonts").glob("*.ttf"))
    return sorted(os.path.relpath(path, relative_to) for path in files)


# Import statements (at any indentation: lazy imports count) and quoted module names (the
# registry of readers). Regular expressions, not `ast`: this runs when the workflow is parsed,
# and building every module's syntax tree would cost each run a quarter of a second.
_FROM = re.compile(
    r"^[ \t]*from[ \t]+(surveyflow[\w.]*)[ \t]+import[ \t]+(\([^)]*\)|[^\n#]+)", re.M
)
_PLAIN = re.compile(r"^[ \t]*import[ \t]+(surveyflow[\w.]*)", re.M)
_QUOTED = re.compile(r"[\"'](surveyflow(?:\.\w+)+)[\"']")


_imports: dict[Path, tuple[Path, ...]] = {}


def _imports_of(package: Path, path: Path) -> tuple[Path, ...]:
    """The library files `path` imports, read once per process (every rule asks again)."""
    if path not in _imports:
        source = path.read_text(encoding="utf-8")
        _imports[path] = tuple(dict.fromkeys(_imported_files(package, source)))
    return _imports[path]


def _imported_files(package: Path, source: str) -> Iterable[Path]:
    """Files of the library that `source` imports, lazily or not, or names as a module."""
    for match in _FROM.finditer(source):
        names = [n for n in re.findall(r"\w+", match.group(2)) if n != "as"]
        yield from _module_files(package, match.group(1), names)
    for match in (*_PLAIN.finditer(source), *_QUOTED.finditer(source)):
        yield from _module_files(package, match.group(1), [])


def _module_files(package: Path, dotted: str, names: list[str]) -> Iterable[Path]:
    parts = dotted.split(".")[1:]
    for depth in range(len(parts) + 1):  # each enclosing package's __init__ runs on import
        yield package.joinpath(*parts[:depth], "__init__.py")
    where = package.joinpath(*parts)
    yield where.with_suffix(".py")
    for name in names:  # `from surveyflow.pkg import module` imports a module
        yield where / f"{name}.py"
        yield where / name / "__init__.py"
