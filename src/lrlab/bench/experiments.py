"""``lrlab bench --only experiments``: each experiment measured in this run, one line each:
``effect: <name>: <metric> <A> vs <B>, diff <d> ± <se> (z=<z>, n=<seeds>)`` (paired by seed, see
``lrlab.experiments.stats``)."""

from __future__ import annotations

import time

from lrlab.experiments.curves import run_restarts, run_staircase
from lrlab.experiments.noise_floor import run_noise_floor
from lrlab.experiments.one_cycle import run_one_cycle
from lrlab.experiments.stats import effect_line
from lrlab.experiments.transformer_warmup import run_transformer_warmup


def run(quick: bool = False) -> None:
    """Print one effect line per experiment (5 seeds; ``quick`` keeps 5 seeds, shortens nothing else)."""
    seeds = 5
    start = time.perf_counter()
    r = run_noise_floor(seeds=seeds)
    names = list(r.curves)
    print(effect_line("SGD noise floor, constant vs step decay", "final excess loss",
                      r.final(names[0]), r.final(names[3]), names[0], "step decay"), flush=True)
    print(effect_line("noise floor scales with the LR", "final excess loss",
                      r.final(names[0]), r.final(names[1]), names[0], names[1]), flush=True)
    s = run_staircase(seeds=seeds)
    a, b = list(s.jump)
    print(effect_line("step decay staircase", "batch-loss change at the decay", s.jump[a], s.jump[b], a, b), flush=True)
    w = run_restarts(seeds=seeds)
    a, b = list(w.jump)
    print(effect_line("warm restart spike", "batch-loss change at the restart", w.jump[b], w.jump[a], b, a), flush=True)
    o = run_one_cycle(peak=1.0, epochs=2, seeds=seeds)
    one, cos, const = list(o)
    print(effect_line("1cycle vs constant at the same peak, 2 epochs", "final val loss",
                      o[const]["val_loss"], o[one]["val_loss"], const, one), flush=True)
    print(effect_line("1cycle vs cosine at the same peak, 2 epochs", "final val loss",
                      o[cos]["val_loss"], o[one]["val_loss"], cos, one), flush=True)
    t = run_transformer_warmup(seeds=seeds, pre_ln=False)
    print(t.effect(), flush=True)
    print(f"(experiments: {time.perf_counter() - start:.1f} s)")
    run_live(quick)


def run_live(quick: bool = False) -> None:
    """Print the live-training timing line (release -> redrawn bands)."""
    from lrlab.bench.explorer import measure_live

    print(measure_live(repeats=5 if quick else 9), flush=True)
