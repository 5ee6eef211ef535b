-- tables: sort with comparator, concat, insert/remove/move, unpack, length, next, pairs order
local t = {5, 2, 8, 1, 9, 3}
table.sort(t)
print(table.concat(t, ","))
table.sort(t, function(a, b) return a > b end)
print(table.concat(t, ","))
table.insert(t, 1, 100)
table.insert(t, 7)
print(table.remove(t), table.remove(t, 1), #t)
print(table.concat(table.move({1, 2, 3}, 1, 3, 2, {9}), ","))
print(table.unpack({1, 2, 3}, 2))
print(select("#", nil, nil), select(2, "a", "b", "c"), select(-1, "a", "b"))
local packed = table.pack(1, nil, 3)
print(packed.n, packed[3])
local keys = {}
for k in pairs({x = 1, y = 2, z = 3}) do keys[#keys + 1] = k end
table.sort(keys)
print(table.concat(keys))
local words = {}
for i = 1, 200 do words[i] = string.format("w%03d", (i * 37) % 200) end
table.sort(words)
print(words[1], words[100], words[200])
local nested = {a = {b = {c = "deep"}}}
print(nested.a.b.c, rawlen({1, 2}), rawequal(t, t), next({}))
