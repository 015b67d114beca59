"""The standalone Voila app notebook executes headless (nbclient, real kernel) and shows the explorer."""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbclient import NotebookClient

import lrlab.explorer

APP = Path(lrlab.explorer.__file__).with_name("app.ipynb")


def test_app_notebook_executes_headless(tmp_path):
    nb = nbformat.read(APP, as_version=4)
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.output_type == "error"]
    assert not [o for o in outputs if o.output_type == "stream" and o.name == "stderr"]
    views = [o for o in outputs if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    assert len(views) == 1
    # the widget state stored in the notebook includes the PNG Image and the scheduler dropdown
    state = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    models = [m["model_name"] for m in state.values()]
    assert "ImageModel" in models and "DropdownModel" in models
