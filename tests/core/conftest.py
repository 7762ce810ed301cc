from tests.review.scenario import apps  # noqa: F401  (fixture: test_object_storage.py)
