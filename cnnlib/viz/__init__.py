"""Drawings for the notebooks. Every drawing takes ``ax=None``, returns the matplotlib Figure
(the animations: a ``FuncAnimation`` of ``draw_sliding_window``) and never calls
``plt.show()``; figures are made without pyplot so a notebook shows each
exactly once (the returned value).

``ax`` is an ``Axes`` where a drawing has one panel. Where it has several, ``ax`` is either
the axes (a sequence, or the array ``fig.subplots`` returns, one per panel in row-major order)
or a ``Figure`` or ``SubFigure`` (e.g. one of ``fig.subfigures()``) to lay its own grid out
in. Two older drawings of two panels, ``draw_history`` (which the live training plot redraws)
and ``draw_occlusion``, take their axes as ``axes=``. Without ``ax`` each drawing makes its
own figure at the size the notebooks use.
"""

from cnnlib.viz._figure import figure_grid  # noqa: F401
from cnnlib.viz.architecture import draw_architecture  # noqa: F401
from cnnlib.viz.conv_arithmetic import (  # noqa: F401
    CONV_ARITHMETIC_CASES,
    draw_sliding_window,
    pooling_animation,
    save_gif,
    sliding_window_animation,
)
from cnnlib.viz.densenet import draw_dense_block, draw_feature_reuse  # noqa: F401
from cnnlib.viz.fields import draw_receptive_field, plot_field_growth  # noqa: F401
from cnnlib.viz.images import show_images  # noqa: F401
from cnnlib.viz.inception import draw_inception_module  # noqa: F401
from cnnlib.viz.learning import (  # noqa: F401
    draw_confusion,
    draw_history,
    draw_misclassified,
    draw_signal,
    draw_step_losses,
    show_filters,
)
from cnnlib.viz.recorded import draw_error_curves  # noqa: F401
from cnnlib.viz.residual import draw_degradation, draw_gradient_norms  # noqa: F401
from cnnlib.viz.saliency import draw_occlusion, draw_saliency  # noqa: F401
from cnnlib.viz.zoo import draw_error_vs_cost, draw_timeline, draw_tournament  # noqa: F401
