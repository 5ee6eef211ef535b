-- utf8, the garbage collector, weak tables, long strings, integer keys normalisation
print(utf8.char(72, 228, 8364, 128512), utf8.len("häé€"), #utf8.char(8364))
for p, c in utf8.codes("aé€") do io.write(p, ":", c, " ") end
print()
print(utf8.codepoint("héllo", 1, -1))
print(utf8.offset("aé€b", 3), utf8.len("\xff"))
local weak = setmetatable({}, {__mode = "k"})
weak[{}] = 1
collectgarbage()
collectgarbage()
print(next(weak))
print(type(collectgarbage("count")), collectgarbage("isrunning"))
local big = {}
for i = 1, 100000 do big[i] = tostring(i) end
print(#big, big[99999])
big = nil
collectgarbage()
local t = {}
t[1.0] = "one"; t[2] = "two"
print(t[1], t[2.0], #t)
local s = [[
first
second]]
print(#s, s:find("\n"))
print(#string.rep("x", 1 << 20))
