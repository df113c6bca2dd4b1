"""lintra.nn.initializers against JAX 0.10.2's outputs for the same key (jax.random.key(42)), recorded as
literals: each initializer draws from lintra.random in JAX's order with JAX's arithmetic, so the values are
bit-identical; plus the fan arithmetic, the orthogonality of `orthogonal`, and the errors JAX raises."""
import numpy as np
import pytest

import lintra
import lintra.numpy as jnp
from lintra.nn import initializers as I

KEY = lintra.random.key(42)

# name: (shape, float32 values in C order), from jax.nn.initializers in JAX 0.10.2 with dtype float32
JAX_FLOAT32 = {
    'zeros': ((2, 3), [0.0, 0.0, 0.0, 0.0, 0.0, 0.0]),
    'ones': ((2, 3), [1.0, 1.0, 1.0, 1.0, 1.0, 1.0]),
    'constant': ((2, 3), [-7.0, -7.0, -7.0, -7.0, -7.0, -7.0]),
    'uniform': ((2, 3), [4.8870954513549805, 6.797971725463867, 6.162714958190918, 5.610160827636719, 4.50644588470459, 5.858658790588379]),
    'normal': ((2, 3), [-0.141523078083992, 2.3356592655181885, 1.4785147905349731, 0.7677295804023743, -0.6201640963554382, 1.084615707397461]),
    'truncated_normal': ((2, 3), [0.4666483998298645, 2.4112205505371094, 1.7386789321899414, 1.178706407546997, 0.09646649658679962, 1.4282954931259155]),
    'glorot_uniform': ((3, 4), [-0.020905816927552223, 0.3329196870326996, 0.21529297530651093, 0.11297983676195145, -0.09138841927051544, 0.1589926779270172, -0.7872999310493469, 0.5094479918479919, 0.368400901556015, 0.5899949073791504, -0.27718091011047363, 0.6903285384178162]),
    'glorot_normal': ((3, 4), [-0.0164171252399683, 0.27003705501556396, 0.17128834128379822, 0.08902860432863235, -0.07192526012659073, 0.12573154270648956, -0.7994455695152283, 0.4343254864215851, 0.30115261673927307, 0.5204616785049438, -0.22251516580581665, 0.6452774405479431]),
    'lecun_uniform': ((3, 4), [-0.022580862045288086, 0.35959434509277344, 0.2325429916381836, 0.12203216552734375, -0.09871077537536621, 0.17173171043395996, -0.8503811359405518, 0.5502667427062988, 0.3979184627532959, 0.6372673511505127, -0.2993896007537842, 0.7456400394439697]),
    'lecun_normal': ((3, 4), [-0.017732521519064903, 0.29167336225509644, 0.1850125640630722, 0.09616187959909439, -0.07768816500902176, 0.13580559194087982, -0.8634999394416809, 0.4691251218318939, 0.3252820074558258, 0.5621628761291504, -0.24034383893013, 0.696979284286499]),
    'he_uniform': ((3, 4), [-0.031934160739183426, 0.5085431933403015, 0.3288654386997223, 0.1725795418024063, -0.13959811627864838, 0.24286530911922455, -1.202620506286621, 0.7781946659088135, 0.5627416968345642, 0.901232123374939, -0.4234008193016052, 1.0544942617416382]),
    'he_normal': ((3, 4), [-0.0250775758177042, 0.4124884605407715, 0.2616472840309143, 0.13599345088005066, -0.10986766219139099, 0.19205811619758606, -1.2211734056472778, 0.6634431481361389, 0.46001824736595154, 0.7950184345245361, -0.3398975431919098, 0.9856775999069214]),
    'vs_fan_out_normal': ((2, 2, 3), [-0.008170838467776775, 0.13484935462474823, 0.08536209166049957, 0.04432488605380058, -0.03580518811941147, 0.06262031942605972, -0.4159459173679352, 0.21819795668125153, 0.15051798522472382, 0.2627435624599457, -0.1109946072101593, 0.3290386497974396]),
    'vs_fan_geo_avg_uniform': ((2, 2, 3), [-0.03639707341790199, 0.5796139240264893, 0.3748255670070648, 0.1966981440782547, -0.15910744667053223, 0.2768065929412842, -1.3706910610198975, 0.8869501352310181, 0.6413868069648743, 1.0271824598312378, -0.4825725853443146, 1.2018635272979736]),
    'vs_batch_axis': ((2, 2, 3), [-0.019425004720687866, 0.31951215863227844, 0.2026711106300354, 0.10534006357192993, -0.0851031169295311, 0.14876757562160492, -0.9459167718887329, 0.5139008164405823, 0.3563285768032074, 0.6158185601234436, -0.26328349113464355, 0.7635025382041931]),
    'orthogonal': ((2, 3), [-0.08792734146118164, 0.918591320514679, -0.3853037655353546, 0.8722633719444275, 0.2578020393848419, 0.41556569933891296]),
    'orthogonal_tall': ((4, 3), [-0.03307747840881348, 1.9597400426864624, -0.2914019823074341, 0.179438054561615, -0.20293408632278442, 0.41621729731559753, -1.6838515996932983, 0.1386459767818451, 1.0686107873916626, 1.0636506080627441, 0.314667284488678, 1.6124261617660522]),
    'orthogonal_col0': ((2, 2, 3), [-0.017555594444274902, 0.18340612947940826, -0.07692983001470566, -0.8936874866485596, 0.3233979344367981, -0.23847930133342743, 0.2845146358013153, 0.17025327682495117, 0.10422322899103165, 0.1093948483467102, 0.699405312538147, 0.6148720979690552]),
    'delta_orthogonal': ((3, 2, 2), [0.0, 0.0, 0.0, 0.0, -0.09528422355651855, 0.9954500794410706, 0.9954500794410706, 0.09528429061174393, 0.0, 0.0, 0.0, 0.0]),
    'delta_orthogonal_4d': ((3, 3, 2, 2), [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -0.1905684471130371, 1.9909001588821411, 1.9909001588821411, 0.19056858122348785, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]),
    'delta_orthogonal_5d': ((1, 3, 2, 2, 3), [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -0.08792734146118164, 0.918591320514679, -0.3853037655353546, 0.8722633719444275, 0.2578020393848419, 0.41556569933891296, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]),
}

