"""What the engine blurs in one frame given the faces found and the trainer's boxes (ADR 0017,
decision 8): `to_blur`, a pure function, tested directly. The job applying them to footage:
test_face_edits_job.py."""

from __future__ import annotations

from vault.anonymise.detect import Box
from vault.anonymise.engine import RATE, Edit, to_blur

W, H = 400, 200
LEFT = Box(40, 40, 80, 100)  # a face in the left half (centre 60, 70)
RIGHT = Box(300, 40, 340, 100)  # one in the right half
KEEP_LEFT = Edit("keep", 10.0, 20.0, (0.0, 0.0, 0.5, 1.0))


def px(boxes: list[Box]) -> list[tuple[float, ...]]:
    """Boxes as pixel corners, up to the floating point of the fractions."""
    return [tuple(round(v, 6) for v in (b.x0, b.y0, b.x1, b.y1)) for b in boxes]


def blurred(t: float, detected: list[Box], edits: list[Edit]) -> list[tuple[float, ...]]:
    return px(to_blur(t, detected, edits, W, H))


def test_without_edits_every_detection_is_blurred() -> None:
    assert blurred(12.0, [LEFT, RIGHT], []) == px([LEFT, RIGHT])
    assert blurred(12.0, [], []) == px([])


def test_an_add_box_is_blurred_over_its_span_moving_in_a_straight_line() -> None:
    moving = Edit("add", 10.0, 12.0, (0.0, 0.0, 0.1, 0.2), (0.5, 0.5, 0.3, 0.4))
    assert blurred(10.0, [], [moving]) == px([Box(0, 0, 40, 40)])
    assert blurred(11.0, [RIGHT], [moving]) == px([RIGHT, Box(100, 50, 180, 110)])  # halfway
    assert blurred(9.0, [], [moving]) == px([])
    assert blurred(12.0, [], [moving]) == px([])  # the frame from 12.0 is after the span
    # Fail closed at the edges: the frame that starts a little before the span overlaps it.
    assert blurred(10.0 - 0.5 / RATE, [], [moving]) == px([Box(0, 0, 40, 40)])
    still = Edit("add", 10.0, 12.0, (0.25, 0.5, 0.25, 0.5))  # no box_end: stays where it is
    assert blurred(11.9, [], [still]) == px([Box(100, 100, 200, 200)])


def test_a_keep_box_leaves_faces_wholly_inside_it_and_blurs_the_others() -> None:
    assert blurred(12.0, [LEFT, RIGHT], [KEEP_LEFT]) == px([RIGHT])
    partly = Box(180, 40, 260, 100)  # centre 220: outside the left half, though it overlaps it
    assert blurred(12.0, [partly], [KEEP_LEFT]) == px([partly])
    # Fail closed: a face whose centre is inside but whose edge sticks out of the keep box (someone
    # walking into it) is blurred, not shown.
    entering = Box(160, 40, 220, 100)  # centre 190, inside the left half; right edge at 220
    assert blurred(12.0, [entering], [KEEP_LEFT]) == px([entering])
    # Only over its span, and only frames wholly inside it.
    assert blurred(9.99, [LEFT], [KEEP_LEFT]) == px([LEFT])
    assert blurred(20.0 - 0.5 / RATE, [LEFT], [KEEP_LEFT]) == px([LEFT])
    assert blurred(20.0 - 1 / RATE, [LEFT], [KEEP_LEFT]) == px([])
    # A moving keep box follows its person.
    walking = Edit("keep", 10.0, 20.0, (0.0, 0.0, 0.25, 1.0), (0.75, 0.0, 0.25, 1.0))
    assert blurred(10.0, [LEFT, RIGHT], [walking]) == px([RIGHT])
    assert blurred(19.96, [LEFT, RIGHT], [walking]) == px([LEFT])


def test_an_add_box_wins_over_a_keep_box() -> None:
    over_left = Edit("add", 11.0, 13.0, (0.1, 0.2, 0.1, 0.3))  # covers LEFT's centre
    found = blurred(12.0, [LEFT, RIGHT], [KEEP_LEFT, over_left])
    assert found == px([LEFT, RIGHT, Box(40, 40, 80, 100)])
    elsewhere = Edit("add", 11.0, 13.0, (0.0, 0.8, 0.1, 0.2))  # inside the keep box, not on LEFT
    assert blurred(12.0, [LEFT], [KEEP_LEFT, elsewhere]) == px([Box(0, 160, 40, 200)])
    # An add box that only touches a kept face's edge blurs that face whole.
    touching = Edit(
        "add", 11.0, 13.0, (0.18, 0.45, 0.1, 0.1)
    )  # x 72..112, y 90..110: LEFT's corner
    assert blurred(12.0, [LEFT], [KEEP_LEFT, touching]) == px([LEFT, Box(72, 90, 112, 110)])
