from __future__ import annotations

from api.context import Info
from api.schema.access import Viewer


def viewer(info: Info) -> Viewer:
    caller = info.context.caller
    return Viewer(role=caller.role, caller=caller)
