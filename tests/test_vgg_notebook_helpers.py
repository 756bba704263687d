"""The hidden solutions of notebook 06 (VGG) pass the checks their notebook runs."""

from pathlib import Path

import keras
import numpy as np
import pytest

from cnnlib import arithmetic
from cnnlib.exercises import check, check_cell, solution_code
from cnnlib.models import VGG_CONFIGS, get_card, vgg
from cnnlib.models.vgg import narrow_config

NOTEBOOK = Path(__file__).parents[1] / "notebooks" / "06_vgg.ipynb"

# The registered models' counts (keras.applications / torchvision's) for A, B, D, E, from their cards.
REFERENCE = {c: get_card(f"vgg{depth}").params for c, depth in (("A", 11), ("B", 13), ("D", 16), ("E", 19))}


def vgg_params_solution():
    namespace = {"keras": keras, "np": np}
    exec(solution_code(NOTEBOOK, "vgg_params"), namespace)
    return namespace["vgg_params"]


def built_params(config, classes=1000):
    # The convolutional part built (small), the dense head counted: a full VGG would take ~1.5 GB.
    features = vgg(config, include_top=False, input_shape=(224, 224, 3))
    flat = int(np.prod(features.output.shape[1:]))
    head = sum(arithmetic.dense_params(i, o) for i, o in ((flat, 4096), (4096, 4096), (4096, classes)))
    return features.count_params() + head


@pytest.mark.parametrize("config", sorted(REFERENCE))
def test_vgg_params_solution_gives_the_reference_counts(config):
    assert vgg_params_solution()(VGG_CONFIGS[config]) == REFERENCE[config]


@pytest.mark.parametrize("config", ["A-LRN", "C"])
def test_vgg_params_solution_agrees_with_the_library_on_lrn_and_1x1(config):
    assert vgg_params_solution()(VGG_CONFIGS[config]) == built_params(config)


def test_vgg_params_solution_follows_the_classes_argument():
    assert vgg_params_solution()(VGG_CONFIGS["D"], classes=10) == built_params("D", classes=10)


def test_exercise_2_check_cell_accepts_the_solution_and_the_placeholder(capsys):
    answer, check_source = check_cell(NOTEBOOK, "Exercise 2")
    assert answer.startswith("vgg_params = ...") and "check(answer_2" in check_source

    class Numbers:
        def __init__(self, params):
            self.params = params

    configs = ["A", "B", "D", "E"]
    namespace = {
        "vgg_params": vgg_params_solution(),
        "VGG_CONFIGS": VGG_CONFIGS,
        "configs": configs,
        "numbers": {c: Numbers(REFERENCE[c]) for c in configs},
        "check": check,
    }
    exec(check_source, namespace)
    assert "Exercise 2: correct." in capsys.readouterr().out
    namespace["vgg_params"] = ...
    exec(check_source, namespace)
    assert "not answered yet" in capsys.readouterr().out


def test_exercise_1_solution_figure_is_configuration_c():
    assert built_params("C") == 133_638_952 == REFERENCE["D"] - 8 * (256 * 256 + 2 * 512 * 512)


def test_exercise_3_solution_figures():
    two_3x3 = 2 * arithmetic.conv_params(3, 64, 64, use_bias=False)
    one_5x5 = arithmetic.conv_params(5, 64, 64, use_bias=False)
    assert (two_3x3, one_5x5) == (73_728, 102_400)


NOTEBOOK_B = Path(__file__).parents[1] / "notebooks" / "06b_vgg_training.ipynb"


def test_06b_exercise_2_solution_passes_and_a_wrong_sigma_fails():
    from cnnlib.arithmetic import relu_gain
    from cnnlib.exercises import run_solution

    namespace = {"keras": keras, "np": np, "check": check, "relu_gain": relu_gain}
    run_solution(NOTEBOOK_B, "Exercise 2", "he_std", namespace)
    namespace["he_std"] = lambda kernel, in_channels: np.sqrt(1 / (kernel**2 * in_channels))  # Glorot-like: wrong
    with pytest.raises(AssertionError, match="Exercise 2"):
        exec(check_cell(NOTEBOOK_B, "Exercise 2")[1], namespace)


def test_06b_exercise_1_solution_figure():
    from cnnlib.arithmetic import relu_gain

    assert round(relu_gain(0.01, 3, 256), 2) == 0.34


def test_fully_convolutional_vgg_is_the_same_function_on_one_window_and_a_score_map_on_more():
    from cnnlib.models.vgg import fully_convolutional

    keras.utils.set_random_seed(0)
    net = vgg(narrow_config("D", 16), input_shape=(224, 224, 3), classes=5, dense_units=32, dropout=0)
    fcn = fully_convolutional(net)
    images = np.random.default_rng(0).uniform(0, 1, (2, 224, 224, 3)).astype("float32")
    same = keras.ops.convert_to_numpy(fcn(images))
    assert same.shape == (2, 1, 1, 5)
    assert np.allclose(same[:, 0, 0], keras.ops.convert_to_numpy(net(images)), atol=1e-5)
    larger = keras.ops.convert_to_numpy(fcn(np.zeros((1, 288, 320, 3), "float32")))
    assert larger.shape == (1, 3, 4, 5)  # one score vector per 224 x 224 window, every 32 pixels
    assert fcn.count_params() == net.count_params()
    with pytest.raises(ValueError, match="include_top"):
        fully_convolutional(vgg("A", include_top=False, input_shape=(64, 64, 3)))
    with pytest.raises(ValueError, match="224 x 224"):
        fully_convolutional(vgg(narrow_config("A", 16), input_shape=(64, 64, 3), classes=5, dense_units=8))
