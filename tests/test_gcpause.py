"""long_lived(): no automatic collection while a process builds what it keeps, then frozen."""

from __future__ import annotations

import gc

import pytest

from detente.gcpause import long_lived


@pytest.fixture
def unfreeze():
    """long_lived() freezes every object of this process: give them back to the collector."""
    yield
    gc.unfreeze()


def test_no_collection_in_the_block_and_the_collector_restored_after(unfreeze):
    thresholds = gc.get_threshold()
    collections: list[int] = []

    def count(phase: str, info: dict) -> None:
        if phase == "start":
            collections.append(info["generation"])

    gc.callbacks.append(count)
    try:
        with long_lived():
            gc.disable()  # as spaCy's model loading does (srsly's msgpack reader)...
            gc.enable()  # ... whatever the state was: the pause must survive it
            kept = [[i] for i in range(100_000)]  # far past the first threshold
    finally:
        gc.callbacks.remove(count)
    assert collections == []
    assert gc.get_threshold() == thresholds
    assert gc.isenabled()
    assert gc.get_freeze_count() >= len(kept)


def test_the_collector_is_restored_when_the_block_fails(unfreeze):
    thresholds = gc.get_threshold()
    with pytest.raises(RuntimeError), long_lived():
        raise RuntimeError("the model is not installed")
    assert gc.get_threshold() == thresholds


def test_a_command_s_pipeline_is_built_long_lived(unfreeze):
    from detente.parallel import PipelineSpec
    from detente.pipeline import Pipeline

    gc.unfreeze()
    thresholds = gc.get_threshold()
    assert isinstance(PipelineSpec().build_for_process(), Pipeline)
    assert gc.get_freeze_count() > 0 and gc.isenabled() and gc.get_threshold() == thresholds
