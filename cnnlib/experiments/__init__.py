"""The chapters' experiments: what notebooks 02-10 measure, each runnable at any scale.

``degradation`` (ResNet's plain vs residual networks), ``auxiliary`` (GoogLeNet's auxiliary heads),
``feature_reuse`` (DenseNet's Fig. 5), ``feature_maps``, ``saliency`` (ZFNet's visualizations),
``step_memory`` (memory of a training step), ``measure`` (shift sensitivity, signal and gradients per layer,
step times), ``comparison`` (the whole chapter side by side).
"""
