"""The library behind notebook 09 (DenseNet): the feature-reuse map, the dense-block drawings,
and the notebook's hidden solutions."""

from pathlib import Path

import keras
import numpy as np
import pytest
from matplotlib.figure import Figure

from cnnlib.exercises import solution_code
from cnnlib.experiments.feature_reuse import dense_block_layers, feature_reuse, from_record
from cnnlib.models import densenet
from cnnlib.training import train_from_seeds
from cnnlib.viz import draw_dense_block, draw_feature_reuse
from cnnlib.viz.densenet import dense_block_inputs

NOTEBOOK = Path(__file__).parents[1] / "notebooks" / "09_densenet.ipynb"


def _tiny(bottleneck=True, blocks=(2, 3)):
    return densenet(blocks, growth_rate=4, stem="cifar", bottleneck=bottleneck, input_shape=(8, 8, 3), classes=3)


def _reader(model, prefix):
    # The convolution that reads the concatenation: the 1 x 1 bottleneck, or the 3 x 3 without one.
    try:
        return model.get_layer(f"{prefix}_1_conv")
    except ValueError:
        return model.get_layer(f"{prefix}_2_conv")


def _set_by_source(model, block, layers, value_of_source):
    """Give every kernel that reads block ``block`` the value ``value_of_source(s)`` on source s's channels."""
    readers = [_reader(model, f"conv{block}_block{i}") for i in range(1, layers + 1)]
    readers.append(model.get_layer(f"pool{block}_conv"))
    c0 = readers[0].kernel.shape[2]
    growth = model.get_layer(f"conv{block}_block1_2_conv").kernel.shape[-1]
    for layer in readers:
        kernel = np.zeros(layer.kernel.shape, dtype="float32")
        kernel[:, :, :c0, :] = value_of_source(0)
        for s in range(1, (kernel.shape[2] - c0) // growth + 1):
            kernel[:, :, c0 + (s - 1) * growth : c0 + s * growth, :] = value_of_source(s)
        layer.kernel.assign(kernel)


@pytest.mark.parametrize("bottleneck", [True, False])
def test_feature_reuse_reads_each_source_slice(bottleneck):
    model = _tiny(bottleneck)
    _set_by_source(model, 2, 2, lambda s: -(s + 1.0))  # source s has |weight| s + 1
    reuse = feature_reuse(model, 2)
    assert reuse.sources == ("input", "layer 1", "layer 2")
    assert reuse.targets == ("layer 1", "layer 2", "transition")
    assert reuse.channels == (8, 4, 4)  # 2k stem, then k per layer
    expected = np.array([[1, np.nan, np.nan], [1, 2, np.nan], [1, 2, 3]], dtype=float)
    np.testing.assert_allclose(reuse.weights, expected)


def test_a_recorded_map_reads_back_as_the_computed_one():
    # benchmarks/feature_reuse.py stores a map as lists with None where a layer cannot read a source.
    model = _tiny()
    _set_by_source(model, 2, 2, lambda s: -(s + 1.0))
    reuse = feature_reuse(model, 2)
    stored = {"targets": list(reuse.targets), "sources": list(reuse.sources),
              "weights": [[None if np.isnan(v) else float(v) for v in row] for row in reuse.weights]}  # fmt: skip
    back = from_record(2, stored)
    np.testing.assert_allclose(back.weights, reuse.weights)
    assert (back.sources, back.targets, back.block) == (reuse.sources, reuse.targets, 2)
    with pytest.raises(ValueError, match="targets x sources"):
        from_record(2, {**stored, "targets": stored["targets"][:-1]})


def test_feature_reuse_of_the_last_block_has_no_transition():
    model = _tiny()
    reuse = feature_reuse(model, 3)
    assert reuse.targets == ("layer 1", "layer 2", "layer 3")
    assert reuse.channels[0] == 8  # (8 + 2 * 4) halved by the transition
    assert np.isnan(reuse.weights[np.triu_indices(3, 1)]).all()
    assert (reuse.weights[np.tril_indices(3)] > 0).all()
    assert feature_reuse(model, 2, transition=False).targets == ("layer 1", "layer 2")


def test_feature_reuse_names_the_blocks_a_model_has():
    model = _tiny()
    assert dense_block_layers(model, 2) == 2 and dense_block_layers(model, 3) == 3
    with pytest.raises(ValueError, match="no dense block 4; its dense blocks: conv2, conv3"):
        feature_reuse(model, 4)


def test_feature_reuse_of_a_network_trained_from_seeds_has_moved_from_its_initialization():
    # notebook 09's path: train_from_seeds, then the map of the last seed's network against its untrained twin
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(32, 8, 8, 3)).astype("float32"), rng.integers(0, 3, 32)
    runs = train_from_seeds(_tiny, x, y, [0, 1], epochs=1, batch_size=16, test=(x, y), jit_compile=False)
    assert len(runs.final("test_accuracy")) == 2
    keras.utils.set_random_seed(1)
    trained, untrained = feature_reuse(runs.model, 2), feature_reuse(_tiny(), 2)
    assert trained.sources == untrained.sources
    assert not np.allclose(trained.weights, untrained.weights, equal_nan=True)


