"""bfloat16 and float16 through promotion, elementwise ops, reductions (accumulated in float32, as JAX
lowers them), dot products (preferred_element_type) and gradients, against JAX 0.10.2's results recorded as
literals (low-precision results as their 16-bit patterns); and the 8- and 4-bit floats stored, converted,
computed in and printed as JAX does."""
import ml_dtypes
import numpy as np
import pytest

import lintra
import lintra.numpy as jnp
import lintra.scipy.special as special
from lintra.test_util import check_grads

bf, f16 = jnp.bfloat16, jnp.float16
DTYPES = {"bfloat16": np.dtype(ml_dtypes.bfloat16), "float16": np.dtype(np.float16)}

# jnp.add(array of the left dtype, right operand) -> (dtype, weak), recorded from JAX 0.10.2
PROMOTION = {
    ('bf16', 'bf16'): ('bfloat16', False),
    ('bf16', 'f16'): ('float32', False),
    ('bf16', 'f32'): ('float32', False),
    ('bf16', 'i8'): ('bfloat16', False),
    ('bf16', 'i32'): ('bfloat16', False),
    ('bf16', 'u8'): ('bfloat16', False),
    ('bf16', 'bool'): ('bfloat16', False),
    ('bf16', 'int'): ('bfloat16', False),
    ('bf16', 'float'): ('bfloat16', False),
    ('bf16', 'complex'): ('complex64', False),
    ('f16', 'bf16'): ('float32', False),
    ('f16', 'f16'): ('float16', False),
    ('f16', 'f32'): ('float32', False),
    ('f16', 'i8'): ('float16', False),
    ('f16', 'i32'): ('float16', False),
    ('f16', 'u8'): ('float16', False),
    ('f16', 'bool'): ('float16', False),
    ('f16', 'int'): ('float16', False),
    ('f16', 'float'): ('float16', False),
    ('f16', 'complex'): ('complex64', False),
}
ELEMENTWISE = {
    ('bfloat16', 'sin'): ('bfloat16', [16136, 49011, 48792, 0, 16094, 16215, 16153, 16256]),
    ('bfloat16', 'cos'): ('bfloat16', [48985, 16033, 16245, 16256, 16231, 16138, 48973, 48470]),
    ('bfloat16', 'tan'): ('bfloat16', [48929, 49217, 48799, 0, 16119, 16327, 48959, 49561]),
    ('bfloat16', 'tanh'): ('bfloat16', [49024, 48985, 48790, 0, 16088, 16195, 16253, 16256]),
    ('bfloat16', 'exp'): ('bfloat16', [15562, 16019, 16190, 16256, 16329, 16430, 16707, 17706]),
    ('bfloat16', 'expm1'): ('bfloat16', [49018, 48951, 48773, 0, 16145, 16348, 16691, 17706]),
    ('bfloat16', 'log1p'): ('bfloat16', [65472, 65472, 48823, 0, 16062, 16177, 16288, 16396]),
    ('bfloat16', 'abs'): ('bfloat16', [16493, 16288, 16026, 0, 16102, 16256, 16416, 16637]),
    ('bfloat16', 'negative'): ('bfloat16', [16493, 16288, 16026, 32768, 48870, 49024, 49184, 49405]),
    ('bfloat16', 'sign'): ('bfloat16', [49024, 49024, 49024, 0, 16256, 16256, 16256, 16256]),
    ('bfloat16', 'floor'): ('bfloat16', [49280, 49152, 49024, 0, 0, 16256, 16384, 16608]),
    ('bfloat16', 'ceil'): ('bfloat16', [49216, 49024, 32768, 0, 16256, 16256, 16448, 16640]),
    ('bfloat16', 'round'): ('bfloat16', [49280, 49024, 32768, 0, 0, 16256, 16384, 16640]),
    ('bfloat16', 'square'): ('bfloat16', [16731, 16328, 15801, 0, 15951, 16256, 16584, 17018]),
    ('bfloat16', 'cbrt'): ('bfloat16', [49094, 49034, 48940, 0, 16196, 16256, 16302, 16383]),
    ('bfloat16', 'arctan'): ('bfloat16', [49063, 48997, 48790, 0, 16088, 16201, 16280, 16313]),
    ('bfloat16', 'sinh'): ('bfloat16', [49570, 49101, 48796, 0, 16110, 16278, 16578, 17578]),
    ('bfloat16', 'cosh'): ('bfloat16', [16802, 16370, 16262, 16256, 16269, 16326, 16580, 17578]),
    ('bfloat16', 'arcsinh'): ('bfloat16', [49153, 49030, 48792, 0, 16095, 16226, 16339, 16433]),
    ('bfloat16', 'logaddexp_half'): ('bfloat16', [49114, 48714, 16113, 16177, 16261, 16316, 16432, 16638]),
    ('bfloat16', 'sqrt_abs'): ('bfloat16', [16374, 16271, 16140, 0, 16172, 16256, 16330, 16436]),
    ('bfloat16', 'log_abs'): ('bfloat16', [16311, 16143, 48739, 48945, 48469, 16080, 16269, 16392]),
    ('bfloat16', 'erf'): ('bfloat16', [49024, 49004, 48809, 0, 16115, 16216, 16256, 16256]),
    ('bfloat16', 'reciprocal'): ('bfloat16', [15906, 15850, 15827, 15821, 15812, 15802, 15780, 15717]),
    ('bfloat16', 'add'): ('bfloat16', [49222, 49245, 16308, 16467, 48820, 16288, 16592, 16602]),
    ('bfloat16', 'subtract'): ('bfloat16', [49290, 16244, 49152, 49235, 16288, 16192, 49088, 16656]),
    ('bfloat16', 'multiply'): ('bfloat16', [49167, 16432, 48899, 0, 48824, 16000, 16672, 49419]),
    ('bfloat16', 'divide'): ('bfloat16', [49349, 16145, 48693, 0, 48912, 16512, 16160, 49382]),
    ('bfloat16', 'maximum'): ('bfloat16', [16154, 49056, 16346, 16467, 16102, 16256, 16512, 16637]),
    ('bfloat16', 'minimum'): ('bfloat16', [49261, 49165, 48794, 0, 48973, 16000, 16416, 49037]),
    ('bfloat16', 'power_abs'): ('bfloat16', [16407, 16021, 16175, 15824, 16261, 16270, 17058, 15813]),
    ('bfloat16', 'arctan2'): ('bfloat16', [49076, 49192, 48691, 0, 16424, 16298, 16143, 16347]),
    ('bfloat16', 'hypot'): ('bfloat16', [16495, 16418, 16349, 16467, 16235, 16260, 16535, 16639]),
    ('bfloat16', 'remainder'): ('bfloat16', [16130, 49056, 16308, 0, 48820, 0, 16416, 49000]),
    ('float16', 'sin'): ('float16', [14396, 48024, 46267, 0, 14069, 15035, 14538, 15358]),
    ('float16', 'cos'): ('float16', [47818, 13580, 15268, 15360, 15156, 14419, 47721, 43440]),
    ('float16', 'tan'): ('float16', [47357, 49669, 46323, 0, 14266, 15931, 47610, 52639]),
    ('float16', 'tanh'): ('float16', [48125, 47817, 46249, 0, 14016, 14872, 15333, 15360]),
    ('float16', 'exp'): ('float16', [9814, 13462, 14829, 15360, 15942, 16752, 18967, 26947]),
    ('float16', 'expm1'): ('float16', [48077, 47541, 46118, 0, 14476, 16096, 18839, 26946]),
    ('float16', 'log1p'): ('float16', [65535, 65535, 46517, 0, 13810, 14732, 15619, 16479]),
    ('float16', 'abs'): ('float16', [17254, 15616, 13517, 0, 14131, 15360, 16640, 18406]),
    ('float16', 'negative'): ('float16', [17254, 15616, 13517, 32768, 46899, 48128, 49408, 51174]),
    ('float16', 'sign'): ('float16', [48128, 48128, 48128, 0, 15360, 15360, 15360, 15360]),
    ('float16', 'floor'): ('float16', [50176, 49152, 48128, 0, 0, 15360, 16384, 18176]),
    ('float16', 'ceil'): ('float16', [49664, 48128, 32768, 0, 15360, 15360, 16896, 18432]),
    ('float16', 'round'): ('float16', [50176, 48128, 32768, 0, 0, 15360, 16384, 18432]),
    ('float16', 'square'): ('float16', [19160, 15936, 11715, 0, 12923, 15360, 17984, 21452]),
    ('float16', 'cbrt'): ('float16', [48688, 48207, 47451, 0, 14881, 15360, 15726, 16375]),
    ('float16', 'arctan'): ('float16', [48442, 47915, 46250, 0, 14020, 14920, 15555, 15816]),
    ('float16', 'sinh'): ('float16', [52493, 48744, 46304, 0, 14194, 15539, 17933, 25923]),
    ('float16', 'cosh'): ('float16', [19726, 16270, 15406, 15360, 15465, 15916, 17954, 25923]),
    ('float16', 'arcsinh'): ('float16', [49162, 48177, 46268, 0, 14074, 15117, 16023, 16775]),
    ('float16', 'logaddexp_half'): ('float16', [48848, 45640, 14218, 14732, 15398, 15846, 16769, 18411]),
    ('float16', 'sqrt_abs'): ('float16', [16305, 15481, 14434, 0, 14686, 15360, 15955, 16799]),
    ('float16', 'log_abs'): ('float16', [15805, 14458, 45862, 47500, 43658, 13949, 15461, 16450]),
    ('float16', 'erf'): ('float16', [48128, 47970, 46402, 0, 14235, 15038, 15359, 15360]),
    ('float16', 'reciprocal'): ('float16', [12564, 12112, 11929, 11878, 11807, 11729, 11551, 11046]),
    ('float16', 'add'): ('float16', [49715, 49894, 15770, 17050, 46489, 15616, 18048, 18124]),
    ('float16', 'subtract'): ('float16', [50253, 15256, 49152, 49818, 15616, 14848, 48640, 18560]),
    ('float16', 'multiply'): ('float16', [49265, 16768, 47125, 0, 46530, 13312, 18688, 51288]),
    ('float16', 'divide'): ('float16', [50730, 14476, 45478, 0, 47232, 17408, 14592, 50991]),
    ('float16', 'maximum'): ('float16', [14541, 48384, 16077, 17050, 14131, 15360, 17408, 18406]),
    ('float16', 'minimum'): ('float16', [50022, 49254, 46285, 0, 47718, 13312, 16640, 48230]),
    ('float16', 'power_abs'): ('float16', [16571, 13484, 14713, 11903, 15403, 15469, 21776, 11818]),
    ('float16', 'arctan2'): ('float16', [48548, 49472, 45463, 0, 16706, 15694, 14456, 16086]),
    ('float16', 'hypot'): ('float16', [17278, 16655, 16104, 17050, 15192, 15392, 17592, 18426]),
    ('float16', 'remainder'): ('float16', [14339, 48384, 15770, 0, 46489, 0, 16640, 47920]),
}
REDUCTIONS = {
    ('bfloat16', 'sum'): ('bfloat16', 16862),
    ('bfloat16', 'sum0'): ('bfloat16', [16239, 16410, 16505, 16555, 16602, 16645]),
    ('bfloat16', 'mean'): ('bfloat16', 16276),
    ('bfloat16', 'mean1'): ('bfloat16', [49163, 15673, 16401, 16528]),
    ('bfloat16', 'prod'): ('bfloat16', [49568, 48513, 16537, 17010]),
    ('bfloat16', 'max'): ('bfloat16', 16557),
    ('bfloat16', 'min0'): ('bfloat16', [49222, 49199, 49175, 49151, 49103, 49056]),
    ('bfloat16', 'var'): ('bfloat16', 16594),
    ('bfloat16', 'std1'): ('bfloat16', [16162, 16162, 16161, 16160]),
    ('bfloat16', 'cumsum'): ('bfloat16', [[49222, 49338, 49411, 49443, 49469, 49489], [48993, 49074, 49092, 49062, 48946, 16012], [16300, 16452, 16548, 16626, 16678, 16729], [16484, 16624, 16701, 16772, 16812, 16855]]),
    ('bfloat16', 'logsumexp'): ('bfloat16', [48704, 16386, 16520, 16591]),
    ('bfloat16', 'argmax'): ('int32', [5, 5, 5, 5]),
    ('bfloat16', 'sum_f32'): ('float32', 27.7158203125),
    ('bfloat16', 'norm'): ('bfloat16', [16561, 16327, 16569, 16689]),
    ('float16', 'sum'): ('float16', 20206),
    ('float16', 'sum0'): ('float16', [15198, 16588, 17347, 17756, 18135, 18473]),
    ('float16', 'mean'): ('float16', 15519),
    ('float16', 'mean1'): ('float16', [49242, 10694, 16520, 17532]),
    ('float16', 'prod'): ('float16', [52478, 44037, 17604, 21382]),
    ('float16', 'max'): ('float16', 17769),
    ('float16', 'min0'): ('float16', [49715, 49526, 49336, 49142, 48763, 48384]),
    ('float16', 'var'): ('float16', 18063),
    ('float16', 'std1'): ('float16', [14606, 14606, 14606, 14606]),
    ('float16', 'cumsum'): ('float16', [[49715, 50644, 51224, 51479, 51686, 51846], [47882, 48527, 48670, 48434, 47511, 13400], [15708, 16922, 17698, 18325, 18740, 19148], [17183, 18302, 18918, 19486, 19808, 20154]]),
    ('float16', 'logsumexp'): ('float16', [45600, 16398, 17472, 18040]),
    ('float16', 'argmax'): ('int32', [5, 5, 5, 5]),
    ('float16', 'sum_f32'): ('float32', 27.7218017578125),
    ('float16', 'norm'): ('float16', [17804, 15925, 17859, 18828]),
}
DOTS = {
    'bf16': ('bfloat16', [[49242, 49178, 49076, 48845, 16152], [49257, 49308, 49348, 49388, 49418], [49274, 49388, 49454, 49510, 49551]]),
    'bf16_pref_f32': ('float32', [[-3.40484619140625, -2.4001007080078125, -1.404876708984375, -0.4001617431640625, 0.59503173828125], [-3.636138916015625, -4.86895751953125, -6.1112823486328125, -7.36077880859375, -8.619781494140625], [-3.90484619140625, -7.3782958984375, -10.86126708984375, -14.368179321289062, -17.884613037109375]]),
    'f16': ('float16', [[49868, 49357, 48541, 46712, 14528], [49993, 50404, 50723, 51041, 51280], [50119, 51042, 51568, 52014, 52343]]),
    'bf16_f16': ('float32', [[-3.398773193359375, -2.399524688720703, -1.402186393737793, -0.4024639129638672, 0.5959358215332031], [-3.6360225677490234, -4.880868911743164, -6.1247968673706055, -7.36634635925293, -8.610552787780762], [-3.910675048828125, -7.402767181396484, -10.89111614227295, -14.377054214477539, -17.867019653320312]]),
    'f16_pref_f32': ('float32', [[-3.3989017009735107, -2.40018630027771, -1.4033806324005127, -0.40419256687164307, 0.5936744213104248], [-3.642761707305908, -4.890192031860352, -6.136703014373779, -7.380831718444824, -8.6276216506958], [-3.888507843017578, -7.3832926750183105, -10.874326705932617, -14.362977981567383, -17.855632781982422]]),
    'bf16_f32': ('float32', [[-3.398730754852295, -2.4001173973083496, -1.4015040397644043, -0.4028906524181366, 0.5957224369049072], [-3.635741949081421, -4.879628658294678, -6.123515605926514, -7.367402076721191, -8.611288070678711], [-3.9101552963256836, -7.399686813354492, -10.8892183303833, -14.378748893737793, -17.8682804107666]]),
    'matmul_bf16': ('bfloat16', [[49242, 49178, 49076, 48845, 16152], [49257, 49308, 49348, 49388, 49418], [49274, 49388, 49454, 49510, 49551]]),
    'einsum_f16_pref_f32': ('float32', [[-3.3989017009735107, -2.40018630027771, -1.4033806324005127, -0.40419256687164307, 0.5936744213104248], [-3.642761707305908, -4.890192031860352, -6.136703014373779, -7.380831718444824, -8.6276216506958], [-3.888507843017578, -7.3832926750183105, -10.874326705932617, -14.362977981567383, -17.855632781982422]]),
}
GRAD_BF16 = ('bfloat16', [16491, 49068, 48918, 0, 16215, 16304, 49076, 16150])
GRAD_F16 = ('float16', [44848, 44234, 44165, 0, 11844, 12103, 44973, 41391])
# lintra.nn on the bfloat16 matrix M, from jax.nn (16-bit patterns)
NN_BF16_SOFTMAX = [[15713, 15777, 15851, 15914, 15990, 16050], [15712, 15777, 15850, 15914, 15989, 16049], [15712, 15778, 15850, 15914, 15988, 16049], [15713, 15780, 15854, 15912, 15989, 16050]]
NN_BF16_LOG_SOFTMAX = [[49210, 49187, 49163, 49127, 49079, 49032], [49210, 49187, 49163, 49126, 49079, 49032], [49210, 49186, 49163, 49126, 49080, 49032], [49210, 49186, 49162, 49128, 49080, 49032]]
NN_BF16_SOFTMAX_GRAD = [[48658, 15753, 15502, 15565, 15637, 15703], [48344, 15721, 15186, 15256, 15324, 15391], [15798, 15682, 48176, 48256, 48311, 48389], [15953, 15642, 48334, 48402, 48468, 48538]]
NN_BF16_LOGSUMEXP = [48712, 16386, 16520, 16591]
NN_BF16_STANDARDIZE = [[49081, 48994, 48791, 16016, 16223, 16313], [49084, 48995, 48790, 16023, 16225, 16315], [49081, 48991, 48791, 16023, 16220, 16313], [49136, 49040, 48832, 16032, 16264, 16360]]


