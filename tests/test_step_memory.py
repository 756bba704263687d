"""cnnlib.experiments.step_memory: a training step's peak memory, measured in a fresh process per batch size."""

import numpy as np
import pytest

from cnnlib.experiments.step_memory import training_step_memory
from cnnlib.models import cifar_resnet

pytestmark = pytest.mark.slow  # conftest.py runs these modules first

SMALL = dict(depth=8, base_width=4, input_shape=(32, 32, 3))


def test_memory_grows_with_the_batch_even_from_a_large_parent():
    # A parent larger than the child: getrusage's ru_maxrss would survive exec and report the parent.
    ballast = np.ones(150_000_000, dtype=np.float32)  # 600 MB, touched
    m = training_step_memory(cifar_resnet, SMALL, batch_sizes=(2, 130))
    assert ballast.sum() > 0
    assert all(p > b for p, b in zip(m.peak, m.baseline, strict=True))
    assert m.peak[1] > m.peak[0]
    # ResNet-8 at width 4 keeps about 0.1 MB of float32 activations per 32x32 image; a step needs more than
    # that (gradients, temporaries), and far less than 10 MB.
    assert 0.05e6 < m.per_image < 10e6
    assert m.name == "cifar_resnet" and m.backend == "tensorflow" and m.per_batch == m.peak
    assert all(r is not None and r >= 0 for r in m.rise)  # Linux: the second step's rise is read too


def test_bad_arguments_get_a_sentence():
    with pytest.raises(ValueError, match="importable|imported"):
        training_step_memory(lambda: None)
    with pytest.raises(ValueError, match="increasing"):
        training_step_memory(cifar_resnet, SMALL, batch_sizes=(64, 8))
    with pytest.raises(ValueError, match="increasing"):
        training_step_memory(cifar_resnet, SMALL, batch_sizes=(8,))


def test_a_failing_build_names_the_model_and_batch():
    with pytest.raises(RuntimeError, match="cifar_resnet at batch 2"):
        training_step_memory(cifar_resnet, dict(depth=9), batch_sizes=(2, 4))
