"""Convolution arithmetic: output sizes, padding, receptive fields, parameters, multiply-adds.

The maths of the collection lives here once; diagrams, widgets, models' tables and tests
call it. No TensorFlow import.
"""

from cnnlib.arithmetic.counts import count_macs, format_layer_table, layer_table  # noqa: F401
from cnnlib.arithmetic.depth import distance_to_output, network_depth  # noqa: F401
from cnnlib.arithmetic.inception import (  # noqa: F401
    ReductionSavings,
    inception_branches,
    inception_params,
    inception_width,
    reduction_savings,
)
from cnnlib.arithmetic.initialization import relu_gain  # noqa: F401
from cnnlib.arithmetic.memory import ActivationRow, activation_memory  # noqa: F401
from cnnlib.arithmetic.receptive import (  # noqa: F401
    FieldRow,
    Layer,
    LayerField,
    layer_fields,
    layers_from_keras,
    receptive_field,
)
from cnnlib.arithmetic.residual import (  # noqa: F401
    basic_block_params,
    block_macs,
    bn_params,
    bottleneck_block_params,
    projection_params,
    shortcut_params,
)
from cnnlib.arithmetic.sizes import (  # noqa: F401
    Padding,
    conv_connections,
    conv_macs,
    conv_output_size,
    conv_padding,
    conv_params,
    dense_params,
    effective_kernel,
    explain_conv_output_size,
    is_whole,
    pair,
    pool_output_size,
    window_starts,
)
