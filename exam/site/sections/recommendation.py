"""Section pages: see exam.site.registry for the contract."""
