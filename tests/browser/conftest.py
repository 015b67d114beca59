"""Fixtures for the browser suite: a Chromium found on this machine, one JupyterLab server per session,
a Voila server for the standalone explorer app, and a fresh browser page per test.

Chromium: ``LRLAB_CHROMIUM``, /usr/bin/chromium, or chromium/chromium-browser/google-chrome on PATH
(install with scripts/install_chromium.sh; ``playwright install`` is not used). Without one the tests
skip loudly, except under ``CI`` where a missing Chromium fails them.
"""

from __future__ import annotations

import os
import shutil
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from .lab import REPO_ROOT
from .servers import Server, copy_tree, start_jupyterlab, start_voila

NOTEBOOKS_DIR = REPO_ROOT / "notebooks"
EXPLORER_DIR = REPO_ROOT / "src" / "lrlab" / "explorer"
HARNESS_NOTEBOOK = "_harness_interact.ipynb"
BROKEN_NOTEBOOK = "_harness_broken.ipynb"

# The kernel runs the reference schedulers (a learner who has finished the exercises) and short runs.
KERNEL_ENV = {"LRLAB_SCHEDULERS": "solutions", "LRLAB_TEST": "1"}


def find_chromium() -> str | None:
    """Path of a Chromium/Chrome executable, or None."""
    explicit = os.environ.get("LRLAB_CHROMIUM")
    if explicit:
        return explicit if os.access(explicit, os.X_OK) else None
    if os.access("/usr/bin/chromium", os.X_OK):
        return "/usr/bin/chromium"
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = find_chromium()
    if path is None:
        message = (
            "NO CHROMIUM FOUND: the browser tests (real JupyterLab/Voila in headless Chromium) did NOT run. "
            "Install it with scripts/install_chromium.sh or set LRLAB_CHROMIUM=/path/to/chromium."
        )
        if os.environ.get("CI"):
            pytest.fail(f"{message} (CI is set, so this is a failure, not a skip)", pytrace=False)
        warnings.warn(message, stacklevel=1)
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def browser(chromium_path: str):
    from playwright.sync_api import sync_playwright

    pw = sync_playwright().start()
    browser = pw.chromium.launch(
        executable_path=chromium_path,
        headless=True,
        args=["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"],
    )
    yield browser
    browser.close()
    pw.stop()


@pytest.fixture(scope="session")
def browser_context(browser):
    """One context for the session, so JupyterLab's JS bundles are fetched and compiled once (HTTP cache);
    every test still opens its own page, and notebooks are opened with ``?reset``."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, device_scale_factor=1)
    yield context
    context.close()


@pytest.fixture
def page(browser_context):
    page = browser_context.new_page()
    page.set_default_timeout(30_000)
    console_errors: list[str] = []
    page.on("pageerror", lambda exc: console_errors.append(str(exc)))
    page.console_errors = console_errors  # type: ignore[attr-defined]
    yield page
    page.close()


def _write_harness_notebook(path: Path) -> None:
    """A minimal notebook of our own (interact slider + inline matplotlib) to prove the harness works."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Harness check: one slider, one plot"),
        nbformat.v4.new_code_cell(
            "import matplotlib.pyplot as plt\n"
            "import numpy as np\n"
            "from ipywidgets import FloatSlider, interact\n"
            "\n"
            "@interact(gamma=FloatSlider(value=0.5, min=0.1, max=0.99, step=0.01, description='gamma'))\n"
            "def show(gamma):\n"
            "    t = np.arange(50)\n"
            "    plt.figure(figsize=(5, 3))\n"
            "    plt.plot(t, 0.1 * gamma ** t)\n"
            "    plt.title(f'ExponentialLR gamma={gamma:.2f}')\n"
            "    plt.show()\n"
        ),
    ]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    nbformat.write(nb, path)


def _write_broken_notebook(path: Path) -> None:
    """A negative control: a slider whose plot ignores it, then a cell that raises."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(
            "import matplotlib.pyplot as plt\n"
            "from ipywidgets import FloatSlider, interact\n"
            "\n"
            "@interact(gamma=FloatSlider(value=0.5, min=0.1, max=0.99, step=0.01, description='gamma'))\n"
            "def show(gamma):\n"
            "    plt.figure(figsize=(4, 2))\n"
            "    plt.plot([0, 1], [1, 0])  # ignores gamma: the plot never changes\n"
            "    plt.show()\n"
        ),
        nbformat.v4.new_code_cell("raise ValueError('gamma must be in (0, 1]: harness negative control')"),
        nbformat.v4.new_code_cell("print('never reached')"),
    ]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    nbformat.write(nb, path)


@pytest.fixture(scope="session")
def lab_server(chromium_path: str, harness_notebook: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A real JupyterLab 4 serving a temp copy of notebooks/ (plus the harness notebook)."""
    base = tmp_path_factory.mktemp("jupyterlab")
    root = base / "root"
    root.mkdir()
    if NOTEBOOKS_DIR.is_dir():
        copy_tree(NOTEBOOKS_DIR, root)
    shutil.copy(harness_notebook, root / HARNESS_NOTEBOOK)
    _write_broken_notebook(root / BROKEN_NOTEBOOK)
    server = start_jupyterlab(root, base / "jupyter", env_extra=KERNEL_ENV)
    yield server
    server.stop()


def find_voila_app() -> Path | None:
    """The standalone explorer app notebook: src/lrlab/explorer/app.ipynb or the first apps/*.ipynb."""
    app = EXPLORER_DIR / "app.ipynb"
    if app.is_file():
        return app
    candidates = sorted((EXPLORER_DIR / "apps").glob("*.ipynb")) if (EXPLORER_DIR / "apps").is_dir() else []
    return candidates[0] if candidates else None


@pytest.fixture(scope="session")
def harness_notebook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("harness") / HARNESS_NOTEBOOK
    _write_harness_notebook(path)
    return path


@pytest.fixture(scope="session")
def voila_server(chromium_path: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    app = find_voila_app()
    if app is None:
        pytest.fail(
            f"no Voila explorer app found (looked for {EXPLORER_DIR / 'app.ipynb'} and "
            f"{EXPLORER_DIR / 'apps'}/*.ipynb)", pytrace=False,
        )
    base = tmp_path_factory.mktemp("voila")
    server = start_voila(app, base, env_extra=KERNEL_ENV)
    yield server
    server.stop(grace_s=2.0)
