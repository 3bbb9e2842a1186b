"""``--dtype int8`` on CPU: int8 Linear weights with dynamically quantised activations.

Uses PyTorch's own dynamic quantisation (fbgemm/x86 kernels; no extra package). The model is
loaded in bfloat16 and converted one Linear at a time, so memory never holds a float32 copy of
the whole model. The token embedding stays bfloat16 (its rows are upcast as they are looked up).
Answers are NOT accuracy-checked here: use it when memory is the limit and check your own data.
"""

from __future__ import annotations

import warnings
from typing import Any


def quantize_int8(model: Any) -> Any:
    """Quantise every ``nn.Linear`` of ``model`` in place; return the dtype activations use."""
    import torch
    from torch import nn

    try:
        from torch.ao.nn.quantized.dynamic import Linear as DynamicLinear
        from torch.ao.quantization import default_dynamic_qconfig
    except ImportError as err:  # pragma: no cover - a future torch without torch.ao quantization
        from vlocr.errors import EngineUnavailableError

        raise EngineUnavailableError(
            f"this torch has no dynamic int8 quantisation ({err})",
            "use --dtype float32 or bfloat16",
        ) from None
    getter = getattr(model, "get_input_embeddings", None)
    embed = getter() if getter is not None else None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch.ao's deprecation notices, once per layer
        for parent in list(model.modules()):
            for name, child in list(parent.named_children()):
                if type(child) is nn.Linear:
                    setattr(
                        parent, name, _quantized(child, nn, DynamicLinear, default_dynamic_qconfig)
                    )
    for module in model.modules():
        if module is embed:
            continue
        for pname, param in list(module.named_parameters(recurse=False)):
            if param.is_floating_point() and param.dtype != torch.float32:
                setattr(module, pname, nn.Parameter(param.float(), requires_grad=False))
        for bname, buf in list(module.named_buffers(recurse=False)):
            if buf.is_floating_point() and buf.dtype != torch.float32:
                setattr(module, bname, buf.float())
    # The loaded bfloat16 tensors may be views of the memory-mapped checkpoint; a private copy of
    # the embedding lets that mapping (the whole file) go once loading is over.
    if embed is not None:
        embed.weight = nn.Parameter(embed.weight.detach().clone(), requires_grad=False)
        embed.register_forward_hook(lambda _m, _i, out: out.float())
    return torch.float32


def _quantized(linear: Any, nn: Any, dynamic_linear: Any, qconfig: Any) -> Any:
    """A float32 copy of ``linear`` quantised; the original (maybe tied) weight is not touched."""
    import torch

    tmp = nn.Linear(
        linear.in_features, linear.out_features, bias=linear.bias is not None, device="meta"
    )
    tmp.weight = nn.Parameter(linear.weight.detach().to(torch.float32), requires_grad=False)
    if linear.bias is not None:
        tmp.bias = nn.Parameter(linear.bias.detach().to(torch.float32), requires_grad=False)
    tmp.qconfig = qconfig
    return dynamic_linear.from_float(tmp)
