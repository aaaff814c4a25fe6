"""Known mistakes in "Gradient checking", derived from reference/gradient_checking.py.

gradient_check's cases answer forward_propagation and backward_propagation
with stand-ins that know only the calls the reference makes, so its mistakes
keep those calls; the one-sided difference and the lost np.copy, which need
other calls, are catalogued for gradient_check_n, where they are common.
"""
from __future__ import annotations

from reference import gradient_checking as ref
from reference.mistakes import Mistake, derive

_FORWARD = ref.forward_propagation
_BACKWARD = ref.backward_propagation
_CHECK = ref.gradient_check
_CHECK_N = ref.gradient_check_n

_TWO_EPSILON = ("(J_plus - J_minus) / (2 * epsilon)", "(J_plus - J_minus) / epsilon", 1)
_TWO_EPSILON_N = ("(J_plus[i] - J_minus[i]) / (2 * epsilon)", "(J_plus[i] - J_minus[i]) / epsilon", 1)
_NOT_NORMALISED = ("difference = numerator / denominator", "difference = numerator", 1)
_NORM = "numerator = np.linalg.norm(grad - gradapprox)"
_NORM_SQUARED = (_NORM, _NORM + " ** 2", 1)

MISTAKES = (
    Mistake(
        key="forward_theta_plus_x",
        function="forward_propagation",
        hint="J is the product theta * x, not the sum theta + x.",
        source=derive(_FORWARD, ("J = theta * x", "J = theta + x", 1)),
    ),
    Mistake(
        key="backward_returns_theta",
        function="backward_propagation",
        hint="The derivative of J(theta) = theta * x with respect to theta is x, not theta.",
        source=derive(_BACKWARD, ("dtheta = x", "dtheta = theta", 1)),
    ),
    Mistake(
        key="check_epsilon_not_doubled",
        function="gradient_check",
        hint="thetaplus and thetaminus are 2 * epsilon apart: divide J_plus - J_minus by (2 * epsilon).",
        source=derive(_CHECK, _TWO_EPSILON),
    ),
    Mistake(
        key="check_n_one_sided",
        function="gradient_check_n",
        hint="Use the two-sided difference (J_plus[i] - J_minus[i]) / (2 * epsilon); "
             "a one-sided (J_plus[i] - J) / epsilon is much less accurate.",
        source=derive(
            _CHECK_N,
            ("    for i in range(num_parameters):\n",
             "    J, _ = forward_propagation_n(X, Y, parameters)\n    for i in range(num_parameters):\n", 1),
            ("(J_plus[i] - J_minus[i]) / (2 * epsilon)", "(J_plus[i] - J) / epsilon", 1),
        ),
    ),
    Mistake(
        key="check_n_epsilon_not_doubled",
        function="gradient_check_n",
        hint="thetaplus and thetaminus are 2 * epsilon apart: divide J_plus[i] - J_minus[i] by (2 * epsilon).",
        source=derive(_CHECK_N, _TWO_EPSILON_N),
    ),
    Mistake(
        key="check_n_not_normalised",
        function="gradient_check_n",
        hint="Divide the numerator by np.linalg.norm(grad) + np.linalg.norm(gradapprox): "
             "the difference is relative, formula (3).",
        source=derive(_CHECK_N, _NOT_NORMALISED),
    ),
    Mistake(
        key="check_n_norm_squared",
        function="gradient_check_n",
        hint="Use the norm itself, np.linalg.norm(grad - gradapprox), not its square.",
        source=derive(_CHECK_N, _NORM_SQUARED),
    ),
    Mistake(
        key="check_n_all_parameters_shifted",
        function="gradient_check_n",
        hint="Shift one parameter at a time: add epsilon to thetaplus[i][0] only, not to the whole vector.",
        source=derive(
            _CHECK_N,
            ("thetaplus[i][0] = thetaplus[i][0] + epsilon", "thetaplus = thetaplus + epsilon", 1),
            ("thetaminus[i][0] = thetaminus[i][0] - epsilon", "thetaminus = thetaminus - epsilon", 1),
        ),
    ),
    Mistake(
        key="check_n_shift_not_undone",
        function="gradient_check_n",
        hint="Start thetaplus and thetaminus each from np.copy(parameters_values): without the copy "
             "(or starting thetaminus from thetaplus) the +epsilon stays and J_minus is taken at the unshifted point.",
        source=derive(
            _CHECK_N,
            ("thetaplus = np.copy(parameters_values)", "thetaplus = parameters_values", 1),
            ("thetaminus = np.copy(parameters_values)", "thetaminus = parameters_values", 1),
        ),
    ),
)
