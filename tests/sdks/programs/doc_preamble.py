# The fixed preamble of the Python doc-block programs (tests/sdks/doc_blocks.py): each stand-in
# is defined only when a page's blocks use that name without defining it.
import pulumi
import pulumi_deltastream as deltastream

ds = deltastream
cfg = pulumi.Config()
_db = deltastream.Database("docDb", name="doc_db")
_kafka = deltastream.Store(
    "docKafka",
    name="doc_kafka",
    kafka=deltastream.KafkaInputsArgs(uris="broker:9092", sasl_hash_function="NONE"),
)


def _stream(name: str) -> deltastream.DeltaStreamObject:
    return deltastream.DeltaStreamObject(
        name,
        database=_db.name,
        namespace="public",
        store=_kafka.name,
        sql=f"CREATE STREAM {name} (viewtime BIGINT, userid VARCHAR, pageid VARCHAR) "
        f"WITH ('topic'='{name}','value.format'='json');",
    )
