"""Scene starters: a first prompt for the person facing an empty box, written with the cast's own names.

`starter_prompt(kind, names)` is pure: `names` are what the prompt calls each character, in card order
(`@Mira` for a card with a character name, else its tag `character1`, …; see ui/starters.py).  Every
name given appears in the text, so the prompt's tag hints are satisfied from the start; with no
card yet, the scene is written for `character1` (and `character2`), the tags the first cards will have.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from . import spec


class Starter(StrEnum):
    DIALOGUE = "dialogue"
    PRODUCT = "product"
    DANCE = "dance"
    CHASE = "chase"
    INTERVIEW = "interview"


@dataclass(frozen=True)
class Template:
    """One starter's text: `solo` for one character, `duo` for two or more ({a}, {b}, {all}); `rest`
    names the others beyond the second, in the singular or the plural ({others})."""

    label: str
    solo: str
    duo: str
    rest_one: str = ""
    rest_many: str = ""
    needs_two: bool = False  # with no card yet, written for character1 and character2


# What the user reads (one block, for the translation catalog).
AND = " and "
TEMPLATES: dict[Starter, Template] = {
    Starter.DIALOGUE: Template(
        "Dialogue",
        "{a} sits at a café table by the window and talks to someone just off-screen, warm and animated, then "
        "breaks into a laugh. Medium close-up, soft afternoon light, the quiet murmur of the café.",
        "{a} and {b} sit across a café table and talk: {a} asks a question, {b} answers with a grin, and they "
        "both laugh.{rest} Shots cut between their faces, soft afternoon light, the quiet murmur of the café.",
        " {others} listens from the next table.", " {others} listen from the next table.", needs_two=True),
    Starter.PRODUCT: Template(
        "Product demo",
        "{a} holds a small product up to the camera, turns it slowly to show each side and explains what it "
        "does with clear, friendly gestures. Clean bright studio, soft key light, close-ups of the product.",
        "{a} holds a small product up to the camera, turns it slowly to show each side and explains what it "
        "does; {b} tries it and nods, impressed.{rest} Clean bright studio, soft key light, close-ups of the "
        "product.", " {others} looks on.", " {others} look on."),
    Starter.DANCE: Template(
        "Dance",
        "{a} dances on a rooftop at sunset to an upbeat song, spins, and ends with a pose for the camera. "
        "Wide shot, the city skyline behind, golden light.",
        "{all} dance together on a rooftop at sunset to an upbeat song, in step, then each strikes a pose for "
        "the camera. Wide shot, the city skyline behind, golden light."),
    Starter.CHASE: Template(
        "Chase",
        "{a} sprints through a crowded night market, dodging stalls and glancing back at someone unseen. "
        "Handheld camera, fast cuts, neon light and steam.",
        "{a} sprints through a crowded night market, dodging stalls, while {b} chases close behind.{rest} "
        "Handheld camera, fast cuts, neon light and steam.",
        " {others} tries to keep up.", " {others} try to keep up.", needs_two=True),
    Starter.INTERVIEW: Template(
        "Interview",
        "{a} sits in a quiet studio and answers an interviewer's question from off-screen, thoughtful at "
        "first, then smiling. A medium shot and a close-up, soft key light, calm room tone.",
        "{b} interviews {a} in a quiet studio: {b} asks a question, {a} thinks, then answers with a smile."
        "{rest} Medium shots and close-ups, soft key light, calm room tone.",
        " {others} watches from behind the camera.", " {others} watch from behind the camera.", needs_two=True),
}


def join_names(names: list[str]) -> str:
    """"A", "A and B", "A, B and C"."""
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + AND + names[-1]


def starter_prompt(kind: Starter | str, names: list[str]) -> str:
    """The starter's text, naming everyone in `names` (card order)."""
    t = TEMPLATES[Starter(kind)]
    if not names:
        names = [spec.character_tag(1), spec.character_tag(2)] if t.needs_two else [spec.character_tag(1)]
    if len(names) == 1:
        return t.solo.format(a=names[0])
    others = names[2:]
    rest = (t.rest_one if len(others) == 1 else t.rest_many).format(others=join_names(others)) if others else ""
    return t.duo.format(a=names[0], b=names[1], all=join_names(names), rest=rest)
