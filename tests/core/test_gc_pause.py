"""gc_paused: the collector is off inside an import's reading and checking, and back to its
former state afterwards, also when nested or when the body raises."""

import gc

import pytest

from core.imports.gc_pause import gc_paused


def test_the_collector_is_off_inside_and_on_again_after():
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the inner one found it off and leaves it off
    assert gc.isenabled()


def test_an_error_inside_turns_it_back_on():
    with pytest.raises(RuntimeError), gc_paused():
        raise RuntimeError("boom")
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off():
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_an_import_runs_with_the_collector_paused(monkeypatch):
    from core.imports import base

    seen = []

    def spy(self, *args, **kwargs):
        seen.append(gc.isenabled())
        raise RuntimeError("stop")

    monkeypatch.setattr(base.PlatformResource, "_import_checked", spy)
    from review.imports.reference_records import ReferenceRecordResource

    with pytest.raises(RuntimeError):
        ReferenceRecordResource().import_data_inner(None, True, True, False, False)
    assert seen == [False] and gc.isenabled()
