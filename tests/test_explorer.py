"""lrlab.explorer driven programmatically: real ipywidgets, real matplotlib (Agg), torch as the oracle."""

from __future__ import annotations

import sys
import types
import warnings

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
import torch

from lrlab import catalog
from lrlab.explorer import compare, explore, synthetic_metric, warmup_composer
from lrlab.explorer.app import app
from lrlab.explorer.params import CLOSED_FORM, CYCLES_MOMENTUM, default_values, to_kwargs

TL = torch.optim.lr_scheduler


def torch_run(build, steps, lr=0.1, momentum=None):
    """Oracle: step a torch (or learner) scheduler built on a 1-group SGD; (lr, momentum) per step."""
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=lr, momentum=momentum or 0.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sched = build(opt)
        lrs, moms = [], []
        for t in range(steps):
            if t:
                sched.step()
            lrs.append(opt.param_groups[0]["lr"])
            moms.append(opt.param_groups[0]["momentum"])
    return np.array(lrs), np.array(moms)


def torch_values(name, steps, lr=0.1, **kw):
    mom = 0.9 if name in CYCLES_MOMENTUM else None
    return torch_run(lambda opt: catalog.torch_class(name)(opt, **kw), steps, lr, mom)  # SWALR: swa_utils


def learner_module(code: str) -> types.ModuleType:
    mod = types.ModuleType("fake_learner")
    exec(code, mod.__dict__)  # noqa: S102 - test fixture
    return mod


PURE_STEPLR = '''
class StepLR:
    def __init__(self, optimizer, step_size, gamma=0.1, last_epoch=-1):
        self.optimizer, self.step_size, self.gamma = optimizer, step_size, gamma
        self.base = [g["lr"] for g in optimizer.param_groups]
        self.last_epoch = 0
        self._write()
    def _write(self):
        for g, b in zip(self.optimizer.param_groups, self.base):
            g["lr"] = b * self.gamma ** ((self.last_epoch + OFFSET) // self.step_size)
    def step(self):
        self.last_epoch += 1
        self._write()
    def get_last_lr(self):
        return [g["lr"] for g in self.optimizer.param_groups]
'''


def lr_line(panel, label="torch"):
    return panel.figure.line_data("lr")[label][1]


# --- tests ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", CLOSED_FORM)
def test_every_closed_form_scheduler_draws_torch(name):
    steps = 80
    panel = explore(name, steps=steps, module=False)
    assert panel.error is None, panel.message_text
    assert panel.image.value[:8] == b"\x89PNG\r\n\x1a\n"
    kwargs = to_kwargs(name, {**default_values(name, steps)})
    want_lr, want_mom = torch_values(name, steps, lr=panel.lr, **kwargs)
    np.testing.assert_allclose(lr_line(panel), want_lr, rtol=1e-9, atol=1e-12 * panel.lr)
    mom = panel.figure.line_data("mom")
    if name in CYCLES_MOMENTUM:
        np.testing.assert_allclose(mom["torch"][1], want_mom, rtol=1e-9)
        assert panel.figure.ax_mom.get_visible()
    else:
        assert not mom and not panel.figure.ax_mom.get_visible()


def test_slider_change_redraws_with_torch_values():
    panel = explore("StepLR", steps=100, step_size=30, gamma=0.1, module=False)
    before = lr_line(panel).copy()
    png = panel.image.value
    panel.param_widgets["gamma"].value = 0.5
    after = lr_line(panel)
    assert not np.array_equal(before, after) and panel.image.value != png
    np.testing.assert_allclose(after, torch_values("StepLR", 100, step_size=30, gamma=0.5)[0], rtol=1e-9)
    panel.lr_slider.value = 1.0
    np.testing.assert_allclose(lr_line(panel), torch_values("StepLR", 100, 1.0, step_size=30, gamma=0.5)[0],
                               rtol=1e-9)
    panel.steps_slider.value = 20  # step_size slider follows the budget (clamped to 20)
    assert panel.param_widgets["step_size"].max == 20 and panel.param_widgets["step_size"].value == 20
    assert lr_line(panel).size == 20 and panel.error is None
    assert panel.figure.ax.get_xlim() == (0, 19)


