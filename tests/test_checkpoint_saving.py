"""``save_checkpoint``'s options as MindSpore 2.10's: which names ``choice_func`` keeps
for each kind of ``save_obj``, what ``append_dict`` adds, the CRC of ``crc_check``, and
refusals for what it cannot do (the kept names, dtypes and file bytes below are
MindSpore's, measured on the same calls)."""
from __future__ import annotations

import numpy as np
import pytest
from autodiff_compiler.train.serialization import decode, encode

import autodiff_compiler as ms
from autodiff_compiler import nn


class Net(nn.Cell):
    def __init__(self):
        super().__init__()
        self.body = nn.Dense(4, 8)
        self.head = nn.Dense(8, 3)

    def construct(self, x):
        return self.head(self.body(x))


def body(name):
    return name.startswith("body")


# (what is saved, choice_func, the names the file holds)
CHOSEN = [
    (lambda net: net, body, ["body.bias", "body.weight"]),
    (lambda net: net.trainable_params(), body, ["body.bias", "body.weight"]),
    (lambda net: [{"name": p.name, "data": p} for p in net.trainable_params()],
     lambda name: name.endswith("bias"), ["body.bias", "head.bias"]),
    (lambda net: {p.name: p for p in net.trainable_params()},
     lambda name: name.endswith("weight"), ["body.weight", "head.weight"]),
    (lambda net: net, None, ["body.bias", "body.weight", "head.bias", "head.weight"]),
]


@pytest.mark.parametrize(("save_obj", "choice_func", "want"), CHOSEN,
                         ids=["cell", "parameters", "list of dicts", "dict", "no choice"])
def test_choice_func_keeps_the_names_it_accepts(tmp_path, save_obj, choice_func, want):
    path = str(tmp_path / "net.ckpt")
    ms.save_checkpoint(save_obj(Net()), path, choice_func=choice_func)
    assert sorted(ms.load_checkpoint(path)) == want


def test_append_dict_is_added_after_the_choice_with_mindspores_types(tmp_path):
    path = str(tmp_path / "net.ckpt")
    ms.save_checkpoint(Net(), path, choice_func=lambda name: False, append_dict={
        "epoch_num": 3, "lr": 0.1, "flag": True, "name": "abc",
        "t": ms.Tensor(np.ones(2, np.float16))})
    loaded = ms.load_checkpoint(path)
    assert {k: (v.dtype, v.shape) for k, v in loaded.items() if k != "name"} == {
        "epoch_num": (np.int64, ()), "lr": (np.float32, ()), "flag": (np.bool_, ()),
        "t": (np.float16, (2,))}
    assert loaded["name"] == "abc" and int(loaded["epoch_num"]) == 3
    np.testing.assert_allclose(float(loaded["lr"]), 0.1, rtol=1e-7)


def test_strings_and_crcs_are_written_as_mindspore_writes_them(tmp_path):
    # save_checkpoint([], f, append_dict={"name": "abc"}) in MindSpore 2.10
    text_by_mindspore = bytes.fromhex(
        "0a1d0a046e616d651215080012037374721a0c610000006200000063000000")
    assert encode({"name": "abc"}) == text_by_mindspore
    assert decode(text_by_mindspore) == {"name": "abc"}
    # save_checkpoint({"a": ones(2, float32)}, f, crc_check=True) in MindSpore 2.10
    crc_by_mindspore = bytes.fromhex("0a1a0a0161121508021207466c6f617433321a080000803f0000803f"
                                     "6372635f6e756d000000000000251a407b")
    path = tmp_path / "a.ckpt"
    ms.save_checkpoint({"a": np.ones(2, np.float32)}, str(path), crc_check=True)
    assert path.read_bytes() == crc_by_mindspore
    np.testing.assert_array_equal(ms.load_checkpoint(str(path), crc_check=True)["a"], [1, 1])


