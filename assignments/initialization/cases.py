"""Arguments of the Initialization model checks, built inside the sandbox.

The graded functions' cases are literal layer sizes in assignment.toml; only
the model checks need data: the notebook's three-layer model is trained on the
circles training set (circles_train.h5, a job file) with each initialization.
"""
import init_utils

# The course's model() defaults.
LEARNING_RATE = 0.01
NUM_ITERATIONS = 15000


def _training_set():
    """train_X (2, 300) and train_Y (1, 300), read from the job's circles_train.h5."""
    return init_utils.read_circles(init_utils.TRAIN_PATH, "train")


def _model(initialization):
    return (*_training_set(), LEARNING_RATE, NUM_ITERATIONS, initialization)


def model_zeros():
    """gradebox_train_model(train_X, train_Y, learning_rate, num_iterations, "zeros")."""
    return _model("zeros")


def model_random():
    return _model("random")


def model_he():
    return _model("he")
