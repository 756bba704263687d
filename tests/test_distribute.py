"""Data-parallel training (cnnlib.distribute): two CPU devices give one device's loss curve.

Each backend runs in its own process, with two devices made from the CPU: TensorFlow's logical
CPU devices, JAX's ``--xla_force_host_platform_device_count=2``. LeNet-5 has no batch
normalization (whose statistics are per replica), so the curves must agree to float rounding.
"""

import json
import subprocess
import sys

import pytest

from tools.jax_site import SKIP_REASON, jax_available, jax_env

pytestmark = pytest.mark.slow  # conftest.py runs these modules first

CHILD = """
import json, os
import keras, numpy as np
if keras.backend.backend() == "tensorflow":
    import tensorflow as tf
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
from cnnlib.distribute import data_parallel_scope
from cnnlib.models import lenet5
from cnnlib.training import train

rng = np.random.default_rng(0)
x = rng.normal(size=(500, 32, 32, 1)).astype("float32")  # 500: the last batch of 64 is a partial one
y = rng.integers(0, 10, 500)
out = {"replicas": data_parallel_scope()[1]}
for distribute in (False, True):
    keras.utils.set_random_seed(0)
    model = lenet5()
    out[f"loss {distribute}"] = train(model, x, y, epochs=2, batch_size=64, distribute=distribute)["loss"]
    out[f"output {distribute}"] = np.asarray(model.predict(x[:16], verbose=0)).tolist()
try:
    train(lenet5(), x, y, epochs=1, batch_size=63, distribute=True)
except ValueError as err:
    out["odd batch"] = str(err)
print(json.dumps(out))
"""


def _run(backend: str, **env) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", CHILD],
        capture_output=True,
        text=True,
        timeout=300,
        env={**jax_env(), "KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "3", "CUDA_VISIBLE_DEVICES": "", **env},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def _check(out: dict) -> None:
    import numpy as np

    assert out["replicas"] == 2
    np.testing.assert_allclose(out["loss True"], out["loss False"], atol=1e-4)
    assert out["loss True"][-1] < out["loss True"][0]  # it learned something
    # the trained weights came back into the model that was passed in
    np.testing.assert_allclose(out["output True"], out["output False"], atol=1e-4)
    assert "split evenly over 2 devices" in out["odd batch"]


def test_tensorflow_mirrored_strategy_on_two_cpu_devices():
    _check(_run("tensorflow"))


@pytest.mark.skipif(not jax_available(), reason=SKIP_REASON)
def test_jax_data_parallel_on_two_cpu_devices():
    _check(_run("jax", XLA_FLAGS="--xla_force_host_platform_device_count=2", JAX_PLATFORMS="cpu"))
