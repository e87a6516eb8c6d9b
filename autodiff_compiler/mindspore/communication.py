"""``mindspore.communication`` (and ``.management``) on one device, as MindSpore 2.10
runs on CPU without a launcher (measured): the rank is 0 of a group of 1, and ``init``
raises, asking for one. Model-zoo training scripts import these names at the top and
call them only when told to distribute, so a single-process run reads the rank and the
group size and goes on."""
from __future__ import annotations

import sys
from typing import Any


class GlobalComm:
    """The world group's name and the backend, as MindSpore names them."""

    BACKEND = "hccl"
    WORLD_COMM_GROUP = "hccl_world_group"
    INITED = False


HCCL_WORLD_COMM_GROUP = "hccl_world_group"
NCCL_WORLD_COMM_GROUP = "nccl_world_group"
MCCL_WORLD_COMM_GROUP = "mccl_world_group"


def init(backend_name: str | None = None) -> None:
    """Distributed training needs a cluster launcher (``msrun``, ``mpirun``): there is
    none to join on one device, so this raises as MindSpore 2.10 does on CPU."""
    raise RuntimeError("mindspore.communication.init() starts distributed training, which "
                       "needs processes launched by msrun or mpirun; this runs on one "
                       "device (get_rank() is 0, get_group_size() is 1)")


def release() -> None:
    """Nothing was initialised on one device."""


def get_rank(group: str = GlobalComm.WORLD_COMM_GROUP) -> int:
    return 0


def get_local_rank(group: str = GlobalComm.WORLD_COMM_GROUP) -> int:
    return 0


def get_group_size(group: str = GlobalComm.WORLD_COMM_GROUP) -> int:
    return 1


def get_local_rank_size(group: str = GlobalComm.WORLD_COMM_GROUP) -> int:
    return 1


def get_world_rank_from_group_rank(group: str, group_rank_id: int) -> int:
    return _only_rank(group_rank_id)


def get_group_rank_from_world_rank(world_rank_id: int, group: str) -> int:
    return _only_rank(world_rank_id)


def create_group(group: str, rank_ids: Any) -> None:
    """A group of the one process: only ``[0]`` names ranks that exist."""
    if list(rank_ids) != [0]:
        raise ValueError(f"create_group: ranks {list(rank_ids)} do not exist on one device")


def destroy_group(group: str) -> None:
    """Nothing to tear down on one device."""


def _only_rank(rank: int) -> int:
    if rank != 0:
        raise ValueError(f"rank {rank} does not exist on one device (rank 0 of 1)")
    return 0


management = sys.modules[__name__]  # ``mindspore.communication.management``: these names

__all__ = ["GlobalComm", "HCCL_WORLD_COMM_GROUP", "NCCL_WORLD_COMM_GROUP",
           "MCCL_WORLD_COMM_GROUP", "init", "release", "get_rank", "get_local_rank",
           "get_group_size", "get_local_rank_size", "get_world_rank_from_group_rank",
           "get_group_rank_from_world_rank", "create_group", "destroy_group", "management"]
