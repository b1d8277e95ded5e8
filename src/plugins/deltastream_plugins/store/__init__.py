"""Store: ``deltastream:index:Store`` (Kafka, Confluent Kafka, Kinesis, Postgres, Snowflake).

One module per store type declares its input block and how it maps to ``CREATE STORE`` /
``UPDATE STORE`` keys (:mod:`.common` holds the shared machinery); :mod:`.kind` is the
resource lifecycle, :mod:`.lookups` the getStore/getStores functions and :mod:`.plugin` the
entry point registering both.
"""
