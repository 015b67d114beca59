"""One optimizer factory: the training lab and the stepping loop build torch's optimizers in one place."""

from __future__ import annotations

import inspect

import pytest
import torch

from lrlab import stepping
from lrlab.training import runtime


@pytest.mark.parametrize("kind,kw", [
    ("sgd", dict(momentum=0.8, weight_decay=1e-3)),
    ("adam", dict(betas=(0.8, 0.99), weight_decay=0.0)),
    ("adamw", dict(betas=(0.9, 0.95), weight_decay=0.1)),
])
def test_training_optimizer_matches_torch_defaults(kind, kw):
    p = [torch.zeros(2, requires_grad=True)]
    got = runtime.make_optimizer(kind, p, lr=0.05, **kw)
    cls = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam, "adamw": torch.optim.AdamW}[kind]
    want = cls([torch.zeros(2, requires_grad=True)], lr=0.05, **kw)
    assert type(got) is cls and got.defaults == want.defaults


def test_stepping_optimizer_groups_and_momentum():
    opt = stepping.make_optimizer([0.1, 0.2], optimizer="adam", momentum=0.8)
    assert isinstance(opt, torch.optim.Adam) and [g["lr"] for g in opt.param_groups] == [0.1, 0.2]
    assert opt.defaults["betas"] == (0.8, 0.999)
    assert stepping.make_optimizer([0.1]).defaults["momentum"] == 0.0
    assert isinstance(stepping.make_optimizer([0.1], optimizer="adagrad"), torch.optim.Adagrad)
    with pytest.raises(ValueError, match="optimizer"):
        stepping.torch_optimizer("rmsprop", [torch.zeros(1)], lr=0.1)


def test_only_stepping_names_torch_optimizer_classes():
    for module in (runtime,):
        src = inspect.getsource(module)
        for cls in ("SGD(", "Adam(", "AdamW(", "Adagrad("):
            assert f"torch.optim.{cls}" not in src, f"{module.__name__} builds torch.optim.{cls} itself"
