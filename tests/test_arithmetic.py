"""Output sizes from cnnlib.arithmetic against real Keras layers, over a grid of cases."""

import itertools

import keras
import numpy as np
import pytest

from cnnlib import arithmetic as A

PADDINGS = ["valid", "same", "full", 0, 1, 2]


def keras_conv_out(size, kernel, stride, padding, dilation):
    x = np.zeros((1, size, size, 1), dtype="float32")
    if padding not in ("valid", "same"):
        p = A.conv_padding(size, kernel, stride, padding, dilation)
        x = keras.layers.ZeroPadding2D((tuple(p), tuple(p)))(x)
        padding = "valid"
    conv = keras.layers.Conv2D(1, kernel, strides=stride, padding=padding, dilation_rate=dilation)
    return conv(x).shape[1]


CASES = [
    (size, kernel, stride, padding, dilation)
    for size, kernel, stride, padding, dilation in itertools.product(
        range(1, 10), range(1, 6), range(1, 4), PADDINGS, (1, 2)
    )
    if not (stride > 1 and dilation > 1)  # Keras refuses this mix; the formula does not care
]


def test_conv_output_size_matches_keras_on_a_grid():
    checked = 0
    for size, kernel, stride, padding, dilation in CASES:
        try:
            ours = A.conv_output_size(size, kernel, stride, padding, dilation)
        except ValueError:
            # No window fits: Keras must agree that the padded input is too small.
            padded = size + sum(A.conv_padding(size, kernel, stride, padding, dilation))
            assert A.effective_kernel(kernel, dilation) > padded
            continue
        assert ours == keras_conv_out(size, kernel, stride, padding, dilation), (
            size,
            kernel,
            stride,
            padding,
            dilation,
        )
        checked += 1
    assert checked > 800


@pytest.mark.parametrize("padding", ["valid", "same"])
@pytest.mark.parametrize("size,pool,stride", [(8, 2, None), (7, 2, None), (13, 3, 2), (27, 3, 2), (5, 3, 1), (6, 4, 3)])
def test_pool_output_size_matches_keras(size, pool, stride, padding):
    x = np.zeros((1, size, size, 1), dtype="float32")
    for cls in (keras.layers.MaxPooling2D, keras.layers.AveragePooling2D):
        expected = cls(pool, strides=stride, padding=padding)(x).shape[1]
        assert A.pool_output_size(size, pool, stride, padding) == expected


def test_same_padding_puts_the_odd_zero_after():
    assert A.conv_padding(6, 3, 2, "same") == (0, 1)
    assert A.conv_padding(5, 4, 1, "same") == (1, 2)
    assert A.conv_padding(5, 3, 1, "same") == (1, 1)


def test_lenet_c1_weight_sharing_figures():
    assert A.conv_params(5, 1, 6) == 156
    assert A.conv_connections(5, 1, 6, 28) == 122_304
    assert A.dense_params(32 * 32, 6 * 28 * 28) == 4_821_600


def test_window_starts_cover_the_padded_input():
    assert A.window_starts(5, 3, 2, 1) == [-1, 1, 3]
    assert A.window_starts(4, 3, 1, "valid") == [0, 1]


def test_explained_formula_shows_the_numbers():
    assert A.explain_conv_output_size(5, 3, 2, 1) == "o = ⌊(5 + 1 + 1 − 3) / 2⌋ + 1 = 3"
    assert A.explain_conv_output_size(7, 3, 1, "valid", 2).endswith("= 3")


@pytest.mark.parametrize(
    "args,message",
    [
        ((5, 7), "kernel 7 is larger than the input 5"),
        ((5, 8, 1, 1), "kernel 8 is larger than the padded input 7"),
        ((5, 3, 0), "stride must be at least 1"),
        ((5, 3, 1, "half"), "padding 'half' is not known"),
        ((5, 3, 1, -1), "padding must be"),
        ((5, 3, 1, "valid", 3), "kernel 3 with dilation 3 (spans 7) is larger"),
        ((5, 2.5), "kernel size must be a whole number"),
        ((0, 3), "input size must be at least 1"),
    ],
)
def test_bad_arguments_get_a_sentence(args, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        A.conv_output_size(*args)


def test_pool_rejects_full_padding_and_oversized_windows():
    with pytest.raises(ValueError, match="pooling padding must be 'valid' or 'same'"):
        A.pool_output_size(4, 2, padding="full")
    with pytest.raises(ValueError, match="pool window 5 is larger than the input 4"):
        A.pool_output_size(4, 5)


def test_pair_reads_one_number_or_two_and_accepts_numpy_integers():
    import numpy as np

    from cnnlib.arithmetic import pair

    assert pair(3) == (3, 3) and pair((3, 5)) == (3, 5) and pair(np.int64(2)) == (2, 2)
    assert pair([np.int32(1), 7], "kernel") == (1, 7)
    with pytest.raises(ValueError, match="kernel must be one number or a pair"):
        pair((1, 2, 3), "kernel")
    with pytest.raises(ValueError, match=r"stride \(width\) must be a whole number"):
        pair((1, 2.5), "stride")
    with pytest.raises(ValueError, match="at least 1"):
        pair(0)
