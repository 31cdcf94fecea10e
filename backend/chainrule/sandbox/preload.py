"""Imported once by the fork server: torch and the tracer warmed up, then frozen.

Every worker is forked from that process, so none pays `import torch` or the first
trace's set-up again.
"""

from __future__ import annotations

import torch

from chainrule.runner import warm_up

torch.set_num_threads(1)
warm_up()
