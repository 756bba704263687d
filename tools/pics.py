"""Regenerate every image in ``pics/`` (the README's and the notebooks' pictures).

    python -m tools.pics                 # all of them, into pics/
    python -m tools.pics --out DIR NAME  # some, elsewhere (the tests do this)

Each picture is a function of nothing but code, so two runs give the same bytes.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _conv_gif(case: str):
    def make(path: Path) -> None:
        from cnnlib.viz import CONV_ARITHMETIC_CASES, save_gif, sliding_window_animation

        save_gif(sliding_window_animation(**CONV_ARITHMETIC_CASES[case]), path)

    return make


def _conv_numbers_gif(path: Path) -> None:
    from cnnlib import ops
    from cnnlib.viz import save_gif, sliding_window_animation
    from cnnlib.viz.conv_arithmetic import numeric_conv_case

    x, k = numeric_conv_case()
    out = ops.conv2d(x, k)[0, :, :, 0]
    save_gif(sliding_window_animation(5, 3, values=x, kernel_values=k, out_values=out), path)


def _pool_gif(mode: str, size: int, pool: int, stride: int):
    def make(path: Path) -> None:
        import numpy as np

        from cnnlib.viz import pooling_animation, save_gif

        values = np.random.default_rng(1).integers(0, 10, size=(size, size))
        save_gif(pooling_animation(values, pool, stride, mode), path, dpi=90)

    return make


def _thumb_convolution(path: Path) -> None:
    from cnnlib.viz import CONV_ARITHMETIC_CASES, draw_sliding_window

    fig = draw_sliding_window(**CONV_ARITHMETIC_CASES["padding_strides"], step=4)
    fig.savefig(path, dpi=60)


def _thumb_pooling(path: Path) -> None:
    from cnnlib import data, ops
    from cnnlib.viz.pooling import draw_pooling

    edges = ops.conv2d(data.photo("camera", size=64), ops.KERNELS["vertical edges (Sobel x)"])[0, :, :, 0]
    draw_pooling(edges.clip(0), pool=2, stride=2, size=2.2).savefig(path, dpi=60)


def _architecture(name: str, title: str):
    def make(path: Path) -> None:
        import keras

        from cnnlib.models import get_model
        from cnnlib.viz import draw_architecture

        draw_architecture(get_model(name), title=title).savefig(path, dpi=80)
        keras.backend.clear_session()  # the full-size models hold a few hundred MB each

    return make


def _thumb_initialization(path: Path) -> None:
    import keras
    import numpy as np

    from cnnlib.experiments import measure
    from cnnlib.models import vgg
    from cnnlib.models.vgg import narrow_config
    from cnnlib.viz import draw_signal

    x = np.random.default_rng(0).normal(size=(64, 32, 32, 3)).astype("float32")
    inits = {"N(0, 0.01)": keras.initializers.RandomNormal(0.0, 0.01), "Glorot": "glorot_uniform", "He": "he_normal"}
    signal = {}
    for label, init in inits.items():
        keras.utils.set_random_seed(0)
        net = vgg(narrow_config("D", 8), input_shape=(32, 32, 3), classes=10, dense_units=128, kernel_initializer=init)
        signal[label] = {k: v for k, v in measure.output_std(net, x).items() if k != "predictions"}
    draw_signal(signal, title="VGG-16 (1/8 width): signal at initialization").savefig(path, dpi=60)


def _inception_module(path: Path) -> None:
    from cnnlib.models import INCEPTION_CONFIGS
    from cnnlib.viz import draw_inception_module

    draw_inception_module(INCEPTION_CONFIGS["3a"], 192, size=28, title="Inception 3a (GoogLeNet, Fig. 2b)").savefig(
        path, dpi=60
    )


def _thumb_gradients(path: Path) -> None:
    import keras
    import numpy as np

    from cnnlib.experiments import measure
    from cnnlib.models import cifar_resnet
    from cnnlib.viz import draw_gradient_norms

    x = np.random.default_rng(0).normal(size=(16, 32, 32, 3)).astype("float32")
    y = np.arange(16) % 10
    norms = {}
    for label, option in (("plain-56", None), ("ResNet-56", "A")):
        keras.utils.set_random_seed(0)
        norms[label] = measure.gradient_norms(cifar_resnet(56, option), x, y)
    draw_gradient_norms(norms, title="Gradient per layer at initialization").savefig(path, dpi=60)


def _thumb_dense_block(path: Path) -> None:
    from cnnlib.viz import draw_dense_block

    draw_dense_block(64, 32, 6, title="DenseNet-121, first dense block").savefig(path, dpi=60)


def pictures() -> dict:
    """File name -> function writing it."""
    from cnnlib.viz import CONV_ARITHMETIC_CASES

    pics = {f"{case}.gif": _conv_gif(case) for case in CONV_ARITHMETIC_CASES}
    pics["conv_numbers.gif"] = _conv_numbers_gif
    pics["thumb_01_convolution.png"] = _thumb_convolution
    pics["thumb_02_pooling.png"] = _thumb_pooling
    pics["lenet5_architecture.png"] = _architecture("lenet5", "LeNet-5")
    pics["alexnet_architecture.png"] = _architecture("alexnet", "AlexNet (one tower)")
    pics["zfnet_architecture.png"] = _architecture("zfnet", "ZFNet (Fig. 3)")
    pics["vgg16_architecture.png"] = _architecture("vgg16", "VGG-16 (configuration D)")
    pics["thumb_06b_initialization.png"] = _thumb_initialization
    pics["thumb_08_gradients.png"] = _thumb_gradients
    pics["thumb_09_dense_block.png"] = _thumb_dense_block
    pics["googlenet_inception.png"] = _inception_module
    pics["max_pool_numbers.gif"] = _pool_gif("max", 4, 2, 2)
    pics["avg_pool_numbers.gif"] = _pool_gif("avg", 4, 2, 2)
    pics["overlapping_max_pool.gif"] = _pool_gif("max", 5, 3, 2)
    return pics


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Regenerate the pictures in pics/.")
    parser.add_argument("names", nargs="*", help="pictures to make (default: all)")
    parser.add_argument("--out", type=Path, default=Path("pics"), help="folder to write to")
    args = parser.parse_args(argv)
    import matplotlib

    matplotlib.use("Agg")
    pics = pictures()
    unknown = [n for n in args.names if n not in pics]
    if unknown:
        print(f"unknown picture(s) {', '.join(unknown)}; known: {', '.join(pics)}", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    for name in args.names or pics:
        pics[name](args.out / name)
        print(f"wrote {args.out / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
