"""The measurements behind the notebooks' claims."""

import keras
import numpy as np
import pytest

from cnnlib.experiments import measure


def test_shift_fills_with_zeros_and_keeps_shape():
    x = np.arange(16, dtype=float).reshape(1, 4, 4)
    moved = measure.shift_images(x, dx=1)
    assert moved.shape == x.shape and (moved[0, :, 0] == 0).all() and (moved[0, :, 1:] == x[0, :, :-1]).all()
    assert (measure.shift_images(x, dy=-2)[0, 2:] == 0).all()
    with pytest.raises(ValueError, match="out of view"):
        measure.shift_images(x, dx=4)


def test_shift_sensitivity_separates_invariant_from_equivariant_features():
    rng = np.random.default_rng(0)
    images = np.zeros((8, 16, 16, 1), dtype=np.float32)
    images[:, 4:12, 4:12] = rng.uniform(size=(8, 8, 8, 1))

    def identity(x):  # moves with the input: changes a lot
        return x

    def total(x):  # global sum: does not see a shift at all (nothing leaves the frame)
        return x.sum(axis=(1, 2, 3))

    moved = measure.shift_sensitivity(identity, images, shifts=(1, 2))
    fixed = measure.shift_sensitivity(total, images, shifts=(1, 2))
    assert fixed == pytest.approx({1: 0.0, 2: 0.0}, abs=1e-6)
    assert moved[1] > 0.3 and moved[2] > moved[1] * 0.9


def test_shift_sensitivity_rejects_all_zero_features():
    with pytest.raises(ValueError, match="all zero"):
        measure.shift_sensitivity(lambda x: x * 0, np.ones((2, 8, 8, 1)))


def test_surviving_peak_constructed_case():
    assert measure.surviving_peak(2, "max") == 1.0
    assert measure.surviving_peak(2, "avg") == 0.25
    assert measure.surviving_peak(2, "strided") == 0.25  # kept at full strength in 1 of 4 positions
    assert measure.surviving_peak(3, "avg") == pytest.approx(1 / 9)
    with pytest.raises(ValueError, match="mode must be"):
        measure.surviving_peak(2, "median")


def test_activation_elements_and_the_step_time_of_one_model():
    inputs = keras.Input((8, 8, 1))
    x = keras.layers.Conv2D(2, 3, name="c")(inputs)  # 6*6*2 = 72
    x = keras.layers.Flatten(name="f")(x)  # 72
    outputs = keras.layers.Dense(3, name="d")(x)  # 3
    model = keras.Model(inputs, outputs)
    assert measure.activation_elements(model) == 72 + 72 + 3
    model.compile(optimizer="sgd", loss="mse")
    times = measure.step_times({"net": model}, np.zeros((4, 8, 8, 1)), np.zeros((4, 3)), batch_size=4, steps=3)
    assert list(times) == ["net"] and times["net"] > 0


def test_step_recorder_undoes_keras_running_mean():
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, name="d")])
    model.compile(optimizer=keras.optimizers.SGD(0.0), loss="mse")  # no update: each step's loss is known
    x = np.zeros((6, 2), dtype="float32")
    y = np.array([1.0, 1.0, 2.0, 2.0, 3.0, 3.0], dtype="float32")  # batches of 2: losses 1, 4, 9
    recorder = measure.step_recorder()
    model.fit(x, y, batch_size=2, epochs=2, shuffle=False, verbose=0, callbacks=[recorder])
    assert recorder.losses == pytest.approx([1.0, 4.0, 9.0] * 2, rel=1e-5)
    assert len(recorder.seconds) == 6 and all(t > 0 for t in recorder.seconds)


def test_step_times_in_turns():
    def model(units):
        inputs = keras.Input((8,))
        outputs = keras.layers.Dense(units, name="d")(keras.layers.Dense(units, name="h")(inputs))
        m = keras.Model(inputs, outputs)
        m.compile(optimizer="sgd", loss="mse")
        return m

    x, y = np.zeros((4, 8)), np.zeros((4, 4))
    times = measure.step_times({"a": model(4), "b": model(4)}, x, y, batch_size=4, steps=3)
    assert set(times) == {"a", "b"} and all(0 < t < 5 for t in times.values())
    with pytest.raises(ValueError, match="at least one batch"):
        measure.step_times({"a": model(4)}, x[:2], y[:2], batch_size=4)


def test_output_std_follows_the_signal_through_the_layers():
    inputs = keras.Input((4,))
    x = keras.layers.Dense(4, kernel_initializer=keras.initializers.Identity(gain=2.0), name="double")(inputs)
    x = keras.layers.Activation("relu", name="relu")(x)
    x = keras.layers.Dense(4, kernel_initializer=keras.initializers.Identity(gain=0.5), name="halve")(x)
    model = keras.Model(inputs, x)
    data = np.random.default_rng(0).normal(size=(64, 4)).astype("float32")
    std = measure.output_std(model, data)
    assert list(std) == ["double", "halve"]  # only the weight layers
    assert std["double"] == pytest.approx(2 * data.std(), rel=1e-5)
    assert std["halve"] == pytest.approx(np.maximum(2 * data, 0).std() / 2, rel=1e-5)
    with pytest.raises(ValueError, match="no layer of type Conv2D"):
        measure.output_std(model, data, types=("Conv2D",))
