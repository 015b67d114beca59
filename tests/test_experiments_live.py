"""lrlab.explorer.live: stretching, seeded training, cancellation and the widget's background run."""

from __future__ import annotations

import numpy as np
import pytest

from lrlab.explorer.live import Cancelled, LiveTraining, stretch, train_seeds


def test_stretch_maps_the_schedule_onto_the_budget():
    out = stretch(np.array([1.0, 2.0, 3.0, 4.0]), 8)
    assert out.tolist() == [1, 1, 2, 2, 3, 3, 4, 4]
    with pytest.raises(ValueError):
        stretch(np.array([np.nan]), 3)


def test_train_seeds_learns_and_cancels():
    res = train_seeds(np.full(10, 0.1), seeds=2, epochs=2)
    assert res["acc"].shape == (2, 2) and res["acc"][:, -1].min() > 0.8
    assert res["acc"][0, -1] != res["acc"][1, -1] or res["loss"][0, -1] != res["loss"][1, -1]
    with pytest.raises(Cancelled):
        train_seeds(np.full(10, 0.1), seeds=2, epochs=2, cancelled=lambda: True)
    with pytest.raises(ValueError):
        train_seeds(np.full(10, 0.1), seeds=0)


def test_widget_trains_in_background_and_a_newer_request_wins():
    live = LiveTraining(lambda: (np.full(10, 0.1), None), seeds=2, epochs=2)
    live.toggle.value = True          # starts a run
    live.request()                    # supersedes it
    assert live.done.wait(30)
    assert live.image.value and "2 seeds" in live.status.value
    bad = LiveTraining(lambda: (_ for _ in ()).throw(ValueError("bad settings")), seeds=2, epochs=1)
    bad.toggle.value = True
    assert bad.done.wait(30) and "bad settings" in bad.status.value


def test_explorer_panel_trains_the_schedule_on_its_sliders():
    from lrlab.explorer import explore

    panel = explore("StepLR", module=False)
    assert panel.live in panel.children and panel.live.toggle.value is False
    assert panel.plot_row in panel.children and panel.image not in panel.children
    assert panel.plot_row.children == (panel.image, panel.live.image)  # the bands beside the LR curve
    assert panel.live.image.layout.display == "none"  # hidden until trained
    lr, _ = panel.live.settings()
    assert lr.shape[0] == panel.steps_slider.value
    panel.live.seeds, panel.live.epochs = 2, 1
    panel.live.toggle.value = True
    assert panel.live.done.wait(30) and "2 seeds" in panel.live.status.value
    assert panel.live.image.value and panel.live.image.layout.display is None
    panel.live.toggle.value = False
    assert panel.live.image.layout.display == "none"
