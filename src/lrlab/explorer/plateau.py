"""ReduceLROnPlateau explorer, driven by a synthetic metric: a noisy decreasing loss that stalls on a plateau.

The metric (mode "min") is ``loss_t = (0.1 + 0.9 exp(-4 u_t)) (1 + noise z_t)`` with progress
``u_t = (t - clip(t - p0, 0, L)) / epochs`` (flat from epoch p0 for L epochs) and ``z_t ~ N(0, 1)``
(seeded); mode "max" shows accuracy ``1 - loss_t``. torch's curve is ``lrlab.preview.preview_plateau`` (a
simulation equal to torch's ReduceLROnPlateau, no optimizer); the learner's class is stepped with
``step(metric[t])``; index t is the LR after t calls.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import numpy as np

from lrlab import catalog
from lrlab.preview.plateau import preview_plateau
from lrlab.stepping import make_optimizer, step_schedule

from .engine import TIME_LIMIT_S
from .figure import Curve
from .panel import EXTRA_ARGS, TORCH_COLOR, LearnerOverlay, Plot, SchedulePanel, _check_int, compare_overlay
from .params import LR, METRIC_SPECS, ParamSpec, check_combination, make_widget, specs_for

NAME = catalog.names(family="plateau")[0]


def synthetic_metric(epochs: int, *, noise: float = 0.01, plateau_start: float = 0.2,
                     plateau_length: float = 0.3, seed: int = 0, mode: str = "min") -> np.ndarray:
    """Loss ``(0.1 + 0.9 exp(-4 u_t)) (1 + noise z_t)`` stalling for ``plateau_length*epochs`` epochs from
    ``plateau_start*epochs``; mode "max" returns ``1 - loss``. Shape (epochs,)."""
    _check_int("epochs", epochs, 1, 10_000_000)
    if not 0 <= noise <= 1:
        raise ValueError(f"noise must be in [0, 1], got {noise}")
    for pname, value in (("plateau_start", plateau_start), ("plateau_length", plateau_length)):
        if not 0 <= value <= 1:
            raise ValueError(f"{pname} must be in [0, 1] (a fraction of epochs), got {value}")
    if mode not in ("min", "max"):
        raise ValueError(f"mode must be 'min' or 'max', got {mode!r}")
    t = np.arange(epochs, dtype=float)
    p0, length = plateau_start * epochs, plateau_length * epochs
    u = (t - np.clip(t - p0, 0.0, length)) / epochs
    z = np.random.default_rng(seed).standard_normal(epochs)
    loss = (0.1 + 0.9 * np.exp(-4.0 * u)) * (1.0 + noise * z)
    return loss if mode == "min" else 1.0 - loss


def plateau_schedule(cls: type, metric: np.ndarray, lr: float, **kwargs: Any) -> tuple[np.ndarray, None]:
    """Step ``cls(optimizer, **kwargs)`` (torch's or a learner's ReduceLROnPlateau) with ``metric[:-1]``.

    Returns (lr (len(metric), 1), None): entry t is the group LR after t calls to ``step(metric)``.
    """
    out, _ = step_schedule(lambda opt: cls(opt, **kwargs), make_optimizer([lr]), 0,
                           metrics=[float(v) for v in metric[:-1]])
    return out, None


class PlateauExplorer(SchedulePanel):
    """ReduceLROnPlateau with patience/factor/cooldown/threshold/mode sliders over a synthetic metric."""

    def __init__(self, *, steps: int = 200, lr: float = 0.1, log: bool = False, module: Any = None,
                 learner_limit: int = 20_000, learner_timeout: float | None = TIME_LIMIT_S,
                 **values: Any) -> None:
        _check_int("steps", steps, 2, 1_000_000)
        specs = specs_for(NAME) + METRIC_SPECS
        allowed = {s.name for s in specs}
        unknown = set(values) - allowed
        if unknown:
            raise ValueError(f"unknown parameter(s) {sorted(unknown)} for {NAME}; choose from "
                             f"{sorted(allowed | EXTRA_ARGS)}")
        self.name = NAME
        init = {**{s.name: s.default_for(steps) for s in specs}, **values}
        self.steps_slider = make_widget(ParamSpec("steps", "int", steps, 2, max(5000, steps), 1,
                                                  help="epochs"), steps, steps)
        self.steps_slider.description = "epochs"
        self.lr_slider = make_widget(LR, lr, steps)
        self.param_widgets = {s.name: make_widget(s, init[s.name], steps) for s in specs_for(NAME)}
        self.metric_widgets = {s.name: make_widget(s, init[s.name], steps) for s in METRIC_SPECS}
        self.overlay = LearnerOverlay(module, learner_limit, learner_timeout)
        controls = [self.steps_slider, self.lr_slider, *self.param_widgets.values(), *self.metric_widgets.values()]
        super().__init__(controls, log=log, extra=[self.overlay.toggle, self.overlay.reload],
                         title=f"{NAME} on a synthetic metric: torch vs {self.overlay.owner} implementation")
        self.overlay.toggle.observe(self._on_change, names="value")
        self.overlay.reload.on_click(self._on_reload)
        self._cache: dict[Any, tuple[np.ndarray, None]] = {}
        self._metric_cache: tuple[Any, np.ndarray] | None = None
        self.refresh()

    @property
    def values(self) -> dict[str, Any]:
        """Current ReduceLROnPlateau constructor kwargs."""
        return {k: w.value for k, w in self.param_widgets.items()}

    def metric(self) -> np.ndarray:
        """The synthetic metric for the current controls."""
        m = {k: w.value for k, w in self.metric_widgets.items()}
        return synthetic_metric(int(self.steps_slider.value), mode=self.param_widgets["mode"].value, **m)

    def _on_reload(self, _button: Any = None) -> None:
        self.overlay.do_reload()
        self.refresh()

    def _compute(self) -> Plot:
        steps, lr = int(self.steps_slider.value), float(self.lr_slider.value)
        kwargs = self.values
        kwargs["patience"], kwargs["cooldown"] = int(kwargs["patience"]), int(kwargs["cooldown"])
        check_combination(NAME, steps, lr, kwargs)
        mkey = (steps, kwargs["mode"], tuple(sorted((k, w.value) for k, w in self.metric_widgets.items())))
        if self._metric_cache is None or self._metric_cache[0] != mkey:
            self._metric_cache = (mkey, self.metric())
        metric = self._metric_cache[1]
        key = (steps, lr, tuple(sorted(kwargs.items())), mkey)
        if key not in self._cache:
            self._cache = {key: (preview_plateau(metric[:-1], lr=lr, **kwargs).lr, None)}
        ref_lr, _ = self._cache[key]
        label = "loss (synthetic)" if kwargs["mode"] == "min" else "accuracy (synthetic)"
        plot = Plot(steps, [Curve("torch", ref_lr[:, 0], TORCH_COLOR)],
                    [Curve(label, metric, "#555555", lw=1.0)], title=f"{NAME}(" + ", ".join(
                        f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v!r}" for k, v in kwargs.items()) + ")",
                    lower_label="metric")

        def compute(module: ModuleType, n: int) -> tuple[np.ndarray, None]:
            if not hasattr(module, NAME):
                raise AttributeError(f"{module.__name__} has no class {NAME}")
            return plateau_schedule(getattr(module, NAME), metric[:n], lr, **kwargs)

        result = self.overlay.curves(key, NAME, steps, lr, kwargs, compute=compute)
        compare_overlay(plot, ref_lr, None, result, NAME, self.overlay, steps)
        return plot
