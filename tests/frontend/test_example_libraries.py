"""lintra.example_libraries (optimizers, stax) against JAX 0.10.2's jax.example_libraries: every public name;
each optimizer's trajectory on a quadratic and each schedule's values as recorded from JAX (eager and with a
jitted update, the step then traced); stax layers' output shapes and values against NumPy references, or
recorded from JAX where the parameters come from PRNG keys (Lintra's threefry is bit-compatible, so the same
keys give JAX's parameters); a small stax MLP trained with adam reaching JAX's loss; and the error messages."""
import importlib

import numpy as np
import pytest

import lintra as jax
import lintra.numpy as jnp
from lintra import random
from lintra.example_libraries import optimizers, stax

# dir() of jax.example_libraries.optimizers / stax in JAX 0.10.2, less typing helpers and imported modules
JAX_OPTIMIZERS_NAMES = {
    "InitFn", "JoinPoint", "Optimizer", "OptimizerState", "Params", "ParamsFn", "Schedule", "State", "Step",
    "UpdateFn", "Updates", "adagrad", "adam", "adamax", "clip_grads", "constant", "exponential_decay",
    "inverse_time_decay", "l2_norm", "make_schedule", "momentum", "nesterov", "optimizer", "pack_optimizer_state",
    "piecewise_constant", "polynomial_decay", "rmsprop", "rmsprop_momentum", "sgd", "sm3", "unpack_optimizer_state"}
JAX_STAX_NAMES = {
    "AvgPool", "BatchNorm", "Conv", "Conv1DTranspose", "ConvTranspose", "Dense", "Dropout", "Elu", "Exp",
    "FanInConcat", "FanInSum", "FanOut", "Flatten", "Gelu", "GeneralConv", "GeneralConvTranspose", "Identity",
    "LeakyRelu", "LogSoftmax", "MaxPool", "Relu", "Selu", "Sigmoid", "Softmax", "Softplus", "SumPool", "Tanh",
    "elementwise", "elu", "gelu", "glorot", "glorot_normal", "leaky_relu", "log_softmax", "logsoftmax", "normal",
    "ones", "parallel", "randn", "relu", "selu", "serial", "shape_dependent", "sigmoid", "softmax", "softplus",
    "standardize", "zeros"}

# ---- values recorded from JAX 0.10.2 (float32), by running the code of this file's scenarios there ----

