"""An engine-faithful test harness for this provider and for third-party plugins.

No Pulumi CLI needed: the harness plays the engine's role over real gRPC against the real
``pulumi-resource-deltastream`` process (docs/reference/pulumi-protocol.md#call-sequences,
#harness-checklist)::

    from deltastream_pulumi.testing import EngineLogServer, ProviderProcess, ProviderConfig
    from deltastream_pulumi.testing import Resource, Secret, Stack

    with EngineLogServer() as engine, ProviderProcess(
        engine, config=ProviderConfig({"server": url, "apiKey": Secret(token)})
    ) as provider:
        stack = Stack(provider)
        db = Resource("deltastream:index:Database", "db", {"name": "analytics"})
        stack.preview([db])
        stack.up([db])
        stack.destroy()

With pytest, ``pytest_plugins = ["deltastream_pulumi.testing.pytest_plugin"]`` provides the
``local_server``, ``engine_log``, ``provider`` and ``stack`` fixtures (see
``docs/testing-plugins.md``).
"""

from deltastream_pulumi.testing.engine import EngineLogServer, LogRecord
from deltastream_pulumi.testing.errors import (
    CheckFailedError,
    Failure,
    HarnessError,
    ImportMismatchError,
    InvokeFailedError,
    ProviderRPCError,
    ProviderStartError,
)
from deltastream_pulumi.testing.process import Capabilities, ProviderConfig, ProviderProcess
from deltastream_pulumi.testing.stack import (
    DiffResult,
    OperationResult,
    OutputRef,
    PropertyDiff,
    Resource,
    ResourceState,
    Stack,
    Step,
    assert_secret,
    ref,
)
from deltastream_pulumi.testing.wire import (
    UNKNOWN_ID,
    UNKNOWN_SENTINELS,
    OutputValue,
    ResourceRef,
    Secret,
    Unknown,
    decode_struct,
    decode_value,
    encode_struct,
    encode_value,
    reveal,
)

__all__ = [
    "UNKNOWN_ID",
    "UNKNOWN_SENTINELS",
    "Capabilities",
    "CheckFailedError",
    "DiffResult",
    "EngineLogServer",
    "Failure",
    "HarnessError",
    "ImportMismatchError",
    "InvokeFailedError",
    "LogRecord",
    "OperationResult",
    "OutputRef",
    "OutputValue",
    "PropertyDiff",
    "ProviderConfig",
    "ProviderProcess",
    "ProviderRPCError",
    "ProviderStartError",
    "Resource",
    "ResourceRef",
    "ResourceState",
    "Secret",
    "Stack",
    "Step",
    "Unknown",
    "assert_secret",
    "decode_struct",
    "decode_value",
    "encode_struct",
    "encode_value",
    "ref",
    "reveal",
]
