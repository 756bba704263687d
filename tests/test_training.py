"""Setup helper, the training helpers (one model, one architecture from several seeds, accuracy) and the
live plot callback."""

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


def test_seeds_of_a_comparison_start_at_the_session_seed():
    assert training.Session(seed=4, gpu=False, scale="small").seeds(3) == [4, 5, 6]
    assert training.Session(seed=0, gpu=False, scale="small").seeds(1) == [0]
    for bad in (0, 2.5, True):
        with pytest.raises(ValueError, match="number of seeds"):
            training.Session(seed=0, gpu=False, scale="small").seeds(bad)


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


# --- train_from_seeds, accuracy ------------------------------------------------------------------------


def dropout_model():
    # Batch normalization (statistics) and dropout (a random state of its own): what a reset must restore.
    inputs = keras.Input((8, 8, 1), name="x")
    x = keras.layers.Conv2D(4, 3, name="c")(inputs)
    x = keras.layers.BatchNormalization(name="bn")(x)
    x = keras.layers.Flatten(name="f")(keras.layers.Activation("relu", name="r")(x))
    x = keras.layers.Dropout(0.5, name="drop")(x)
    return keras.Model(inputs, keras.layers.Dense(3, activation="softmax", name="d")(x))


def seed_data(n=48):
    rng = np.random.default_rng(0)
    return rng.normal(size=(n, 8, 8, 1)).astype("float32"), rng.integers(0, 3, n)


def test_train_from_seeds_is_repeatable_and_records_every_step():
    x, y = seed_data(64)
    first = training.train_from_seeds(dropout_model, x, y, [0, 1], epochs=2, batch_size=16)
    again = training.train_from_seeds(dropout_model, x, y, [0, 1], epochs=2, batch_size=16)
    assert [h["loss"] for h in first] == [h["loss"] for h in again]
    assert first[0]["loss"] != first[1]["loss"] and len(first[0]["accuracy"]) == 2
    steps = first[0]["step_loss"]
    assert len(steps) == len(first[0]["step_seconds"]) == 2 * 4 and all(t > 0 for t in first[0]["step_seconds"])
    # Equal batches: an epoch's loss is the mean of its steps'.
    assert np.mean(steps[:4]) == pytest.approx(first[0]["loss"][0], rel=1e-4)
    assert first.final("loss") == [h["loss"][-1] for h in first]
    with pytest.raises(KeyError, match="test_accuracy"):
        first.final("test_accuracy")
    with pytest.raises(ValueError, match="seeds"):
        training.train_from_seeds(dropout_model, x, y, [], epochs=1)
    with pytest.raises(ValueError, match="epochs and batch_size"):
        training.train_from_seeds(dropout_model, x, y, [0], epochs=0)


def test_train_from_seeds_reuses_one_model_as_fresh_runs_would_train_and_keeps_each():
    x, y = seed_data()
    runs = training.train_from_seeds(dropout_model, x, y, [0, 1, 2], epochs=2, batch_size=16, test=(x, y),
                                     keep_models=True)  # fmt: skip
    assert len(runs) == len(runs.models) == 3 and runs.models[-1] is runs.model
    assert len({id(m) for m in runs.models}) == 3
    # each kept network is that seed's: the accuracy measured right after its run
    assert [training.accuracy(m, x, y) for m in runs.models] == runs.final("test_accuracy")
    # the reused, re-initialised model trains as a fresh model of the same seed does (dropout masks included)
    fresh = training.train_from_seeds(dropout_model, x, y, [2], epochs=2, batch_size=16, test=(x, y))
    assert fresh[0]["loss"] == pytest.approx(runs[2]["loss"], rel=1e-5)
    assert fresh.final("test_accuracy") == runs.final("test_accuracy")[2:]
    assert fresh.models is None


def test_train_from_seeds_takes_an_optimizer_factory_and_callbacks():
    x, y = seed_data()
    asked = []

    def sgd(steps):
        asked.append(steps)
        return keras.optimizers.SGD(0.01, momentum=0.9)

    class StopAfterOne(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            self.model.stop_training = True

    runs = training.train_from_seeds(tiny_model, x, y[:48] % 2, [0, 1], epochs=3, batch_size=16, optimizer=sgd,
                                     callbacks=[StopAfterOne()])  # fmt: skip
    assert asked == [3 * 3]  # one optimizer, for the whole run's steps
    assert isinstance(runs.model.optimizer, keras.optimizers.SGD)
    assert float(runs.model.optimizer.learning_rate) == pytest.approx(0.01)
    assert [len(h["loss"]) for h in runs] == [1, 1]  # every run stopped by the callback, not only the first


def test_accuracy_counts_right_answers_in_batches_and_reads_the_main_output():
    inputs = keras.Input((4,))
    main = keras.layers.Dense(3, kernel_initializer="zeros", name="main")(inputs)
    side = keras.layers.Dense(3, kernel_initializer="zeros", name="side")(inputs)
    model = keras.Model(inputs, [main, side])
    model.get_layer("main").bias.assign(np.array([0.0, 1.0, 0.0], dtype="float32"))  # always class 1
    model.get_layer("side").bias.assign(np.array([1.0, 0.0, 0.0], dtype="float32"))  # always class 0
    x = np.zeros((5, 4), dtype="float32")
    labels = np.array([1, 1, 0, 2, 1])
    assert training.accuracy(model, x, labels, batch_size=2) == pytest.approx(3 / 5)
    assert training.accuracy(keras.Model(inputs, main), x, labels.reshape(5, 1)) == pytest.approx(3 / 5)
    with pytest.raises(ValueError, match="labels"):
        training.accuracy(model, x, np.array([1, 1]))


def test_reset_optimizer_keeps_a_constant_learning_rate():
    x, y = seed_data(8)
    model = dropout_model()
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy")
    model.fit(x, y, verbose=0)
    training.reset_optimizer(model.optimizer)
    assert int(model.optimizer.iterations.numpy()) == 0
    assert float(model.optimizer.learning_rate) == pytest.approx(0.01)
    slots = [v for v in model.optimizer.variables if "momentum" in v.path or "velocity" in v.path]
    assert slots and all(not np.any(v.numpy()) for v in slots)