# per optimizer: the parameters (v.ravel() then w) after each of 5 steps on quad_loss from init_params
TRAJ = {
    "sgd": [
        [0.175, 1.85, -0.9, 0.65, 0.55, -0.30000007, -1.45],
        [0.3125, 1.78, -0.80499995, 0.755, 0.58625, -1.0725, -1.40125],
        [0.4206875, 1.755625, -0.71474993, 0.8285, 0.612, -1.5325, -1.3537188],
        [0.50595, 1.7566875, -0.62901247, 0.87995, 0.6297656, -1.8072813, -1.3073758],
        [0.5732717, 1.7713828, -0.5475618, 0.91596496, 0.6414916, -1.9722031, -1.2621914],
    ],
    "momentum": [
        [0.175, 1.85, -0.9, 0.65, 0.55, -0.30000007, -1.45],
        [0.46999997, 1.645, -0.715, 0.89, 0.63125, -2.2425, -1.35625],
        [0.8099375, 1.508125, -0.46275, 1.139, 0.71775, -3.9759998, -1.2254688],
        [1.1180062, 1.532925, -0.1625875, 1.3214, 0.7833281, -4.821156, -1.064629],
        [1.3325005, 1.7430103, 0.16568813, 1.38914, 0.8081153, -4.52998, -0.8807574],
    ],
    "nesterov": [
        [0.33249998, 1.715, -0.81, 0.78499997, 0.595, -1.47, -1.405],
        [0.67137504, 1.5973, -0.55705, 1.02905, 0.68086255, -3.0887249, -1.2740124],
        [0.94318306, 1.6695119, -0.26292524, 1.1740865, 0.7335068, -3.601915, -1.1147206],
        [1.1112039, 1.8642416, 0.05169767, 1.2132335, 0.7434074, -3.3249967, -0.934574],
        [1.1723223, 2.089337, 0.36811537, 1.1739261, 0.71396506, -2.747437, -0.740631],
    ],
    "adagrad": [
        [0.030000001, 1.97, -0.97, 0.53, 0.53, 0.97, -1.47],
        [0.07774371, 1.9221123, -0.9219477, 0.57754725, 0.5771912, 0.9218978, -1.4219477],
        [0.13692579, 1.8624562, -0.8617531, 0.63606715, 0.63447845, 0.86154175, -1.3617531],
        [0.2033763, 1.7950078, -0.79317653, 0.7010829, 0.69674474, 0.792631, -1.2931765],
        [0.27404276, 1.7226297, -0.7188673, 0.7692048, 0.759846, 0.7177575, -1.2188673],
    ],
    "adagrad_m0": [
        [0.3, 1.7, -0.7, 0.8, 0.8, 0.7, -1.2],
        [0.4488417, 1.5279614, -0.5057055, 0.9114172, 0.8298511, 0.49978572, -1.0057055],
        [0.54567754, 1.4106592, -0.3564325, 0.960111, 0.79763687, 0.34233603, -0.8564325],
        [0.6155253, 1.3264462, -0.23372215, 0.9819796, 0.75620544, 0.21005748, -0.73372215],
        [0.66823936, 1.2653058, -0.12911735, 0.9918537, 0.71889174, 0.094847135, -0.62911737],
    ],
    "rmsprop": [
        [0.15811388, 1.8418862, -0.8418861, 0.6581139, 0.65811384, 0.8418861, -1.3418862],
        [0.2580772, 1.7369378, -0.7317537, 0.7505647, 0.7347461, 0.73028445, -1.2317537],
        [0.33419263, 1.65454, -0.6419291, 0.8154097, 0.77521574, 0.6384235, -1.141929],
        [0.39653558, 1.5855007, -0.56386214, 0.86358756, 0.7931652, 0.5579591, -1.0638621],
        [0.4496661, 1.5256937, -0.49363908, 0.90010244, 0.79597455, 0.48505342, -0.993639],
    ],
    "rmsprop_momentum": [
        [0.044721358, 1.9552786, -0.95527864, 0.54472136, 0.54472136, 0.95527864, -1.4552786],
        [0.09941655, 1.9002725, -0.89992213, 0.59898615, 0.5981871, 0.89981693, -1.3999221],
        [0.15339401, 1.8455071, -0.8442739, 0.6518268, 0.6488248, 0.8439081, -1.3442739],
        [0.20357916, 1.7940227, -0.7913337, 0.7000392, 0.69302905, 0.7905463, -1.2913337],
        [0.2495534, 1.74627, -0.74157786, 0.74314696, 0.73001516, 0.7402224, -1.2415779],
    ],
    "adam": [
        [0.09999933, 1.9000007, -0.90000063, 0.5999993, 0.59999937, 0.9000007, -1.4000007],
        [0.19930393, 1.800414, -0.8001681, 0.69881094, 0.69757044, 0.800109, -1.3001682],
        [0.2972592, 1.7015902, -0.7006264, 0.79512584, 0.7892964, 0.70040184, -1.2006264],
        [0.39303666, 1.6039485, -0.6015088, 0.88708097, 0.86967444, 0.60095924, -1.1015089],
        [0.48562974, 1.5079889, -0.50296056, 0.97218144, 0.93168855, 0.50186616, -1.0029606],
    ],
    "adamax": [
        [0.10000001, 1.9, -0.9, 0.6, 0.6, 0.9, -1.4],
        [0.19215567, 1.8054609, -0.80268043, 0.6889779, 0.6834168, 0.80182487, -1.3026804],
        [0.27649242, 1.7165846, -0.7081743, 0.7670867, 0.75080603, 0.7055731, -1.2081742],
        [0.35312155, 1.6335337, -0.6166004, 0.834615, 0.8029509, 0.6113345, -1.1166004],
        [0.4222376, 1.5564295, -0.52806175, 0.8919818, 0.8408444, 0.51918924, -1.0280617],
    ],
    "sm3": [
        [0.030000001, 1.97, -0.97, 0.53, 0.53, 0.97, -1.47],
        [0.07774371, 1.9221123, -0.92653304, 0.57754725, 0.5771912, 0.9218978, -1.4219477],
        [0.13692579, 1.8624562, -0.87469846, 0.63606715, 0.63447845, 0.86154175, -1.3617531],
        [0.2033763, 1.7950078, -0.81720203, 0.7010829, 0.69674474, 0.792631, -1.2931765],
        [0.27404276, 1.7226297, -0.7557338, 0.7692048, 0.759846, 0.7177575, -1.2188673],
    ],
    "sgd_exp": [
        [0.35, 1.7, -0.8, 0.8, 0.6, -1.6000001, -1.4],
        [0.49142134, 1.7141422, -0.6727208, 0.8848528, 0.63181984, -1.9464824, -1.3328248],
        [0.5615461, 1.7400521, -0.58908474, 0.919397, 0.6440668, -2.0535965, -1.2870042],
        [0.6007816, 1.7603282, -0.5329021, 0.9364955, 0.64938146, -2.0999572, -1.2554141],
        [0.6244689, 1.7748107, -0.49457955, 0.94602114, 0.65189284, -2.123974, -1.2334714],
    ],
    "sgd_inv": [
        [0.35, 1.7, -0.8, 0.8, 0.6, -1.6000001, -1.4],
        [0.51, 1.7160001, -0.656, 0.896, 0.63600004, -1.992, -1.324],
        [0.59826666, 1.7533334, -0.5456, 0.9376, 0.6505334, -2.1106668, -1.2632],
        [0.6529181, 1.7878478, -0.45728, 0.95899427, 0.65628576, -2.1602666, -1.2128229],
        [0.6895202, 1.8170763, -0.384416, 0.971296, 0.65801126, -2.1855524, -1.1700023],
    ],
    "sgd_inv_stair": [
        [0.35, 1.7, -0.8, 0.8, 0.6, -1.6000001, -1.4],
        [0.54999995, 1.72, -0.62, 0.92, 0.64500004, -2.09, -1.305],
        [0.627, 1.7633333, -0.512, 0.952, 0.6556667, -2.1566665, -1.2448332],
        [0.68275553, 1.8053334, -0.41120002, 0.9712, 0.6597778, -2.1906667, -1.1866721],
        [0.71321553, 1.8343334, -0.34064, 0.97984, 0.65966225, -2.2046666, -1.1445053],
    ],
    "sgd_poly": [
        [0.35, 1.7, -0.8, 0.8, 0.6, -1.6000001, -1.4],
        [0.47125, 1.7121251, -0.690875, 0.87275, 0.62728125, -1.8970625, -1.3424063],
        [0.51960087, 1.7274915, -0.63592154, 0.89756376, 0.6361923, -1.9794704, -1.3124672],
        [0.5396853, 1.7356867, -0.61036026, 0.90716714, 0.63944256, -2.0090287, -1.2983073],
        [0.55170345, 1.7410632, -0.59425664, 0.91273713, 0.64125687, -2.0256631, -1.2893158],
    ],
    "sgd_piecewise": [
        [0.35, 1.7, -0.8, 0.8, 0.6, -1.6000001, -1.4],
        [0.54999995, 1.72, -0.62, 0.92, 0.64500004, -2.09, -1.305],
        [0.60774994, 1.7525, -0.53900003, 0.944, 0.65300006, -2.1399999, -1.2598749],
        [0.65354997, 1.78425, -0.46205002, 0.9608, 0.6573126, -2.171625, -1.215878],
        [0.66083485, 1.7902813, -0.4474295, 0.963152, 0.6576308, -2.1757374, -1.2072986],
    ],
}

