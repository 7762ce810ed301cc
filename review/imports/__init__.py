"""Excel imports for provincial staff and institution administrators (django-import-export).

Every import validates every row first (a dry run shows new / updated / unchanged / wrong
rows with Chinese errors naming row, column and reason) and then writes in one transaction:
one wrong row writes nothing. Each applied import is recorded in ImportLog.
"""
