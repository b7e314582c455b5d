"""Spans the trainer marked are silent in the anonymised copy (names are spoken: issue #24): generated
footage with a continuous tone, stored encrypted in MinIO, anonymised with two spans muted; the copy's
audio, decoded in memory from the store, is silent inside each span and the tone everywhere else."""

from __future__ import annotations

import uuid
from pathlib import Path

import numpy as np

from tests.anonymise.conftest import AUDIO_RATE, END, MARGIN, START, audio, loudness
from vault.anonymise.engine import anonymised_copy
from vault.store import ObjectKind, ObjectStore

SPANS = [(1.0, 1.5), (2.2, 2.9)]  # seconds of the recording, as the clip's start and end


def test_marked_spans_are_silent_and_the_rest_is_not(footage: Path, store: ObjectStore) -> None:
    with footage.open("rb") as recording:
        source = store.put(family_id=uuid.uuid4(), kind=ObjectKind.original, source=recording)

    object_id, _ = anonymised_copy(store, source.id, START, END, mute=SPANS)

    samples = audio(b"".join(store.iter_plaintext(object_id)))
    length = END - START
    assert len(samples) >= (length - 0.1) * AUDIO_RATE
    inside = [(a - START + MARGIN, b - START - MARGIN) for a, b in SPANS]
    edges = [0.0, *(t - START for span in SPANS for t in span), length]
    outside = [(edges[i] + MARGIN, edges[i + 1] - MARGIN) for i in range(0, len(edges), 2)]
    assert len(outside) == 3
    for a, b in inside:
        assert max(loudness(samples, a, b)) < 1e-4, (a, b)
    for a, b in outside:
        assert min(loudness(samples, a, b)) > 0.03, (a, b)  # the tone (sine's RMS about 0.09)


def test_without_spans_the_tone_runs_through(footage: Path, store: ObjectStore) -> None:
    with footage.open("rb") as recording:
        source = store.put(family_id=uuid.uuid4(), kind=ObjectKind.original, source=recording)

    object_id, _ = anonymised_copy(store, source.id, START, END)

    samples = audio(b"".join(store.iter_plaintext(object_id)))
    assert min(loudness(samples, MARGIN, END - START - MARGIN)) > 0.03


def test_a_span_over_the_whole_clip_silences_it_from_the_first_sample(
    footage: Path, store: ObjectStore
) -> None:
    with footage.open("rb") as recording:
        source = store.put(family_id=uuid.uuid4(), kind=ObjectKind.original, source=recording)

    object_id, _ = anonymised_copy(store, source.id, START, END, mute=[(START, END)])

    samples = audio(b"".join(store.iter_plaintext(object_id)))
    assert len(samples) >= (END - START - 0.1) * AUDIO_RATE
    assert float(np.abs(samples).max()) < 1e-4  # every sample, the first and the last included