SCHEDULES = {
    "exp": [0.1, 0.07937005, 0.06299605, 0.05, 0.039685026, 0.031498026, 0.025, 0.019842513],
    "inv": [0.1, 0.08571429, 0.075, 0.06666667, 0.06, 0.054545455, 0.05, 0.046153847],
    "inv_stair": [0.1, 0.1, 0.1, 0.06666667, 0.06666667, 0.06666667, 0.05, 0.05],
    "poly": [0.099999994, 0.07724334, 0.057180643, 0.040238574, 0.027155416, 0.02, 0.02, 0.02],
    "piecewise": [1, 1, 1, 0.5, 0.5, 0.5, 0.25, 0.25],
    "const": [0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3],
}

CNN_OUT = [[-1.429157, -2.0664487, -1.4992211, -0.8902563], [-1.4730234, -3.2569234, -0.5074819, -2.038282]]
CNN_LEAF_SUMS = [1.2778629, -0.0000016712114, 0, 4, 2.5896738, 0.0000015939837, -2.1468415, 0.00000033407565,
    -0.05090332, 0.0007056412, 1.8711536, 0.02696073, -2.0452926, 0.008906746]
DROPOUT = [[0, 0, 1.2123966, 0.18816], [-1.00907, -1.2785658, -0.372554, 0.87598217], [1.3191444, 0.54949135,
    -0.7253615, 0], [-0.7154306, 0.56022274, 0, 0.8670505], [-0.38387108, 0, -1.0013163, 0]]
SERIAL_DROPOUT = [[0.7517282, -0.42957833], [0.1849465, -0.22963205], [0.5892653, 0.084856644], [0.0029176287,
    0.01355607]]
GCONV = [[[0.18718366, 0.15803543, -0.08705394, -0.4112515], [0.23976971, 0.33949623, -0.09536639, -0.4608369],
    [0.21195994, -0.11563663, -0.5063591, 0.47615683]], [[-0.31979564, 0.13709612, 0.35044253, 0.40976575],
    [0.91752064, 0.59207207, 0.13063993, 0.40473175], [-0.020234695, -0.78879887, -0.50818795, -0.40473372]]]
CONV1DT = [[0.20970064, -0.956879], [0.011415146, -0.29934856], [-0.2729647, 1.1322441], [-0.15537833, -0.03149103],
    [0.26741955, -0.1716515], [0.19171046, 0.34051952], [-0.07662799, -0.9078432], [-0.09524082, -0.41366267],
    [-0.16724327, 1.3584664], [-0.06720186, 0.20025952], [0.37782276, -0.5941714]]