def test_log_toggle():
    panel = explore("ExponentialLR", steps=200, gamma=0.95, module=False)
    data, png = lr_line(panel).copy(), panel.image.value
    panel.log_toggle.value = True
    assert panel.figure.ax.get_yscale() == "log" and panel.image.value != png
    np.testing.assert_array_equal(lr_line(panel), data)
    lo, hi = panel.figure.ax.get_ylim()
    assert lo <= data.min() and hi >= data.max() and lo > 0
    panel.log_toggle.value = False
    assert panel.figure.ax.get_yscale() == "linear"


@pytest.mark.parametrize("name, setup, change, words", [
    ("MultiStepLR", {}, ("milestones", "10, x"), "milestones"),
    ("MultiStepLR", {}, ("milestones", "10, -3"), "milestones"),
])
def test_invalid_value_shows_message_and_keeps_last_plot(name, setup, change, words):
    panel = explore(name, steps=60, module=False, **setup)
    data, png = lr_line(panel).copy(), panel.image.value
    panel.param_widgets[change[0]].value = change[1]
    assert panel.error is not None and words in panel.error
    assert "Not drawn" in panel.message.value and words in panel.message.value
    np.testing.assert_array_equal(lr_line(panel), data)
    assert panel.image.value == png


def test_steps_beyond_onecycle_total_is_refused_then_recovers():
    panel = explore("OneCycleLR", steps=100, total_steps=100, module=False)
    panel.steps_slider.value = 150
    assert "total_steps" in panel.error and lr_line(panel).size == 100
    panel.param_widgets["total_steps"].value = 149
    assert panel.error is None and lr_line(panel).size == 150
    np.testing.assert_allclose(
        lr_line(panel), torch_values("OneCycleLR", 150, **to_kwargs("OneCycleLR", panel.values))[0], rtol=1e-9)


def test_learner_stub_gives_friendly_note():
    stub = learner_module('class StepLR:\n    def __init__(self, *a, **k):\n        raise NotImplementedError('
                          '"StepLR.__init__ is not implemented yet (exercises/schedulers/step.py)")\n')
    panel = explore("StepLR", steps=50, module=stub)
    assert panel.error is None
    assert "not implemented yet" in panel.message_text and "Traceback" not in panel.message.value
    assert list(panel.figure.line_data("lr")) == ["torch"]
    assert not panel.figure.marker.get_visible()
    other = learner_module("class StepLR:\n    def __init__(self, *a, **k):\n        1 / 0\n")
    panel = explore("StepLR", steps=50, module=other)
    assert "ZeroDivisionError" in panel.message_text and panel.error is None
    panel = explore("CyclicLR", steps=50, module=other)
    assert "has no class CyclicLR" in panel.message_text


