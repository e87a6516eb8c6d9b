"""MindSpore's Tensor methods (``mindspore.tensor_methods``) and ``Tensor(...)`` as
functions of one array, for the surface tables of test_surface_rules: each wraps its
input in a Tensor so the same function runs eagerly (for finite differences) and
compiled. Inactive ones are multiplied by the input so there is a gradient to check."""
from __future__ import annotations

import numpy as np
from measured_cases import measure_cases

from autodiff_compiler import Tensor


def tensor_copy(x):
    return Tensor(x) * 2.0


def m_abs(x):
    return Tensor(x).abs()


def m_exp(x):
    return Tensor(x).exp()


def m_log(x):
    return Tensor(x).log()


def m_log1p(x):
    return Tensor(x).log1p()


def m_expm1(x):
    return Tensor(x).expm1()


def m_sqrt(x):
    return Tensor(x).sqrt()


def m_square(x):
    return Tensor(x).square()


def m_sin(x):
    return Tensor(x).sin()


def m_cos(x):
    return Tensor(x).cos()


def m_tan(x):
    return Tensor(x).tan()


def m_tanh(x):
    return Tensor(x).tanh()


def m_sinh(x):
    return Tensor(x).sinh()


def m_cosh(x):
    return Tensor(x).cosh()


def m_arcsin(x):
    return Tensor(x).arcsin()


def m_arccos(x):
    return Tensor(x).arccos()


def m_arctan(x):
    return Tensor(x).arctan()


def m_sigmoid(x):
    return Tensor(x).sigmoid()


def m_neg(x):
    return Tensor(x).neg()


def m_negative(x):
    return Tensor(x).negative()


def m_reciprocal(x):
    return Tensor(x).reciprocal()


def m_pow(x):
    return Tensor(x).pow(3.0)


def m_add(x):
    return Tensor(x).add(x * x)


def m_sub(x):
    return Tensor(x).sub(x * x)


def m_mul(x):
    return Tensor(x).mul(x + 1.0)


def m_div(x):
    return Tensor(x).div(x * x + 1.0)


def m_maximum(x):
    return Tensor(x).maximum(x * 0.5)


def m_minimum(x):
    return Tensor(x).minimum(x * 0.5)


def m_expand_dims(x):
    return Tensor(x).expand_dims(0) * x


def m_unsqueeze(x):
    return Tensor(x).unsqueeze(0) * x


def m_floor(x):
    return Tensor(x).floor() * x


def m_ceil(x):
    return Tensor(x).ceil() * x


def m_sign(x):
    return Tensor(x).sign() * x


def m_isnan(x):
    return Tensor(x).isnan() * x


# ------------------------------------------------------------ measured against MindSpore
# The methods of ``mindspore/tensor_methods_table.py``, run by MindSpore 2.7.1
# (``data/measure_mindspore_tensor_methods.py`` writes
# ``data/mindspore_tensor_methods.json``) and by this package
# (``test_tensor_methods_more.py``) on the same draws. Each case records every output
# (float64 values) and its dtype, and, for the arguments listed as differentiated, the
# gradient of a weighted sum of the float outputs, taken in a differentiated function
# (the method compiled from its source). Left out: the methods MindSpore 2.7.1's CPU
# build has no kernel for (``clone``, ``roll``, ``unique``, ``masked_select``,
# ``addcdiv``, ``select(dim, index)``, the
# in-place ``zero_``, ``fill_``, ``clamp_``, ``masked_fill_``, ``log_``...), checked in
# ``test_tensor_methods_more`` against NumPy and finite differences instead.