SM3_M = [[1.0758187, 0.8849124, 0.8220147], [0.7984404, 0.7889305, 0.78394073]]
SM3_S = 1.8495339

# ---- scenarios (the same code was run on JAX 0.10.2 to record the values above) ----

def quad_loss(params):
    w, v = params["w"], params["v"]
    return (jnp.sum(jnp.array([1., 4., 0.25]) * (w - jnp.array([1., -2., 0.5])) ** 2)
            + jnp.sum((v - 1.) ** 2 * jnp.array([[2., 1.], [0.5, 3.]])) + jnp.sum(w[:2] * v[0]))


def init_params():
    return {"w": jnp.array([0.5, 1.0, -1.5]), "v": jnp.array([[0.0, 2.0], [-1.0, 0.5]])}


OPTIMIZERS = {
    "sgd": lambda: optimizers.sgd(0.05),
    "momentum": lambda: optimizers.momentum(0.05, 0.9),
    "nesterov": lambda: optimizers.nesterov(0.05, 0.9),
    "adagrad": lambda: optimizers.adagrad(0.3),
    "adagrad_m0": lambda: optimizers.adagrad(0.3, momentum=0.),
    "rmsprop": lambda: optimizers.rmsprop(0.05),
    "rmsprop_momentum": lambda: optimizers.rmsprop_momentum(0.02, gamma=0.8, momentum=0.5),
    "adam": lambda: optimizers.adam(0.1),
    "adamax": lambda: optimizers.adamax(0.1, b1=0.8),
    "sm3": lambda: optimizers.sm3(0.3),
    "sgd_exp": lambda: optimizers.sgd(optimizers.exponential_decay(0.1, 2, 0.5)),
    "sgd_inv": lambda: optimizers.sgd(optimizers.inverse_time_decay(0.1, 2, 0.5)),
    "sgd_inv_stair": lambda: optimizers.sgd(optimizers.inverse_time_decay(0.1, 2, 0.5, staircase=True)),
    "sgd_poly": lambda: optimizers.sgd(optimizers.polynomial_decay(0.1, 4, 0.01, power=2.0)),
    "sgd_piecewise": lambda: optimizers.sgd(optimizers.piecewise_constant([1, 3], [0.1, 0.05, 0.01])),
}


def run_optimizer(make, steps=5, jit=False):
    init, update, get_params = make()
    state = init(init_params())
    update = jax.jit(update) if jit else update
    trajectory = []
    for i in range(steps):
        g = jax.grad(quad_loss)(get_params(state))
        state = update(i, g, state)
        p = get_params(state)
        trajectory.append(np.concatenate([np.ravel(p["v"]), np.ravel(p["w"])]))
    return np.array(trajectory)


def cnn_net():
    block = stax.serial(stax.FanOut(2), stax.parallel(stax.serial(stax.Conv(4, (3, 3), padding="SAME"), stax.Tanh),
                                                      stax.Identity), stax.FanInSum)
    return stax.serial(
        stax.Conv(4, (3, 3), strides=(1, 1), padding="SAME"), stax.BatchNorm(), stax.Relu, block,
        stax.AvgPool((2, 2), strides=(1, 1), padding="SAME"), stax.MaxPool((2, 2), strides=(2, 2)),
        stax.ConvTranspose(3, (3, 3), strides=(2, 2), padding="SAME"), stax.Elu,
        stax.SumPool((2, 2), strides=(2, 2)), stax.Flatten, stax.Dense(5), stax.Gelu,
        stax.FanOut(2), stax.parallel(stax.Dense(3), stax.Sigmoid), stax.FanInConcat(), stax.Softplus,
        stax.Dense(4), stax.LogSoftmax)


def sin_input(shape):
    return jnp.sin(jnp.arange(int(np.prod(shape)), dtype=jnp.float32)).reshape(shape)


# ---- the namespace ----

def test_import_forms_and_public_names():
    mod = importlib.import_module("lintra.example_libraries.optimizers")
    assert mod is optimizers and importlib.import_module("lintra.example_libraries.stax") is stax
    assert jax.example_libraries.stax is stax
    assert JAX_OPTIMIZERS_NAMES <= set(dir(optimizers))
    assert JAX_STAX_NAMES <= set(dir(stax))


# ---- optimizers ----

@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_optimizer_trajectory_matches_jax(name):
    np.testing.assert_allclose(run_optimizer(OPTIMIZERS[name]), TRAJ[name], rtol=2e-6, atol=1e-6)


@pytest.mark.parametrize("name", ["adam", "adamax", "sm3", "sgd_piecewise", "sgd_inv_stair", "sgd_poly"])
def test_jitted_update_with_traced_step(name):
    np.testing.assert_allclose(run_optimizer(OPTIMIZERS[name], jit=True), TRAJ[name], rtol=1e-5, atol=1e-6)