@pytest.mark.parametrize("step_size", [10, 7])
def test_learner_that_differs_is_marked_at_first_difference(step_size):
    buggy = learner_module(PURE_STEPLR.replace("OFFSET", "1"))  # decays one step early
    panel = explore("StepLR", steps=60, step_size=step_size, gamma=0.5, module=buggy)
    lines = panel.figure.line_data("lr")
    assert set(lines) == {"torch", "your StepLR"}
    expected_first = step_size - 1
    np.testing.assert_allclose(lines["your StepLR"][1], 0.1 * 0.5 ** ((np.arange(60) + 1) // step_size))
    assert panel.figure.marker.get_visible()
    assert panel.figure.marker.get_xdata()[0] == expected_first
    assert f"step {expected_first}" in panel.message_text
    correct = learner_module(PURE_STEPLR.replace("OFFSET", "0"))
    panel = explore("StepLR", steps=60, step_size=step_size, gamma=0.5, module=correct)
    assert "matches torch on all 60 steps" in panel.message_text
    assert not panel.figure.marker.get_visible()
    panel.overlay.toggle.value = False
    assert list(panel.figure.line_data("lr")) == ["torch"]


def test_learner_limit_caps_the_comparison():
    correct = learner_module(PURE_STEPLR.replace("OFFSET", "0"))
    panel = explore("StepLR", steps=300, module=correct, learner_limit=100)
    assert panel.figure.line_data("lr")["your StepLR"][1].size == 100
    assert "first 100 of 300 steps" in panel.message_text


def test_reference_solutions_match_torch():
    import lrlab

    mod = lrlab.use_schedulers("solutions")
    try:
        for name in CLOSED_FORM:
            panel = explore(name, steps=80, module=mod)
            assert "matches torch" in panel.message_text, panel.message_text
    finally:
        for key in [m for m in sys.modules if m == "schedulers" or m.startswith("schedulers.")]:
            del sys.modules[key]


def test_plateau_explorer_follows_torch():
    panel = explore("ReduceLROnPlateau", steps=150, module=False, patience=5, factor=0.5, noise=0.0)
    assert panel.error is None, panel.message_text
    metric = synthetic_metric(150, noise=0.0, plateau_start=0.2, plateau_length=0.3, seed=0)
    assert np.all(np.diff(metric[30:75]) == 0) and metric[0] > metric[-1]

    def run(**kw):
        opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
        sched = TL.ReduceLROnPlateau(opt, **kw)
        out = [0.1]
        for m in metric[:-1]:
            sched.step(float(m))
            out.append(opt.param_groups[0]["lr"])
        return np.array(out)

    want = run(patience=5, factor=0.5)
    assert want.min() < 0.1  # the plateau triggers a reduction
    np.testing.assert_allclose(lr_line(panel), want, rtol=1e-12)
    np.testing.assert_allclose(panel.figure.line_data("mom")["loss (synthetic)"][1], metric)
    panel.param_widgets["cooldown"].value = 20
    np.testing.assert_allclose(lr_line(panel), run(patience=5, factor=0.5, cooldown=20), rtol=1e-12)
    data = lr_line(panel).copy()
    panel.param_widgets["min_lr"].value = 0.05  # torch accepts any floor: it is drawn, not refused
    assert panel.error is None
    np.testing.assert_allclose(lr_line(panel), run(patience=5, factor=0.5, cooldown=20, min_lr=0.05), rtol=1e-12)
    assert not np.array_equal(lr_line(panel), data)


def test_compare_shares_budget_and_lr():
    view = compare(["StepLR", "CosineAnnealingLR", ("OneCycleLR", {"pct_start": 0.25})], steps=200, lr=0.1)
    lines = view.figure.line_data("lr")
    assert len(lines) == 3 and all(y.size == 200 for _, y in lines.values())
    np.testing.assert_allclose(lines["CosineAnnealingLR"][1], torch_values("CosineAnnealingLR", 200, T_max=200)[0],
                               rtol=1e-9)
    assert view.figure.ax_mom.get_visible()  # OneCycleLR cycles momentum
    view.steps_slider.value = 400
    lines = view.figure.line_data("lr")
    assert all(y.size == 400 for _, y in lines.values())
    view.lr_slider.value = 1.0
    np.testing.assert_allclose(view.figure.line_data("lr")["OneCycleLR(pct_start=0.25)"][1],
                               torch_values("OneCycleLR", 400, 1.0, max_lr=1.0, total_steps=400, pct_start=0.25)[0],
                               rtol=1e-9)
    with pytest.raises(ValueError, match="closed-form"):
        compare(["ReduceLROnPlateau"])
    with pytest.raises(ValueError, match="unknown parameter"):
        compare([("StepLR", {"bogus": 1})])


def test_warmup_composer_is_sequentiallr():
    panel = warmup_composer("CosineAnnealingLR", steps=200, warmup=20, start_factor=0.1, module=False)
    assert panel.error is None, panel.message_text

    def build(opt, decay):
        return TL.SequentialLR(opt, [TL.LinearLR(opt, start_factor=0.1, end_factor=1.0, total_iters=20), decay(opt)],
                               milestones=[20])

    want = torch_run(lambda o: build(o, lambda o2: TL.CosineAnnealingLR(o2, T_max=180)), 200)[0]
    np.testing.assert_allclose(lr_line(panel, "torch SequentialLR"), want, rtol=1e-9)
    panel.decay_dropdown.value = "StepLR"
    assert set(panel.decay_widgets) == {"step_size", "gamma"}
    ss = panel.decay_widgets["step_size"].value
    want = torch_run(lambda o: build(o, lambda o2: TL.StepLR(o2, step_size=ss, gamma=0.1)), 200)[0]
    np.testing.assert_allclose(lr_line(panel, "torch SequentialLR"), want, rtol=1e-9)
    panel.steps_slider.value = 21
    assert panel.error is None or "warmup" in panel.error


def test_app_switches_views():
    box = app("StepLR", module=False, steps=50)
    assert type(box.children[2]).__name__ == "Explorer"
    box.chooser.value = "ReduceLROnPlateau"
    assert type(box.children[2]).__name__ == "PlateauExplorer"
    box.chooser.value = "warmup composer"
    assert type(box.children[2]).__name__ == "WarmupComposer"


def test_bad_arguments_raise_clear_errors():
    with pytest.raises(ValueError, match="no explorer for scheduler"):
        explore("NoSuchLR")
    with pytest.raises(ValueError, match="unknown parameter"):
        explore("StepLR", stepsize=3, module=False)
    with pytest.raises(ValueError, match="steps"):
        explore("StepLR", steps=1, module=False)
    with pytest.raises(ValueError, match="learner_limit"):
        explore("StepLR", module=False, learner_limit=0)
    with pytest.raises(TypeError, match="module"):
        explore("StepLR", module=3.5)


def test_reload_button_picks_up_edited_learner_code(tmp_path):
    pkg = tmp_path / "schedulers"
    pkg.mkdir()
    (pkg / "__init__.py").write_text(PURE_STEPLR.replace("OFFSET", "1"))
    saved_path = list(sys.path)
    try:
        panel = explore("StepLR", steps=40, step_size=10, module=str(tmp_path))
        assert panel.figure.marker.get_visible() and "step 9" in panel.message_text
        (pkg / "__init__.py").write_text(PURE_STEPLR.replace("OFFSET", "0"))
        panel.overlay.reload.click()
        assert "matches torch on all 40 steps" in panel.message_text
        assert not panel.figure.marker.get_visible()
    finally:
        sys.path[:] = saved_path
        for key in [m for m in sys.modules if m == "schedulers" or m.startswith("schedulers.")]:
            del sys.modules[key]


def test_blitted_redraw_matches_a_full_redraw():
    import io

    from PIL import Image

    panel = explore("StepLR", steps=300, step_size=100, gamma=0.5, module=False)
    key = panel.figure._frame_cache_key
    panel.param_widgets["gamma"].value = 0.4  # same frame (limits 0..0.1): only lines redrawn
    assert panel.figure._frame_cache_key == key
    blitted = np.asarray(Image.open(io.BytesIO(panel.image.value)))
    panel.figure._frame_cache_key = None
    full = np.asarray(Image.open(io.BytesIO(panel.figure.render())))
    assert np.array_equal(blitted, full)


def test_encode_png_is_the_canvas_pixels():
    import io

    from PIL import Image

    from lrlab.explorer.figure import Curve, LiveFigure, encode_png

    fig = LiveFigure()
    fig.update(1000, [Curve("a", np.linspace(0, 1, 1000) ** 2, "#1f77b4")], mark=300, mark_text="here")
    png = fig.render()
    w, h = fig.canvas.get_width_height()
    want = np.asarray(fig.canvas.buffer_rgba())
    got = np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"))
    assert got.shape == (h, w, 4) and np.array_equal(got, want)
    tiny = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    assert np.array_equal(np.asarray(Image.open(io.BytesIO(encode_png(tiny.tobytes(), 3, 2)))), tiny)


def test_y_limits_stay_while_data_fills_them_and_grow_with_headroom():
    from lrlab.explorer.figure import Curve, LiveFigure

    fig = LiveFigure()
    y = np.linspace(0.0, 1.0, 5000)

    def draw(top):
        fig.update(5000, [Curve("a", y * top)])
        fig.render()
        return fig.ax.get_ylim()

    first = draw(0.1)
    assert first[0] == 0.0 and 0.1 <= first[1] <= 0.12
    frames = fig.full_draws
    assert draw(0.08) == first and draw(0.07) == first  # still >= half the height: same frame, blitted
    assert fig.full_draws == frames
    small = draw(0.02)  # below half: tighter limits, a new frame
    assert 0.02 <= small[1] < 0.04 and fig.full_draws == frames + 1
    grown = draw(0.05)  # outgrown: new limits with head-room
    assert grown[1] >= 0.05 * 1.2 and grown[1] <= 0.05 * 1.2 * 1.34
    assert draw(0.06) == grown  # the head-room absorbs the next move
    back = draw(0.02)
    assert back == small and fig.full_draws == frames + 2  # frame of the earlier limits came from the cache
