"""lrlab.experiments: the Transformer warmup experiment and the per-schedule LR sweep (shapes, determinism,
protocol; the effects themselves are measured by ``lrlab bench --only experiments``)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from lrlab.experiments.lr_sweep import sweep_schedules
from lrlab.experiments.transformer_warmup import (
    CharTransformer,
    load_text,
    run_transformer_warmup,
    train_run,
    windows,
)


def test_text_is_pydoc_topics_split_90_10():
    from pydoc_data import topics

    data = load_text()
    n = len("\n".join(topics.topics[k] for k in sorted(topics.topics)))
    assert len(data.train) + len(data.val) == n and len(data.train) == int(0.9 * n)
    assert data.train.max() < len(data.vocab) and len(set(data.vocab)) == len(data.vocab)
    assert 2.5 < data.unigram_loss < np.log(len(data.vocab))
    x, y = windows(data.train, 8, 3, torch.Generator().manual_seed(0))
    assert x.shape == y.shape == (3, 8) and torch.equal(x[:, 1:], y[:, :-1])


@pytest.mark.parametrize("norm_first", [False, True])
def test_model_is_causal(norm_first):
    torch.manual_seed(0)
    net = CharTransformer(20, d_model=16, layers=2, heads=2, ctx=8, norm_first=norm_first).eval()
    x = torch.randint(0, 20, (1, 8))
    y = x.clone()
    y[0, 5:] = (y[0, 5:] + 1) % 20  # change the future: the first 5 outputs must not move
    with torch.no_grad():
        a, b = net(x), net(y)
    assert a.shape == (1, 8, 20)
    assert torch.allclose(a[0, :5], b[0, :5], atol=1e-6) and not torch.allclose(a[0, 5:], b[0, 5:])
    assert any(isinstance(m, torch.nn.TransformerEncoderLayer) and m.norm_first == norm_first
               for m in net.modules())


def test_train_run_is_deterministic_and_uses_the_warmup():
    kw = dict(lr=0.01, warmup=4, steps=6, layers=2, d_model=16, ctx=16, batch_size=4)
    a, b = train_run(3, **kw), train_run(3, **kw)
    assert np.array_equal(a["loss"], b["loss"]) and a["val_loss"] == b["val_loss"]
    assert np.allclose(a["lr"], 0.01 * np.minimum(1, (1 + 3 * np.minimum(np.arange(6), 4) / 4) / 4))
    assert train_run(4, **kw)["val_loss"] != a["val_loss"]
    assert np.allclose(train_run(3, **{**kw, "warmup": 0})["lr"], 0.01)


def test_run_returns_paired_arms_and_an_effect_line():
    r = run_transformer_warmup(seeds=2, steps=5, warmup=3, layers=1, d_model=16, ctx=16, batch_size=4)
    assert r.names == ["post-LN, no warmup", "post-LN, 3-step warmup", "pre-LN, no warmup"]
    assert all(r.loss[n].shape == (2, 5) and r.val_loss[n].shape == (2,) for n in r.names)
    assert r.effect().startswith("effect: Adam warmup, post-LN Transformer (lr 0.01): final val loss ")
    assert "n=2)" in r.effect() and "seeds" in str(r)
    r.plot()
    with pytest.raises(ValueError):
        run_transformer_warmup(seeds=1)


def test_sweep_tunes_on_some_seeds_and_compares_on_fresh_ones(monkeypatch):
    import lrlab.experiments.lr_sweep as sweep

    calls = []

    class H:
        def __init__(self, lr, seed, kind):
            # a fake history: loss minimal at lr 0.2 for "a", at 0.5 for "b"; "c" diverges above 0.3
            best = {"a": 0.2, "b": 0.5, "c": 0.1}[kind]
            self.final_val_loss = float("nan") if kind == "c" and lr > 0.3 else abs(np.log(lr / best)) + seed / 100
            self.final_val_acc = 0.9

    def fake_train(factory, *, lr, seed, **_kw):
        calls.append((factory, lr, seed))
        return H(lr, seed, factory)

    monkeypatch.setattr(sweep, "train", fake_train)
    r = sweep_schedules({"a": lambda p: "a", "b": lambda p: "b", "c": lambda p: "c"}, [0.1, 0.2, 0.5], seeds=3)
    assert r.best_lr == {"a": 0.2, "b": 0.5, "c": 0.1}
    assert r.grid["a"].shape == (3, 3) and r.cell("c", 2) is None
    for kind, lr in r.best_lr.items():
        mine = [(x, s) for f, x, s in calls if f == kind]
        assert len(mine) == 12 and {s for _, s in mine[:9]} == {0, 1, 2}
        assert mine[9:] == [(lr, 3), (lr, 4), (lr, 5)]  # the comparison runs the best LR on fresh seeds
    assert "no significant difference" in str(r) or "better" in str(r)
    with pytest.raises(ValueError):
        sweep_schedules({"a": lambda p: None}, [0.1], seeds=3)
    with pytest.raises(ValueError):
        sweep_schedules({"a": lambda p: None}, [0.1, 0.2], seeds=2)


def test_sweep_on_the_digits_runs_at_least_three_seeds():
    r = sweep_schedules({"constant": lambda p: None}, [0.1, 0.3], seeds=3, epochs=1, momentum=0.9)
    assert r.final["constant"]["val_loss"].shape == (3,) and r.best_lr["constant"] in (0.1, 0.3)
    r.plot()
