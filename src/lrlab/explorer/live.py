"""Live training beside the explorer: on every settings change (sliders fire on release), retrain the lab's
MLP under the schedule on the sliders for k seeds in a background thread and draw loss / accuracy bands
beside the panel's LR curve (``attach`` puts the two images in one wrapping row).

The schedule (an LR array of the explorer's ``steps``, optionally a momentum array) is stretched onto the
training budget of ``epochs * steps_per_epoch`` optimizer steps: step i uses lr[floor(i * steps / total)].
A newer change cancels the run in flight (checked every optimizer step); widgets stay responsive because
training runs off the kernel's main thread (torch releases the GIL).
"""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Callable
from typing import Any

import ipywidgets as widgets
import numpy as np
import torch
import torch.nn.functional as F

from lrlab.training.data import load_digits_data
from lrlab.training.model import make_model

Settings = Callable[[], "tuple[np.ndarray, np.ndarray | None]"]


class Cancelled(Exception):
    """Raised inside a run when a newer request superseded it."""


def stretch(values: np.ndarray, total: int) -> np.ndarray:
    """values[floor(i * len(values) / total)] for i < total: the schedule's shape over ``total`` steps."""
    v = np.asarray(values, dtype=float).reshape(len(values), -1)[:, 0]
    if v.size < 1 or not np.all(np.isfinite(v)) or np.any(v < 0):
        raise ValueError("the schedule must hold finite LRs >= 0")
    return v[(np.arange(total) * v.size) // total]


def train_seeds(lr: np.ndarray, momentum: np.ndarray | None = None, *, seeds: int = 5, epochs: int = 5,
                batch_size: int = 64, cancelled: Callable[[], bool] = lambda: False) -> dict[str, np.ndarray]:
    """Train the digits MLP (SGD) for each seed with the per-step ``lr`` (and momentum, default 0.9) stretched
    onto the budget; returns {"loss": (seeds, epochs) mean train loss, "acc": (seeds, epochs) val accuracy}.

    The seeds train side by side as one batched model: seed s starts from ``make_model("mlp", seed=s)``, draws
    its own batches (``torch.Generator().manual_seed(s)``), and its weights are slice s of stacked tensors. The
    summed loss gives each slice exactly its own seed's gradient and SGD is elementwise, so this is k separate
    runs computed with k times fewer operations (results agree with one-at-a-time runs to float rounding)."""
    if isinstance(seeds, bool) or not isinstance(seeds, int) or not 1 <= seeds <= 50:
        raise ValueError(f"seeds must be an int in [1, 50], got {seeds!r}")
    if isinstance(epochs, bool) or not isinstance(epochs, int) or not 1 <= epochs <= 100:
        raise ValueError(f"epochs must be an int in [1, 100], got {epochs!r}")
    data = load_digits_data()
    spe = data.steps_per_epoch(batch_size)
    lrs = stretch(lr, epochs * spe)
    moms = stretch(momentum, epochs * spe) if momentum is not None else np.full(epochs * spe, 0.9)
    loss = np.full((seeds, epochs), np.nan)
    acc = np.full((seeds, epochs), np.nan)
    prev = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        nets = [make_model("mlp", seed=s) for s in range(seeds)]
        w1 = torch.stack([n[0].weight.detach().T for n in nets]).requires_grad_()   # (S, 64, H)
        b1 = torch.stack([n[0].bias.detach()[None] for n in nets]).requires_grad_()  # (S, 1, H)
        w2 = torch.stack([n[2].weight.detach().T for n in nets]).requires_grad_()   # (S, H, 10)
        b2 = torch.stack([n[2].bias.detach()[None] for n in nets]).requires_grad_()  # (S, 1, 10)
        params = [w1, b1, w2, b2]

        def forward(x: torch.Tensor) -> torch.Tensor:
            return torch.baddbmm(b2, torch.relu(torch.baddbmm(b1, x, w1)), w2)

        opt = torch.optim.SGD(params, lr=float(lrs[0]), momentum=float(moms[0]))
        gens = [torch.Generator().manual_seed(s) for s in range(seeds)]
        alive = np.ones(seeds, dtype=bool)
        x_val = data.x_val.expand(seeds, *data.x_val.shape)
        i = 0
        for e in range(epochs):
            perms = torch.stack([torch.randperm(data.n_train, generator=g) for g in gens])
            tot = torch.zeros(seeds)
            for b in range(0, data.n_train, batch_size):
                if cancelled():
                    raise Cancelled
                g = opt.param_groups[0]
                g["lr"], g["momentum"] = float(lrs[i]), float(moms[i])
                idx = perms[:, b:b + batch_size]
                out = forward(data.x_train[idx])
                per_seed = F.cross_entropy(out.reshape(-1, out.shape[-1]), data.y_train[idx].reshape(-1),
                                           reduction="none").view(seeds, -1).mean(1)
                opt.zero_grad(set_to_none=True)
                per_seed.sum().backward()
                opt.step()
                tot += per_seed.detach() * idx.shape[1]
                i += 1
            ep = (tot / data.n_train).numpy()
            alive &= np.isfinite(ep)
            loss[alive, e] = ep[alive]
            with torch.no_grad():
                a = (forward(x_val).argmax(-1) == data.y_val).float().mean(1).numpy()
            acc[alive, e] = a[alive]
            if not alive.any():
                break
    finally:
        torch.set_num_threads(prev)
    return {"loss": loss, "acc": acc}


def render_bands(result: dict[str, np.ndarray]) -> bytes:
    """PNG of train loss and validation accuracy per epoch, stacked (to sit beside the LR curve, same height as
    the explorer's figure): mean and 95% band over seeds."""
    from matplotlib.figure import Figure

    from lrlab.experiments.plots import band

    fig = Figure(figsize=(4.0, 4.4), dpi=90)
    fig.subplots_adjust(left=0.19, right=0.96, top=0.92, bottom=0.11, hspace=0.08)  # fixed: no layout engine
    ax1, ax2 = fig.subplots(2, 1, sharex=True)
    x = np.arange(1, result["loss"].shape[1] + 1)
    n = result["loss"].shape[0]
    if n >= 2:
        band(ax1, x, result["loss"], "C0", f"train loss ({n} seeds)")
        band(ax2, x, 100 * result["acc"], "C2", f"val accuracy ({n} seeds)")
    else:
        ax1.plot(x, result["loss"][0], "C0")
        ax2.plot(x, 100 * result["acc"][0], "C2")
    ax1.set(ylabel="train loss", yscale="log", title=f"live training: mean, 95% band ({n} seeds)")
    ax2.set(xlabel="epoch", ylabel="val accuracy (%)")
    from matplotlib.ticker import FormatStrFormatter, LogLocator, NullFormatter

    ax1.yaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
    ax1.yaxis.set_major_formatter(FormatStrFormatter("%.2g"))  # plain labels: mathtext is slow to render
    ax1.yaxis.set_minor_formatter(NullFormatter())
    for ax in (ax1, ax2):
        ax.grid(alpha=0.3)
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


class LiveTraining(widgets.VBox):
    """A "train" toggle and status line (the VBox) and the band ``image`` (placed by ``attach`` beside the LR
    curve; hidden until the first result); ``request()`` (re)starts training on ``settings()``."""

    def __init__(self, settings: Settings, *, seeds: int = 5, epochs: int = 5) -> None:
        if not callable(settings):
            raise TypeError("settings must be a callable returning (lr array, momentum array or None)")
        self.settings, self.seeds, self.epochs = settings, seeds, epochs
        self.toggle = widgets.Checkbox(value=False, description=f"train ({seeds} seeds)", indent=False,
                                       layout=widgets.Layout(width="160px"))
        self.status = widgets.HTML("")
        self.image = widgets.Image(format="png", layout=widgets.Layout(width="auto", max_width="100%",
                                                                       display="none"))
        self._gen = 0
        self._lock = threading.Lock()
        self.thread: threading.Thread | None = None
        self.last_seconds: float | None = None
        self.done = threading.Event()
        super().__init__([widgets.HBox([self.toggle, self.status])])
        self.toggle.observe(lambda _c: self.request(), names="value")

    def request(self, _change: Any = None) -> None:
        """Cancel any run in flight and start a new one on the current settings (if the toggle is on)."""
        with self._lock:
            self._gen += 1
            gen = self._gen
        if not self.toggle.value:
            self.status.value = ""
            self.image.layout.display = "none"
            return
        self.done.clear()
        self.status.value = "training..."
        self.thread = threading.Thread(target=self._run, args=(gen, time.perf_counter()), daemon=True)
        self.thread.start()

    def _run(self, gen: int, start: float) -> None:
        try:
            lr, mom = self.settings()
            res = train_seeds(lr, mom, seeds=self.seeds, epochs=self.epochs, cancelled=lambda: self._gen != gen)
            png = render_bands(res)
            if self._gen != gen:
                return
            self.image.value = png
            self.image.layout.display = None
            self.last_seconds = time.perf_counter() - start
            acc = 100 * res["acc"][:, -1]
            self.status.value = (f"final val accuracy {np.nanmean(acc):.2f}% (range {np.nanmin(acc):.2f}-"
                                 f"{np.nanmax(acc):.2f}, {self.seeds} seeds, {self.epochs} epochs) "
                                 f"in {self.last_seconds:.2f} s")
        except Cancelled:
            return
        except Exception as exc:  # noqa: BLE001 - a background run must never leave a traceback
            if self._gen == gen:
                self.status.value = f"not trained: {type(exc).__name__}: {exc}"
        finally:
            if self._gen == gen:
                self.done.set()


def attach(panel: Any, settings: Settings, **kwargs: Any) -> LiveTraining:
    """Add a LiveTraining widget to ``panel`` (a VBox with ``controls`` and an ``image``, the LR curve): the
    toggle and status after the panel's rows, the bands beside the LR curve in one row that wraps on a narrow
    screen (``panel.plot_row``). Retrains on each control change."""
    live = LiveTraining(settings, **kwargs)
    image = getattr(panel, "image", None)
    children = list(panel.children)
    if image is not None and image in children:
        panel.plot_row = widgets.HBox([image, live.image], layout=widgets.Layout(
            flex_flow="row wrap", align_items="flex-start", width="100%"))
        i = children.index(image)
        panel.children = (*children[:i], live, panel.plot_row, *children[i + 1:])
    else:
        panel.children = (*children, live, live.image)
    for w in getattr(panel, "controls", []):
        w.observe(live.request, names="value")
    return live
