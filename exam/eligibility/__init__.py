"""报考条件: whether an application meets its exam project's eligibility rules.

The rules are data (exam.models.EligibilityRuleSet, one per exam project, edited by provincial
staff); each exam kind reads its own rules, gathers an application's facts and evaluates
them with a pure function (registry.py names them). Every result says 符合, 不符合 or
需人工核实 with a one-line Chinese explanation; a fact the candidate did not give is
需人工核实, never a guess.

- outcomes.py: the three outcomes, one rule's result, an application's evaluation.
- dates.py: counting full years to the 截止日期 (leap days included).
- registry.py: what each exam kind provides (rules, facts, evaluation, its 2026 rules).
"""
