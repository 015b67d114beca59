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


def _one_seed(lr: np.ndarray, seed: int, epochs: int, batch_size: int = 64) -> tuple[list[float], list[float]]:
    """The unbatched reference: one MLP, one optimizer, one generator (the loop train_seeds batches)."""
    import torch
    import torch.nn.functional as F

    from lrlab.training.data import load_digits_data
    from lrlab.training.model import make_model

    data = load_digits_data()
    lrs = stretch(lr, epochs * data.steps_per_epoch(batch_size))
    net = make_model("mlp", seed=seed)
    opt = torch.optim.SGD(net.parameters(), lr=float(lrs[0]), momentum=0.9)
    gen = torch.Generator().manual_seed(seed)
    losses, accs, i = [], [], 0
    for _ in range(epochs):
        perm = torch.randperm(data.n_train, generator=gen)
        tot = 0.0
        for b in range(0, data.n_train, batch_size):
            opt.param_groups[0]["lr"] = float(lrs[i])
            idx = perm[b:b + batch_size]
            out = F.cross_entropy(net(data.x_train[idx]), data.y_train[idx])
            opt.zero_grad()
            out.backward()
            opt.step()
            tot += float(out.detach()) * len(idx)
            i += 1
        losses.append(tot / data.n_train)
        with torch.no_grad():
            accs.append(float((net(data.x_val).argmax(1) == data.y_val).float().mean()))
    return losses, accs


def test_batched_seeds_equal_separate_runs():
    lr = np.linspace(0.2, 0.01, 30)
    res = train_seeds(lr, seeds=3, epochs=2)
    for s in (0, 2):
        loss, acc = _one_seed(lr, s, 2)
        assert np.allclose(res["loss"][s], loss, rtol=1e-4)
        assert np.allclose(res["acc"][s], acc, atol=1.5 / 360)  # at most one image may flip on rounding
