"""A dynamic-provider host of a shape ``lemlist_resource.host.hostpool`` does not know.

Runs the installed SDK's own ``pulumi/dynamic/__main__.py`` as ``__main__`` exactly as
``python -m pulumi.dynamic`` does (same module spec, so the provider knows it is in the
host), except that its servicer class is renamed, as a future SDK might do. Usage:
``python -u tests/future_host.py`` (``ProviderHost(argv=...)``).
"""

from __future__ import annotations

import importlib.util
import sys

spec = importlib.util.find_spec("pulumi.dynamic.__main__")
assert spec is not None and spec.loader is not None and spec.origin is not None
source = spec.loader.get_source(spec.name)  # type: ignore[attr-defined]
assert source is not None and "DynamicResourceProviderServicer" in source
module = sys.modules["__main__"]
module.__spec__ = spec
renamed = source.replace("DynamicResourceProviderServicer", "ProviderServicer")
# The SDK's own host source with one name changed, run as the host runs it.
exec(compile(renamed, spec.origin, "exec"), module.__dict__)
