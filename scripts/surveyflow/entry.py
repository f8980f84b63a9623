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
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

from surveyflow.errors import InputError

_local = threading.local()
_setup_lock = threading.Lock()
_loaded: dict[str, ModuleType] = {}


class _JobLogRouter(logging.Handler):
    """Hands each record to the log file of the job running in the calling thread (if any),
    and warnings and errors, from any thread, to stderr too: the user sees them in the
    terminal as before, not only in a log file."""

    def emit(self, record: logging.LogRecord) -> None:
        handler = getattr(_local, "handler", None)
        if handler is not None and record.levelno >= handler.level:
            handler.handle(record)
        if record.levelno >= logging.WARNING:
            _STDERR.handle(record)


class _Stderr(logging.StreamHandler):
    """A StreamHandler to whatever `sys.stderr` is when it writes (it may be redirected)."""

    @property
    def stream(self):  # type: ignore[override]
        return sys.stderr

    @stream.setter
    def stream(self, value) -> None:  # set by StreamHandler.__init__; always sys.stderr
        pass


_STDERR = _Stderr()
_STDERR.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
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

    `job` holds what Snakemake gives a `run:` block (input, output, params, wildcards, log).
    Returns the InputError that stopped the job, already written to its log, for the rule to
    raise with its one-paragraph message; any other exception is a bug and propagates.
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
        # To the job's log only: the rule raises it, and Snakemake prints it once.
        if handler is not None:
            handler.handle(
                logging.makeLogRecord(
                    {"levelno": logging.ERROR, "levelname": "ERROR", "msg": str(exc)}
                )
            )
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
    scripts_dir = Path(scripts_dir).resolve()
    modules = _library(scripts_dir)
    files = {scripts_dir / script: None}
    todo = ["surveyflow", "surveyflow.entry", *_imports_of(scripts_dir / script, modules)]
    while todo:
        module = todo.pop()
        path = modules.get(module)
        if path is None or path in files:
            continue
        files[path] = None
        todo.extend(_imports_of(path, modules))
    fonts = modules.get(".".join(_FONTS_MODULE))
    if fonts in files:  # the figures' typeface is part of the style
        files.update(dict.fromkeys(sorted((fonts.parent / "fonts").glob("*.ttf"))))
    return sorted(os.path.relpath(path, relative_to) for path in files)


# Spelled in parts: a quoted dotted name here would make every job depend on the fonts.
_FONTS_MODULE = ("surveyflow", "rendering", "fonts")
_libraries: dict[Path, dict[str, Path]] = {}


def _library(scripts_dir: Path) -> dict[str, Path]:
    """Every module of the library by dotted name (a package by its name: its __init__.py)."""
    if scripts_dir not in _libraries:
        modules = {}
        for path in (scripts_dir / "surveyflow").rglob("*.py"):
            parts = path.relative_to(scripts_dir).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            modules[".".join(parts)] = path
        _libraries[scripts_dir] = modules
    return _libraries[scripts_dir]


# Import statements (at any indentation: lazy imports count) and quoted module names (the
# registry of readers). Regular expressions, not `ast`: this runs when the workflow is parsed,
# and building every module's syntax tree would cost each run a quarter of a second.
_FROM = re.compile(
    r"^[ \t]*from[ \t]+(surveyflow[\w.]*)[ \t]+import[ \t]+"
    r"(\((?:[^()#]|#[^\n]*)*\)|(?:[^\n#\\]|\\\n)+)",
    re.M,
)
_PLAIN = re.compile(r"^[ \t]*import[ \t]+(surveyflow[\w.]*)", re.M)
_QUOTED = re.compile(r"[\"'](surveyflow(?:\.\w+)+)[\"']")
_imports: dict[Path, tuple[str, ...]] = {}


def _imported_names(clause: str) -> list[str]:
    """The names of `from x import <clause>`, without aliases, comments or line breaks."""
    clause = re.sub(r"#[^\n]*", "", clause).strip("()\\ \n")
    return [part.split()[0] for part in clause.replace("\\\n", " ").split(",") if part.split()]


def _imports_of(path: Path, modules: dict[str, Path]) -> tuple[str, ...]:
    """The library modules `path` imports (with their enclosing packages), read once per
    process: every rule asks again."""
    if path not in _imports:
        source = path.read_text(encoding="utf-8")
        found: dict[str, None] = {}
        for match in _FROM.finditer(source):
            found[match.group(1)] = None
            for name in _imported_names(match.group(2)):  # `from pkg import module`
                found[f"{match.group(1)}.{name}"] = None
        for match in (*_PLAIN.finditer(source), *_QUOTED.finditer(source)):
            found[match.group(1)] = None
        names: dict[str, None] = {}
        for dotted in found:
            parts = dotted.split(".")
            for depth in range(1, len(parts) + 1):  # each enclosing package's __init__ runs
                names[".".join(parts[:depth])] = None
        _imports[path] = tuple(name for name in names if name in modules)
    return _imports[path]