def test_adam_keeps_float32_under_jit():
    init, update, get_params = optimizers.adam(1e-3)
    state = jax.jit(update)(3, jnp.ones(2, jnp.float32), init(jnp.zeros(2, jnp.float32)))
    assert [leaf.dtype for leaf in jax.tree.leaves(state)] == [np.float32] * 3


@pytest.mark.parametrize("name", sorted(SCHEDULES))
def test_schedules_match_jax(name):
    schedule = {"exp": optimizers.exponential_decay(0.1, 3, 0.5),
                "inv": optimizers.inverse_time_decay(0.1, 3, 0.5),
                "inv_stair": optimizers.inverse_time_decay(0.1, 3, 0.5, staircase=True),
                "poly": optimizers.polynomial_decay(0.1, 5, 0.02, power=1.5),
                "piecewise": optimizers.piecewise_constant([2, 5], [1.0, 0.5, 0.25]),
                "const": optimizers.constant(0.3)}[name]
    np.testing.assert_allclose([float(schedule(i)) for i in range(8)], SCHEDULES[name], rtol=1e-6)
    assert optimizers.make_schedule(schedule) is schedule


def test_sgd_closed_form_and_make_schedule():
    # on 0.5 x^2 plain gradient descent multiplies x by (1 - lr) per step
    init, update, get_params = optimizers.sgd(0.25)
    state = init(jnp.array([4.0, -8.0]))
    for i in range(3):
        state = update(i, get_params(state), state)
    np.testing.assert_allclose(get_params(state), np.array([4.0, -8.0]) * 0.75 ** 3)
    assert optimizers.make_schedule(0.5)(7) == 0.5


def test_sm3_scalar_and_matrix_params_match_jax():
    init, update, get_params = optimizers.sm3(0.5)
    state = init({"s": jnp.float32(2.0), "m": jnp.ones((2, 3))})
    for i in range(3):
        state = update(i, {"s": jnp.float32(1.5 - i), "m": jnp.arange(6.).reshape(2, 3) - i}, state)
    params = get_params(state)
    assert params["s"].shape == () and params["m"].shape == (2, 3)
    np.testing.assert_allclose(params["m"], SM3_M, rtol=1e-6)
    np.testing.assert_allclose(params["s"], SM3_S, rtol=1e-6)


def test_l2_norm_and_clip_grads():
    tree = {"a": jnp.array([3., 4.]), "b": [jnp.array(12.)]}
    assert float(optimizers.l2_norm(tree)) == 13.0
    clipped = optimizers.clip_grads(tree, 6.5)
    np.testing.assert_allclose(clipped["a"], [1.5, 2.0])
    np.testing.assert_allclose(clipped["b"][0], 6.0)
    np.testing.assert_allclose(optimizers.clip_grads(tree, 14.)["a"], [3., 4.])


def test_state_is_a_pytree_and_pack_unpack_round_trip():
    tree = {"a": jnp.array([3., 4.]), "b": [jnp.array(12.)]}
    init, update, get_params = optimizers.momentum(0.1, 0.5)
    state = update(0, tree, init(tree))
    assert isinstance(state, optimizers.OptimizerState)
    assert len(jax.tree.leaves(state)) == 4          # (x, velocity) per parameter leaf
    doubled = jax.tree.map(lambda x: 2 * x, state)
    assert isinstance(doubled, optimizers.OptimizerState)
    np.testing.assert_allclose(get_params(doubled)["a"], 2 * np.asarray(get_params(state)["a"]))
    marked = optimizers.unpack_optimizer_state(state)
    assert isinstance(marked["b"][0], optimizers.JoinPoint)
    x, velocity = marked["a"].subtree          # recorded from JAX: x = 3,4 - 0.1 * (3,4); velocity = grads
    np.testing.assert_allclose(x, [2.7, 3.6], rtol=1e-6)
    np.testing.assert_allclose(velocity, [3., 4.])
    packed = optimizers.pack_optimizer_state(marked)
    assert packed.tree_def == state.tree_def and packed.subtree_defs == state.subtree_defs
    np.testing.assert_allclose(get_params(packed)["b"][0], get_params(state)["b"][0])


def test_optimizer_errors_name_the_problem():
    init, update, _ = optimizers.sgd(0.1)
    state = init({"a": jnp.ones(2)})
    with pytest.raises(TypeError, match="gradient tree that did not match the parameter tree"):
        update(0, {"b": jnp.ones(2)}, state)
    with pytest.raises(TypeError, match="leaves are all JoinPoints.*float"):
        optimizers.pack_optimizer_state({"a": 1.0})
    with pytest.raises(ValueError, match="one shorter than values length, got 2 boundaries and 2 values"):
        optimizers.piecewise_constant([1, 2], [0.1, 0.2])
    with pytest.raises(ValueError, match="must be sequences"):
        optimizers.piecewise_constant(1, [0.1, 0.2])
    with pytest.raises(TypeError, match=r"scalar or a schedule .* shape \(2,\)"):
        optimizers.sgd(np.ones(2))
    with pytest.raises(TypeError, match="scalar or a schedule .* got str 'fast'"):
        optimizers.adam("fast")


