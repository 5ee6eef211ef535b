-- metatables: arithmetic and comparison events, __index chains, __newindex, __call,
-- __tostring, __len, __concat, __close, inheritance
local V = {}
V.__index = V
function V.new(x, y) return setmetatable({x = x, y = y}, V) end
V.__add = function(a, b) return V.new(a.x + b.x, a.y + b.y) end
V.__eq = function(a, b) return a.x == b.x and a.y == b.y end
V.__lt = function(a, b) return a.x < b.x end
V.__le = function(a, b) return a.x <= b.x end
V.__tostring = function(v) return "(" .. v.x .. "," .. v.y .. ")" end
V.__len = function() return 2 end
V.__concat = function(a, b) return tostring(a) .. tostring(b) end
V.__call = function(self, k) return self[k] end
local a, b = V.new(1, 2), V.new(3, 4)
print(tostring(a + b), a == V.new(1, 2), a < b, b <= a, #a, a .. b, a("y"))
local log = {}
local proxy = setmetatable({}, {__newindex = function(t, k, v) log[#log + 1] = k rawset(t, k, v) end})
proxy.one = 1; proxy.two = 2; proxy.one = 3
print(table.concat(log, ","), proxy.one)
local Base = {greet = function(self) return "hi " .. self.name end}
local Derived = setmetatable({}, {__index = Base})
local obj = setmetatable({name = "obj"}, {__index = Derived})
print(obj:greet(), getmetatable("").__index == string)
do
  local closed = setmetatable({}, {__close = function() print("closed") end})
  local r <close> = closed
  print("in block")
end
local ro = setmetatable({}, {__index = function(_, k) return k * 2 end})
print(ro[21], rawget(ro, 21))
