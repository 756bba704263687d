"""Course tooling, not installed with cnnlib: ``tasks.py`` calls these (runner, sweep, pictures, links, ...)."""
