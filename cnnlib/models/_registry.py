"""The model registry: builders register under a name; tests and notebooks sweep it."""

from __future__ import annotations

import difflib
import fnmatch

_MODELS = {}


def register_model(fn=None, *, name=None):
    """Register a builder under ``name`` (default: the function's name).

    Usable as ``@register_model`` or ``@register_model(name="...")``.
    """

    def add(builder):
        key = name or builder.__name__
        if key in _MODELS and _MODELS[key] is not builder:
            raise ValueError(f"a model named {key!r} is already registered.")
        _MODELS[key] = builder
        return builder

    return add(fn) if fn is not None else add


def get_model(name, **kwargs):
    """Build the registered model ``name``; keyword arguments go to its builder."""
    if name not in _MODELS:
        close = difflib.get_close_matches(str(name), list(_MODELS), n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise ValueError(f"unknown model {name!r}.{hint} Known models: {', '.join(list_models())}.")
    return _MODELS[name](**kwargs)


def list_models(pattern="*"):
    """Registered names matching a shell-style ``pattern``, in the notes' chapter order."""
    return [key for key in _MODELS if fnmatch.fnmatchcase(key, pattern)]


def get_builder(name):
    """The builder function registered as ``name`` (for its docstring and signature)."""
    if name not in _MODELS:
        get_model(name)  # raises the helpful error
    return _MODELS[name]
