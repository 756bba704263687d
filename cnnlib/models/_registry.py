"""The model registry: builders register under a name with their card; tests and notebooks sweep it."""

from __future__ import annotations

import difflib
import fnmatch

from cnnlib.models.cards import ModelCard

_MODELS = {}
_CARDS = {}


def register_model(fn=None, *, name=None, card=None, doc=None):
    """Register a builder under ``name`` (default: the function's name), with its model card.

    Usable as ``@register_model`` or ``@register_model(name="...", card=ModelCard(...))``.

    Args:
        card: the variant's :class:`~cnnlib.models.cards.ModelCard`; every model of the zoo has one
            (the tests check it against the built model).
        doc: a docstring template shared by a family's variants (keras.applications style); it
            becomes the builder's docstring. Without it, the builder's own docstring is the template.
            With a card, ``{label}``, ``{params:,}``, ``{summary}``, ``{name}`` and every other card
            field are filled in, so that the numbers live once, on the card.
    """

    def add(builder):
        key = name or builder.__name__
        if key in _MODELS and _MODELS[key] is not builder:
            raise ValueError(f"a model named {key!r} is already registered.")
        if card is not None and not isinstance(card, ModelCard):
            raise ValueError(f"card must be a ModelCard, got {type(card).__name__}.")
        template = doc if doc is not None else builder.__doc__
        if card is not None and template:
            builder.__doc__ = template.format_map(card.doc_fields(key))
        elif doc is not None:
            builder.__doc__ = doc
        _MODELS[key] = builder
        if card is not None:
            _CARDS[key] = card
        return builder

    return add(fn) if fn is not None else add


def _check_known(name):
    if name not in _MODELS:
        close = difflib.get_close_matches(str(name), list(_MODELS), n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise ValueError(f"unknown model {name!r}.{hint} Known models: {', '.join(list_models())}.")


def get_model(name, **kwargs):
    """Build the registered model ``name``; keyword arguments go to its builder."""
    _check_known(name)
    return _MODELS[name](**kwargs)


def list_models(pattern="*"):
    """Registered names matching a shell-style ``pattern``, in the notes' chapter order."""
    return [key for key in _MODELS if fnmatch.fnmatchcase(key, pattern)]


def get_builder(name):
    """The builder function registered as ``name`` (for its docstring and signature)."""
    _check_known(name)
    return _MODELS[name]


def get_card(name) -> ModelCard:
    """The :class:`~cnnlib.models.cards.ModelCard` of the registered model ``name``: paper, year,
    default input, parameters, multiply-adds and published error with its source."""
    _check_known(name)
    if name not in _CARDS:
        raise ValueError(f"model {name!r} was registered without a card.")
    return _CARDS[name]
