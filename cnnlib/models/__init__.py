"""The verified model zoo: one module per family, builders registered by name.

>>> from cnnlib.models import get_model, list_models
>>> model = get_model("resnet20")            # doctest: +SKIP
>>> list_models("vgg*")                      # doctest: +SKIP
['vgg11', 'vgg13', 'vgg16', 'vgg19']

Every builder has the ``keras.applications`` signature (``include_top``, ``input_shape``,
``classes``, ``classifier_activation``, ``name``, plus ``weights=None`` and ``pooling``),
explicit hierarchical layer names, and only Keras 3 public API inside.
"""

from cnnlib.models._registry import get_builder, get_model, list_models, register_model

# Imported for their registrations, in the order of the notes' chapters.
from cnnlib.models import lenet, alexnet, zfnet, vgg, googlenet, resnet, densenet  # noqa: E402, I001

__all__ = [
    "alexnet",
    "densenet",
    "get_builder",
    "get_model",
    "googlenet",
    "lenet",
    "list_models",
    "register_model",
    "resnet",
    "vgg",
    "zfnet",
]
