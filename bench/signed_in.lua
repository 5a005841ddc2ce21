-- wrk script: signed-in requests. Cycles through lines `path<TAB>cookie` read from a file given
-- after `--`, sending each path with its `Cookie:` header (a session of its own per person):
--   wrk -s bench/signed_in.lua http://127.0.0.1:8000 -- /path/to/requests.txt
-- Each thread starts at a different place in the list (half the list apart, plus an optional
-- offset given after the file). Reports like report.lua (BENCH_RESULT).

local source = debug.getinfo(1, "S").source:sub(2)
dofile((source:match("(.*/)") or "./") .. "report.lua")

local threads = 0
local requests = {}
local position = 0

function setup(thread)
  threads = threads + 1
  thread:set("number", threads)
end

function init(args)
  for line in io.lines(args[1]) do
    local path, cookie = line:match("^([^\t]+)\t(.+)$")
    if path then
      requests[#requests + 1] = wrk.format(nil, path, { Cookie = cookie })
    end
  end
  -- An optional second argument: where the first thread starts (successive warm-up runs
  -- continue where the previous one stopped instead of requesting the same paths again).
  local offset = tonumber(args[2] or "0") or 0
  position = (offset + ((number or 1) - 1) * math.floor(#requests / 2)) % math.max(#requests, 1)
end

function request()
  position = position % #requests + 1
  return requests[position]
end
