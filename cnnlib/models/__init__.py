"""The verified model zoo: one module per family, builders registered by name.

>>> from cnnlib.models import get_model, list_models
>>> list_models("vgg*")
['vgg11', 'vgg13', 'vgg16', 'vgg19']
>>> model = get_model("resnet20")  # doctest: +SKIP

Every builder has the ``keras.applications`` arguments (``include_top``, ``weights=None``,
``input_shape``, ``pooling``, ``classes``, ``classifier_activation``, ``name``), explicit
hierarchical layer names (so ``model.summary()`` is the same in every session), and only
Keras 3 public API inside. A family is one builder (``vgg``, ``resnet``, ``densenet``...);
its variants are data: a configuration, a card, and one line that calls the family builder
with keyword arguments passed through (``vgg16(classes=10)`` is ``vgg("D", name="vgg16",
classes=10)``). The public builders are also importable from here, as in torchvision:
``from cnnlib.models import vgg16``.

Each registered model carries a :class:`ModelCard` (paper, year, default input, parameters,
multiply-adds, published error and its source):

>>> get_card("resnet50").top1_error
22.85

Adding a family is one module in this package (its builder, its cards, its
``register_model(card=...)`` calls) and one import line below; the tests sweep the registry.
"""

from cnnlib.models._registry import get_builder, get_card, get_model, list_models, register_model
from cnnlib.models.cards import ModelCard
from cnnlib.models.facts import ModelFacts, model_facts

# Imported for their registrations, in the order of the notes' chapters (list_models keeps it).
# isort: off
from cnnlib.models.lenet import lenet5
from cnnlib.models.alexnet import alexnet, figure1_net
from cnnlib.models.zfnet import zfnet
from cnnlib.models.vgg import VGG_CONFIGS, vgg, vgg11, vgg13, vgg16, vgg19
from cnnlib.models.googlenet import INCEPTION_CONFIGS, googlenet, inception_block
from cnnlib.models.inception_v3 import INCEPTION_V3_MODULES, inception_v3
from cnnlib.models.resnet import (
    RESNET_CONFIGS,
    cifar_resnet,
    plain20,
    plain32,
    plain44,
    plain56,
    resnet,
    resnet18,
    resnet20,
    resnet32,
    resnet34,
    resnet44,
    resnet50,
    resnet56,
    resnet101,
    resnet110,
    resnet152,
)
from cnnlib.models.resnet_v2 import RESNET_V2_CONFIGS, resnet50v2, resnet_v2
from cnnlib.models.densenet import (
    DENSENET_CONFIGS,
    densenet,
    densenet121,
    densenet169,
    densenet201,
    densenet_bc_100,
)

# isort: on

__all__ = [
    "ModelCard",
    "ModelFacts",
    "model_facts",
    "DENSENET_CONFIGS",
    "INCEPTION_CONFIGS",
    "INCEPTION_V3_MODULES",
    "RESNET_CONFIGS",
    "RESNET_V2_CONFIGS",
    "VGG_CONFIGS",
    "alexnet",
    "figure1_net",
    "cifar_resnet",
    "densenet",
    "densenet121",
    "densenet169",
    "densenet201",
    "densenet_bc_100",
    "get_builder",
    "get_card",
    "get_model",
    "googlenet",
    "inception_block",
    "inception_v3",
    "lenet5",
    "list_models",
    "plain20",
    "plain32",
    "plain44",
    "plain56",
    "register_model",
    "resnet",
    "resnet18",
    "resnet20",
    "resnet32",
    "resnet34",
    "resnet44",
    "resnet50",
    "resnet56",
    "resnet101",
    "resnet110",
    "resnet152",
    "resnet50v2",
    "resnet_v2",
    "vgg",
    "vgg11",
    "vgg13",
    "vgg16",
    "vgg19",
    "zfnet",
]