OPERANDS = {"bf16": np.ones(2, bf), "f16": np.ones(2, f16), "f32": np.ones(2, np.float32),
            "i8": np.ones(2, np.int8), "i32": np.ones(2, np.int32), "u8": np.ones(2, np.uint8),
            "bool": np.ones(2, bool), "int": 3, "float": 2.5, "complex": 1j}
X = np.array([-3.7, -1.25, -0.3, 0.0, 0.45, 1.0, 2.5, 7.9], np.float32)
Y = np.array([0.6, -2.2, 1.7, 3.3, -0.8, 0.25, 4.0, -1.1], np.float32)
M = np.arange(24, dtype=np.float32).reshape(4, 6) * 0.37 - 3.1
A = np.arange(12, dtype=np.float32).reshape(3, 4) * 0.61 - 2.0
B = np.arange(20, dtype=np.float32).reshape(4, 5) * -0.23 + 1.7

UNARY = {"logaddexp_half": lambda x: jnp.logaddexp(x, x * 0.5), "sqrt_abs": lambda x: jnp.sqrt(jnp.abs(x)),
         "log_abs": lambda x: jnp.log(jnp.abs(x) + 0.5), "erf": special.erf,
         "reciprocal": lambda x: jnp.reciprocal(x + 10), "power_abs": lambda x, y: jnp.power(jnp.abs(x) + 0.5, y)}
