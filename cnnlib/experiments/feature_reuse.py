"""Feature reuse in a trained DenseNet: how strongly each layer reads each earlier layer's maps.

Inside a dense block, layer ``l`` sees the concatenation ``[x_0, x_1, ..., x_{l-1}]`` of the
block's input and the ``k`` maps every earlier layer added, in that order along the channels. Its
first convolution (the 1 x 1 bottleneck in DenseNet-B/BC, else the 3 x 3) therefore has one slice
of input channels per source; the average absolute weight over a slice says how much the layer
uses that source. The transition after the block reads the whole block the same way.

Reference: G. Huang et al., "Densely Connected Convolutional Networks", CVPR 2017, section 5
and Figure 5 (average absolute filter weights, normalized by the number of input feature maps,
from each source ``s`` to each layer ``l`` of the three blocks of a trained DenseNet).

Reads the weights of a model built by :func:`cnnlib.models.densenet` (its layer names), as NumPy.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["FeatureReuse", "dense_block_layers", "feature_reuse", "from_record"]


@dataclass(frozen=True)
class FeatureReuse:
    """The heat map of one dense block.

    ``weights[t, s]`` is the mean absolute weight from source ``s`` to target ``t``, NaN where
    the target cannot see the source (a layer sees only the sources before it).
    """

    block: int
    weights: np.ndarray
    sources: tuple[str, ...]
    targets: tuple[str, ...]
    channels: tuple[int, ...]  # input channels that each source contributes


def dense_block_layers(model, block: int) -> int:
    """The number of dense layers in block ``block`` (2 for the first block: conv2_...)."""
    count = 0
    while True:
        try:
            model.get_layer(f"conv{block}_block{count + 1}_concat")
        except ValueError:
            break
        count += 1
    if count == 0:
        names = sorted({layer.name.split("_")[0] for layer in model.layers if layer.name.endswith("_concat")})
        raise ValueError(f"{model.name} has no dense block {block}; its dense blocks: {', '.join(names) or 'none'}.")
    return count


def _first_conv(model, prefix: str):
    # DenseNet-B/BC: the 1 x 1 bottleneck reads the concatenation; without it, the 3 x 3 does.
    for suffix in ("_1_conv", "_2_conv"):
        try:
            return model.get_layer(prefix + suffix)
        except ValueError:
            continue
    raise ValueError(f"{model.name} has no convolution {prefix}_1_conv or {prefix}_2_conv.")


def feature_reuse(model, block: int = 2, transition: bool = True) -> FeatureReuse:
    """Average absolute weight from every source to every layer of one dense block.

    Args:
        model: a DenseNet from :func:`cnnlib.models.densenet` (trained, to mean anything).
        block: the dense block, by its layer-name number: 2, 3, ... (``conv2_block1_...`` is the
            first dense layer of the first block, as in keras.applications).
        transition: add the transition layer after the block (``pool{block}_conv``) as the last
            target, when there is one, as the paper's Figure 5 does.

    Returns:
        A :class:`FeatureReuse`; sources are ``"input"`` then ``"layer 1"`` ... ``"layer L"``,
        targets ``"layer 1"`` ... ``"layer L"`` and possibly ``"transition"``.
    """
    layers = dense_block_layers(model, block)
    first = _first_conv(model, f"conv{block}_block1")
    growth = int(model.get_layer(f"conv{block}_block1_2_conv").kernel.shape[-1])
    c0 = int(first.kernel.shape[2])
    channels = (c0,) + (growth,) * layers
    bounds = np.cumsum((0,) + channels)
    targets = [_first_conv(model, f"conv{block}_block{i}") for i in range(1, layers + 1)]
    names = [f"layer {i}" for i in range(1, layers + 1)]
    if transition:
        try:
            targets.append(model.get_layer(f"pool{block}_conv"))
            names.append("transition")
        except ValueError:
            pass  # the last block has no transition
    weights = np.full((len(targets), layers + 1), np.nan)
    for t, layer in enumerate(targets):
        kernel = np.abs(np.asarray(layer.kernel, dtype=np.float64))
        seen = kernel.shape[2]
        if seen != bounds[min(t, layers) + 1]:
            raise ValueError(f"{layer.name} reads {seen} channels, expected {bounds[min(t, layers) + 1]}.")
        for s in range(min(t, layers) + 1):
            weights[t, s] = kernel[:, :, bounds[s] : bounds[s + 1], :].mean()
    return FeatureReuse(
        block=block,
        weights=weights,
        sources=("input", *(f"layer {i}" for i in range(1, layers + 1))),
        targets=tuple(names),
        channels=channels,
    )


def from_record(block, entry: dict) -> FeatureReuse:
    """A map stored by ``benchmarks/feature_reuse.py`` (``{"targets", "sources", "weights"}``, None where a layer
    cannot read a source), as a :class:`FeatureReuse` to draw."""
    weights = np.array([[np.nan if v is None else float(v) for v in row] for row in entry["weights"]])
    if weights.shape != (len(entry["targets"]), len(entry["sources"])):
        raise ValueError(f"the stored map is {weights.shape}, not targets x sources "
                         f"({len(entry['targets'])} x {len(entry['sources'])}).")  # fmt: skip
    return FeatureReuse(int(block), weights, tuple(entry["sources"]), tuple(entry["targets"]), ())
