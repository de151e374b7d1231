"""Section ids, built and parsed in one place.

The parser (`corpus.py`) names the guide's sections; the answerer, the recommender, the checklist, the
retriever and the evaluation look them up. They all go through these helpers, so a change to the
parser's naming breaks here, loudly, instead of silently in five modules (tests/test_corpus.py checks
that every id these helpers build for the three models exists in the parsed guide).

    grant                     a model's part            model_id("grant")
    grant.principle|method|suitable|steps               part_id("grant", "steps")
    grant.steps.3             a step                    step_id("grant", 3)
    models.grant              the overview bullet       overview_id("grant")
    fn.1, back.credits, front.preface, front.toc, front.title, framework.factors.fig3 …
"""

from __future__ import annotations

MODELS = ("grant", "contracting", "commissioning")
PARTS = ("principle", "method", "suitable", "steps")

OVERVIEW = "models"
PREFACE = "front.preface"
TOC = "front.toc"
TITLE = "front.title"
CREDITS = "back.credits"
FRAMEWORK = "framework"
FOOTNOTE_PREFIX = "fn."


def model_id(model: str) -> str:
    return model


def part_id(model: str, part: str) -> str:
    if part not in PARTS:
        raise ValueError(f"unknown part {part!r}")
    return f"{model}.{part}"


def steps_id(model: str) -> str:
    return part_id(model, "steps")


def suitable_id(model: str) -> str:
    return part_id(model, "suitable")


def principle_id(model: str) -> str:
    return part_id(model, "principle")


def method_id(model: str) -> str:
    return part_id(model, "method")


def step_id(model: str, number: int) -> str:
    return f"{steps_id(model)}.{number}"


def overview_id(model: str) -> str:
    return f"{OVERVIEW}.{model}"


def footnote_id(number: int) -> str:
    return f"{FOOTNOTE_PREFIX}{number}"


def model_of(section_id: str) -> str | None:
    """The partnership model a section belongs to ("grant.steps.2", "models.grant" → "grant")."""
    head, _, rest = section_id.partition(".")
    if head == OVERVIEW:
        head = rest
    return head if head in MODELS else None


def part_of(section_id: str) -> str | None:
    """Which part of a model a section is ("grant.steps.2" → "steps"), if any."""
    bits = section_id.split(".")
    return bits[1] if len(bits) > 1 and bits[0] in MODELS and bits[1] in PARTS else None


def is_footnote(section_id: str) -> bool:
    return section_id.startswith(FOOTNOTE_PREFIX)