REDUCTIONS_F = {
    "sum": jnp.sum, "sum0": lambda a: jnp.sum(a, 0), "mean": jnp.mean, "mean1": lambda a: jnp.mean(a, 1),
    "prod": lambda a: jnp.prod(a[:, :3], 1), "max": jnp.max, "min0": lambda a: jnp.min(a, 0), "var": jnp.var,
    "std1": lambda a: jnp.std(a, 1), "cumsum": lambda a: jnp.cumsum(a, 1),
    "logsumexp": lambda a: special.logsumexp(a, 1), "argmax": lambda a: jnp.argmax(a, 1),
    "sum_f32": lambda a: jnp.sum(a, dtype=jnp.float32), "norm": lambda a: jnp.linalg.norm(a, axis=1)}


def _values(r, want_dtype):
    r = np.asarray(r)
    return r.view(np.uint16).tolist() if want_dtype in ("bfloat16", "float16") else r


def _ulps(got, want, dtype):
    """The distance in units of the last place between two arrays of 16-bit patterns (same-sign values)."""
    as_f = lambda b: np.array(b, np.uint16).view(DTYPES[dtype]).astype(np.float64)
    g, w = as_f(got), as_f(want)
    same = (g == w) | (np.isnan(g) & np.isnan(w))
    with np.errstate(invalid="ignore"):
        spacing = np.abs(np.spacing(w.astype(DTYPES[dtype])).astype(np.float64))
    return np.where(same, 0, np.abs(g - w) / np.where(spacing == 0, 1, spacing))


