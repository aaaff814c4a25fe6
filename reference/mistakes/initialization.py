"""Known mistakes in "Initialization", derived from reference/initialization.py.

Forgetting np.random.seed(3) is common too, but an unseeded draw differs on
every run, so no recorded output can match it; the value check reports it.
"""
from __future__ import annotations

from reference import initialization as ref
from reference.mistakes import Mistake, derive

_ZEROS = ref.initialize_parameters_zeros
_RANDOM = ref.initialize_parameters_random
_HE = ref.initialize_parameters_he

_BIAS_ZEROS = ("np.zeros((layers_dims[l], 1))", "np.zeros(layers_dims[l])", 1)
_BIAS_HINT = ("Give each bias the shape (layers_dims[l], 1): np.zeros((layers_dims[l], 1)); "
              "np.zeros(layers_dims[l]) makes a rank-1 array of shape (n,) that broadcasts wrongly.")
_HE_SCALE = "np.sqrt(2. / layers_dims[l - 1])"

MISTAKES = (
    Mistake(
        key="zeros_bias_shape_n",
        function="initialize_parameters_zeros",
        hint=_BIAS_HINT,
        source=derive(_ZEROS, _BIAS_ZEROS),
    ),
    Mistake(
        key="zeros_weights_transposed",
        function="initialize_parameters_zeros",
        hint="W[l] has shape (layers_dims[l], layers_dims[l-1]): rows for this layer's units, columns for the previous layer's.",
        source=derive(_ZEROS, ("np.zeros((layers_dims[l], layers_dims[l - 1]))",
                               "np.zeros((layers_dims[l - 1], layers_dims[l]))", 1)),
    ),
    Mistake(
        key="zeros_lowercase_w",
        function="initialize_parameters_zeros",
        hint="Store the weights under a capital W, parameters['W' + str(l)]; the model reads parameters[\"W1\"].",
        source=derive(_ZEROS, ("parameters['W' + str(l)]", "parameters['w' + str(l)]", 1)),
    ),
    Mistake(
        key="random_without_times_10",
        function="initialize_parameters_random",
        hint="This exercise uses large random weights: multiply np.random.randn(...) by 10.",
        source=derive(_RANDOM, (" * 10\n", "\n", 1)),
    ),
    Mistake(
        key="random_times_0_01",
        function="initialize_parameters_random",
        hint="Scale the weights by 10 here, not by 0.01: this exercise shows what large random weights do.",
        source=derive(_RANDOM, (" * 10\n", " * 0.01\n", 1)),
    ),
    Mistake(
        key="random_uniform_rand",
        function="initialize_parameters_random",
        hint="Draw the weights from a normal distribution with np.random.randn, not the uniform np.random.rand.",
        source=derive(_RANDOM, ("np.random.randn(", "np.random.rand(", 1)),
    ),
    Mistake(
        key="random_bias_drawn",
        function="initialize_parameters_random",
        hint="Only W is drawn at random; the biases start at zero, np.zeros((layers_dims[l], 1)).",
        source=derive(_RANDOM, ("np.zeros((layers_dims[l], 1))", "np.random.randn(layers_dims[l], 1) * 10", 1)),
    ),
    Mistake(
        key="random_bias_shape_n",
        function="initialize_parameters_random",
        hint=_BIAS_HINT,
        source=derive(_RANDOM, _BIAS_ZEROS),
    ),
    Mistake(
        key="he_xavier_scaling",
        function="initialize_parameters_he",
        hint="Looks like Xavier scaling sqrt(1 / n[l-1]); He initialization uses sqrt(2 / layers_dims[l-1]).",
        source=derive(_HE, (_HE_SCALE, "np.sqrt(1. / layers_dims[l - 1])", 1)),
    ),
    Mistake(
        key="he_scaled_by_current_layer",
        function="initialize_parameters_he",
        hint="Scale by the size of the previous layer, sqrt(2 / layers_dims[l-1]), not of the current one.",
        source=derive(_HE, (_HE_SCALE, "np.sqrt(2. / layers_dims[l])", 1)),
    ),
    Mistake(
        key="he_variance_without_sqrt",
        function="initialize_parameters_he",
        hint="2 / layers_dims[l-1] is the variance; multiply randn by its square root, np.sqrt(2 / layers_dims[l-1]).",
        source=derive(_HE, (_HE_SCALE, "(2. / layers_dims[l - 1])", 1)),
    ),
    Mistake(
        key="he_times_10_kept",
        function="initialize_parameters_he",
        hint="He initialization replaces the factor 10 of the random initialization by sqrt(2 / layers_dims[l-1]); drop the 10.",
        source=derive(_HE, (_HE_SCALE, _HE_SCALE + " * 10", 1)),
    ),
    Mistake(
        key="he_bias_shape_n",
        function="initialize_parameters_he",
        hint=_BIAS_HINT,
        source=derive(_HE, _BIAS_ZEROS),
    ),
)
