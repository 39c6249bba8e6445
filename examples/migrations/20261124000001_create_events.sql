-- CrateDB has no transactions: each statement commits on its own, and a failure leaves the
-- migration recorded as dirty (the next run reports it instead of re-applying it).
CREATE TABLE IF NOT EXISTS events (
    id TEXT PRIMARY KEY DEFAULT gen_random_text_uuid(),
    day TIMESTAMP WITH TIME ZONE NOT NULL,
    kind TEXT NOT NULL,
    payload OBJECT(DYNAMIC)
) CLUSTERED INTO 3 SHARDS WITH (number_of_replicas = '0-1');