@pytest.mark.parametrize("pair", sorted(PROMOTION))
def test_promotion_is_jaxs(pair):
    left, right = pair
    want_dtype, want_weak = PROMOTION[pair]
    out = jnp.add(jnp.asarray(OPERANDS[left]), OPERANDS[right])
    assert str(out.dtype) == want_dtype
    assert lintra.typeof(out).weak == want_weak
    assert str(jnp.result_type(OPERANDS[left], OPERANDS[right])) == want_dtype


@pytest.mark.parametrize("key", sorted(ELEMENTWISE))
def test_elementwise_is_jaxs(key):
    dtype, name = key
    want_dtype, want = ELEMENTWISE[key]
    f = UNARY.get(name) or getattr(jnp, name)
    x, y = X.astype(DTYPES[dtype]), Y.astype(DTYPES[dtype])
    got = lintra.jit(f)(x, y) if name in BINARY_NAMES else lintra.jit(f)(x)
    assert str(got.dtype) == want_dtype
    # XLA evaluates 16-bit elementwise ops in float32 and rounds once, so the bits agree with JAX's; a
    # transcendental whose float32 result lies on a rounding boundary may differ by one unit in the last place
    assert _ulps(_values(got, want_dtype), want, dtype).max() <= ULP_ALLOWANCE.get(name, 0), \
        (_values(got, want_dtype), want)


BINARY_NAMES = {"add", "subtract", "multiply", "divide", "maximum", "minimum", "power_abs", "arctan2", "hypot",
                "remainder", "nextafter"}
ULP_ALLOWANCE = {}


@pytest.mark.parametrize("key", sorted(REDUCTIONS))
def test_reductions_are_jaxs(key):
    dtype, name = key
    want_dtype, want = REDUCTIONS[key]
    got = lintra.jit(REDUCTIONS_F[name])(M.astype(DTYPES[dtype]))
    assert str(got.dtype) == want_dtype
    if want_dtype in ("bfloat16", "float16"):
        assert _ulps(_values(got, want_dtype), want, dtype).max() <= 0, (_values(got, want_dtype), want)
    else:
        np.testing.assert_allclose(np.asarray(got), np.array(want), rtol=1e-6)


@pytest.mark.parametrize("dtype", ["bfloat16", "float16"])
def test_sums_accumulate_in_float32_as_jax_lowers_them(dtype):
    # JAX: convert to f32, reduce with an f32 add, convert back (not a 16-bit accumulator)
    text = lintra.jit(jnp.sum).lower(M.astype(DTYPES[dtype])).as_text()
    short = {"bfloat16": "bf16", "float16": "f16"}[dtype]
    assert f"stablehlo.convert %arg0 : (tensor<4x6x{short}>) -> tensor<4x6xf32>" in text
    assert "applies stablehlo.add across dimensions = [0, 1] : (tensor<4x6xf32>, tensor<f32>) -> tensor<f32>" in text
    # and it matters: 4096 ones summed in bfloat16 would stop at 256
    assert float(jnp.sum(jnp.ones(4096, bf))) == 4096.0


DOT_OPERANDS = {"bf16": (A.astype(bf), B.astype(bf), {}),
                "bf16_pref_f32": (A.astype(bf), B.astype(bf), dict(preferred_element_type=jnp.float32)),
                "f16": (A.astype(f16), B.astype(f16), {}), "bf16_f16": (A.astype(bf), B.astype(f16), {}),
                "f16_pref_f32": (A.astype(f16), B.astype(f16), dict(preferred_element_type=jnp.float32)),
                "bf16_f32": (A.astype(bf), B, {})}


@pytest.mark.parametrize("name", sorted(DOTS))
def test_dots_are_jaxs(name):
    want_dtype, want = DOTS[name]
    if name == "matmul_bf16":
        got = jnp.matmul(A.astype(bf), B.astype(bf))
    elif name == "einsum_f16_pref_f32":
        got = jnp.einsum("ij,jk->ik", A.astype(f16), B.astype(f16), preferred_element_type=jnp.float32)
    else:
        a, b, kw = DOT_OPERANDS[name]
        got = jnp.dot(a, b, **kw)
    assert str(got.dtype) == want_dtype
    if want_dtype in ("bfloat16", "float16"):
        assert _ulps(_values(got, want_dtype), want, want_dtype).max() <= 0, (_values(got, want_dtype), want)
    else:
        np.testing.assert_allclose(np.asarray(got).ravel(), np.array(want).ravel(), rtol=1e-6)


def test_gradients_are_jaxs_and_match_finite_differences():
    g = lintra.grad(lambda x: jnp.sum(jnp.sin(x) * x))(X.astype(bf))
    assert str(g.dtype) == GRAD_BF16[0]
    assert _ulps(_values(g, "bfloat16"), GRAD_BF16[1], "bfloat16").max() <= 1
    g = lintra.grad(lambda x: jnp.mean(jnp.sin(x) ** 2))(X.astype(f16))
    assert str(g.dtype) == GRAD_F16[0]
    assert _ulps(_values(g, "float16"), GRAD_F16[1], "float16").max() <= 1
    # against the closed form sin x + x cos x (finite differences are meaningless at bfloat16's 8 bits)
    x = np.array([0.3, -1.2, 2.1, 5.5], np.float32)
    g = lintra.grad(lambda x: jnp.sum(jnp.sin(x) * x))(x.astype(bf))
    x64 = x.astype(bf).astype(np.float64)
    np.testing.assert_allclose(np.asarray(g).astype(np.float64), np.sin(x64) + x64 * np.cos(x64), rtol=2 ** -6)
    # float16 has enough bits for check_grads' float32-rounded differences with a loose tolerance
    check_grads(lambda x: jnp.sum(jnp.sin(x) * x), (x.astype(np.float32),), order=2, atol=1e-2, rtol=1e-2)


