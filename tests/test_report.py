"""The self-contained HTML report (`snakemake --report`), opened in headless Chromium.

The report of the default run is built once per module and driven with Playwright like a reader
would: the home page says the input is synthetic, every paper figure (fig1-fig10) in the
"Figures" category shows its image (the exact PNG of the run, loaded and not blank) and its
generated caption, and the reproduction summary page renders with its table.

Runs against Debian's Chromium only (Playwright's own browser download is not used); without
/usr/bin/chromium the tests skip with the command that installs it, except under CI=true, where
they fail (CI installs it).
"""

from __future__ import annotations

import base64
import io
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from conftest import ROOT, require, snakemake
from PIL import Image
from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 10_000

# Caption facts per figure besides "Figure n" and the synthetic-data note: the synthetic
# export's counts (calibrated to the paper) and the interval drawn (percentile by default).
BOOTSTRAP = "95% percentile bootstrap interval, S = 1000 resamples"
FIGURES = {
    "fig1": ["N = 188 completed responses", "Counts, no inference"],
    "fig2": ["Relevance of the ML life-cycle phases", "N = 188 completed responses"],
    "fig3": ["Difficulty of the ML life-cycle phases", "N = 188 completed responses"],
    "fig4": ["N = 168 respondents", "(Q13)", BOOTSTRAP],
    "fig5": ["N = 168 respondents", "(Q14)", BOOTSTRAP],
    "fig6": ["deployment phase: 99 respondents, 159 coded statements"],
    "fig7": ["N = 160 respondents", "(Q15)", BOOTSTRAP],
    "fig8": ["N = 153 respondents", "(Q16)", BOOTSTRAP],
    "fig9": ["monitoring phase: 77 respondents, 118 coded statements"],
    "fig10": ["N = 169 respondents", BOOTSTRAP, "Mean of the answers:"],
}
SYNTHETIC_NOTE = "Data: the synthetic default export"

# The report app: a side menu (<nav>) and, next to it, the content pane (image, iframe ...).
CONTENT = "#app nav + div"


def rst_text(path: Path) -> str:
    """A caption file's text as the report shows it: no inline markup, whitespace collapsed."""
    return " ".join(path.read_text(encoding="utf-8").replace("**", "").replace("``", "").split())


def pixel_problems(png: bytes) -> list[str]:
    """Why a screenshot of a figure looks blank, if it does."""
    gray = np.asarray(Image.open(io.BytesIO(png)).convert("L"), dtype=float)
    problems = []
    if min(gray.shape) < 100:
        problems.append(f"shown at only {gray.shape[1]}x{gray.shape[0]} px")
    if gray.std() < 20:
        problems.append(f"nearly one colour (grey-level sd {gray.std():.1f})")
    if (ink := (gray < 200).mean()) < 0.05:
        problems.append(f"only {ink:.1%} non-white pixels")
    return problems


