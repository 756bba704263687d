"""Guided backpropagation and occlusion maps, checked on tiny models whose answers are known."""

import importlib.util
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import keras
import numpy as np
import pytest
import tensorflow as tf

from cnnlib.experiments.saliency import guided_backprop, occlusion_sensitivity

ROOT = Path(__file__).parents[1]


def _weights(seed=0):
    """Conv 3x3 1->2 and conv 3x3 2->1 with both signs, so both ReLU conditions matter."""
    rng = np.random.default_rng(seed)
    w1 = rng.normal(size=(3, 3, 1, 2)).astype("float32")
    b1 = np.array([0.1, -0.1], dtype="float32")
    w2 = rng.normal(size=(3, 3, 2, 1)).astype("float32")
    return w1, b1, w2, np.zeros(1, dtype="float32")


def _two_convs(relu="inside"):
    """6x6x1 -> conv1 (2 filters, ReLU written three ways) -> conv2 (1 filter, linear): 2x2x1."""
    inputs = keras.Input((6, 6, 1))
    if relu == "inside":
        x = keras.layers.Conv2D(2, 3, activation="relu", name="conv1")(inputs)
    else:
        x = keras.layers.Conv2D(2, 3, name="conv1")(inputs)
        x = keras.layers.ReLU(name="relu1")(x) if relu == "layer" else keras.layers.Activation("relu", name="relu1")(x)
    outputs = keras.layers.Conv2D(1, 3, name="conv2")(x)
    model = keras.Model(inputs, outputs)
    w1, b1, w2, b2 = _weights()
    model.get_layer("conv1").set_weights([w1, b1])
    model.get_layer("conv2").set_weights([w2, b2])
    return model


def _numpy_gradient(x, position, guided):
    """By hand: d conv2[position] / d x for one 6x6 image, with the plain or the guided ReLU rule."""
    w1, b1, w2, _ = _weights()
    pre1 = np.zeros((4, 4, 2))
    for p in range(4):
        for q in range(4):
            pre1[p, q] = np.tensordot(x[p : p + 3, q : q + 3], w1[:, :, 0], axes=([0, 1], [0, 1])) + b1
    r, c = position
    upstream = np.zeros((4, 4, 2))
    upstream[r : r + 3, c : c + 3] = w2[..., 0]
    if guided:
        upstream = np.maximum(upstream, 0)
    upstream *= pre1 > 0
    grad = np.zeros((6, 6))
    for p in range(4):
        for q in range(4):
            grad[p : p + 3, q : q + 3] += w1[:, :, 0] @ upstream[p, q]
    return grad, pre1, w2


def _tape_gradient(model, layer_name, images, index):
    """Plain gradient of ``layer[index]`` (index without the batch axis) for each image."""
    head = keras.Model(model.inputs, model.get_layer(layer_name).output)
    x = tf.convert_to_tensor(images, dtype="float32")
    with tf.GradientTape() as tape:
        tape.watch(x)
        value = tf.reduce_sum(head(x)[(slice(None), *index)])
    return tape.gradient(value, x).numpy()


def _images(n=3, seed=1):
    return np.random.default_rng(seed).normal(size=(n, 6, 6, 1)).astype("float32")


def test_without_relu_in_between_it_is_the_plain_gradient():
    model = _two_convs("layer")  # conv1 itself is linear; its ReLU is the next layer
    images = _images()
    got = guided_backprop(model, "conv1", images, unit=1, position=(2, 1))
    np.testing.assert_allclose(got, _tape_gradient(model, "conv1", images, (2, 1, 1)), atol=1e-6)
    assert np.abs(got).max() > 0


def test_matches_the_hand_computation_and_differs_from_plain_backprop():
    model = _two_convs()
    images = _images()
    got = guided_backprop(model, "conv2", images, unit=0, position=(1, 0))
    plain = _tape_gradient(model, "conv2", images, (1, 0, 0))
    for k in range(len(images)):
        guided_ref, pre1, w2 = _numpy_gradient(images[k, ..., 0], (1, 0), guided=True)
        plain_ref, _, _ = _numpy_gradient(images[k, ..., 0], (1, 0), guided=False)
        assert (pre1 < 0).any() and (w2 < 0).any()  # both rules have something to cut
        np.testing.assert_allclose(got[k, ..., 0], guided_ref, atol=1e-5)
        np.testing.assert_allclose(plain[k, ..., 0], plain_ref, atol=1e-5)
    assert np.abs(got - plain).max() > 0.1


