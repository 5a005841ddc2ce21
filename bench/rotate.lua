-- wrk script: cycle through request paths read from a file (one per line), given after `--`:
--   wrk -s bench/rotate.lua http://127.0.0.1:8000 -- /path/to/paths.txt
-- Each thread starts at a different place in the list (half the list apart, plus an optional
-- offset given after the file). Reports like report.lua (BENCH_RESULT).

local source = debug.getinfo(1, "S").source:sub(2)
dofile((source:match("(.*/)") or "./") .. "report.lua")

local threads = 0
local paths = {}
local position = 0

function setup(thread)
  threads = threads + 1
  thread:set("number", threads)
end

function init(args)
  for line in io.lines(args[1]) do
    if line ~= "" then
      paths[#paths + 1] = line
    end
  end
  -- An optional second argument: where the first thread starts (successive warm-up runs
  -- continue where the previous one stopped instead of requesting the same paths again).
  local offset = tonumber(args[2] or "0") or 0
  position = (offset + ((number or 1) - 1) * math.floor(#paths / 2)) % math.max(#paths, 1)
end

function request()
  position = position % #paths + 1
  return wrk.format(nil, paths[position])
end
