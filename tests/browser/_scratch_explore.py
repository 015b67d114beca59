import nbformat
import pytest

from .lab import NB, SLIDER, handle_value, move_slider, notebook_problems, open_notebook, region_problems, run_all_cells, screenshot_dir, wait_for_plot, wait_for_plot_change


@pytest.mark.parametrize("name", ["StepLR", "CyclicLR", "OneCycleLR"])
def test_scratch(page, lab_server, name):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(f"import lrlab\nfrom lrlab.explorer import explore\nexplore({name!r})")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    nbformat.write(nb, lab_server.root / f"scratch_{name}.ipynb")
    open_notebook(page, lab_server.url(f"/lab/tree/scratch_{name}.ipynb", reset=""))
    print(run_all_cells(page), notebook_problems(page))
    explorer = page.locator(f"{NB} .jp-CodeCell:has({SLIDER})").first
    region = explorer.locator(".jp-Cell-outputArea")
    from .lab import move_and_redraw, pick_slider
    slider = pick_slider(region)
    r = move_and_redraw(page, region, slider)
    print(r, handle_value(slider), region_problems(region))
    region.screenshot(path=str(screenshot_dir() / f"scratch-{name}.png"))
    lab_server.shutdown_kernels()