def test_nn_on_bfloat16_is_jaxs():
    # the softmax family sums exp in float32 and rounds once, as jnp.sum does, so bits agree with JAX
    import lintra.nn as nn
    m = M.astype(bf)
    cases = {"SOFTMAX": nn.softmax(m), "LOG_SOFTMAX": nn.log_softmax(m), "LOGSUMEXP": nn.logsumexp(m, axis=1),
             "STANDARDIZE": nn.standardize(m),
             "SOFTMAX_GRAD": lintra.grad(lambda a: jnp.sum(nn.softmax(a)[:, 0] * a[:, 1]))(m)}
    for name, got in cases.items():
        want = globals()["NN_BF16_" + name]
        assert got.dtype == bf, name
        assert _ulps(np.asarray(got).view(np.uint16).ravel(), np.ravel(want), "bfloat16").max() <= 1, name


inf, nan = np.inf, np.nan
# name: (repr of jnp.array(SMALL_INPUT, dtype), its values as float32, values of x + x as float32), JAX 0.10.2
SMALL_FLOATS = {
    'float8_e3m4': ('Array([0.296875, 1.5, -2, inf, 0], dtype=float8_e3m4)', [0.296875, 1.5, -2.0, inf, 0.0], [0.59375, 3.0, -4.0, inf, 0.0]),
    'float8_e4m3': ('Array([0.3125, 1.5, -2, inf, 0.00195312], dtype=float8_e4m3)', [0.3125, 1.5, -2.0, inf, 0.001953125], [0.625, 3.0, -4.0, inf, 0.00390625]),
    'float8_e4m3b11fnuz': ('Array([0.3125, 1.5, -2, nan, 0.000976562], dtype=float8_e4m3b11fnuz)', [0.3125, 1.5, -2.0, nan, 0.0009765625], [0.625, 3.0, -4.0, nan, 0.001953125]),
    'float8_e4m3fn': ('Array([0.3125, 1.5, -2, 448, 0.00195312], dtype=float8_e4m3fn)', [0.3125, 1.5, -2.0, 448.0, 0.001953125], [0.625, 3.0, -4.0, nan, 0.00390625]),
    'float8_e4m3fnuz': ('Array([0.3125, 1.5, -2, nan, 0.000976562], dtype=float8_e4m3fnuz)', [0.3125, 1.5, -2.0, nan, 0.0009765625], [0.625, 3.0, -4.0, nan, 0.001953125]),
    'float8_e5m2': ('Array([0.3125, 1.5, -2, 448, 0.000976562], dtype=float8_e5m2)', [0.3125, 1.5, -2.0, 448.0, 0.0009765625], [0.625, 3.0, -4.0, 896.0, 0.001953125]),
    'float8_e5m2fnuz': ('Array([0.3125, 1.5, -2, 448, 0.000976562], dtype=float8_e5m2fnuz)', [0.3125, 1.5, -2.0, 448.0, 0.0009765625], [0.625, 3.0, -4.0, 896.0, 0.001953125]),
    'float8_e8m0fnu': ('Array([0.25, 1, 2, 4, 0.000976562], dtype=float8_e8m0fnu)', [0.25, 1.0, 2.0, 4.0, 0.0009765625], [0.5, 2.0, 4.0, 8.0, 0.001953125]),
    'float4_e2m1fn': ('Array([0.5, 1.5, -2, 6, 0], dtype=float4_e2m1fn)', [0.5, 1.5, -2.0, 6.0, 0.0], [1.0, 3.0, -4.0, 6.0, 0.0]),
}
SMALL_INPUT = [0.3, 1.5, -2.0, 448.0, 1e-3]
E8M0_INPUT = [0.25, 1.0, 2.0, 4.0, 1e-3]     # float8_e8m0fnu holds powers of two only


@pytest.mark.parametrize("name", sorted(SMALL_FLOATS))
def test_small_floats_store_convert_compute_and_print_as_jax(name):
    want_repr, want_values, want_sum = SMALL_FLOATS[name]
    dtype = getattr(jnp, name)
    x = jnp.array(E8M0_INPUT if name == "float8_e8m0fnu" else SMALL_INPUT, dtype)
    assert x.dtype == np.dtype(getattr(ml_dtypes, name)) and repr(x) == want_repr
    np.testing.assert_array_equal(np.asarray(x.astype(jnp.float32)), np.array(want_values, np.float32))
    np.testing.assert_array_equal(np.asarray(lintra.jit(lambda a: a + a)(x).astype(jnp.float32)),
                                  np.array(want_sum, np.float32))
    assert (x + 1.0).dtype == x.dtype                      # a Python scalar is weak and takes x's type
    assert jnp.sum(x).dtype == x.dtype                     # no float32 accumulation for these (as JAX)
    assert jnp.issubdtype(dtype, jnp.floating) and not jnp.issubdtype(dtype, jnp.integer)
    assert jnp.finfo(dtype).max == ml_dtypes.finfo(getattr(ml_dtypes, name)).max
    # converted by XLA inside jit, the float32 values round as on the host (and as JAX's)
    f32 = np.array(E8M0_INPUT if name == "float8_e8m0fnu" else SMALL_INPUT, np.float32)
    on_device = lintra.jit(lambda a: a.astype(dtype))(f32)
    np.testing.assert_array_equal(np.asarray(on_device).astype(np.float32), np.array(want_values, np.float32))
    bits = "4-bit" if name.startswith("float4") else "8-bit"
    with pytest.raises(lintra.dtypes.TypePromotionError, match=f"{bits} floats do not support implicit"):
        jnp.promote_types(dtype, jnp.float32)
    with pytest.raises(lintra.dtypes.TypePromotionError):
        x + jnp.ones(5, jnp.bfloat16)
    # the IR names it, and the text form parses back
    from lintra.ir.parser import parse_func
    text = str(lintra.make_ir(lambda a: a * a)(x))
    assert str(parse_func(text)) == text
    assert "f8" in text or "f4" in text


def test_small_float_lowering_uses_xla_element_types():
    text = lintra.jit(lambda a: a * a).lower(jnp.array([1.5], jnp.float8_e4m3fn)).as_text()
    assert "stablehlo.multiply %arg0, %arg0 : tensor<1xf8E4M3FN>" in text
    text = lintra.jit(lambda a: a.astype(jnp.float32)).lower(jnp.array([1.5], jnp.float8_e5m2)).as_text()
    assert "stablehlo.convert %arg0 : (tensor<1xf8E5M2>) -> tensor<1xf32>" in text


