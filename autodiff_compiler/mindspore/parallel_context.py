"""MindSpore's auto-parallel context (``set_auto_parallel_context``, ``ParallelMode``)
on one device. Model-zoo training scripts set it at the top, to data parallelism over
the group ``communication`` reports (one device: ``get_group_size()`` is 1), and read
``gradients_mean`` or ``device_num`` back. On one device every mode trains the same
network the same way, so the settings are kept and read back; a ``device_num`` above
one asks for devices there are not, and raises as ``communication.init()`` does.
"""
from __future__ import annotations

from typing import Any


class ParallelMode:
    """MindSpore's names of the parallel modes."""

    STAND_ALONE = "stand_alone"
    DATA_PARALLEL = "data_parallel"
    HYBRID_PARALLEL = "hybrid_parallel"
    SEMI_AUTO_PARALLEL = "semi_auto_parallel"
    AUTO_PARALLEL = "auto_parallel"
    MODE_LIST = [STAND_ALONE, DATA_PARALLEL, HYBRID_PARALLEL, SEMI_AUTO_PARALLEL, AUTO_PARALLEL]


_DEFAULTS: dict[str, Any] = {
    "device_num": 1, "global_rank": 0, "gradients_mean": False, "gradient_fp32_sync": True,
    "loss_repeated_mean": True, "parallel_mode": ParallelMode.STAND_ALONE,
    "search_mode": "recursive_programming", "auto_parallel_search_mode": "recursive_programming",
    "parameter_broadcast": False, "strategy_ckpt_load_file": "",
    "strategy_ckpt_save_file": "", "full_batch": False, "dataset_strategy": "data_parallel",
    "enable_parallel_optimizer": False, "enable_alltoall": False, "all_reduce_fusion_config": [],
    "pipeline_stages": 1, "pipeline_result_broadcast": False, "parallel_optimizer_config": {},
    "pipeline_config": {}, "grad_accumulation_step": 1, "comm_fusion": {},
    "strategy_ckpt_config": {}, "group_ckpt_save_file": "", "auto_pipeline": False,
    "dump_local_norm": False,
}
_SETTINGS: dict[str, Any] = dict(_DEFAULTS)


def set_auto_parallel_context(**kwargs: Any) -> None:
    """Keep the settings (MindSpore's names); a mode must be one of ``ParallelMode``'s."""
    unknown = sorted(set(kwargs) - set(_DEFAULTS))
    if unknown:
        raise ValueError(f"For 'set_auto_parallel_context', the keyword argument {unknown[0]} "
                         f"is not recognized! Known: {', '.join(sorted(_DEFAULTS))}")
    mode = kwargs.get("parallel_mode", _SETTINGS["parallel_mode"])
    if mode not in ParallelMode.MODE_LIST:
        raise ValueError(f"For 'set_auto_parallel_context', parallel_mode must be one of "
                         f"{ParallelMode.MODE_LIST}, but got {mode!r}")
    if kwargs.get("device_num", 1) > 1:
        raise RuntimeError(f"set_auto_parallel_context(device_num={kwargs['device_num']}) asks "
                           "for devices this does not have: it runs on one device "
                           "(communication.get_group_size() is 1)")
    _SETTINGS.update(kwargs)


def get_auto_parallel_context(attr_key: str) -> Any:
    if attr_key not in _SETTINGS:
        raise ValueError(f"For 'get_auto_parallel_context', the argument {attr_key} is not "
                         f"recognized!")
    return _SETTINGS[attr_key]


def reset_auto_parallel_context() -> None:
    _SETTINGS.clear()
    _SETTINGS.update(_DEFAULTS)