def test_the_three_backward_rules():
    # plain: the ordinary gradient; deconvnet: only the gradient's sign decides at each ReLU, so the one
    # ReLU layer passes w2's positive entries wherever they land, whatever conv1's input was.
    model = _two_convs()
    images = _images()
    plain = guided_backprop(model, "conv2", images, unit=0, position=(1, 0), rule="plain")
    np.testing.assert_allclose(plain, _tape_gradient(model, "conv2", images, (1, 0, 0)), atol=1e-6)
    deconv = guided_backprop(model, "conv2", images, unit=0, position=(1, 0), rule="deconvnet")
    w1, _, w2, _ = _weights()
    upstream = np.zeros((4, 4, 2))
    upstream[1:4, 0:3] = np.maximum(w2[..., 0], 0)
    expected = np.zeros((6, 6))
    for p in range(4):
        for q in range(4):
            expected[p : p + 3, q : q + 3] += w1[:, :, 0] @ upstream[p, q]
    for k in range(len(images)):
        np.testing.assert_allclose(deconv[k, ..., 0], expected, atol=1e-5)
    with pytest.raises(ValueError, match="rule must be one of"):
        guided_backprop(model, "conv2", images, rule="guide")


def test_a_negative_gradient_through_a_relu_is_cut():
    # x -> 1x1 conv (weight 1) -> ReLU -> 1x1 conv (weight -1): the plain gradient is -1 wherever
    # x > 0, the guided one is 0 there because the gradient reaching the ReLU is negative.
    inputs = keras.Input((4, 4, 1))
    x = keras.layers.Conv2D(1, 1, activation="relu", name="copy")(inputs)
    outputs = keras.layers.Conv2D(1, 1, name="negate")(x)
    model = keras.Model(inputs, outputs)
    model.get_layer("copy").set_weights([np.ones((1, 1, 1, 1)), np.zeros(1)])
    model.get_layer("negate").set_weights([-np.ones((1, 1, 1, 1)), np.zeros(1)])
    image = np.full((1, 4, 4, 1), 2.0, dtype="float32")
    plain = _tape_gradient(model, "negate", image, (1, 2, 0))
    guided = guided_backprop(model, "negate", image, position=(1, 2))
    assert plain[0, 1, 2, 0] == -1.0
    assert guided[0, 1, 2, 0] == 0.0 and not guided.any()


def test_relu_written_three_ways_gives_the_same_result_and_the_model_is_untouched():
    images = _images()
    models = [_two_convs(kind) for kind in ("inside", "layer", "activation")]
    before = models[0].predict_on_batch(images)
    results = [guided_backprop(m, "conv2", images) for m in models]
    np.testing.assert_allclose(results[1], results[0], atol=1e-6)
    np.testing.assert_allclose(results[2], results[0], atol=1e-6)
    assert models[0].get_layer("conv1").activation is keras.activations.relu
    np.testing.assert_array_equal(models[0].predict_on_batch(images), before)


def test_default_position_is_each_images_strongest_activation():
    model = _two_convs()
    images = _images(n=4, seed=3)
    out = model.predict_on_batch(images)[..., 0]
    got = guided_backprop(model, "conv2", images)
    for k in range(len(images)):
        r, c = np.unravel_index(np.argmax(out[k]), out[k].shape)
        np.testing.assert_allclose(got[k], guided_backprop(model, "conv2", images[k : k + 1], 0, (r, c))[0])


