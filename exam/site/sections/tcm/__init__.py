"""Section pages of the TCM-expertise application (seed 000 §4.3), except 推荐信息.

pages.py (the views and their request cycle), base.py (the form they share), forms.py and
study.py (one form per section), divisions.py (the 行政区划 picker). The fixed lists and
attachment kinds are exam.tcm_lists. Section.data keys are those of
exam.sections.TCM_SECTION_FIELDS / TCM_ITEM_FIELDS. Importing this package registers the
pages with exam.site.registry."""

from exam.site.sections.tcm import pages  # noqa: F401
