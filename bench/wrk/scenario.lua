-- bench/wrk/scenario.lua - one benchmark scenario for wrk, chosen by environment:
--   QZ_METHOD, QZ_PATH      the request (QZ_PATH may contain {n}: a per-request counter)
--   QZ_BODY                 the body, {n} replaced too ("" for none)
--   QZ_AUTH                 an Authorization header value, or unset
--   QZ_URLS                 a file of "METHOD PATH" lines, one per request, used once each
--                           (signed Udesk requests: every nonce is single-use)
--   QZ_PAIR                 "wecom" or "feishu_members": alternate a create and the
--                           delete of what it created, so a write scenario stays bounded
--   QZ_MOD                  {n} cycles through 0 .. QZ_MOD-1 (a create with a uuid of
--                           these makes at most QZ_MOD objects and answers the rest)
local method = os.getenv("QZ_METHOD") or "GET"
local path = os.getenv("QZ_PATH") or "/"
local body = os.getenv("QZ_BODY") or ""
local auth = os.getenv("QZ_AUTH")
local urls_file = os.getenv("QZ_URLS")
local pair = os.getenv("QZ_PAIR")
local mod = tonumber(os.getenv("QZ_MOD") or "0")
local headers = { ["Content-Type"] = "application/json; charset=utf-8" }
if auth then headers["Authorization"] = auth end

local counter = 0
local urls = nil
local pending = {}

function setup(thread)
   thread:set("tid", tostring(thread))
end

function init(args)
   counter = math.random(1, 1000000000)
   if urls_file then
      urls = {}
      local id = tonumber(os.getenv("QZ_THREAD_SLICE") or "0")
      for line in io.lines(urls_file) do urls[#urls + 1] = line end
   end
end

local function fill(s, n)
   if mod > 0 then n = n % mod end
   return (s:gsub("{n}", tostring(n)))
end

function request()
   counter = counter + 1
   if urls then
      local line = urls[counter % #urls + 1]
      local m, p, b = line:match("^(%S+) (%S+) ?(.*)$")
      return wrk.format(m, p, headers, b ~= "" and b or nil)
   end
   if pair == "wecom" and #pending > 0 then
      local id = table.remove(pending, 1)
      return wrk.format("POST", os.getenv("QZ_DEL_PATH"), headers, '{"group_id":"' .. id .. '"}')
   end
   if pair == "feishu_members" then
      local user = "bu" .. (counter % 200)
      if counter % 2 == 0 then
         return wrk.format("DELETE", path, headers, '{"id_list":["' .. user .. '"]}')
      end
      return wrk.format("POST", path, headers, '{"id_list":["' .. user .. '"]}')
   end
   local b = body ~= "" and fill(body, counter) or nil
   return wrk.format(method, fill(path, counter), headers, b)
end

function response(status, hdrs, resp)
   if pair == "wecom" then
      local id = resp:match('"group_id":"([^"]+)"')
      if id then pending[#pending + 1] = id end
   end
end