# jax.vmap(jax.grad(f))(GRAD_X as dtype) as float32, from JAX 0.10.2: each JVP rule written as JAX writes it
# rounds the same way in 16 bits (tanh's (t + t y)(1 - y), atanh's 1 / (1 + x) * (t / (1 - x)), ...)
GRAD_X = np.array([-0.93, -0.61, -0.3, 0.05, 0.45, 0.77, 0.2, 0.9], np.float32)
ELEMENTWISE_GRADS = {
    'bfloat16:sin': [0.59765625, 0.8203125, 0.95703125, 1.0, 0.90234375, 0.71875, 0.98046875, 0.62109375],
    'bfloat16:cos': [0.80078125, 0.57421875, 0.296875, -0.050048828125, -0.43359375, -0.6953125, -0.19921875, -0.78125],
    'bfloat16:tan': [2.8125, 1.484375, 1.09375, 1.0, 1.234375, 1.9375, 1.0390625, 2.59375],
    'bfloat16:tanh': [0.46875, 0.70703125, 0.9140625, 0.99609375, 0.8203125, 0.578125, 0.96484375, 0.48828125],
    'bfloat16:exp': [0.39453125, 0.54296875, 0.7421875, 1.0546875, 1.5703125, 2.15625, 1.21875, 2.453125],
    'bfloat16:expm1': [0.39453125, 0.54296875, 0.7421875, 1.0546875, 1.5625, 2.15625, 1.21875, 2.453125],
    'bfloat16:log1p': [14.25, 2.5625, 1.4296875, 0.95703125, 0.6875, 0.56640625, 0.83203125, 0.52734375],
    'bfloat16:sqrt': [-0.41796875, -0.474609375, -0.55859375, 0.671875, 0.515625, 0.4453125, 0.59765625, 0.423828125],
    'bfloat16:cbrt': [0.349609375, 0.46484375, 0.7421875, 2.4375, 0.5703125, 0.396484375, 0.96875, 0.359375],
    'bfloat16:arctan': [0.5390625, 0.7265625, 0.9140625, 1.0, 0.83203125, 0.62890625, 0.9609375, 0.55078125],
    'bfloat16:arcsin': [2.703125, 1.2578125, 1.046875, 1.0, 1.1171875, 1.5703125, 1.0234375, 2.28125],
    'bfloat16:arccos': [-2.703125, -1.2578125, -1.046875, -1.0, -1.1171875, -1.5703125, -1.0234375, -2.28125],
    'bfloat16:arcsinh': [0.734375, 0.8515625, 0.95703125, 1.0, 0.91015625, 0.79296875, 0.98046875, 0.7421875],
    'bfloat16:arctanh': [7.375, 1.59375, 1.1015625, 1.0078125, 1.25, 2.453125, 1.0390625, 5.1875],
    'bfloat16:sinh': [1.4609375, 1.1953125, 1.046875, 1.0, 1.1015625, 1.3125, 1.0234375, 1.4296875],
    'bfloat16:cosh': [-1.0703125, -0.6484375, -0.3046875, 0.050048828125, 0.46484375, 0.84765625, 0.201171875, 1.0234375],
    'bfloat16:square': [-1.859375, -1.21875, -0.6015625, 0.10009765625, 0.8984375, 1.5390625, 0.400390625, 1.796875],
    'bfloat16:reciprocal': [-1.15625, -2.6875, -11.0625, -400.0, -4.9375, -1.6875, -25.0, -1.234375],
    'bfloat16:log': [-0.69921875, -0.90234375, -1.25, 1.8125, 1.0546875, 0.7890625, 1.4296875, 0.71484375],
    'bfloat16:exp2': [0.361328125, 0.453125, 0.5625, 0.71875, 0.9453125, 1.1796875, 0.79296875, 1.2890625],
    'bfloat16:log2': [-1.0078125, -1.3046875, -1.8046875, 2.625, 1.5234375, 1.140625, 2.0625, 1.03125],
    'bfloat16:log10': [-0.302734375, -0.390625, -0.54296875, 0.7890625, 0.45703125, 0.341796875, 0.62109375, 0.310546875],
    'bfloat16:abs': [-1.0, -1.0, -1.0, 1.0, 1.0, 1.0, 1.0, 1.0],
    'bfloat16:rsqrt': [0.29296875, 0.427734375, 0.69921875, -1.21875, -0.5390625, -0.3515625, -0.85546875, -0.30078125],
    'bfloat16:logistic': [0.203125, 0.2275390625, 0.244140625, 0.25, 0.23828125, 0.2158203125, 0.2470703125, 0.205078125],
    'bfloat16:erf': [0.474609375, 0.77734375, 1.03125, 1.1171875, 0.91796875, 0.62109375, 1.078125, 0.5],
    'bfloat16:erfc': [-0.474609375, -0.77734375, -1.03125, -1.1171875, -0.91796875, -0.62109375, -1.078125, -0.5],
    'bfloat16:erf_inv': [4.5625, 1.28125, 0.95703125, 0.88671875, 1.0625, 1.8125, 0.9140625, 3.359375],
    'bfloat16:lgamma': [0.03125, 0.41015625, 0.96484375, -1.734375, -0.6640625, -0.208984375, -1.21875, -0.06298828125],
    'bfloat16:digamma': [-0.99609375, -1.4140625, -2.296875, 4.1875, 1.7734375, 1.1796875, 2.84375, 1.0234375],
    'bfloat16:power3': [2.59375, 1.109375, 0.271484375, 0.00750732421875, 0.60546875, 1.78125, 0.1201171875, 2.421875],
    'bfloat16:power_half': [-0.41796875, -0.474609375, -0.55859375, 0.671875, 0.51171875, 0.4453125, 0.59765625, 0.421875],
    'float16:sin': [0.59765625, 0.81982421875, 0.955078125, 0.99853515625, 0.900390625, 0.7177734375, 0.97998046875, 0.62158203125],
    'float16:cos': [0.8017578125, 0.57275390625, 0.295654296875, -0.049957275390625, -0.434814453125, -0.6962890625, -0.1986083984375, -0.783203125],
    'float16:tan': [2.80078125, 1.48828125, 1.095703125, 1.0029296875, 1.2333984375, 1.9404296875, 1.041015625, 2.5859375],
    'float16:tanh': [0.466796875, 0.7041015625, 0.9150390625, 0.99755859375, 0.822265625, 0.58154296875, 0.9609375, 0.48681640625],
    'float16:exp': [0.39453125, 0.54345703125, 0.74072265625, 1.05078125, 1.568359375, 2.16015625, 1.2216796875, 2.458984375],
    'float16:expm1': [0.39453125, 0.54345703125, 0.74072265625, 1.05078125, 1.568359375, 2.16015625, 1.2216796875, 2.458984375],
    'float16:log1p': [14.3203125, 2.5625, 1.427734375, 0.95263671875, 0.689453125, 0.56494140625, 0.8330078125, 0.5263671875],
    'float16:sqrt': [-0.418212890625, -0.474609375, -0.55908203125, 0.67431640625, 0.51318359375, 0.443603515625, 0.59765625, 0.42236328125],
    'float16:cbrt': [0.349853515625, 0.46337890625, 0.7431640625, 2.455078125, 0.56787109375, 0.396728515625, 0.9736328125, 0.357666015625],
    'float16:arctan': [0.5361328125, 0.72900390625, 0.91748046875, 0.9970703125, 0.83203125, 0.6279296875, 0.96142578125, 0.55224609375],
    'float16:arcsin': [2.724609375, 1.26171875, 1.0478515625, 1.0009765625, 1.1201171875, 1.5673828125, 1.0205078125, 2.294921875],
    'float16:arccos': [-2.724609375, -1.26171875, -1.0478515625, -1.0009765625, -1.1201171875, -1.5673828125, -1.0205078125, -2.294921875],
    'float16:arcsinh': [0.732421875, 0.853515625, 0.9580078125, 0.99853515625, 0.912109375, 0.79248046875, 0.98046875, 0.7431640625],
    'float16:arctanh': [7.421875, 1.591796875, 1.0986328125, 1.0029296875, 1.25390625, 2.45703125, 1.0419921875, 5.2578125],
    'float16:sinh': [1.46484375, 1.19140625, 1.044921875, 1.0009765625, 1.1025390625, 1.3115234375, 1.0205078125, 1.4326171875],
    'float16:cosh': [-1.0703125, -0.6484375, -0.3046875, 0.050018310546875, 0.46533203125, 0.8486328125, 0.2012939453125, 1.0263671875],
    'float16:square': [-1.8603515625, -1.2197265625, -0.60009765625, 0.0999755859375, 0.89990234375, 1.5400390625, 0.39990234375, 1.7998046875],
    'float16:reciprocal': [-1.1552734375, -2.689453125, -11.109375, -400.25, -4.9375, -1.6865234375, -25.015625, -1.234375],
    'float16:log': [-0.69921875, -0.9013671875, -1.25, 1.818359375, 1.052734375, 0.78759765625, 1.427734375, 0.7138671875],
    'float16:exp2': [0.363525390625, 0.454345703125, 0.56298828125, 0.7177734375, 0.947265625, 1.1826171875, 0.79638671875, 1.2939453125],
    'float16:log2': [-1.0087890625, -1.2998046875, -1.8037109375, 2.623046875, 1.517578125, 1.1357421875, 2.060546875, 1.0302734375],
    'float16:log10': [-0.3037109375, -0.3916015625, -0.54296875, 0.7900390625, 0.45703125, 0.342041015625, 0.6201171875, 0.31005859375],
    'float16:abs': [-1.0, -1.0, -1.0, 1.0, 1.0, 1.0, 1.0, 1.0],
    'float16:rsqrt': [0.29248046875, 0.427734375, 0.69921875, -1.2265625, -0.53955078125, -0.349609375, -0.853515625, -0.3017578125],
    'float16:logistic': [0.202880859375, 0.2281494140625, 0.244384765625, 0.2498779296875, 0.2376708984375, 0.21630859375, 0.24755859375, 0.20556640625],
    'float16:erf': [0.474853515625, 0.77783203125, 1.03125, 1.125, 0.92138671875, 0.62353515625, 1.083984375, 0.501953125],
    'float16:erfc': [-0.474853515625, -0.77783203125, -1.03125, -1.125, -0.92138671875, -0.62353515625, -1.083984375, -0.501953125],
    'float16:erf_inv': [4.58984375, 1.2822265625, 0.95458984375, 0.88818359375, 1.0595703125, 1.8212890625, 0.91455078125, 3.427734375],
    'float16:lgamma': [0.0313720703125, 0.410400390625, 0.96533203125, -1.736328125, -0.662109375, -0.204345703125, -1.2197265625, -0.06097412109375],
    'float16:digamma': [-0.99658203125, -1.416015625, -2.30078125, 4.203125, 1.7734375, 1.171875, 2.83203125, 1.025390625],
    'float16:power3': [2.595703125, 1.115234375, 0.27001953125, 0.007495880126953125, 0.607421875, 1.7783203125, 0.11993408203125, 2.4296875],
    'float16:power_half': [-0.418212890625, -0.474609375, -0.55908203125, 0.67431640625, 0.5126953125, 0.44384765625, 0.59765625, 0.422607421875],
    'float32:sin': [0.5978339910507202, 0.819648027420044, 0.9553365111351013, 0.9987502694129944, 0.9004471302032471, 0.7179107069969177, 0.9800665974617004, 0.6216099858283997],
    'float32:cos': [0.8016199469566345, 0.5728674530982971, 0.29552021622657776, -0.04997916892170906, -0.4349655210971832, -0.6961352229118347, -0.19866932928562164, -0.7833269238471985],
    'float32:tan': [2.797942638397217, 1.4884876012802124, 1.0956889390945435, 1.0025042295455933, 1.233342170715332, 1.9402565956115723, 1.0410913228988647, 2.587998628616333],
    'float32:tanh': [0.4662325382232666, 0.7039256691932678, 0.9151369333267212, 0.9975041747093201, 0.8220012784004211, 0.5814822316169739, 0.9610430002212524, 0.4869173765182495],
    'float32:exp': [0.3945537209510803, 0.543350875377655, 0.740818202495575, 1.0512710809707642, 1.568312168121338, 2.15976619720459, 1.2214027643203735, 2.4596030712127686],
    'float32:expm1': [0.3945537209510803, 0.543350875377655, 0.7408182621002197, 1.0512710809707642, 1.568312168121338, 2.15976619720459, 1.2214027643203735, 2.4596030712127686],
    'float32:log1p': [14.28571605682373, 2.5641026496887207, 1.4285714626312256, 0.9523810148239136, 0.6896551251411438, 0.5649717450141907, 0.8333333134651184, 0.5263158082962036],
    'float32:sqrt': [-0.41812101006507874, -0.47457900643348694, -0.55901700258255, 0.6741998195648193, 0.5129891633987427, 0.44367825984954834, 0.5976142883300781, 0.4225771129131317],
    'float32:cbrt': [0.3498566150665283, 0.46343857049942017, 0.7438144087791443, 2.4560208320617676, 0.5676366090774536, 0.39678165316581726, 0.9746724963188171, 0.35758864879608154],
    'float32:arctan': [0.5362218022346497, 0.7288098335266113, 0.9174311757087708, 0.9975062012672424, 0.8316008448600769, 0.6277858018875122, 0.9615384936332703, 0.5524861812591553],
    'float32:arcsin': [2.7206478118896484, 1.2619866132736206, 1.048284888267517, 1.001252293586731, 1.119784951210022, 1.5672903060913086, 1.0206207036972046, 2.294157028198242],
    'float32:arccos': [-2.7206478118896484, -1.2619866132736206, -1.048284888267517, -1.001252293586731, -1.119784951210022, -1.5672903060913086, -1.0206207036972046, -2.294157028198242],
    'float32:arcsinh': [0.732271671295166, 0.8537035584449768, 0.9578262567520142, 0.9987523555755615, 0.911921501159668, 0.7923293709754944, 0.9805806875228882, 0.7432941794395447],
    'float32:arctanh': [7.401925086975098, 1.5926103591918945, 1.0989011526107788, 1.0025063753128052, 1.2539184093475342, 2.4563987255096436, 1.0416666269302368, 5.263156890869141],
    'float32:sinh': [1.464531421661377, 1.1918911933898926, 1.04533851146698, 1.0012502670288086, 1.1029701232910156, 1.311389684677124, 1.020066738128662, 1.4330863952636719],
    'float32:cosh': [-1.0699776411056519, -0.6485402584075928, -0.30452024936676025, 0.05002082511782646, 0.4653419554233551, 0.8483765721321106, 0.20133598148822784, 1.0265166759490967],
    'float32:square': [-1.8600000143051147, -1.2200000286102295, -0.6000000238418579, 0.10000000149011612, 0.8999999761581421, 1.5399999618530273, 0.4000000059604645, 1.7999999523162842],
    'float32:reciprocal': [-1.156203031539917, -2.6874494552612305, -11.11111068725586, -399.9999694824219, -4.938271999359131, -1.6866251230239868, -24.999998092651367, -1.2345679998397827],
    'float32:log': [-0.6993006467819214, -0.9009009003639221, -1.25, 1.8181817531585693, 1.0526316165924072, 0.787401556968689, 1.4285714626312256, 0.7142857313156128],
    'float32:exp2': [0.3638041019439697, 0.45414772629737854, 0.5630104541778564, 0.7175909876823425, 0.9468669295310974, 1.1820029020309448, 0.7962170243263245, 1.293458342552185],
    'float32:log2': [-1.0088776350021362, -1.2997251749038696, -1.8033688068389893, 2.623081684112549, 1.51862633228302, 1.1359803676605225, 2.060992956161499, 1.0304964780807495],
    'float32:log10': [-0.3037024140357971, -0.39125630259513855, -0.5428680777549744, 0.7896263599395752, 0.4571520984172821, 0.3419641852378845, 0.6204206943511963, 0.31021034717559814],
    'float32:abs': [-1.0, -1.0, -1.0, 1.0, 1.0, 1.0, 1.0, 1.0],
    'float32:rsqrt': [0.2923922836780548, 0.4275486469268799, 0.6987712383270264, -1.2258177995681763, -0.5399885773658752, -0.34935295581817627, -0.8537347316741943, -0.30184081196784973],
    'float32:logistic': [0.20287832617759705, 0.22811351716518402, 0.24445831775665283, 0.24984382092952728, 0.23775894939899445, 0.21632006764411926, 0.24751657247543335, 0.20550031960010529],
    'float32:erf': [0.4751533567905426, 0.7777751684188843, 1.0312609672546387, 1.1255618333816528, 0.9215320944786072, 0.6236801147460938, 1.084134817123413, 0.5019686222076416],
    'float32:erfc': [-0.4751533567905426, -0.7777751684188843, -1.0312609672546387, -1.1255618333816528, -0.9215320944786072, -0.6236801147460938, -1.084134817123413, -0.5019686222076416],
    'float32:erf_inv': [4.5755534172058105, 1.282342791557312, 0.9545204043388367, 0.887971043586731, 1.0595840215682983, 1.8214784860610962, 0.9151294231414795, 3.428041934967041],
    'float32:lgamma': [0.03106057643890381, 0.40951353311538696, 0.9650084376335144, -1.7359596490859985, -0.6626098155975342, -0.203768789768219, -1.2200233936309814, -0.061384379863739014],
    'float32:digamma': [-0.9964805245399475, -1.4149078130722046, -2.299473762512207, 4.200839042663574, 1.7738094329833984, 1.171319842338562, 2.8340487480163574, 1.0253565311431885],
    'float32:power3': [2.5946998596191406, 1.116300106048584, 0.27000001072883606, 0.007500000298023224, 0.6074999570846558, 1.7786998748779297, 0.12000000476837158, 2.429999828338623],
    'float32:power_half': [-0.41812101006507874, -0.47457900643348694, -0.55901700258255, 0.6741998791694641, 0.5129891633987427, 0.44367825984954834, 0.5976142883300781, 0.4225771427154541],
}
GRAD_DIFFERS = {
    "digamma": "its derivative, trigamma, is a series of Lintra's own (JAX calls polygamma(1, x))",
    "exp2": "Lintra lowers exp2 to pow(2, x), exact at integers; JAX to exp(x * log 2)",
}


