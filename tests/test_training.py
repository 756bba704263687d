"""Setup helper, the training helper and the live plot callback."""

import keras
import numpy as np
import pytest

from cnnlib import training
from cnnlib.viz import draw_history


def tiny_model():
    inputs = keras.Input((8, 8, 1), name="x")
    x = keras.layers.Conv2D(2, 3, name="c")(inputs)
    x = keras.layers.Flatten(name="f")(x)
    return keras.Model(inputs, keras.layers.Dense(2, activation="softmax", name="d")(x))


def test_setup_reports_and_picks_the_scale(capsys, monkeypatch):
    monkeypatch.setenv("CNNLIB_SCALE", "small")
    session = training.setup(seed=3)
    out = capsys.readouterr().out
    assert "Keras 3." in out and "GPU:" in out and "scale: small" in out
    assert session.pick(small=1, full=2) == 1 and not session.full
    assert training.setup(scale="full", report=False).pick(1, 2) == 2


def test_seed_comes_from_the_environment_unless_given(monkeypatch):
    monkeypatch.setenv("CNNLIB_SEED", "2")
    assert training.setup(report=False).seed == 2
    assert training.setup(seed=5, report=False).seed == 5
    monkeypatch.setenv("CNNLIB_SEED", "two")
    with pytest.raises(ValueError, match="CNNLIB_SEED must be a whole number"):
        training.setup(report=False)


def test_bad_scale_is_refused(monkeypatch):
    monkeypatch.setenv("CNNLIB_SCALE", "huge")
    with pytest.raises(ValueError, match="scale must be 'small' or 'full'"):
        training.setup(report=False)


def test_seeding_makes_training_repeatable():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(64, 8, 8, 1)).astype("float32"), rng.integers(0, 2, 64)
    runs = []
    for _ in range(2):
        training.setup(seed=1, report=False)
        runs.append(training.train(tiny_model(), x, y, epochs=2, batch_size=16)["loss"])
    assert runs[0] == runs[1]


def test_live_plot_records_every_epoch_and_draws_the_curves():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(32, 8, 8, 1)).astype("float32"), rng.integers(0, 2, 32)
    callback = training.live_plot("tiny")
    model = tiny_model()
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, y, epochs=3, batch_size=8, validation_data=(x, y), verbose=0, callbacks=[callback])
    assert len(callback.history["loss"]) == 3 and len(callback.history["val_accuracy"]) == 3
    fig = callback._fig
    assert len(fig.axes) == 2 and len(fig.axes[0].lines) == 2  # training and validation loss
    assert fig.axes[1].get_ylabel() == "accuracy"


def test_draw_history_and_train_argument_checks():
    fig = draw_history({"loss": [1.0, 0.5], "accuracy": [0.5, 0.8]})
    assert [len(ax.lines) for ax in fig.axes] == [1, 1]
    with pytest.raises(ValueError, match="epochs and batch_size"):
        training.train(tiny_model(), np.zeros((4, 8, 8, 1)), np.zeros(4), epochs=0)


def test_forget_drops_names_and_frees_the_model():
    import weakref

    namespace = {"model": tiny_model(), "keep": 1}
    ref = weakref.ref(namespace["model"])
    training.forget("model", "missing", namespace=namespace)
    assert namespace == {"keep": 1} and ref() is None
