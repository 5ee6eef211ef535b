-- closures, varargs, recursion, tail calls, goto, integer for loops, multiple results
local function counter()
  local n = 0
  return function() n = n + 1 return n end
end
local c1, c2 = counter(), counter()
c1(); c1()
print(c1(), c2())
local function sum(...)
  local s = 0
  for _, v in ipairs({...}) do s = s + v end
  return s, select("#", ...)
end
print(sum(1, 2, 3, 4))
local function fact(n) if n <= 1 then return 1 end return n * fact(n - 1) end
print(fact(20))
local function loop(n, acc) if n == 0 then return acc end return loop(n - 1, acc + 1) end
print(loop(100000, 0))
for i = 1, 3 do
  for j = 1, 3 do
    if j == 2 then goto continue end
    io.write(i, j, " ")
    ::continue::
  end
end
print()
for i = 10, 1, -3 do io.write(i, " ") end
print()
for i = math.maxinteger - 1, math.maxinteger do io.write(i, " ") end
print()
local function multi() return 1, 2, 3 end
local x, y, z, w = multi()
print(x, y, z, w, (multi()))
print(#{multi(), multi()})
