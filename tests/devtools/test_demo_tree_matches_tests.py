"""The tests build their own institution tree and accounts (tests/tree.py) so that they do not
depend on devtools; the demo keeps the same units and accounts, so a reviewer trying the
demo meets what the tests cover. The two lists are copies by design: this keeps them equal."""

from devtools.demo import tree as demo
from tests import tree


def test_the_demo_has_the_tests_units_and_accounts():
    assert demo.DEMO_UNITS == tree.UNITS
    assert demo.DEMO_REVIEWERS == tree.REVIEWERS
    assert demo.DEMO_PASSWORD == tree.REVIEWER_PASSWORD