# ---- stax ----

def test_cnn_shapes_params_and_output_match_jax():
    init, apply = cnn_net()
    shape, params = init(random.PRNGKey(3), (-1, 8, 8, 2))
    assert shape == (0, 4)          # as JAX: the -1 batch size passes convolutions, pooling clamps it to 0
    assert jax.tree.map(jnp.shape, params)[:3] == [((3, 3, 2, 4), (1, 1, 1, 4)), ((4,), (4,)), ()]
    np.testing.assert_allclose([float(jnp.sum(leaf)) for leaf in jax.tree.leaves(params)], CNN_LEAF_SUMS,
                               rtol=1e-5, atol=1e-9)
    x = jnp.sin(jnp.arange(2 * 8 * 8 * 2, dtype=jnp.float32) * 0.37).reshape(2, 8, 8, 2)
    out = apply(params, x)
    np.testing.assert_allclose(out, CNN_OUT, rtol=1e-5)
    shape, _ = init(random.PRNGKey(3), (2, 8, 8, 2))
    assert shape == out.shape == (2, 4)


def test_dense_against_numpy():
    init, apply = stax.Dense(3)
    shape, (W, b) = init(random.PRNGKey(0), (-1, 5, 4))
    assert shape == (-1, 5, 3) and W.shape == (4, 3) and b.shape == (3,)
    x = sin_input((2, 5, 4))
    np.testing.assert_allclose(apply((W, b), x), np.asarray(x) @ np.asarray(W) + np.asarray(b), rtol=1e-5,
                               atol=1e-6)
    # the default initialisers are JAX's: glorot_normal for W, normal(1e-2) for b, from split keys
    k1, k2 = random.split(random.PRNGKey(0))
    np.testing.assert_array_equal(W, jax.nn.initializers.glorot_normal()(k1, (4, 3)))
    np.testing.assert_array_equal(b, jax.nn.initializers.normal()(k2, (3,)))


def test_general_conv_and_conv1d_transpose_match_jax():
    x = sin_input((2, 3, 5, 4))
    init, apply = stax.GeneralConv(("NCHW", "OIHW", "NCHW"), 2, (2, 3), strides=(2, 1), padding=[(1, 0), (0, 2)])
    shape, params = init(random.PRNGKey(7), (2, 3, 5, 4))
    assert shape == (2, 2, 3, 4) and [p.shape for p in params] == [(2, 3, 2, 3), (1, 2, 1, 1)]
    np.testing.assert_allclose(apply(params, x)[1], GCONV, rtol=1e-5, atol=1e-6)
    init, apply = stax.Conv1DTranspose(2, (3,), strides=(2,), padding="VALID")
    shape, params = init(random.PRNGKey(7), (3, 5, 4))
    assert shape == (3, 11, 2) and [p.shape for p in params] == [(3, 4, 2), (1, 1, 2)]
    np.testing.assert_allclose(apply(params, x[0])[2], CONV1DT, rtol=1e-5, atol=1e-6)


def _np_pool(x, window, strides, pads, reduce, pad_value):
    """Pooling over the two spatial axes 1, 2 of an NHWC NumPy array."""
    x = np.pad(x, [(0, 0), pads[0], pads[1], (0, 0)], constant_values=pad_value)
    rows = (x.shape[1] - window[0]) // strides[0] + 1
    cols = (x.shape[2] - window[1]) // strides[1] + 1
    return np.stack([np.stack([reduce(x[:, i * strides[0]:i * strides[0] + window[0],
                                        j * strides[1]:j * strides[1] + window[1]], axis=(1, 2))
                               for j in range(cols)], axis=1) for i in range(rows)], axis=1)