def _draws(rng):
    def normal(*shape):
        return rng.standard_normal(shape).astype(np.float32)
    m = normal(3, 4)
    return {
        "m": m, "n": normal(3, 4), "x3": normal(2, 3, 4), "v3": normal(3), "v4": normal(4),
        "sq": normal(3, 3) + 3.0 * np.eye(3, dtype=np.float32),  # well conditioned
        "pos": (np.abs(m) + 0.5).astype(np.float32),
        "unit": (0.9 * np.tanh(m)).astype(np.float32),
        "big": (1.2 + np.abs(m)).astype(np.float32),
        "prob": (0.05 + 0.9 / (1 + np.exp(-2 * m))).astype(np.float32),
        "ints": np.array([[0, 2, 1], [3, 0, 2]], np.int32),
    }


def _method_cases(ms):
    """(name, function of Tensors, argument names, positions differentiated)."""
    t = ms.Tensor
    index = t(np.array([2, 0, 2], np.int32))
    return [
        # conversions
        ("float", lambda a: a.double().float(), ("m",), (0,)),
        ("double", lambda a: a.double(), ("m",), ()),
        ("half", lambda a: a.half(), ("m",), ()),
        ("int", lambda a: (a * 3).int(), ("m",), ()),
        ("long", lambda a: (a * 3).long(), ("m",), ()),
        ("short", lambda a: (a * 3).short(), ("m",), ()),
        ("bool", lambda a: a.bool(), ("ints",), ()),
        ("byte", lambda a: a.byte(), ("ints",), ()),
        ("to", lambda a: a.to(ms.float64), ("m",), ()),
        ("type_int64", lambda a: a.type(ms.int64), ("ints",), ()),
        ("type_as", lambda a, b: a.type_as(b), ("ints", "m"), ()),
        ("view_as", lambda a, b: a.view_as(b.t()), ("m", "n"), ()),
        ("reshape_as", lambda a, b: a.reshape_as(b.t()), ("m", "n"), (0,)),
        ("expand_as", lambda a, b: a.expand_as(b), ("v4", "x3"), (0,)),
        ("expand", lambda a: a.expand(2, 3, -1), ("v4",), (0,)),
        ("contiguous", lambda a: a.contiguous(), ("m",), (0,)),
        # arithmetic
        ("matmul", lambda a, b: a.matmul(b), ("m", "v4"), (0, 1)),
        ("mm", lambda a, b: a.mm(b.t()), ("m", "n"), (0, 1)),
        ("bmm", lambda a, b: a.bmm(b.permute(0, 2, 1)), ("x3", "x3"), (0, 1)),
        ("outer", lambda a, b: a.outer(b), ("v3", "v4"), (0, 1)),
        ("inner", lambda a, b: a.inner(b), ("m", "n"), (0, 1)),
        ("addmm", lambda a, b, c: a.addmm(b, c.t(), beta=0.5, alpha=2.0), ("sq", "m", "n"),
         (0, 1, 2)),
        ("addmv", lambda a, b, c: a.addmv(b, c, beta=0.5, alpha=2.0), ("v3", "m", "v4"),
         (0, 1, 2)),
        ("addcmul", lambda a, b, c: a.addcmul(b, c, value=0.5), ("m", "n", "pos"), (0, 1, 2)),
        ("multiply", lambda a, b: a.multiply(b), ("m", "n"), (0, 1)),
        ("divide", lambda a, b: a.divide(b), ("m", "pos"), (0, 1)),
        ("divide_floor", lambda a, b: a.divide(b, rounding_mode="floor"), ("m", "n"), ()),
        ("subtract", lambda a, b: a.subtract(b, alpha=2.5), ("m", "n"), (0, 1)),
        ("true_divide", lambda a, b: a.true_divide(b), ("m", "pos"), (0, 1)),
        ("floor_divide", lambda a, b: a.floor_divide(b), ("m", "pos"), ()),
        ("remainder", lambda a, b: a.remainder(b), ("m", "pos"), (0,)),
        ("fmod", lambda a, b: a.fmod(b), ("m", "pos"), (0,)),
        ("eq", lambda a: a.eq(a.round()), ("m",), ()),
        ("ne", lambda a, b: a.ne(b), ("m", "n"), ()),
        ("lt", lambda a, b: a.lt(b), ("m", "n"), ()),
        ("le", lambda a, b: a.le(b), ("m", "n"), ()),
        ("gt", lambda a, b: a.gt(b), ("m", "n"), ()),
        ("ge", lambda a: a.ge(0.0), ("m",), ()),
        ("equal", lambda a, b: a.equal(b), ("m", "n"), ()),
        ("not_equal", lambda a, b: a.not_equal(b), ("m", "n"), ()),
        ("greater", lambda a, b: a.greater(b), ("m", "n"), ()),
        ("greater_equal", lambda a, b: a.greater_equal(b), ("m", "n"), ()),
        ("less", lambda a, b: a.less(b), ("m", "n"), ()),
        ("less_equal", lambda a, b: a.less_equal(b), ("m", "n"), ()),
        ("logical_and", lambda a, b: (a > 0).logical_and(b > 0), ("m", "n"), ()),
        ("logical_or", lambda a, b: (a > 0).logical_or(b > 0), ("m", "n"), ()),
        ("logical_not", lambda a: (a > 0).logical_not(), ("m",), ()),
        ("logical_xor", lambda a, b: (a > 0).logical_xor(b > 0), ("m", "n"), ()),
        ("isclose", lambda a, b: a.isclose(b, 0.5, 0.5), ("m", "n"), ()),
        ("isinf", lambda a: (a / (a > 0)).isinf(), ("m",), ()),
        ("isfinite", lambda a: (a / (a > 0)).isfinite(), ("m",), ()),
        ("isposinf", lambda a: (a / (a > 0)).isposinf(), ("m",), ()),
        ("isneginf", lambda a: (a / (a > 0)).isneginf(), ("m",), ()),
        ("where", lambda a, b: a.where(a > b, b), ("m", "n"), (0, 1)),
        ("lerp", lambda a, b: a.lerp(b, 0.3), ("m", "n"), (0, 1)),
        ("hypot", lambda a, b: a.hypot(b), ("m", "n"), (0, 1)),
        ("atan2", lambda a, b: a.atan2(b), ("m", "n"), (0, 1)),
        ("arctan2", lambda a, b: a.arctan2(b), ("m", "n"), (0, 1)),
        ("asin", lambda a: a.asin(), ("unit",), (0,)),
        ("acos", lambda a: a.acos(), ("unit",), (0,)),
        ("atan", lambda a: a.atan(), ("m",), (0,)),
        ("asinh", lambda a: a.asinh(), ("m",), (0,)),
        ("acosh", lambda a: a.acosh(), ("big",), (0,)),
        ("atanh", lambda a: a.atanh(), ("unit",), (0,)),
        ("arcsinh", lambda a: a.arcsinh(), ("m",), (0,)),
        ("arccosh", lambda a: a.arccosh(), ("big",), (0,)),
        ("arctanh", lambda a: a.arctanh(), ("unit",), (0,)),
        ("log2", lambda a: a.log2(), ("pos",), (0,)),
        ("log10", lambda a: a.log10(), ("pos",), (0,)),
        ("logaddexp", lambda a, b: a.logaddexp(b), ("m", "n"), (0, 1)),
        ("logsumexp", lambda a: a.logsumexp(1), ("m",), (0,)),
        ("logsumexp_keep", lambda a: a.logsumexp(0, True), ("m",), (0,)),
        ("rsqrt", lambda a: a.rsqrt(), ("pos",), (0,)),
        ("erf", lambda a: a.erf(), ("m",), (0,)),
        ("erfc", lambda a: a.erfc(), ("m",), (0,)),
        ("trunc", lambda a: (a * 3).trunc(), ("m",), ()),
        ("frac", lambda a: (a * 3).frac(), ("m",), (0,)),
        ("sinc", lambda a: a.sinc(), ("m",), (0,)),
        ("xlogy", lambda a, b: a.xlogy(b), ("m", "pos"), (0, 1)),
        ("clamp", lambda a: a.clamp(-0.5, 0.5), ("m",), (0,)),
        ("clamp_min", lambda a: a.clamp(min=0.0), ("m",), (0,)),
        ("clip", lambda a: a.clip(-0.5, 0.5), ("m",), (0,)),
        ("float_power", lambda a, b: a.float_power(b), ("pos", "n"), (0, 1)),
        ("nan_to_num", lambda a: (a / (a > 0)).nan_to_num(0.0, 5.0, -5.0), ("m",), ()),
        ("positive", lambda a: a.positive(), ("m",), (0,)),
        ("sgn", lambda a: a.sgn(), ("m",), ()),
        ("signbit", lambda a: a.signbit(), ("m",), ()),
        ("softmax", lambda a: a.softmax(1), ("m",), (0,)),
        ("softmax_axis0", lambda a: a.softmax(0), ("m",), (0,)),
        ("logit", lambda a: a.logit(), ("prob",), (0,)),
        ("logit_eps", lambda a: a.logit(0.2), ("prob",), (0,)),
        ("deg2rad", lambda a: a.deg2rad(), ("m",), (0,)),
        ("rad2deg", lambda a: a.rad2deg(), ("m",), (0,)),
        ("absolute", lambda a: a.absolute(), ("m",), (0,)),
        ("hardshrink", lambda a: a.hardshrink(0.6), ("m",), (0,)),
        ("soft_shrink", lambda a: a.soft_shrink(0.6), ("m",), (0,)),
        # shapes and selection
        ("permute", lambda a: a.permute(2, 0, 1), ("x3",), (0,)),
        ("permute_tuple", lambda a: a.permute((1, 2, 0)), ("x3",), (0,)),
        ("flip", lambda a: a.flip((0, 2)), ("x3",), (0,)),
        ("fliplr", lambda a: a.fliplr(), ("m",), (0,)),
        ("flipud", lambda a: a.flipud(), ("m",), (0,)),
        ("rot90", lambda a: a.rot90(1, (0, 1)), ("m",), (0,)),
        ("t", lambda a: a.t(), ("m",), (0,)),
        ("t_vector", lambda a: a.t(), ("v4",), (0,)),
        ("tile", lambda a: a.tile((2, 1)), ("m",), (0,)),
        ("broadcast_to", lambda a: a.broadcast_to((3, 4)), ("v4",), (0,)),
        ("split", lambda a: a.split(3, 1), ("m",), (0,)),
        ("split_sizes", lambda a: a.split([1, 3], 1), ("m",), (0,)),
        ("chunk", lambda a: a.chunk(2, 1), ("m",), (0,)),
        ("tensor_split", lambda a: a.tensor_split(3, 1), ("m",), (0,)),
        ("hsplit", lambda a: a.hsplit(2), ("m",), (0,)),
        ("vsplit", lambda a: a.vsplit(3), ("m",), (0,)),
        ("dsplit", lambda a: a.dsplit([1]), ("x3",), (0,)),
        ("unbind", lambda a: a.unbind(1), ("m",), (0,)),
        ("moveaxis", lambda a: a.moveaxis(0, 2), ("x3",), (0,)),
        ("movedim", lambda a: a.movedim(2, 0), ("x3",), (0,)),
        ("swapdims", lambda a: a.swapdims(0, 2), ("x3",), (0,)),
        ("narrow", lambda a: a.narrow(1, 1, 2), ("m",), (0,)),
        ("gather", lambda a, i: a.gather(1, i), ("m", "ints"), (0,)),
        ("gather_indices", lambda a: a.gather(index, 1), ("m",), (0,)),
        ("gather_elements", lambda a, i: a.gather_elements(1, i), ("m", "ints"), (0,)),
        ("index_select", lambda a: a.index_select(1, index), ("m",), (0,)),
        ("masked_fill", lambda a, b: a.masked_fill(b > 0, 0.5), ("m", "n"), (0,)),
        ("tril", lambda a: a.tril(), ("m",), (0,)),
        ("triu", lambda a: a.triu(1), ("m",), (0,)),
        ("diag", lambda a: a.diag(), ("v3",), (0,)),
        ("diagflat", lambda a: a.diagflat(1), ("v3",), (0,)),
        ("topk", lambda a: a.topk(2), ("m",), (0,)),
        ("topk_dim", lambda a: a.topk(2, 0, False), ("m",), (0,)),
        ("top_k", lambda a: a.top_k(3), ("m",), (0,)),
        ("msort", lambda a: a.msort(), ("m",), (0,)),
        ("repeat_interleave", lambda a: a.repeat_interleave(2, 1), ("m",), (0,)),
        ("repeat_interleave_flat", lambda a: a.repeat_interleave(2), ("m",), (0,)),
        ("select_condition", lambda a, b: a.select(a > b, b), ("m", "n"), (0, 1)),
        ("index_add", lambda a, b: a.index_add(1, index, b), ("m", "sq"), (0, 1)),
        ("index_fill", lambda a: a.index_fill(1, index, -2.0), ("m",), (0,)),
        # reductions
        ("amax", lambda a: a.amax(1), ("m",), (0,)),
        ("amin_all", lambda a: a.amin(), ("m",), (0,)),
        ("aminmax", lambda a: a.aminmax(axis=1), ("m",), (0,)),
        ("nansum", lambda a: a.nansum(1), ("m",), (0,)),
        ("nanmean", lambda a: a.nanmean(0, True), ("m",), (0,)),
        ("median", lambda a: a.median(), ("m",), (0,)),
        ("median_axis0", lambda a: a.median(0, True), ("m",), (0,)),
        ("nanmedian", lambda a: a.nanmedian(), ("m",), ()),
        ("count_nonzero", lambda a: a.round().count_nonzero(), ("m",), ()),
        ("count_nonzero_axis", lambda a: a.round().count_nonzero(1), ("m",), ()),
        ("cummax", lambda a: a.cummax(1), ("m",), ()),
        ("cummin", lambda a: a.cummin(0), ("m",), ()),
        ("logcumsumexp", lambda a: a.logcumsumexp(1), ("m",), (0,)),
        ("diff", lambda a: a.diff(), ("m",), (0,)),
        ("cov", lambda a: a.cov(), ("m",), (0,)),
        ("ptp", lambda a: a.ptp(1), ("m",), (0,)),
        ("argmax_with_value", lambda a: a.argmax_with_value(1), ("m",), (0,)),
        ("argmin_with_value", lambda a: a.argmin_with_value(0, True), ("m",), (0,)),
        ("inverse", lambda a: a.inverse(), ("sq",), (0,)),
        ("det", lambda a: a.det(), ("sq",), (0,)),
        # in place: the value returned (MindSpore 2.7.1's CPU build returns it without
        # writing it into the Tensor; test_tensor_methods_more checks the write)
        ("add_", lambda a, b: (a * 1.0).add_(b), ("m", "n"), ()),
        ("sub_", lambda a, b: (a * 1.0).sub_(b, alpha=2.0), ("m", "n"), ()),
        ("mul_", lambda a, b: (a * 1.0).mul_(b), ("m", "n"), ()),
        ("div_", lambda a, b: (a * 1.0).div_(b), ("m", "pos"), ()),
        ("exp_", lambda a: (a * 1.0).exp_(), ("m",), ()),
        ("copy_", lambda a, b: (a * 1.0).copy_(b), ("m", "n"), ()),
    ]


def measure(ms):
    """Outputs, their dtypes and gradients of each case, by name, computed with the
    library ``ms`` (``mindspore`` or ``autodiff_compiler``)."""
    return measure_cases(ms, _method_cases(ms), _draws(np.random.default_rng(11)),
                         weights_like_outputs=True)