def test_shape_dtype_and_a_dense_unit():
    inputs = keras.Input((6, 6, 1))
    x = keras.layers.Conv2D(2, 3, activation="relu", name="conv1")(inputs)
    x = keras.layers.Flatten(name="flatten")(x)
    outputs = keras.layers.Dense(3, activation="relu", name="dense")(x)
    model = keras.Model(inputs, outputs)
    images = _images(n=2).astype("float64")
    got = guided_backprop(model, "dense", images, unit=2)
    assert got.shape == images.shape and got.dtype == np.float32
    with pytest.raises(ValueError, match="'dense' has no spatial positions"):
        guided_backprop(model, "dense", images, position=(0, 0))


def test_clear_errors():
    model = _two_convs()
    images = _images(n=1)
    with pytest.raises(ValueError, match="no layer named 'conv9'"):
        guided_backprop(model, "conv9", images)
    with pytest.raises(ValueError, match="unit 2 is out of range: layer 'conv1' has 2 channels"):
        guided_backprop(model, "conv1", images, unit=2)
    with pytest.raises(ValueError, match=r"position \(4, 0\) is outside the 4x4 output"):
        guided_backprop(model, "conv1", images, position=(4, 0))
    with pytest.raises(ValueError, match=r"image\[None\]"):
        guided_backprop(model, "conv1", images[0])


def test_other_backends_are_refused(monkeypatch):
    monkeypatch.setattr(keras.backend, "backend", lambda: "torch")
    with pytest.raises(NotImplementedError, match="TensorFlow or JAX"):
        guided_backprop(_two_convs(), "conv2", _images(n=1))


JAX_SCRIPT = textwrap.dedent(
    """
    import json, sys
    import keras, numpy as np
    sys.path.insert(0, sys.argv[1])
    from test_saliency import _images, _two_convs
    from cnnlib.experiments.saliency import guided_backprop
    assert keras.backend.backend() == "jax"
    kinds = ("inside", "layer")
    print(json.dumps([guided_backprop(_two_convs(k), "conv2", _images(), 0, (1, 0)).tolist() for k in kinds]))
    """
)


