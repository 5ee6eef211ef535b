-- tables, constraints, insert/update/delete, affinities, NULL handling, ORDER BY NULLS
CREATE TABLE people(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, age INTEGER CHECK (age >= 0), city TEXT DEFAULT 'unknown');
INSERT INTO people(name, age, city) VALUES ('ada', 36, 'london'), ('alan', 41, 'wilmslow'), ('grace', 85, NULL), ('edsger', 72, 'nuenen');
INSERT INTO people(name, age) VALUES ('barbara', 60);
SELECT id, name, age, city FROM people ORDER BY id;
UPDATE people SET age = age + 1 WHERE city IS NOT NULL AND city != 'unknown';
DELETE FROM people WHERE name = 'alan';
SELECT name, age FROM people ORDER BY age DESC;
SELECT typeof(1), typeof(1.5), typeof('x'), typeof(x'00'), typeof(NULL), typeof('12' + 0);
SELECT city FROM people ORDER BY city NULLS FIRST;
INSERT INTO people(name, age) VALUES ('ada', 1);
INSERT INTO people(name, age) VALUES ('neg', -1);
SELECT count(*), total(age), avg(age), min(name), max(name) FROM people;
SELECT coalesce(NULL, NULL, 'third'), nullif(3, 3), ifnull(NULL, 'dflt'), NULL IS NULL, NULL = NULL;
