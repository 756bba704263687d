"""The depth of a network with branches: the longest path from the input, counted in layers; and how close
each layer is to the output: the shortest path from it (DenseNet's "implicit deep supervision").

"22 layers deep" (GoogLeNet) is not the number of layers with weights — GoogLeNet has 58
convolutions and one dense layer side by side in its Inception modules — but the number of
layers with weights on the longest path from the image to the output, as the paper's Table 1
counts them ("depth" 2 for each Inception module: a 1 x 1 reduction then a 3 x 3 or 5 x 5).

The graph is read from the model's configuration (``model.get_config()``), so the module
imports neither TensorFlow nor Keras and works on a model built in any backend.
"""

from __future__ import annotations

import heapq
import sys

__all__ = ["distance_to_output", "network_depth"]

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


def distance_to_output(model) -> dict[str, int]:
    """For every layer with weights, the fewest layers with weights on a path from it to the (first) output,
    itself included: the classifier is 1 from the output, the layer before it 2.

    This is how far the loss's gradient must travel back to reach the layer by its shortest route. In a plain
    stack it is the number of weight layers above; with DenseNet's concatenations, a dense layer's output goes
    straight to every later layer of its block and to the transition (Huang et al., section 3: "individual layers
    receive additional supervision from the loss function through the shorter connections"). Weight layers are
    counted as in :func:`network_depth` (convolutions and dense layers, not normalizations).
    """
    config = model.get_config()
    inbound = _inbound(config)
    outputs = config.get("output_layers")
    target = list(inbound)[-1] if outputs is None else (outputs[0] if isinstance(outputs[0], str) else outputs[0][0])

    def weighted(name: str) -> bool:
        try:
            layer = model.get_layer(name)
        except ValueError:
            return False
        return bool(layer.weights) and "Normalization" not in type(layer).__name__

    # Shortest paths on the reversed graph, from the output back; a layer with weights costs 1 to pass.
    best = {target: int(weighted(target))}
    queue = [(best[target], target)]
    while queue:
        dist, name = heapq.heappop(queue)
        if dist > best.get(name, dist):
            continue
        for source in inbound.get(name, []):
            candidate = dist + int(weighted(source))
            if candidate < best.get(source, candidate + 1):
                best[source] = candidate
                heapq.heappush(queue, (candidate, source))
    return {name: best[name] for name in inbound if name in best and weighted(name)}
