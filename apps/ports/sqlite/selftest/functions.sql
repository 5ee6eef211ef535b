-- built-in functions: strings, math, printf, dates, JSON, blobs, random's type
SELECT upper('abc'), lower('ABC'), length('héllo'), substr('abcdef', 2, 3), replace('aaa', 'a', 'bb'), trim('  x  '), instr('hello', 'll');
SELECT printf('%05d|%-4s|%.3f|%x|%q', 42, 'ab', 3.14159, 255, 'it''s');
SELECT abs(-5), round(2.567, 2), 7 / 2, 7 % 3, 7.0 / 2, max(1, 5, 3), min('b', 'a');
SELECT hex('AB'), quote(x'0102'), length(zeroblob(10)), unicode('é'), char(72, 105);
SELECT date('2000-01-01', '+1 month', '-1 day'), time('12:34:56', '+1 hour'), datetime('2020-02-28 10:00:00', '+1 day'), strftime('%j %w', '2024-12-31'), julianday('2000-01-01');
SELECT json_object('a', 1, 'b', json_array(1, 2, 'x')), json_extract('{"a":{"b":[10,20]}}', '$.a.b[1]'), json_valid('{bad'), json_array_length('[1,2,3]');
SELECT key, value FROM json_each('{"x":1,"y":"two"}');
SELECT typeof(random()), length(randomblob(8)), likely(1), iif(1 > 2, 'y', 'n');
SELECT 9223372036854775807 + 1, CAST('12abc' AS INTEGER), CAST(3.9 AS INTEGER), 1e308 * 10;
SELECT sqlite_version();
