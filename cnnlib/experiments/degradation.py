"""The degradation experiment: plain and residual networks of two depths, trained the same way.

He et al. (2016, Figure 1 and Figure 6) trained "plain" CIFAR-10 networks of 20 and 56 layers and
found that the deeper one ends with a *higher training* error — not overfitting, an optimization
failure — while ResNets of the same depths, which differ only by their shortcuts, get better with
depth. This module runs that comparison at any scale: notebook 08 on a CPU (narrow networks, small
images, a few hundred steps), ``benchmarks/degradation.py`` at the paper's.

Reference: K. He, X. Zhang, S. Ren, J. Sun, "Deep Residual Learning for Image Recognition",
CVPR 2016, section 4.2.
"""

from __future__ import annotations

import numpy as np

from cnnlib.training import train_from_seeds


def degradation_experiment(
    depths,
    x,
    y,
    seeds,
    epochs: int,
    base_width: int = 16,
    batch_size: int = 128,
    learning_rate: float = 4e-3,
    shortcut: str = "A",
    optimizer=None,
) -> dict[str, list[dict]]:
    """Plain and residual CIFAR networks of each depth, each trained from every seed the same way.

    Args:
        depths: network depths ``6n + 2``, e.g. ``(8, 20)`` or the paper's ``(20, 56)``.
        x, y: training images (any size the networks take, e.g. 16 x 16) and integer labels.
        seeds: seeds of the runs; every network is trained once from each.
        epochs, batch_size, learning_rate, optimizer: as in :func:`cnnlib.training.train_from_seeds`.
        base_width: filters of the first stage (the paper's 16).
        shortcut: the residual networks' option where the shape changes, ``"A"`` or ``"B"``.

    Returns:
        ``{"plain8": [history per seed], "resnet8": [...], ...}``, plain before residual for each depth.
    """
    from cnnlib.models.resnet import cifar_resnet

    if shortcut not in ("A", "B"):
        raise ValueError(f"shortcut must be 'A' or 'B' for the residual networks, got {shortcut!r}.")
    shape = tuple(np.shape(x)[1:])
    runs = {}
    for depth in depths:
        for kind, option in (("plain", None), ("resnet", shortcut)):
            name = f"{kind}{depth}"

            def build(depth=depth, option=option, name=name):
                return cifar_resnet(depth, option, input_shape=shape, base_width=base_width, name=name)

            runs[name] = train_from_seeds(build, x, y, seeds, epochs, batch_size, learning_rate, optimizer)
    return runs


def final_losses(runs: dict[str, list[dict]], key: str = "loss") -> dict[str, list[float]]:
    """The last epoch's value of ``key`` for every run: ``{"plain20": [seed 0, seed 1, ...], ...}``."""
    return {name: [history[key][-1] for history in histories] for name, histories in runs.items()}
