from tests.review.materials import material_media, materials  # noqa: F401  (fixtures)
from tests.review.scenario import apps  # noqa: F401  (fixture)
