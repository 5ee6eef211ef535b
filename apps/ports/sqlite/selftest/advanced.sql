-- recursive CTEs, window functions, views, triggers, indexes and the query planner, upsert,
-- RETURNING, generated columns, strict tables
WITH RECURSIVE fib(n, a, b) AS (SELECT 1, 0, 1 UNION ALL SELECT n + 1, b, a + b FROM fib WHERE n < 15) SELECT group_concat(a, ' ') FROM fib;
WITH RECURSIVE cnt(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM cnt LIMIT 1000) SELECT sum(x), count(*) FROM cnt;
CREATE TABLE s(g TEXT, v INTEGER);
INSERT INTO s VALUES ('a', 3), ('a', 1), ('b', 5), ('a', 2), ('b', 4);
SELECT g, v, row_number() OVER (PARTITION BY g ORDER BY v), sum(v) OVER (PARTITION BY g ORDER BY v ROWS UNBOUNDED PRECEDING), rank() OVER (ORDER BY v DESC) FROM s ORDER BY g, v;
SELECT v, lag(v) OVER (ORDER BY v), lead(v, 2, -1) OVER (ORDER BY v) FROM s ORDER BY v;
CREATE VIEW big AS SELECT * FROM s WHERE v > 2;
SELECT count(*) FROM big;
CREATE TABLE audit(msg TEXT);
CREATE TRIGGER s_ins AFTER INSERT ON s BEGIN INSERT INTO audit VALUES ('added ' || NEW.g || NEW.v); END;
INSERT INTO s VALUES ('c', 9);
SELECT msg FROM audit;
CREATE INDEX s_v ON s(v);
EXPLAIN QUERY PLAN SELECT * FROM s WHERE v = 5;
CREATE TABLE kv(k TEXT PRIMARY KEY, n INTEGER);
INSERT INTO kv VALUES ('x', 1) ON CONFLICT(k) DO UPDATE SET n = n + 1;
INSERT INTO kv VALUES ('x', 1) ON CONFLICT(k) DO UPDATE SET n = n + 1 RETURNING k, n;
CREATE TABLE gen(a INTEGER, b INTEGER GENERATED ALWAYS AS (a * 2) STORED);
INSERT INTO gen(a) VALUES (21);
SELECT a, b FROM gen;
CREATE TABLE st(a INTEGER) STRICT;
INSERT INTO st VALUES ('not a number');
SELECT count(*) FROM st;
