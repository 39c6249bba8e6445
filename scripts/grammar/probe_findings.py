#!/usr/bin/env python3
"""Probe which statements CrateDB's grammar (cratedb-sqlparse) accepts; source of FINDINGS.md.

    "$(bash scripts/grammar/setup.sh)" scripts/grammar/probe_findings.py            # the brief's list
    "$(bash scripts/grammar/setup.sh)" scripts/grammar/probe_findings.py --related  # related probes
    "$(bash scripts/grammar/setup.sh)" scripts/grammar/probe_findings.py 'SELECT ...'  # extra ones

Prints ACCEPT / REJECT (with the parser's first error) for each statement, using the same strict
parse as check_sql.py (any lexer/parser error, or not exactly one statement, is a REJECT).
"""
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, __import__("os").path.dirname(__file__))
from check_sql import GRAMMAR_VERSION, _one_line, parse  # noqa: E402

STATEMENTS = r"""
SELECT "a" FROM "t" UNION (SELECT "a" FROM "t2")
SELECT "a" FROM "t" UNION ALL (SELECT "a" FROM "t2")
(SELECT 1) UNION (SELECT 2)
SELECT CAST("a" AS "text") FROM "t"
SELECT CAST("a" AS TEXT) FROM "t"
SELECT CAST("a" AS ARRAY(TEXT)) FROM "t"
SELECT "a"::OBJECT FROM "t"
SELECT '{"a":1}'::OBJECT
SELECT TRY_CAST("a" AS BIGINT) FROM "t"
SELECT "o"['a']['b'] FROM "t"
SELECT "arr"[1] FROM "t"
SELECT * FROM "t" WHERE 1 = ANY("arr")
SELECT * FROM "t" WHERE "x" = ANY($1)
SELECT * FROM "t" WHERE MATCH("body", 'q')
SELECT * FROM "t" WHERE MATCH(("a" 1.5, "b"), 'q') USING best_fields WITH (fuzziness = 1, operator = 'and')
SELECT * FROM "t" WHERE KNN_MATCH("v", [1.0, 2.0], 3) ORDER BY _score DESC
SELECT "_score", "_id" FROM "t"
SELECT {a = 1, "B" = 'x', c = {d = [1, 2]}}
SELECT [1, 2, 3]
SELECT ARRAY[1, 2]
SELECT []
INSERT INTO "t" ("a") VALUES ($1) ON CONFLICT ("a") DO UPDATE SET "b" = "excluded"."b" RETURNING "a"
INSERT INTO "t" ("a") VALUES (1) ON CONFLICT DO NOTHING
UPDATE "t" SET "o"['k'] = $1 WHERE "id" = $2
DELETE FROM "t" WHERE "id" = 1 RETURNING "id"
SELECT * FROM "t" FOR UPDATE
SELECT 1 INTERSECT SELECT 2
WITH RECURSIVE "c" AS (SELECT 1) SELECT * FROM "c"
WITH "c" AS (SELECT 1) SELECT * FROM "c"
SELECT "a", ROW_NUMBER() OVER ( PARTITION BY "b" ORDER BY "c" ASC ) FROM "t"
SELECT * FROM "t" ORDER BY "a" ASC NULLS LAST LIMIT 10 OFFSET 5
SELECT * FROM "t" ORDER BY "a" DESC NULLS FIRST
SELECT * FROM "t" LIMIT $1 OFFSET $2
SELECT * FROM "t" WHERE "ts" > '2024-01-01T00:00:00.123456+00:00'
SELECT E'it\'s'
SELECT 'it''s'
CREATE TABLE "t" ("a" TEXT PRIMARY KEY, "o" OBJECT(STRICT) AS ("x" INTEGER, "n" OBJECT(DYNAMIC) AS ("y" TEXT)), "g" GEO_POINT, "s" GEO_SHAPE INDEX USING quadtree WITH (precision = '1m'), "v" FLOAT_VECTOR(3), "ip" IP, "b" BIT(8), "n2" NUMERIC(10, 2), "vc" VARCHAR(10), "ts" TIMESTAMP WITH TIME ZONE, "ts2" TIMESTAMP WITHOUT TIME ZONE, "d" TIMESTAMP WITH TIME ZONE GENERATED ALWAYS AS (date_trunc('day', "ts")), "body" TEXT INDEX USING FULLTEXT WITH (analyzer = 'english'), "raw" TEXT INDEX OFF STORAGE WITH (columnstore = false), "c" INTEGER CONSTRAINT "c_pos" CHECK ("c" > 0), "arr" ARRAY(ARRAY(DOUBLE PRECISION)), INDEX "ft" USING FULLTEXT ("body", "a") WITH (analyzer = 'standard'), PRIMARY KEY ("a", "d")) PARTITIONED BY ("d") CLUSTERED BY ("a") INTO 4 SHARDS WITH (number_of_replicas = '0-1', "write.wait_for_active_shards" = 1, refresh_interval = 1000)
CREATE TABLE "t" ("a" INTEGER DEFAULT 1 NOT NULL)
CREATE TABLE "t" ("a" INTEGER NOT NULL DEFAULT 1)
CREATE TABLE "t" ("a" DOUBLE PRECISION, "b" REAL, "c" SMALLINT, "d" BIGINT, "e" BOOLEAN, "f" CHARACTER(3), "g" BYTE, "h" TEXT[])
CREATE TABLE "t" ("a" INTEGER NULL)
CREATE TABLE "t" ("a" TEXT CHECK ("a" <> ''))
CREATE TABLE "t" ("a" TEXT, CHECK ("a" <> ''))
CREATE TABLE "t" ("a" TEXT, CONSTRAINT "ck" CHECK ("a" <> ''))
CREATE TABLE "t" ("a" TEXT, UNIQUE ("a"))
CREATE TABLE "t" ("a" SERIAL)
ALTER TABLE "t" ADD COLUMN "x" INTEGER
ALTER TABLE "t" ADD COLUMN "o"['k'] TEXT
ALTER TABLE "t" DROP COLUMN IF EXISTS "x"
ALTER TABLE "t" RENAME COLUMN "x" TO "y"
ALTER TABLE "t" RENAME TO "u"
ALTER TABLE "t" SET (number_of_replicas = '1')
ALTER TABLE "t" RESET (number_of_replicas)
ALTER TABLE "t" PARTITION ("d" = 1) SET (number_of_replicas = '1')
ALTER TABLE ONLY "t" SET (number_of_replicas = '1')
ALTER TABLE "t" OPEN
ALTER TABLE "t" CLOSE
ALTER TABLE "t" ALTER COLUMN "x" SET DEFAULT 1
DROP TABLE IF EXISTS "t"
DROP BLOB TABLE "b"
CREATE OR REPLACE VIEW "v" AS SELECT 1
DROP VIEW IF EXISTS "v1", "v2"
CREATE TABLE IF NOT EXISTS "t2" AS SELECT * FROM "t"
REFRESH TABLE "t"
REFRESH TABLE "t" PARTITION ("d" = 1), "u"
OPTIMIZE TABLE "t" WITH (max_num_segments = 1)
COPY "t" FROM 'file:///x.json' WITH (bulk_size = 100) RETURN SUMMARY
COPY "t" ("a", "b") FROM ['s3://b/a.csv', 's3://b/b.csv'] WITH (format = 'csv', header = true)
COPY "t" PARTITION ("d" = 1) ("a") WHERE "a" > 1 TO DIRECTORY '/tmp/out' WITH (compression = 'gzip')
SET search_path TO 'app', 'doc'
SET SESSION search_path TO 'app'
SET search_path TO DEFAULT
SET GLOBAL PERSISTENT "stats.enabled" = true
RESET GLOBAL "stats.enabled"
SHOW CREATE TABLE "doc"."t"
CREATE BLOB TABLE "b" CLUSTERED INTO 3 SHARDS WITH (number_of_replicas = 0)
SELECT vector_similarity("v", [1.0, 2.0]) FROM "t"
SELECT "a" AS "x" FROM "t" AS "t1" LEFT JOIN "u" AS "u1" ON "t1"."id" = "u1"."id"
SELECT COUNT(*) FROM "t" GROUP BY "a" HAVING COUNT(*) > 1
SELECT DISTINCT "a" FROM "t"
SELECT * FROM (SELECT 1) AS "s"
SELECT "a" FROM "t" WHERE "a" IN (SELECT "b" FROM "u")
SELECT "a" FROM "t" WHERE "a" NOT LIKE 'x%' AND "b" ILIKE 'y'
SELECT "a" IS NULL, "b" IS NOT NULL FROM "t"
SELECT (CASE WHEN ("a" > 1) THEN 'x' ELSE 'y' END) FROM "t"
SELECT "a" || "b" FROM "t"
SELECT COALESCE("a", 1) FROM "t"
SELECT * FROM "t" WHERE "a" BETWEEN 1 AND 2
SELECT TRUE, FALSE, NULL
SELECT 1.5::REAL
SELECT B'0101'
SELECT '10.0.0.1'::IP
SELECT '1 day'::INTERVAL
SELECT '13:00:00+01:00'::TIMETZ
SELECT "a" FROM "t" WHERE "a" = ANY(['a', 'b'])
SELECT "a" FROM "t" WHERE "a" > ALL([1, 2])
SELECT "a" FROM "t" WHERE "_seq_no" = 1 AND "_primary_term" = 1
SELECT "_version", "_seq_no", "_primary_term" FROM "t"
SELECT "a" AS "x" FROM "t" WINDOW "w" AS (PARTITION BY "a")
INSERT INTO "t" ("a", "b") SELECT "a", "b" FROM "u"
INSERT INTO "t" ("a", "b") VALUES (1, 'x'), (2, 'y')
SELECT "a" FROM "t" WHERE ("a", "b") IN ((1, 2), (3, 4))
SELECT * FROM "t" WHERE "a" = $1 AND "b" = $2
SELECT * FROM "t" WHERE "a" = ?
"""