def test_dense_block_inputs_and_drawing():
    assert dense_block_inputs(64, 32, 2) == [[64], [64, 32], [64, 32, 32]]
    with pytest.raises(ValueError, match="growth_rate must be a whole number"):
        dense_block_inputs(64, 0, 2)
    fig = draw_dense_block(64, 32, 6)
    assert isinstance(fig, Figure)
    labels = [t.get_text() for t in fig.axes[0].texts]
    assert labels[0].startswith("layer 1 reads 64 -> 1x1 conv 128") and labels[-1] == "block output: 256 = 64 + 6 x 32"
    assert "3x3 conv 32" in [t.get_text() for t in draw_dense_block(8, 32, 1, bottleneck=False).axes[0].texts][0]


def test_draw_feature_reuse_returns_a_figure_with_a_colour_bar():
    fig = draw_feature_reuse(feature_reuse(_tiny(), 2), title="tiny")
    assert isinstance(fig, Figure) and len(fig.axes) == 2  # the map and its colour bar
    assert fig.axes[0].get_title() == "tiny"


def _densenet_channels():
    namespace = {}
    exec(solution_code(NOTEBOOK, "densenet_channels"), namespace)
    return namespace["densenet_channels"]


@pytest.mark.skipif(not NOTEBOOK.exists(), reason="notebook 09 not written yet")
def test_exercise_2_solution_agrees_with_built_networks():
    solve = _densenet_channels()
    assert solve((6, 12, 24, 16), 32) == [256, 512, 1024, 1024]
    assert solve((16, 16, 16), 12) == [216, 300, 342]
    model = densenet((2, 3, 2), growth_rate=5, compression=0.6, stem="cifar", input_shape=(16, 16, 3))
    built = [model.get_layer(f"conv{s}_block{n}_concat").output.shape[-1] for s, n in ((2, 2), (3, 3), (4, 2))]
    assert solve((2, 3, 2), 5, compression=0.6) == built


def test_distance_to_output_is_the_shortest_path_in_weight_layers():
    import keras

    from cnnlib.arithmetic import distance_to_output
    from cnnlib.models import cifar_resnet, densenet

    plain = cifar_resnet(20, None, base_width=4, input_shape=(16, 16, 3))
    distance = distance_to_output(plain)
    assert list(distance.values()) == list(range(20, 0, -1))  # a chain: the whole depth above each layer
    dense = densenet(blocks=(4, 4, 4), growth_rate=4, stem="cifar", input_shape=(16, 16, 3), classes=10)
    distance = distance_to_output(dense)
    assert distance["predictions"] == 1 and distance["conv4_block4_2_conv"] == 2  # last block: straight to the top
    assert distance["conv1_conv"] == 4  # the stem: two transitions and the classifier above it
    assert max(distance.values()) == 5  # a 1 x 1 bottleneck of the first block
    # a skip connection around two convolutions: the shortest path takes it
    inputs = keras.Input((8, 8, 2))
    a = keras.layers.Conv2D(2, 3, padding="same", name="a")(inputs)
    b = keras.layers.Conv2D(2, 3, padding="same", name="b")(keras.layers.Conv2D(2, 3, padding="same", name="c")(a))
    out = keras.layers.Dense(3, name="top")(keras.layers.GlobalAveragePooling2D()(keras.layers.Add()([a, b])))
    assert distance_to_output(keras.Model(inputs, out)) == {"a": 2, "c": 3, "b": 2, "top": 1}
