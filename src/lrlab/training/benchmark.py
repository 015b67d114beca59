"""Timing of the training lab, as ratios against a bare torch loop doing the same work in the same run.

``run(quick)`` prints: seconds per ``train`` run (MLP/CNN, 1 and 2 threads), per ``lr_find`` and per
``compare_schedules`` entry, each next to a plain torch loop (same model, batches, optimizer, scheduler
and per-epoch validation, no recording); ratio = lab / bare torch.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch.optim.lr_scheduler import CosineAnnealingLR, OneCycleLR, StepLR

from lrlab.training.compare import compare_schedules
from lrlab.training.data import load_digits_data
from lrlab.training.loop import train
from lrlab.training.lr_finder import lr_find
from lrlab.training.model import make_model


def _paired(lab: Callable[[], object], bare: Callable[[], object], repeats: int) -> tuple[float, float]:
    """Median seconds of ``lab`` and ``bare``, run alternately so both see the same machine load."""
    t_lab, t_bare = [], []
    for _ in range(repeats):
        for fn, out in ((lab, t_lab), (bare, t_bare)):
            start = time.perf_counter()
            fn()
            out.append(time.perf_counter() - start)
    return statistics.median(t_lab), statistics.median(t_bare)


def bare_torch_run(kind: str = "mlp", epochs: int = 10, lr: float = 0.05, batch_size: int = 64, seed: int = 0,
                   num_threads: int = 1, iters: int | None = None) -> float:
    """A plain torch loop (SGD momentum 0.9 + StepLR per epoch, validation each epoch); returns the final
    validation accuracy. With ``iters`` it instead runs that many batches with no validation (lr_find's work)."""
    data = load_digits_data()
    prev = torch.get_num_threads()
    torch.set_num_threads(num_threads)
    try:
        net = make_model(kind, seed=seed)
        opt = torch.optim.SGD(net.parameters(), lr=lr, momentum=0.9)
        sched = StepLR(opt, step_size=3)
        gen = torch.Generator().manual_seed(seed)
        x, y, n = data.x_train, data.y_train, data.n_train
        acc, done = 0.0, 0
        for _ in range(epochs if iters is None else 10**9):
            perm = torch.randperm(n, generator=gen)
            for b in range(0, n, batch_size):
                idx = perm[b : b + batch_size]
                opt.zero_grad()
                F.cross_entropy(net(x[idx]), y[idx]).backward()
                opt.step()
                done += 1
                if iters is not None and done >= iters:
                    return acc
            with torch.no_grad():
                acc = float((net(data.x_val).argmax(1) == data.y_val).float().mean())
            sched.step()
        return acc
    finally:
        torch.set_num_threads(prev)


def run(quick: bool = False) -> None:
    """Print the timing table (median of 2 repeats and 1 thread when ``quick``, else 3 repeats, 1 and 2 threads)."""
    repeats = 2 if quick else 3
    load_digits_data()
    train(epochs=1)  # warm-up: first optimizer construction and kernels cost ~1 s once per process
    print(f"{'what':<44} {'lab s':>8} {'torch s':>8} {'ratio':>6}  result")
    # 2 threads only in the full run: on a loaded 2-core machine they were up to 100x slower (see runtime.py)
    for kind in ("mlp", "cnn"):
        for threads in (1,) if quick else (1, 2):
            lab, bare = _paired(
                lambda k=kind, t=threads: train(lambda o: StepLR(o, 3), model=k, epochs=10, num_threads=t),
                lambda k=kind, t=threads: bare_torch_run(k, num_threads=t),
                repeats,
            )
            acc = train(lambda o: StepLR(o, 3), model=kind, epochs=10, num_threads=threads).final_val_acc
            print(f"{f'train {kind}, 10 epochs x 23 steps, {threads} thread(s)':<44} {lab:8.3f} {bare:8.3f} "
                  f"{lab / bare:6.2f}  val acc {acc:.4f}")
    lab, bare = _paired(lambda: lr_find(stop_div=False), lambda: bare_torch_run(iters=100), repeats)
    res = lr_find()
    print(f"{'lr_find mlp, 100 iterations':<44} {lab:8.3f} {bare:8.3f} {lab / bare:6.2f}  valley {res.valley:.3g}, "
          f"steep {res.steep:.3g}, minimum/10 {res.minimum:.3g}")
    spe = load_digits_data().steps_per_epoch(64)
    schedules = {
        "constant": None,
        "step": lambda o: StepLR(o, step_size=4, gamma=0.3),
        "cosine": lambda o: CosineAnnealingLR(o, T_max=10),
        "one-cycle": (lambda o: OneCycleLR(o, max_lr=0.2, total_steps=10 * spe), "batch"),
    }
    start = time.perf_counter()
    comparison = compare_schedules(schedules, epochs=10, plot=False)
    total = time.perf_counter() - start
    start = time.perf_counter()
    for _ in range(4):
        bare_torch_run()
    bare = (time.perf_counter() - start) / 4
    print(f"{'compare_schedules, 4 runs (per run)':<44} {total / 4:8.3f} {bare:8.3f} {total / 4 / bare:6.2f}")
    print(comparison.format_table())


if __name__ == "__main__":
    run(quick=False)