@pytest.mark.skipif(importlib.util.find_spec("jax") is None, reason="jax is installed by the [jax] extra")
def test_guided_backprop_on_jax_matches_the_hand_computation():
    env = {**os.environ, "KERAS_BACKEND": "jax"}
    result = subprocess.run(
        [sys.executable, "-c", JAX_SCRIPT, str(ROOT / "tests")], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr[-3000:]
    images = _images()
    for got in json.loads(result.stdout.strip().splitlines()[-1]):
        for k in range(len(images)):
            expected, _, _ = _numpy_gradient(images[k, ..., 0], (1, 0), guided=True)
            np.testing.assert_allclose(np.asarray(got)[k, ..., 0], expected, atol=1e-5)


def _region_classifier(size=8, rows=(2, 4), cols=(4, 6), weight=1.0):
    """Two classes; the logit of class 0 is ``weight`` times the sum of one region, so only it matters."""
    inputs = keras.Input((size, size, 1))
    x = keras.layers.Flatten(name="flatten")(inputs)
    outputs = keras.layers.Dense(2, activation="softmax", name="classes")(x)
    model = keras.Model(inputs, outputs)
    kernel = np.zeros((size, size, 2), dtype="float32")
    kernel[rows[0] : rows[1], cols[0] : cols[1], 0] = weight
    model.get_layer("classes").set_weights([kernel.reshape(size * size, 2), np.zeros(2)])
    return model


def test_occlusion_drops_exactly_where_the_region_is_covered():
    model = _region_classifier()
    image = np.ones((8, 8, 1), dtype="float32")
    heat = occlusion_sensitivity(model, image, label=0, patch=2, stride=1, fill=0.0)
    assert heat.shape == (7, 7)
    i, j = np.arange(7)[:, None], np.arange(7)[None, :]
    covered = np.clip(np.minimum(i + 2, 4) - np.maximum(i, 2), 0, None) * np.clip(
        np.minimum(j + 2, 6) - np.maximum(j, 4), 0, None
    )  # pixels of the 2x4..4x6 region under the square at (i, j)
    np.testing.assert_allclose(heat, 1 / (1 + np.exp(-(4.0 - covered))), atol=1e-6)
    assert heat[2, 4] == pytest.approx(0.5, abs=1e-6)  # region fully hidden: no evidence either way
    np.testing.assert_array_equal(heat < heat.max() - 0.01, covered > 0)  # the 3x3 positions that touch it


def test_default_fill_is_the_image_mean_per_channel():
    inputs = keras.Input((8, 8, 2))
    x = keras.layers.Flatten()(inputs)
    model = keras.Model(inputs, keras.layers.Dense(3, activation="softmax")(x))
    image = np.stack([np.full((8, 8), 0.2), np.full((8, 8), 0.9)], axis=-1)
    heat = occlusion_sensitivity(model, image, label=1, patch=3, stride=2)
    p = model.predict_on_batch(image[None].astype("float32"))[0, 1]
    np.testing.assert_allclose(heat, p, atol=1e-6)  # covering a flat image with its own grey changes nothing


def test_map_shape_follows_the_formula_and_batching_does_not_matter():
    inputs = keras.Input((10, 12, 1))
    x = keras.layers.Flatten()(inputs)
    model = keras.Model(inputs, keras.layers.Dense(4, activation="softmax")(x))
    image = np.random.default_rng(0).uniform(size=(10, 12, 1))
    heat = occlusion_sensitivity(model, image, label=3, patch=3, stride=4)
    assert heat.shape == ((10 - 3) // 4 + 1, (12 - 3) // 4 + 1) == (2, 3)
    np.testing.assert_allclose(occlusion_sensitivity(model, image, 3, patch=3, stride=4, batch_size=4), heat, atol=1e-6)


def test_occlusion_errors():
    inputs = keras.Input((32, 32, 3))
    x = keras.layers.GlobalAveragePooling2D()(inputs)
    model = keras.Model(inputs, keras.layers.Dense(10, activation="softmax")(x))
    image = np.zeros((32, 32, 3))
    with pytest.raises(ValueError, match="patch 40 is larger than the 32x32 image"):
        occlusion_sensitivity(model, image, 0, patch=40)
    with pytest.raises(ValueError, match="label 12 is not a class of this 10-class model"):
        occlusion_sensitivity(model, image, 12)
    with pytest.raises(ValueError, match="label -1 is not a class"):
        occlusion_sensitivity(model, image, -1)
    with pytest.raises(ValueError, match="one image shaped"):
        occlusion_sensitivity(model, image[None], 0)
    with pytest.raises(ValueError, match="expects images shaped"):
        occlusion_sensitivity(model, np.zeros((28, 28, 1)), 0)
    with pytest.raises(ValueError, match="at least 1 pixel"):
        occlusion_sensitivity(model, image, 0, stride=0)
    with pytest.raises(ValueError, match="one per channel"):
        occlusion_sensitivity(model, image, 0, fill=[0.0, 0.0])
    logits = keras.Model(inputs, keras.layers.Dense(10)(keras.layers.GlobalAveragePooling2D()(inputs)))
    with pytest.raises(ValueError, match="not probabilities"):
        occlusion_sensitivity(logits, np.random.default_rng(0).normal(size=(32, 32, 3)), 0, patch=16, stride=16)


def test_drawings():
    from cnnlib.viz import draw_occlusion, draw_saliency

    images = _images(n=3)
    fig = draw_saliency(images, -images, titles=["a", "b", "c"])
    assert len(fig.axes) == 6 and fig.axes[0].get_title() == "a"
    with pytest.raises(ValueError, match="same shape"):
        draw_saliency(images, images[:2])

    heat = np.full((7, 7), 0.9)
    heat[2, 4] = 0.1
    fig = draw_occlusion(np.ones((8, 8, 1)), heat, patch=2, stride=1)
    assert len(fig.axes) == 3  # image, map, colour bar
    assert "p = 0.10" in fig.axes[0].get_title()
    assert fig.axes[0].patches[0].get_xy() == (3.5, 1.5)  # the square at row 2, column 4
    with pytest.raises(ValueError, match="heat has 7x7 cells.*gives 4x4"):
        draw_occlusion(np.ones((8, 8, 1)), heat, patch=2, stride=2)
