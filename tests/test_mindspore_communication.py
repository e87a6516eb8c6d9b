"""``mindspore.communication`` on one device: model-zoo training scripts import its
names at the top and read the rank and group size; ``init`` asks for a launcher, as
MindSpore 2.10 does on CPU without one (measured: rank 0, group size 1, RuntimeError)."""
import importlib

import pytest

import autodiff_compiler as ms


@pytest.mark.parametrize("path", ["autodiff_compiler.communication",
                                  "autodiff_compiler.communication.management"])
def test_one_device_is_rank_0_of_1(path):
    comm = importlib.import_module(path)
    assert (comm.get_rank(), comm.get_group_size()) == (0, 1)
    assert (comm.get_local_rank(), comm.get_local_rank_size()) == (0, 1)
    assert comm.GlobalComm.WORLD_COMM_GROUP == "hccl_world_group"
    assert comm.get_world_rank_from_group_rank(comm.GlobalComm.WORLD_COMM_GROUP, 0) == 0
    with pytest.raises(ValueError, match="rank 1 does not exist"):
        comm.get_group_rank_from_world_rank(1, comm.GlobalComm.WORLD_COMM_GROUP)
    with pytest.raises(RuntimeError, match="msrun or mpirun"):
        comm.init()
    comm.release()


def test_the_package_attribute_is_the_module():
    assert ms.communication.get_group_size() == 1


@pytest.mark.parametrize("path, names", [
    ("autodiff_compiler.train.callback", ["ModelCheckpoint", "CheckpointConfig", "LossMonitor",
                                          "TimeMonitor", "Callback"]),
    ("autodiff_compiler.common.parameter", ["Parameter", "ParameterTuple"]),
])
def test_older_import_paths_of_model_zoo_code(path, names):
    """1.x-era scripts import the callbacks from mindspore.train.callback and Parameter
    from mindspore.common.parameter (both importable in MindSpore 2.10)."""
    module = importlib.import_module(path)
    assert all(getattr(module, n) is getattr(ms, n) or getattr(module, n) is getattr(ms.train, n)
               for n in names)