# Related probes: alternatives for the rejected forms, the harness's known-bad cases, permissive spots.
RELATED = r"""
SELECT "a" FROM "t" UNION SELECT "a" FROM "t2"
SELECT "a" FROM "t" UNION ALL SELECT "a" FROM "t2"
SELECT "a" FROM "t" UNION DISTINCT SELECT "a" FROM "t2"
SELECT "a" FROM "t" UNION SELECT "a" FROM "t2" ORDER BY "a" LIMIT 1
SELECT * FROM (SELECT "a" FROM "t" UNION SELECT "a" FROM "t2") AS "u"
SELECT * FROM (SELECT "a" FROM "t" LIMIT 1) AS "x" UNION ALL SELECT * FROM (SELECT "a" FROM "t2" LIMIT 1) AS "y"
SELECT 1 EXCEPT SELECT 2
SELECT "a" FROM "t" WHERE ("a", "b") = (1, 2)
SELECT "a" FROM "t" WHERE ("a", "b") IN (SELECT "a", "b" FROM "u")
SELECT "a" FROM "t" WHERE ("a" = 1 AND "b" = 2) OR ("a" = 3 AND "b" = 4)
CREATE TABLE "t" ("a" TEXT UNIQUE)
CREATE TABLE "t" ("a" INTEGER GENERATED ALWAYS AS IDENTITY)
WITH "c" AS (SELECT 1), "d" AS (SELECT 2) SELECT * FROM "c", "d"
UPDATE "t" SET "a" = 1 WHERE "id" = 1 RETURNING "a"
DELETE FROM "t" WHERE "id" = 1
SELECT 1 OFFSET 5 ROWS FETCH FIRST 10 ROWS ONLY
SELECT * FROM "t" WHERE "a" = ANY(?)
SELECT $1::TEXT
SELECT 1;
SELECT 1 garbage
SELECT 1 garbage garbage
SELECT FROM WHERE
SELECT * FROM t FOR UPDATE
ALTER TABLE t ADD COLUMN IF NOT EXISTS c INT
CREATE SCHEMA "s"
SELECT 1 IS TRUE
SELECT 1; SELECT 2
"""


def main() -> int:
    stmts = [s for s in STATEMENTS.strip("\n").split("\n") if s.strip()]
    if "--related" in sys.argv[1:]:
        sys.argv.remove("--related")
        stmts = [s for s in RELATED.strip("\n").split("\n") if s.strip()]
    extra = sys.argv[1:]  # more statements may be given as arguments
    rejected = 0
    print(f"# CrateDB grammar {GRAMMAR_VERSION}: {len(stmts) + len(extra)} statements")
    for sql in stmts + extra:
        r = parse(sql)
        if r.ok:
            print(f"ACCEPT  {sql}")
        else:
            rejected += 1
            print(f"REJECT  {sql}\n        {_one_line(r.message)}")
    print(f"# {len(stmts) + len(extra) - rejected} accepted, {rejected} rejected")
    return 0


if __name__ == "__main__":
    sys.exit(main())
