print("--- lua begins")
-- lua -e: strings, tables, math, closures, coroutines, error and pcall, metatables. (lua -e
-- refuses a program whose first character is "-": the comment comes second.)
local s = "Hello, Axolotl"
print(s:upper(), #s, s:sub(1, 5), s:find("Axo"), s:rep(2, "+"))
print(string.format("%5.2f|%d|%-6s|%x|%s", math.pi, 42, "left", 255, tostring(nil)))
print(("a,b,,c"):gsub(",", ";"), ("x=1, y=22"):match("y=(%d+)"))
local words = {}
for w in ("the quick brown fox jumps"):gmatch("%a+") do words[#words + 1] = w end
table.sort(words)
print(table.concat(words, " "), #words)
table.insert(words, 1, "first")
print(table.remove(words), words[1], select("#", table.unpack(words)))
print(7 // 2, 7 % 3, 2 ^ 10, 7 / 2, math.max(3, 9, 4), math.tointeger(5.0), math.type(1), math.type(1.0))
print(math.floor(-3.5), math.ceil(-3.5), math.abs(-4), math.huge, -math.huge, math.maxinteger)
print(string.format("%.6f %.3e %g", math.sqrt(2), 12345.678, 0.1), tostring(1e100))
local function counter()
    local n = 0
    return function() n = n + 1; return n end
end
local c1, c2 = counter(), counter()
c1(); c1()
print("closures", c1(), c2())
local squares = coroutine.wrap(function() for i = 1, 4 do coroutine.yield(i * i) end end)
print("coroutine.wrap", squares(), squares(), squares(), squares())
local co = coroutine.create(function(a) local b = coroutine.yield(a + 1); return b * 2 end)
print("resume", coroutine.resume(co, 1))
print("resume", coroutine.resume(co, 10))
print("status", coroutine.status(co), coroutine.resume(co))
print("pcall", pcall(function() error("boom", 0) end))
print("pcall", pcall(function() local t = nil; return t.x end))
print("pcall", pcall(error, {code = 7}) == false, select(2, pcall(error, {code = 7})).code)
print("xpcall", xpcall(function() error("deep") end, function(m) return "handled: " .. m end))
local V = setmetatable({}, {__index = function(_, k) return k .. "!" end,
                            __call = function(_, x) return x * 3 end})
print("metatable", V.hi, V(14))
local fib = {}
local function f(n) if n < 2 then return n end; fib[n] = fib[n] or f(n - 1) + f(n - 2); return fib[n] end
print("fib(80)", f(80))
print("--- lua ends")
