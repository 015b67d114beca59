"""The conceptual questions: every checker accepts the answer it explains and rejects a near miss; the
expected values computed from torch agree with the formulas the feedback states."""

from __future__ import annotations

import math

import pytest

from lrlab import concepts

FORMULAS = {  # the formula each explanation states, evaluated independently of torch
    "02.predict": 0.1 * 0.5**2,
    "03.per_batch_gamma": 0.9 ** (1 / 23),
    "04.predict_past_T_max": 0.01 + 0.09 * (1 + math.cos(math.pi * 150 / 100)) / 2,
    "04.T_max_for_budget": 690,
    "04.period": 100,
    "04.restarts": [10, 30, 70, 150],
    "05.predict": 0.01 + 0.09 * 0.5 * 0.5,
    "05.periodic_modes": ["triangular"],
    "06.total_steps": 690,
    "06.peak_step": 299,
    "06.initial_lr": 0.1 / 25,
    "06.final_lr": 0.1 / 25 / 1e4,
    "07.linear_at_t": 0.1 * (0.1 + 0.9 * 4 / 10),
    "07.sequential_cosine": 0.1 * (1 + math.cos(math.pi * 3 / 10)) / 2,
    "07.linear_step0": 0.025,
    "07.sequential_milestone": 0.09,
    "07.chained": 0.1 * 0.5 * 0.81,
    "08.first_reduction": 14,
    "08.max_reductions": 2,
    "08.is_improvement": False,
}
FUNCTIONS = {
    "01.lr_at_drop": lambda t: 0.1 if t < 10 else 0.01,
    "01.lr_at_warmup": lambda t: 0.1 * (0.1 + 0.9 * min(t, 10) / 10),
    "02.lr_at": lambda t: 0.1 * 0.1 ** (t // 30),
    "03.lr_at": lambda t: 0.1 * 0.9**t,
    "04.lr_at": lambda t: 0.001 + 0.099 * (1 + math.cos(math.pi * t / 50)) / 2,
}
OUTCOMES = {"02.gamma_for_target": math.sqrt(1e-3), "03.gamma_for_target": 0.955, "05.step_size_up_for_budget": 92,
            "06.pct_start_for_budget": 0.1}


def test_every_chapter_has_questions_and_ids_are_unique():
    qs = concepts.questions()
    assert len({q.id for q in qs}) == len(qs)
    assert {q.chapter for q in qs} == {"01", "02", "03", "04", "05", "06", "07", "08"}
    assert concepts.questions(2) == concepts.questions("02")
    assert set(FORMULAS) | set(FUNCTIONS) | set(OUTCOMES) == {q.id for q in qs}


@pytest.mark.parametrize("qid", sorted(FORMULAS))
def test_torch_agrees_with_the_stated_formula(qid):
    q = next(q for q in concepts.questions() if q.id == qid)
    want = FORMULAS[qid]
    got = q.expected()
    if isinstance(want, float):
        assert math.isclose(got, want, rel_tol=1e-9)
    else:
        assert got == want
    assert concepts.check(qid, want, quiet=True)


@pytest.mark.parametrize("qid", sorted(FORMULAS))
def test_a_wrong_answer_is_rejected(qid):
    want = FORMULAS[qid]
    wrong = (not want) if isinstance(want, bool) else ([1, 2] if isinstance(want, list) else want * 1.1 + 1)
    assert not concepts.check(qid, wrong, quiet=True)


@pytest.mark.parametrize("qid", sorted(FUNCTIONS))
def test_closed_form_functions(qid):
    assert concepts.check(qid, FUNCTIONS[qid], quiet=True)
    assert not concepts.check(qid, lambda t: 0.1, quiet=True)

    def stub(t):
        raise NotImplementedError

    assert not concepts.check(qid, stub, quiet=True)


@pytest.mark.parametrize("qid", sorted(OUTCOMES))
def test_parameters_judged_by_what_torch_does(qid):
    assert concepts.check(qid, OUTCOMES[qid], quiet=True)
    assert not concepts.check(qid, OUTCOMES[qid] * 2, quiet=True)


def test_feedback_and_bad_input(capsys):
    assert not concepts.check("02.predict", None)
    assert "no answer yet" in capsys.readouterr().out
    concepts.check("02.predict", 0.025)
    out = capsys.readouterr().out
    assert "right" in out and "counts twice" in out
    assert not concepts.check("02.predict", "0.025", quiet=True)
    with pytest.raises(ValueError, match="unknown question"):
        concepts.check("99.nothing", 1)
    with pytest.raises(ValueError, match="no questions"):
        concepts.questions("09")


def test_torch_scheduler_count():
    names = concepts.torch_scheduler_names()
    assert len(names) == 16 and "SWALR" in names and "PolynomialLR" in names and "LRScheduler" not in names