INITIALIZERS = {
    "zeros": I.zeros, "ones": I.ones, "constant": I.constant(-7), "uniform": I.uniform(10.0),
    "normal": I.normal(5.0), "truncated_normal": I.truncated_normal(5.0, lower=-1.0, upper=1.5),
    "glorot_uniform": I.glorot_uniform(), "glorot_normal": I.glorot_normal(),
    "lecun_uniform": I.lecun_uniform(), "lecun_normal": I.lecun_normal(),
    "he_uniform": I.he_uniform(), "he_normal": I.he_normal(),
    "vs_fan_out_normal": I.variance_scaling(0.5, "fan_out", "normal"),
    "vs_fan_geo_avg_uniform": I.variance_scaling(3.0, "fan_geo_avg", "uniform", in_axis=0, out_axis=(1, 2)),
    "vs_batch_axis": I.variance_scaling(1.0, "fan_avg", "truncated_normal", batch_axis=0),
    "orthogonal": I.orthogonal(), "orthogonal_tall": I.orthogonal(2.0),
    "orthogonal_col0": I.orthogonal(column_axis=0), "delta_orthogonal": I.delta_orthogonal(),
    "delta_orthogonal_4d": I.delta_orthogonal(2.0), "delta_orthogonal_5d": I.delta_orthogonal(),
}

# complex64 (real, imag) pairs for shape (2, 2)
JAX_COMPLEX64 = {
    'vs_normal_c64': [(0.037962768226861954, 0.30288198590278625), (-0.2431713193655014, 0.3995220363140106), (0.6451603174209595, -0.45446351170539856), (0.25980594754219055, -0.31762877106666565)],
    'he_uniform_c64': [(-0.14405030012130737, -1.0196915864944458), (0.1865864396095276, -0.7693567276000977), (0.5587620735168457, 1.2210018634796143), (-0.09368754178285599, 1.1780868768692017)],
    'he_normal_c64': [(-0.1258310228586197, -0.8907225131988525), (0.14993397891521454, -0.6182267069816589), (0.6421025395393372, 1.4031165838241577), (-0.08946248143911362, 1.1249582767486572)],
}

