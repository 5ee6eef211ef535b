-- joins, grouping, subqueries, compound selects, CASE, LIKE/GLOB, LIMIT/OFFSET
CREATE TABLE dept(id INTEGER PRIMARY KEY, name TEXT);
CREATE TABLE emp(id INTEGER PRIMARY KEY, name TEXT, dept INTEGER REFERENCES dept(id), salary INTEGER);
INSERT INTO dept VALUES (1, 'eng'), (2, 'ops'), (3, 'empty');
INSERT INTO emp VALUES (1, 'a', 1, 100), (2, 'b', 1, 150), (3, 'c', 2, 90), (4, 'd', NULL, 50), (5, 'e', 2, 120);
SELECT d.name, count(e.id), sum(e.salary) FROM dept d LEFT JOIN emp e ON e.dept = d.id GROUP BY d.id ORDER BY d.id;
SELECT e.name, d.name FROM emp e JOIN dept d ON d.id = e.dept WHERE e.salary > (SELECT avg(salary) FROM emp) ORDER BY e.name;
SELECT dept, max(salary) FROM emp GROUP BY dept HAVING count(*) > 1 ORDER BY dept;
SELECT name FROM emp WHERE dept IN (SELECT id FROM dept WHERE name LIKE 'E%') ORDER BY name;
SELECT name FROM emp WHERE name GLOB '[a-c]' ORDER BY name DESC LIMIT 2 OFFSET 1;
SELECT name, CASE WHEN salary >= 120 THEN 'high' WHEN salary >= 90 THEN 'mid' ELSE 'low' END FROM emp ORDER BY id;
SELECT id FROM emp UNION SELECT id FROM dept ORDER BY 1;
SELECT id FROM emp INTERSECT SELECT id FROM dept;
SELECT id FROM emp EXCEPT SELECT id FROM dept;
SELECT EXISTS (SELECT 1 FROM emp WHERE dept IS NULL), (SELECT count(*) FROM emp WHERE dept = 3);
SELECT group_concat(name, '+') FROM (SELECT name FROM emp ORDER BY name);
