"""Known mistakes in "Regularization", derived from reference/regularization.py.

Forgetting np.random.seed(1) in forward_propagation_with_dropout is common
but not catalogued: its masks depend on whatever the generator held before
the call, so no fixed output could be matched to it. A mask with `<=`
instead of `<` gives the reference's output (rand never returns keep_prob).
"""
from __future__ import annotations

from reference import regularization as ref
from reference.mistakes import Mistake, derive

_COST = ref.compute_cost_with_regularization
_BACKWARD_L2 = ref.backward_propagation_with_regularization
_FORWARD_DROPOUT = ref.forward_propagation_with_dropout
_BACKWARD_DROPOUT = ref.backward_propagation_with_dropout

_SQUARES = "(np.sum(np.square(W1)) + np.sum(np.square(W2)) + np.sum(np.square(W3)))"

_OUTPUT_DROPOUT = """\
    A3 = sigmoid(Z3)
    D3 = np.random.rand(A3.shape[0], A3.shape[1])
    D3 = D3 < keep_prob
    A3 = A3 * D3
    A3 = A3 / keep_prob
"""

MISTAKES = (
    Mistake(
        key="l2_cost_lambd_over_m",
        function="compute_cost_with_regularization",
        hint="The L2 term is (1/m) * (lambd/2) * the sum of squares: divide by 2 * m, not by m.",
        source=derive(_COST, ("lambd / (2 * m)", "lambd / m", 1)),
    ),
    Mistake(
        key="l2_cost_lambd_over_2_times_m",
        function="compute_cost_with_regularization",
        hint="Mind the precedence: lambd / 2 * m multiplies by m; write lambd / (2 * m).",
        source=derive(_COST, ("lambd / (2 * m)", "lambd / 2 * m", 1)),
    ),
    Mistake(
        key="l2_cost_without_m",
        function="compute_cost_with_regularization",
        hint="Scale the L2 term by 1/m as well as lambd/2, as the cross-entropy part is averaged over m examples.",
        source=derive(_COST, ("lambd / (2 * m)", "lambd / 2", 1)),
    ),
    Mistake(
        key="l2_cost_weights_not_squared",
        function="compute_cost_with_regularization",
        hint="Sum the squares of the weights, np.sum(np.square(W1)), not the weights themselves.",
        source=derive(_COST, ("np.sum(np.square(W", "np.sum((W", 3)),
    ),
    Mistake(
        key="l2_cost_missing_W3",
        function="compute_cost_with_regularization",
        hint="Add the squares of every layer's weights: W1, W2 and W3.",
        source=derive(_COST, (" + np.sum(np.square(W3))", "", 1)),
    ),
    Mistake(
        key="l2_backward_no_weight_decay",
        function="backward_propagation_with_regularization",
        hint="Each of dW1, dW2 and dW3 needs the gradient of the L2 term added: + (lambd / m) * W.",
        source=derive(_BACKWARD_L2, *((f" + lambd / m * W{l}", "", 1) for l in (1, 2, 3))),
    ),
    Mistake(
        key="l2_backward_twice_weight_decay",
        function="backward_propagation_with_regularization",
        hint="The derivative of (lambd / (2m)) * W**2 is (lambd / m) * W: the 2 of the square cancels the 1/2.",
        source=derive(_BACKWARD_L2, (" + lambd / m * W", " + 2 * lambd / m * W", 3)),
    ),
    Mistake(
        key="l2_backward_half_weight_decay",
        function="backward_propagation_with_regularization",
        hint="The gradient term is (lambd / m) * W; lambd / (2m) belongs to the cost, before differentiating.",
        source=derive(_BACKWARD_L2, (" + lambd / m * W", " + lambd / (2 * m) * W", 3)),
    ),
    Mistake(
        key="l2_backward_without_m",
        function="backward_propagation_with_regularization",
        hint="Divide the weight-decay term by m too: + (lambd / m) * W.",
        source=derive(_BACKWARD_L2, (" + lambd / m * W", " + lambd * W", 3)),
    ),
    Mistake(
        key="dropout_forward_not_scaled",
        function="forward_propagation_with_dropout",
        hint="Step 4: divide A1 and A2 by keep_prob after masking (inverted dropout), so their expected value stays the same.",
        source=derive(_FORWARD_DROPOUT, ("    A1 = A1 / keep_prob\n", "", 1), ("    A2 = A2 / keep_prob\n", "", 1)),
    ),
    Mistake(
        key="dropout_forward_multiplied_by_keep_prob",
        function="forward_propagation_with_dropout",
        hint="Divide the kept activations by keep_prob, A1 = A1 / keep_prob; multiplying shrinks them instead.",
        source=derive(_FORWARD_DROPOUT, (" / keep_prob", " * keep_prob", 2)),
    ),
    Mistake(
        key="dropout_mask_inverted",
        function="forward_propagation_with_dropout",
        hint="Keep a neuron when its random number is below keep_prob: D1 = D1 < keep_prob, not >.",
        source=derive(_FORWARD_DROPOUT, (" < keep_prob", " > keep_prob", 2)),
    ),
    Mistake(
        key="dropout_mask_randn",
        function="forward_propagation_with_dropout",
        hint="Draw the masks with np.random.rand (uniform in [0, 1)), not np.random.randn (normal).",
        source=derive(_FORWARD_DROPOUT, ("np.random.rand(", "np.random.randn(", 2)),
    ),
    Mistake(
        key="dropout_on_output_layer",
        function="forward_propagation_with_dropout",
        hint="Apply dropout to the hidden layers A1 and A2 only, never to the output A3.",
        source=derive(_FORWARD_DROPOUT, ("    A3 = sigmoid(Z3)\n", _OUTPUT_DROPOUT, 1)),
    ),
    Mistake(
        key="dropout_backward_no_mask",
        function="backward_propagation_with_dropout",
        hint="Step 1: shut down the same neurons as in the forward pass, dA2 = dA2 * D2 and dA1 = dA1 * D1.",
        source=derive(_BACKWARD_DROPOUT, ("    dA2 = dA2 * D2\n", "", 1), ("    dA1 = dA1 * D1\n", "", 1)),
    ),
    Mistake(
        key="dropout_backward_not_scaled",
        function="backward_propagation_with_dropout",
        hint="Step 2: divide dA1 and dA2 by keep_prob, as the forward pass divided A1 and A2.",
        source=derive(_BACKWARD_DROPOUT, ("    dA2 = dA2 / keep_prob\n", "", 1), ("    dA1 = dA1 / keep_prob\n", "", 1)),
    ),
    Mistake(
        key="dropout_backward_multiplied_by_keep_prob",
        function="backward_propagation_with_dropout",
        hint="Divide dA1 and dA2 by keep_prob; multiplying scales the gradients the wrong way.",
        source=derive(_BACKWARD_DROPOUT, (" / keep_prob", " * keep_prob", 2)),
    ),
)