# (dtype, values as float32) for shape (2, 3)
JAX_LOW_PRECISION = {
    'glorot_normal_bf16': ("bfloat16", [0.228515625, 0.6796875, 1.1484375, 0.66015625, -0.92578125, 0.6796875]),
    'normal_f16': ("float16", [-1.4296875, -0.87548828125, 1.974609375, 0.69677734375, -0.1270751953125, -0.501953125]),
}


@pytest.mark.parametrize("name", sorted(JAX_FLOAT32))
def test_float32_values_are_jaxs(name):
    shape, want = JAX_FLOAT32[name]
    got = INITIALIZERS[name](KEY, shape, jnp.float32)
    assert got.shape == shape and got.dtype == np.float32
    np.testing.assert_array_equal(np.asarray(got).ravel(), np.array(want, np.float32))


@pytest.mark.parametrize("name", sorted(JAX_COMPLEX64))
def test_complex_values_are_jaxs(name):
    init = {"he_uniform_c64": I.he_uniform(), "he_normal_c64": I.he_normal(),
            "vs_normal_c64": I.variance_scaling(1.0, "fan_avg", "normal")}[name]
    got = np.asarray(init(KEY, (2, 2), jnp.complex64)).ravel()
    want = np.array([complex(re, im) for re, im in JAX_COMPLEX64[name]], np.complex64)
    assert got.dtype == np.complex64
    np.testing.assert_allclose(got, want, rtol=2e-6, atol=1e-7)


@pytest.mark.parametrize("name", sorted(JAX_LOW_PRECISION))
def test_low_precision_values_are_jaxs(name):
    dtype, want = JAX_LOW_PRECISION[name]
    init = {"glorot_normal_bf16": I.glorot_normal(), "normal_f16": I.normal(1.0)}[name]
    got = init(KEY, (2, 3), jnp.dtype(dtype))
    assert got.dtype == jnp.dtype(dtype)
    np.testing.assert_array_equal(np.asarray(got).astype(np.float32).ravel(), np.array(want, np.float32))


def test_default_dtype_is_float32_and_aliases():
    assert I.zeros(KEY, (2,)).dtype == np.float32
    assert I.glorot_uniform()(KEY, (2, 3)).dtype == np.float32
    assert I.xavier_uniform is I.glorot_uniform and I.xavier_normal is I.glorot_normal
    assert I.kaiming_uniform is I.he_uniform and I.kaiming_normal is I.he_normal
    assert isinstance(I.he_normal(), I.Initializer)


def test_orthogonal_rows_are_orthonormal_and_scaled():
    q = np.asarray(I.orthogonal(scale=3.0)(KEY, (4, 6)), np.float64)
    np.testing.assert_allclose(q @ q.T, 9 * np.eye(4), atol=1e-5)
    q = np.asarray(I.orthogonal()(KEY, (6, 4)), np.float64)
    np.testing.assert_allclose(q.T @ q, np.eye(4), atol=1e-5)
    assert I.orthogonal()(KEY, (0, 3)).shape == (0, 3)


def test_variance_scaling_statistics():
    # a large draw: the sample variance is scale / fan within a few percent, for every distribution
    for dist in ("truncated_normal", "normal", "uniform"):
        w = np.asarray(I.variance_scaling(2.0, "fan_in", dist)(KEY, (400, 300)), np.float64)
        assert abs(w.var() / (2.0 / 400) - 1) < 0.03, dist
    assert np.abs(np.asarray(I.uniform(0.5)(KEY, (1000,)))).max() < 0.5


def test_errors_name_the_value():
    with pytest.raises(ValueError, match="1-dimensional"):
        I.glorot_uniform()(KEY, (5,))
    with pytest.raises(ValueError, match="invalid mode"):
        I.variance_scaling(1.0, "fan_sideways", "normal")
    with pytest.raises(ValueError, match="invalid distribution"):
        I.variance_scaling(1.0, "fan_in", "cauchy")
    with pytest.raises(ValueError, match="at least a 2D shape"):
        I.orthogonal()(KEY, (3,))
    with pytest.raises(ValueError, match="3D, 4D or 5D"):
        I.delta_orthogonal()(KEY, (3, 3))
    with pytest.raises(ValueError, match="fan_in"):
        I.delta_orthogonal()(KEY, (3, 4, 2))
