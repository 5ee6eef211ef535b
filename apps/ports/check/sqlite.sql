SELECT '--- sqlite begins';
CREATE TABLE species(id INTEGER PRIMARY KEY, name TEXT NOT NULL, habitat TEXT);
CREATE TABLE sightings(species_id INTEGER REFERENCES species(id), lake TEXT, count INTEGER);
INSERT INTO species(name, habitat) VALUES ('axolotl', 'Xochimilco'), ('olm', 'caves'),
    ('newt', 'ponds');
INSERT INTO sightings VALUES (1, 'Xochimilco', 12), (1, 'Chalco', 3), (2, 'Postojna', 7),
    (3, 'Garden', 20), (3, 'Garden', 5), (1, 'Xochimilco', 8);
SELECT s.name, count(*), sum(g.count), max(g.count) FROM species s JOIN sightings g
    ON g.species_id = s.id GROUP BY s.name ORDER BY sum(g.count) DESC;
SELECT lake, group_concat(DISTINCT s.name) FROM sightings JOIN species s ON s.id = species_id
    GROUP BY lake HAVING count(*) > 1 ORDER BY lake;
UPDATE species SET habitat = 'lakes' WHERE name = 'axolotl';
DELETE FROM sightings WHERE count < 5;
SELECT name, habitat, (SELECT count(*) FROM sightings WHERE species_id = species.id) FROM species
    ORDER BY id;
CREATE INDEX sightings_lake ON sightings(lake);
SELECT count(*), total(count), avg(count), typeof(avg(count)) FROM sightings WHERE lake >= 'P';
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10)
    SELECT sum(i * i), printf('%5.2f|%x|%s', 3.14159, 255, upper('done')) FROM n;
BEGIN; INSERT INTO species(name) VALUES ('ghost'); ROLLBACK;
SELECT count(*), length(group_concat(name)), hex('Ax'), abs(-7), round(2.5), 7 / 2, 7 % 3 FROM species;
SELECT '--- sqlite ends';