def test_pooling_layers_against_numpy():
    x = sin_input((2, 5, 4, 3))
    xn = np.asarray(x)
    init, apply = stax.MaxPool((3, 2), padding="SAME")           # window 3x2, stride 1: pads (1,1), (0,1)
    assert init(None, (2, 5, 4, 3))[0] == (2, 5, 4, 3)
    np.testing.assert_array_equal(apply((), x), _np_pool(xn, (3, 2), (1, 1), [(1, 1), (0, 1)], np.max, -np.inf))
    init, apply = stax.SumPool((2, 2), strides=(1, 2))
    assert init(None, (2, 5, 4, 3))[0] == (2, 4, 2, 3)
    np.testing.assert_allclose(apply((), x), _np_pool(xn, (2, 2), (1, 2), [(0, 0), (0, 0)], np.sum, 0), rtol=1e-6)
    # AvgPool divides by the number of real (unpadded) elements in each window
    init, apply = stax.AvgPool((2, 3), strides=(2, 2), padding="SAME")   # pads (0,1), (0,1)
    assert init(None, (2, 5, 4, 3))[0] == (2, 3, 2, 3)
    sums = _np_pool(xn, (2, 3), (2, 2), [(0, 1), (0, 1)], np.sum, 0)
    counts = _np_pool(np.ones_like(xn), (2, 3), (2, 2), [(0, 1), (0, 1)], np.sum, 0)
    np.testing.assert_allclose(apply((), x), sums / counts, rtol=1e-6, atol=1e-7)
    # spec puts batch and channels elsewhere: NCHW pooling = NHWC pooling of the transposed input
    init, apply = stax.AvgPool((2, 3), strides=(2, 2), padding="SAME", spec="NCHW")
    assert init(None, (2, 3, 5, 4))[0] == (2, 3, 3, 2)
    np.testing.assert_allclose(apply((), jnp.transpose(x, (0, 3, 1, 2))), np.transpose(sums / counts, (0, 3, 1, 2)),
                               rtol=1e-6, atol=1e-7)


def test_batch_norm_against_numpy():
    x = sin_input((2, 3, 5, 4))
    xn = np.asarray(x, np.float64)
    init, apply = stax.BatchNorm(axis=(0, 2), beta_init=jax.nn.initializers.normal(1.0),
                                 gamma_init=jax.nn.initializers.normal(1.0))
    shape, (beta, gamma) = init(random.PRNGKey(7), x.shape)
    assert shape == x.shape and beta.shape == gamma.shape == (3, 4)
    z = (xn - xn.mean((0, 2), keepdims=True)) / np.sqrt(xn.var((0, 2), keepdims=True) + 1e-5)
    b, g = np.asarray(beta)[None, :, None], np.asarray(gamma)[None, :, None]
    np.testing.assert_allclose(apply((beta, gamma), x), g * z + b, rtol=1e-4, atol=1e-5)
    init, apply = stax.BatchNorm(axis=(0, 2), center=False, scale=False)
    assert init(random.PRNGKey(0), x.shape)[1] == ((), ())
    np.testing.assert_allclose(apply(((), ()), x), z, rtol=1e-4, atol=1e-5)
    init, apply = stax.BatchNorm(axis=0, scale=False)
    _, params = init(random.PRNGKey(0), x.shape)
    assert params[0].shape == (3, 5, 4) and params[1] == ()


def test_elementwise_flatten_fan_layers():
    x = sin_input((2, 3, 4))
    xn = np.asarray(x, np.float64)
    for layer, ref in [(stax.Tanh, np.tanh(xn)), (stax.Exp, np.exp(xn)), (stax.Relu, np.maximum(xn, 0)),
                       (stax.Sigmoid, 1 / (1 + np.exp(-xn))), (stax.Softplus, np.log1p(np.exp(xn))),
                       (stax.Elu, np.where(xn > 0, xn, np.expm1(xn))),
                       (stax.LeakyRelu, np.where(xn >= 0, xn, 0.01 * xn)),
                       (stax.LogSoftmax, xn - np.log(np.exp(xn).sum(-1, keepdims=True))),
                       (stax.Softmax, np.exp(xn) / np.exp(xn).sum(-1, keepdims=True))]:
        init, apply = layer
        assert init(None, (2, 3, 4)) == ((2, 3, 4), ())
        np.testing.assert_allclose(apply((), x), ref, rtol=2e-6, atol=1e-7)
    init, apply = stax.elementwise(jnp.clip, min=-0.5, max=0.5)
    np.testing.assert_allclose(apply((), x), np.clip(xn, -0.5, 0.5), rtol=1e-6)
    init, apply = stax.Flatten
    assert init(None, (-1, 3, 4)) == ((-1, 12), ())
    np.testing.assert_array_equal(apply((), x), xn.reshape(2, 12).astype(np.float32))
    assert stax.Identity[0](None, (5,)) == ((5,), ()) and stax.Identity[1]((), x) is x
    init, apply = stax.FanOut(3)
    assert init(None, (2, 3)) == ([(2, 3)] * 3, ()) and [o is x for o in apply((), x)] == [True] * 3
    init, apply = stax.FanInConcat(axis=1)
    assert init(None, [(2, 3, 4), (2, 5, 4)]) == ((2, 8, 4), ())
    np.testing.assert_array_equal(apply((), [x, x[:, :2]]), np.concatenate([xn, xn[:, :2]], 1).astype(np.float32))
    init, apply = stax.FanInSum
    assert init(None, [(2, 3, 4)] * 2) == ((2, 3, 4), ())
    np.testing.assert_allclose(apply((), [x, 2 * x]), 3 * xn, rtol=1e-6)


