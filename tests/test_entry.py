"""Jobs in one process (surveyflow.entry): per-job logs, bad input, the inputs of a rule's code,
and figures drawn in threads at once that come out as they do alone."""

from __future__ import annotations

import logging
import re
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace

import pytest
from conftest import ROOT, snakemake

from surveyflow import entry
from surveyflow.errors import InputError
from surveyflow.rendering import style
from surveyflow.rendering.bars import estimate_bars

SCRIPTS = ROOT / "scripts"


def _job_script(tmp_path: Path, name: str, body: str) -> Path:
    path = tmp_path / f"{name}.py"
    path.write_text(f"import logging\n\n\ndef main(job):\n{body}", encoding="utf-8")
    return path


def test_jobs_in_threads_each_write_only_their_own_log(tmp_path):
    script = _job_script(
        tmp_path,
        "chatty",
        "    log = logging.getLogger('chatty')\n"
        "    for i in range(200):\n"
        "        log.info('%s line %d', job.params.name, i)\n"
        "        job.params.barrier.wait() if i == 100 else None\n",
    )
    barrier = threading.Barrier(4)  # all four jobs are mid-way at the same moment
    logs = [tmp_path / f"job{i}.log" for i in range(4)]
    errors = []

    def one(i: int) -> None:
        params = SimpleNamespace(name=f"job{i}", barrier=barrier)
        errors.append(entry.run(script, params=params, log=[str(logs[i])]))

    threads = [threading.Thread(target=one, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [None] * 4
    for i, log in enumerate(logs):
        lines = log.read_text(encoding="utf-8").splitlines()
        assert lines == [f"INFO job{i} line {n}" for n in range(200)]


def test_bad_input_is_returned_with_its_message_and_logged(tmp_path):
    script = _job_script(
        tmp_path,
        "bad",
        "    from surveyflow.errors import InputError\n"
        "    raise InputError('column d7 is not a number.', path='x.csv', hint='fix row 3.')\n",
    )
    log = tmp_path / "bad.log"
    error = entry.run(script, log=[str(log)])
    assert isinstance(error, InputError)
    assert "x.csv" in str(error) and "fix row 3." in str(error)
    assert log.read_text(encoding="utf-8").startswith("ERROR ")
    assert "column d7 is not a number." in log.read_text(encoding="utf-8")


def test_a_bug_is_not_taken_for_bad_input(tmp_path):
    script = _job_script(tmp_path, "buggy", "    return {}['missing']\n")
    with pytest.raises(KeyError):
        entry.run(script, log=[])
    # The thread carries no job's log handler afterwards.
    logging.getLogger("after").info("not routed")


def _code(rule: str) -> set[str]:
    files = entry.job_code(SCRIPTS, f"{rule}.py", relative_to=ROOT)
    return {path.removeprefix("scripts/surveyflow/") for path in files}


def test_a_jobs_code_is_its_script_and_what_it_imports():
    bootstrap = _code("bootstrap")
    assert {
        "scripts/bootstrap.py",
        "estimating/bootstrap.py",
        "estimating/analyses.py",
    } <= bootstrap
    assert {"entry.py", "errors.py", "__init__.py", "estimating/__init__.py"} <= bootstrap
    # Nothing the bootstrap job does not import: no figure, no reader, no HTTP client.
    assert not {p for p in bootstrap if p.startswith(("rendering/", "reading/", "publishing/"))}


def test_the_ingest_job_depends_on_every_reader_it_may_pick():
    # `export.tool: auto` imports the reader by name from the registry (a string, not an import).
    readers = {p.name for p in (SCRIPTS / "surveyflow" / "reading").glob("*.py")}
    assert {f"reading/{name}" for name in readers} <= _code("ingest")


def test_a_figure_job_depends_on_the_fonts_it_draws_with():
    code = _code("figure_estimates")
    assert {"rendering/style.py", "rendering/fonts.py"} <= code
    assert {
        f"rendering/fonts/{p.name}" for p in (SCRIPTS / "surveyflow/rendering/fonts").glob("*.ttf")
    } <= code


def test_figures_drawn_in_threads_at_once_are_the_figures_drawn_alone(built, tmp_path):
    from surveyflow.checking.schemas import read_estimates

    tables = {
        name: read_estimates(built / f"results/{name}/estimates.csv")
        for name in ("rq1_1", "rq1_2", "rq3_1", "rq3_2", "rq5")
    }

    def draw(name: str, where: Path) -> None:
        table = tables[name]
        fig = estimate_bars(
            table,
            title=name,
            n=int(table["n"].iloc[0]),
            interval="percentile",
            paper_label=name,
            figure_number=4,
        )
        style.save_figure(fig, where / f"{name}.pdf", where / f"{name}.png")

    alone, together = tmp_path / "alone", tmp_path / "together"
    for name in tables:
        draw(name, alone)
    threads = [threading.Thread(target=draw, args=(name, together)) for name in tables]
    # Switch threads every few microseconds instead of every 5 ms, so that the figures really
    # interleave (without the style's lock, one thread's rcParams reach another's figure).
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    for name in tables:
        for suffix in (".pdf", ".png"):
            assert (together / f"{name}{suffix}").read_bytes() == (
                alone / f"{name}{suffix}"
            ).read_bytes(), f"{name}{suffix}"


def test_the_stages_table_lists_the_modules_each_job_imports():
    # docs/stages.md's module column is what job_code finds (the rule's inputs), so the page
    # cannot drift from the code: a module added to a job appears there or this fails.
    common = {"__init__", "errors", "io", "config", "entry"}
    rows = 0
    for line in (ROOT / "docs/stages.md").read_text(encoding="utf-8").splitlines():
        cells = line.split(" | ")
        scripts = re.findall(r"`(\w+)\.py`", cells[2]) if len(cells) > 3 else []
        if not line.startswith("| ") or not scripts:
            continue
        listed = set(re.findall(r"`([\w/]+)`", cells[3]))
        found = set()
        for script in scripts:
            for path in entry.job_code(SCRIPTS, f"{script}.py", relative_to=SCRIPTS / "surveyflow"):
                module = path.removesuffix(".py")
                if path.endswith(".py") and not path.startswith("..") and module not in common:
                    found.add(module)
        found -= {m for m in found if m.endswith("/__init__") and m != "reading/__init__"}
        assert listed == found, f"{scripts}: listed {sorted(listed ^ found)} differ"
        rows += 1
    assert rows >= 15


def test_jobs_in_processes_of_their_own_give_the_bytes_of_jobs_in_threads(built):
    # Without the workflow profile's force-use-threads (another profile; on SLURM, every job's
    # own job step) Snakemake runs each `run:` job in a Snakemake process of its own: the same
    # run_job, the same bytes.
    outputs = [
        "results/rq1_1/estimates.csv",
        "results/figures/fig4.pdf",
        "results/figures/fig4.png",
    ]
    threaded = {path: (built / path).read_bytes() for path in outputs}
    run = snakemake(
        built,
        "rq1_1",
        "--workflow-profile",
        "none",
        "--forcerun",
        "bootstrap",
        "figure_estimates",
    )
    assert run.returncode == 0, run.output
    assert "rq1_1: n = " in (built / "results/logs/bootstrap_rq1_1.log").read_text("utf-8")
    for path in outputs:
        assert (built / path).read_bytes() == threaded[path], path


def test_warnings_reach_the_terminal_and_information_only_the_log(tmp_path, capfd):
    script = _job_script(
        tmp_path,
        "warns",
        "    logging.getLogger('warns').info('read 3 rows')\n"
        "    logging.getLogger('warns').warning('codebook lists a variable the data lacks')\n",
    )
    log = tmp_path / "warns.log"
    assert entry.run(script, log=[str(log)]) is None
    assert log.read_text("utf-8").splitlines() == [
        "INFO read 3 rows",
        "WARNING codebook lists a variable the data lacks",
    ]
    err = capfd.readouterr().err
    assert "WARNING codebook lists a variable the data lacks" in err
    assert "read 3 rows" not in err


def _loaded_modules(script: Path) -> set[str]:
    code = (
        "import importlib.util, sys; sys.path.insert(0, sys.argv[2]); "
        "spec = importlib.util.spec_from_file_location('job', sys.argv[1]); "
        "spec.loader.exec_module(importlib.util.module_from_spec(spec)); "
        "print('\\n'.join(m for m in sys.modules if m.split('.')[0] == 'surveyflow'))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(script), str(SCRIPTS)],
        capture_output=True,
        text=True,
        check=True,
    )
    return set(done.stdout.split())


def test_job_code_lists_every_library_module_a_job_script_loads():
    # Independent of job_code's reading of the sources: what Python actually imports.
    scripts = sorted(p for p in SCRIPTS.glob("*.py") if "def main(job" in p.read_text("utf-8"))
    assert len(scripts) >= 18
    with ThreadPoolExecutor(max_workers=2) as pool:
        loaded = dict(zip(scripts, pool.map(_loaded_modules, scripts), strict=True))
    for script, modules in loaded.items():
        listed = entry.job_code(SCRIPTS, script.name, relative_to=SCRIPTS)
        listed_modules = {
            ".".join(Path(p).with_suffix("").parts).removesuffix(".__init__")
            for p in listed
            if p.endswith(".py") and p.startswith("surveyflow")
        }
        missing = modules - listed_modules
        assert not missing, f"{script.name} loads {sorted(missing)}, not among its inputs"