@pytest.fixture(scope="module")
def report(default_run, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The report of the shared default run, built once for this module."""
    # copy_project() leaves out report/ (the workflow description and the caption templates).
    if not (default_run.workdir / "report").exists():
        shutil.copytree(ROOT / "report", default_run.workdir / "report")
    # Written outside the run's results/: other tests compare results/ file by file.
    path = tmp_path_factory.mktemp("report") / "report.html"
    run = snakemake(default_run.workdir, "--report", str(path))
    assert run.returncode == 0, run.output
    return path


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    require(CHROMIUM.exists(), f"Debian's Chromium ({CHROMIUM})", "`apt-get install chromium`")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser, report: Path) -> Iterator[Page]:
    """A fresh page with the report loaded (no network: everything is embedded)."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto(report.as_uri())
    expect(page.get_by_role("link", name="Workflow", exact=True)).to_be_visible()
    yield page
    context.close()


def open_category(page: Page, name: str) -> None:
    """Click a category in the side menu (or in the breadcrumbs once inside it)."""
    page.get_by_role("link", name=name, exact=True).click()


def result_row(page: Page, name: str) -> Locator:
    """The row of a result in a category's table, by its label or path."""
    return page.get_by_role("row").filter(has=page.get_by_role("cell", name=name, exact=True))


def test_home_page_says_the_input_is_synthetic(page: Page):
    expect(page.get_by_text("The input is the synthetic default export")).to_be_visible()
    for category in (
        "Cleaning",
        "Estimates",
        "Figures",
        "Provenance",
        "Qualitative analyses",
        "Reproduction check",
    ):
        expect(page.get_by_role("link", name=category, exact=True)).to_be_visible()


def figure_problems(
    page: Page, fig: str, facts: list[str], figures: Path, shots: Path
) -> list[str]:
    """Open one figure from the Figures table; what is wrong with its caption and image."""
    png = (figures / f"{fig}.png").read_bytes()
    # Figures table -> the figure's info pane (caption) -> its eye button (image).
    open_category(page, "Figures")
    result_row(page, fig).locator("a[iconname='information-circle']").click()
    expect(page.get_by_role("link", name=f"results/figures/{fig}.png", exact=True)).to_be_visible()
    page.locator("nav a[iconname='eye']").click()

    problems = []
    caption = page.locator("nav li.prose")  # the "Description" of the info pane
    expect(caption).to_be_visible()
    expect(caption).to_contain_text(f"Figure {fig.removeprefix('fig')} (")
    text = " ".join(caption.inner_text().split())
    problems += [f"caption lacks {fact!r}" for fact in [SYNTHETIC_NOTE, *facts] if fact not in text]
    if text != rst_text(figures / f"{fig}.rst"):
        problems.append(f"caption differs from {fig}.rst: {text!r}")

    # The content pane shows this figure's PNG (its data URI names it), byte for byte, loaded.
    image = page.locator(f"{CONTENT} img")
    expect(image).to_have_attribute("src", re.compile(rf"^data:image/png;.*filename={fig}\.png;"))
    expect(image).to_be_visible()
    if base64.b64decode(image.get_attribute("src").split("base64,", 1)[1]) != png:
        problems.append(f"embedded image differs from {fig}.png")
    natural = image.evaluate(
        "img => img.decode().then(() => [img.naturalWidth, img.naturalHeight], () => [0, 0])"
    )
    if natural[0] == 0:
        problems.append("image not loaded (naturalWidth 0)")
    elif tuple(natural) != Image.open(io.BytesIO(png)).size:
        problems.append(f"natural size {natural} is not the PNG's")

    # What the reader sees: a screenshot of the displayed image, not blank.
    return problems + pixel_problems(image.screenshot(path=shots / f"{fig}.png"))


def test_every_figure_shows_its_image_and_caption(page: Page, default_run, tmp_path: Path):
    figures = default_run.workdir / "results" / "figures"
    problems = {
        fig: figure_problems(page, fig, facts, figures, tmp_path) for fig, facts in FIGURES.items()
    }
    page.screenshot(path=tmp_path / "figure-view.png")  # the last figure with its caption
    assert not {fig: found for fig, found in problems.items() if found}


def test_reproduction_summary_renders_in_the_report(page: Page):
    open_category(page, "Reproduction check")
    result_row(page, "results/reproduction/summary.html").locator("a[iconname='eye']").click()
    summary = page.frame_locator(f"{CONTENT} iframe")  # the page, embedded as a data URI
    expect(
        summary.get_by_role("heading", name="Reproduction check against the paper")
    ).to_be_visible()
    expect(summary.get_by_text("Synthetic input:")).to_be_visible()
    expect(summary.get_by_text(re.compile(r"\d+ of \d+ published values"))).to_be_visible()
    table = summary.get_by_role("table")
    expect(table).to_be_visible()
    expect(table.get_by_role("columnheader", name="status")).to_be_visible()
    expect(table.get_by_role("row", name=re.compile(r"^RQ1\.1 Service "))).to_be_visible()
    assert table.get_by_role("row").count() > 10