def test_dropout_keeps_with_probability_rate_and_matches_jax():
    x = sin_input((2, 3, 5, 4))[0, 0]
    init, apply = stax.Dropout(0.75)
    out = np.asarray(apply((), x, rng=random.PRNGKey(7)))
    np.testing.assert_allclose(out, DROPOUT, rtol=1e-6)
    kept = out != 0                         # kept entries are scaled by 1 / rate (rate: keep probability)
    np.testing.assert_allclose(out[kept], np.asarray(x)[kept] / 0.75, rtol=1e-6)
    assert stax.Dropout(0.75, mode="test")[1]((), x, rng=random.PRNGKey(7)) is x
    with pytest.raises(ValueError, match="requires apply_fun to be called with a PRNG key"):
        apply((), x)
    # serial hands each layer its own split of the rng
    init, apply = stax.serial(stax.Dense(3), stax.Dropout(0.5), stax.Dense(2))
    _, params = init(random.PRNGKey(7), (4, 4))
    np.testing.assert_allclose(apply(params, sin_input((2, 3, 5, 4))[0, 0, :4], rng=random.PRNGKey(1)),
                               SERIAL_DROPOUT, rtol=1e-5, atol=1e-6)


def test_parallel_and_shape_dependent():
    init, apply = stax.parallel(stax.Dense(2), stax.Relu)
    shapes, params = init(random.PRNGKey(0), [(4, 3), (5,)])
    assert shapes == ((4, 2), (5,)) and params[1] == ()
    k1, _ = random.split(random.PRNGKey(0))
    _, dense_params = stax.Dense(2)[0](k1, (4, 3))
    np.testing.assert_array_equal(params[0][0], dense_params[0])
    x, y = sin_input((4, 3)), sin_input((5,)) - 0.5
    out = apply(params, [x, y])
    np.testing.assert_allclose(out[1], np.maximum(np.asarray(y), 0))
    seen = []

    def make(shape):
        seen.append(tuple(shape))
        return stax.Dense(shape[-1] * 2)
    init, apply = stax.shape_dependent(make)
    shape, params = init(random.PRNGKey(0), (4, 3))
    assert shape == (4, 6) and apply(params, x).shape == (4, 6) and seen == [(4, 3), (4, 3)]


def test_mlp_trains_with_adam_to_jax_loss():
    rs = np.random.RandomState(0)
    x = rs.normal(size=(64, 2)).astype(np.float32)
    y = (x[:, 0] * x[:, 1] > 0).astype(np.int32)      # XOR-like quadrants: needs the hidden layers
    init, apply = stax.serial(stax.Dense(16), stax.Tanh, stax.Dense(16), stax.Relu, stax.Dense(2), stax.LogSoftmax)
    _, params = init(random.PRNGKey(42), (-1, 2))
    opt_init, opt_update, get_params = optimizers.adam(0.02)
    onehot = jax.nn.one_hot(y, 2)

    def loss(p):
        return -jnp.mean(jnp.sum(apply(p, x) * onehot, axis=-1))

    @jax.jit
    def step(i, state):
        value, g = jax.value_and_grad(loss)(get_params(state))
        return value, opt_update(i, g, state)

    state = opt_init(params)
    losses = []
    for i in range(200):
        value, state = step(i, state)
        losses.append(float(value))
    # JAX 0.10.2: 0.7198262 at step 0, 0.010510911 at 49, 0.0030528258 at 99, 0.0007978794 at 199
    np.testing.assert_allclose(losses[0], 0.7198262, rtol=1e-5)
    np.testing.assert_allclose(losses[49], 0.010510911, rtol=1e-2)
    assert losses[-1] < 1e-3 and all(b < a for a, b in zip(losses[20::20], losses[40::20]))
    assert float(jnp.mean(jnp.argmax(apply(get_params(state), x), -1) == y)) == 1.0


def test_per_example_gradients_through_stax_vmap_equal_a_loop():
    init, apply = stax.serial(stax.Conv(3, (3, 3), padding="SAME"), stax.Relu, stax.AvgPool((2, 2), (2, 2)),
                              stax.Flatten, stax.Dense(2), stax.LogSoftmax)
    _, params = init(random.PRNGKey(0), (-1, 6, 6, 1))
    x = sin_input((4, 6, 6, 1))
    grad_one = jax.grad(lambda p, xi: apply(p, xi[None])[0, 0])
    batched = jax.vmap(grad_one, in_axes=(None, 0))(params, x)
    for i in range(4):
        for b, l in zip(jax.tree.leaves(batched), jax.tree.leaves(grad_one(params, x[i]))):
            np.testing.assert_allclose(b[i], l, rtol=1e-5, atol=1e-6)
