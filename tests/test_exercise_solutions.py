"""The hidden solutions of notebooks 03, 04 and 05 pass the checks their notebooks run."""

from pathlib import Path

import keras
import numpy as np
import pytest

from cnnlib import arithmetic
from cnnlib.exercises import check, check_cell, check_model, solution_code
from cnnlib.experiments.saliency import occlusion_sensitivity
from cnnlib.models import get_model

NOTEBOOKS = Path(__file__).parents[1] / "notebooks"


def run_solution(notebook: str, defines: str):
    namespace = {"keras": keras, "np": np}
    exec(solution_code(NOTEBOOKS / notebook, defines), namespace)
    return namespace[defines]


def test_lenet_built_by_hand_passes_exercise_4_of_03(capsys):
    my_lenet = run_solution("03_lenet.ipynb", "my_lenet")
    check_model(my_lenet, get_model("lenet5", activation="relu", subsampling="max"), "Exercise 4")
    assert "correct (61,706 parameters" in capsys.readouterr().out
    answer, check_source = check_cell(NOTEBOOKS / "03_lenet.ipynb", "Exercise 4")
    assert answer.startswith("my_lenet = ...") and "check_model(my_lenet" in check_source


def test_a_wrong_lenet_is_refused():
    wrong = keras.Sequential([keras.Input((32, 32, 1)), keras.layers.Flatten(), keras.layers.Dense(10)])
    with pytest.raises(AssertionError, match="your layers"):
        check_model(wrong, get_model("lenet5", activation="relu", subsampling="max"), "Exercise 4")


def test_alexnet_sizes_solution_passes_the_check_of_04(capsys):
    alexnet_sizes = run_solution("04_alexnet.ipynb", "alexnet_sizes")
    namespace = {"alexnet_sizes": alexnet_sizes, "arithmetic": arithmetic, "check": check}
    exec(check_cell(NOTEBOOKS / "04_alexnet.ipynb", "Exercise 4")[1], namespace)
    assert "Exercise 4: correct." in capsys.readouterr().out
    namespace["alexnet_sizes"] = ...  # the placeholder: not answered, no error
    exec(check_cell(NOTEBOOKS / "04_alexnet.ipynb", "Exercise 4")[1], namespace)
    assert "not answered yet" in capsys.readouterr().out


def test_occlusion_map_solution_agrees_with_the_library():
    occlusion_map = run_solution("05_zfnet.ipynb", "occlusion_map")
    keras.utils.set_random_seed(0)
    net = keras.Sequential(
        [
            keras.Input((12, 12, 3)),
            keras.layers.Conv2D(4, 3, activation="relu"),
            keras.layers.GlobalAveragePooling2D(),
            keras.layers.Dense(5, activation="softmax"),
        ]
    )
    image = np.random.default_rng(0).normal(size=(12, 12, 3)).astype("float32")
    expected = occlusion_sensitivity(net, image, 2, patch=4, stride=4, fill=0.0)
    answer = occlusion_map(lambda x: net.predict(x, verbose=0), image, 2, 4, 4)
    check(answer, expected.astype(float), "Exercise 4", atol=1e-4)


def test_solution_lookup_names_what_is_missing():
    with pytest.raises(ValueError, match="expected one hidden solution defining 'nothing_here'"):
        solution_code(NOTEBOOKS / "03_lenet.ipynb", "nothing_here")
