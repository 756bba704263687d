"""The depth of a network with branches: the longest path from the input, counted in layers.

"22 layers deep" (GoogLeNet) is not the number of layers with weights — GoogLeNet has 58
convolutions and one dense layer side by side in its Inception modules — but the number of
layers with weights on the longest path from the image to the output, as the paper's Table 1
counts them ("depth" 2 for each Inception module: a 1 x 1 reduction then a 3 x 3 or 5 x 5).

The graph is read from the model's configuration (``model.get_config()``), so the module
imports neither TensorFlow nor Keras and works on a model built in any backend.
"""

from __future__ import annotations

import sys

__all__ = ["network_depth"]

_POOLING = ("Pooling1D", "Pooling2D", "Pooling3D")


def _inbound(config) -> dict[str, list[str]]:
    """Layer name -> names of the layers that feed it, from a functional model's config."""
    if "output_layers" not in config:
        # A Sequential model: each layer feeds the next.
        names = [layer["config"]["name"] for layer in config["layers"]]
        return {name: names[i - 1 : i] for i, name in enumerate(names)}
    inbound = {}
    for layer in config["layers"]:
        sources = []
        _collect(layer.get("inbound_nodes", []), sources)
        inbound[layer["name"]] = list(dict.fromkeys(sources))
    return inbound


def _collect(item, out: list) -> None:
    if isinstance(item, dict):
        history = item.get("config", {}).get("keras_history") if item.get("class_name") == "__keras_tensor__" else None
        if history is not None:
            out.append(history[0])
            return
        for value in item.values():
            _collect(value, out)
    elif isinstance(item, (list, tuple)):
        for value in item:
            _collect(value, out)


def network_depth(model, output=0, count_pooling: bool = False) -> int:
    """Layers with weights on the longest path from the input to one output.

    Args:
        model: a built Keras model (functional or Sequential).
        output: which output, by position in ``model.outputs`` or by layer name.
        count_pooling: also count pooling layers on the path (GoogLeNet: "27 layers if we also
            count pooling").

    Returns:
        The number of counted layers on the longest path. Layers without weights (activations,
        concatenations, dropout) add nothing, and neither do normalization layers, which the
        papers do not count either ("ResNet-50" has 50 convolution and dense layers, not its
        batch normalizations).
    """
    config = model.get_config()
    inbound = _inbound(config)
    if isinstance(output, str):
        if output not in inbound:
            raise ValueError(f"model {model.name!r} has no layer {output!r}.")
        target = output
    else:
        outputs = config.get("output_layers")
        if outputs is None:  # Sequential: the last layer
            outputs = [[list(inbound)[-1], 0, 0]]
        elif outputs and isinstance(outputs[0], str):  # a single output written flat: [name, node, index]
            outputs = [outputs]
        if not -len(outputs) <= output < len(outputs):
            raise ValueError(f"model {model.name!r} has {len(outputs)} output(s); got output={output!r}.")
        target = outputs[output][0]

    def counted(name: str) -> int:
        try:
            layer = model.get_layer(name)
        except ValueError:  # a Sequential model's input layer is in its config, not in its layers
            return 0
        kind = type(layer).__name__
        weighted = bool(layer.weights) and "Normalization" not in kind  # papers count conv and dense layers
        return int(weighted or (count_pooling and kind.endswith(_POOLING)))

    depth: dict[str, int] = {}
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 10 * len(inbound) + 100))
    try:

        def walk(name: str) -> int:
            if name not in depth:
                depth[name] = counted(name) + max((walk(source) for source in inbound.get(name, [])), default=0)
            return depth[name]

        return walk(target)
    finally:
        sys.setrecursionlimit(limit)