def test_a_damaged_file_fails_only_the_crc_check(tmp_path):
    path = tmp_path / "a.ckpt"
    ms.save_checkpoint({"a": np.ones(2, np.float32)}, str(path), crc_check=True)
    damaged = bytearray(path.read_bytes())
    damaged[-1] ^= 1
    path.write_bytes(bytes(damaged))
    with pytest.raises(ValueError, match=r"CRC check .* failed"):
        ms.load_checkpoint(str(path), crc_check=True)
    np.testing.assert_array_equal(ms.load_checkpoint(str(path))["a"], [1, 1])
    ms.save_checkpoint({"a": np.ones(2, np.float32)}, str(path))
    with pytest.warns(UserWarning, match="no CRC"):
        ms.load_checkpoint(str(path), crc_check=True)


@pytest.mark.parametrize("kwargs", [
    {"async_save": True}, {"async_save": "thread"}, {"integrated_save": False},
    {"enc_mode": "AES-CBC"}, {"incremental": False}, {"remove_redundancy": None}])
def test_options_that_change_nothing_here_still_write_the_file(tmp_path, kwargs):
    path = tmp_path / "net.ckpt"
    ms.save_checkpoint(Net(), str(path), **kwargs)
    assert len(ms.load_checkpoint(str(path))) == 4


@pytest.mark.parametrize(("kwargs", "error", "message"), [
    ({"choise_func": body}, TypeError, "unexpected keyword arguments \\['choise_func'\\]"),
    ({"async_save": "x"}, ValueError, "'process' or 'thread'"),
    ({"integrated_save": 1}, TypeError, "integrated_save must be a bool"),
    ({"append_dict": [1]}, TypeError, "append_dict must be a dict"),
    ({"append_dict": {"a": [1]}}, TypeError, "int, float, bool, str or Tensor"),
    ({"format": "x"}, ValueError, "'safetensors' or 'ckpt'"),
    ({"format": "safetensors"}, ValueError, "safetensors files are not supported"),
    ({"enc_key": b"0123456789abcdef"}, ValueError, "encrypted"),
])
def test_options_it_cannot_honour_are_refused(tmp_path, kwargs, error, message):
    with pytest.raises(error, match=message):
        ms.save_checkpoint(Net(), str(tmp_path / "net.ckpt"), **kwargs)
    assert not (tmp_path / "net.ckpt").exists()


def _prefixed_checkpoint(tmp_path, net, prefix):
    for param in net.get_parameters():
        param.name = prefix + param.name
    path = str(tmp_path / "prefixed.ckpt")
    ms.save_checkpoint(net, path)
    return path


@pytest.mark.parametrize("make", [lambda: nn.Dense(3, 2),
                                  lambda: nn.SequentialCell([nn.Dense(3, 4), nn.ReLU(),
                                                             nn.Dense(4, 2)])],
                         ids=["dense", "sequential"])
def test_a_checkpoint_saved_under_a_prefix_loads_into_a_net_named_without_it(tmp_path, make):
    """The DCGAN tutorial's ``update_parameters_name('optim_g.')`` prefixes the
    generator's names, and its checkpoint then loads into a fresh generator: MindSpore
    tries again with the prefix (nothing loaded here before, silently). MindSpore 2.10
    returns ``([], <the checkpoint's names>)``."""
    trained = make()
    path = _prefixed_checkpoint(tmp_path, trained, "optim_g.")
    fresh = make()
    not_loaded, unused = ms.load_param_into_net(fresh, ms.load_checkpoint(path))
    assert not_loaded == [] and sorted(unused) == sorted(ms.load_checkpoint(path))
    for want, got in zip(trained.get_parameters(), fresh.get_parameters()):
        np.testing.assert_array_equal(got, want)
    again = make()
    ms.load_checkpoint(path, again)
    for want, got in zip(trained.get_parameters(), again.get_parameters()):
        np.testing.assert_array_equal(got, want)


def test_strict_loading_takes_exact_names_only(tmp_path):
    path = _prefixed_checkpoint(tmp_path, nn.Dense(3, 2), "optim_g.")
    fresh = nn.Dense(3, 2)
    before = fresh.weight.asnumpy().copy()
    not_loaded, _ = ms.load_param_into_net(fresh, ms.load_checkpoint(path), strict_load=True)
    assert not_loaded == ["weight", "bias"]
    np.testing.assert_array_equal(fresh.weight, before)
