"""The demo data of `manage.py seed_demo`: the review tree and accounts (tree.py), generated
people and their plan (people.py, plan.py), section contents (content.py, health.py, tcm.py),
the actors' steps (actors.py), 医师库 and 对比库 (registry.py), the seed (seed.py), reading it
back (summary.py), generated files (media.py), wording (texts.py) and phones (phones.py)."""
