"""pytest collects the notebooks under tests/ too (``--nbval`` in addopts, ``tests`` in testpaths): the notebooks in
tests/data/ are material for the integration tests (tests/test_browser.py), not course notebooks with committed
outputs to compare, and are left out here."""

collect_ignore_glob = ["data/*"]