def _grad_fn(name):
    from lintra import lax
    if name in ("sqrt", "log", "log2", "log10", "rsqrt", "lgamma", "digamma"):
        g = {"rsqrt": lax.rsqrt, "lgamma": lax.lgamma, "digamma": lax.digamma}.get(name) or getattr(jnp, name)
        return lambda x: g(jnp.abs(x) + 0.5)
    return {"logistic": lax.logistic, "erf": special.erf, "erfc": special.erfc, "erf_inv": lax.erf_inv,
            "power3": lambda x: x ** 3, "power_half": lambda x: (jnp.abs(x) + 0.5) ** 0.5}.get(name) \
        or getattr(jnp, name)


@pytest.mark.parametrize("key", sorted(ELEMENTWISE_GRADS))
def test_elementwise_gradients_are_jaxs(key):
    dtype, name = key.split(":")
    got = np.asarray(lintra.vmap(lintra.grad(_grad_fn(name)))(GRAD_X.astype(jnp.dtype(dtype))))
    assert got.dtype == jnp.dtype(dtype)
    want = np.array(ELEMENTWISE_GRADS[key], np.float32)
    if name in GRAD_DIFFERS:
        np.testing.assert_allclose(got.astype(np.float32), want, rtol={"float32": 1e-6}.get(dtype, 1e-2))
    else:
        np.testing.assert_array_equal(got.astype(np.float32), want)


def test_lax_dot_general_preferred_type_is_the_dots_own_result_type():
    # as JAX lowers it: no widening of the operands; the dot accumulates in the preferred type
    from lintra import lax
    dims = (((1,), (0,)), ((), ()))
    f = lambda a, b: lax.dot_general(a, b, dims, preferred_element_type=jnp.float32)
    text = lintra.jit(f).lower(A.astype(bf), B.astype(bf)).as_text()
    assert "(tensor<3x4xbf16>, tensor<4x5xbf16>) -> tensor<3x5xf32>" in text and "convert" not in text
    np.testing.assert_array_equal(np.asarray(f(A.astype(bf), B.astype(bf))).ravel(),
                                  np.array(DOTS["bf16_pref_f32"][1], np.float32).ravel())
    # int8 products summed past int8's (and int16's) range, exactly, in int32
    i8 = np.full((2, 3), 127, np.int8)
    out = lax.dot_general(i8, i8.T, dims, preferred_element_type=jnp.int32)
    assert out.dtype == np.int32 and np.all(np.asarray(out) == 3 * 127 * 127)
