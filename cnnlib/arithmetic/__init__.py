"""Convolution arithmetic: output sizes, padding, receptive fields, parameters, multiply-adds.

The maths of the collection lives here once; diagrams, widgets, models' tables and tests
call it. No TensorFlow import.
"""

from cnnlib.arithmetic.sizes import (  # noqa: F401
    PADDING_MODES,
    Padding,
    conv_connections,
    conv_macs,
    conv_output_size,
    conv_padding,
    conv_params,
    dense_params,
    explain_conv_output_size,
    effective_kernel,
    pool_output_size,
    same_padding_is_symmetric,
    window_starts,
)
