"""The shape of a JSON-RPC method handler."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from devnet.node import Node

Handler = Callable[[Node, list[Any]], Any]
