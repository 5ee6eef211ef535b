-- coroutines: resume/yield values, wrap, status, errors inside, generators, close
local co = coroutine.create(function(a, b)
  local c = coroutine.yield(a + b)
  local d, e = coroutine.yield(c * 2)
  return d + e
end)
print(coroutine.resume(co, 1, 2))
print(coroutine.resume(co, 10))
print(coroutine.resume(co, 3, 4))
print(coroutine.status(co), coroutine.resume(co))
local gen = coroutine.wrap(function() for i = 1, 3 do coroutine.yield(i) end end)
print(gen(), gen(), gen())
local bad = coroutine.create(function() error("inside") end)
local ok, msg = coroutine.resume(bad)
print(ok, (msg:gsub("^.-:%d+: ", "")))
print(coroutine.isyieldable(), coroutine.running() ~= nil)
local sus = coroutine.create(function() coroutine.yield() end)
coroutine.resume(sus)
print(coroutine.close(sus), coroutine.status(sus))
local function producer()
  return coroutine.wrap(function() for w in ("a b c"):gmatch("%a") do coroutine.yield(w) end end)
end
local out = {}
for w in producer() do out[#out + 1] = w:upper() end
print(table.concat(out))
