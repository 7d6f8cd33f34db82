-- wrk script for the marketplace HTTP benchmark (see bench/http_load.py).
--
--   wrk ... -s bench/lua/marketplace.lua http://127.0.0.1:PORT -- MODE BASE TOKEN COUNT
--
-- MODE  post: POST /organisations, a unique GB-COH identifier per request (expects 201)
--       list: GET /organisations?limit=20                                  (expects 200)
--       get:  GET /organisations/GB-COH-<random 1..COUNT>                  (expects 200)
-- BASE  first identifier number of this run (post); each wrk thread gets its own million
-- TOKEN bearer token sent with every request ("-" for none)
-- COUNT how many organisations were preloaded (get)
--
-- Every response's status is counted: done() prints one BENCH_JSON line with the
-- expected-status count and the rest, so non-2xx answers never pass for throughput.

local threads = {}

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

function init(args)
  mode = args[1] or "list"
  base = tonumber(args[2] or "0")
  token = args[3] or "-"
  count = tonumber(args[4] or "1")
  expected = (mode == "post") and 201 or 200
  counter = 0
  ok = 0
  s4xx = 0
  s5xx = 0
  sother = 0
  last_bad = 0
  math.randomseed(1234 + tid)
  headers = {["Accept"] = "application/json"}
  if token ~= "-" then
    headers["Authorization"] = "Bearer " .. token
  end
  if mode == "post" then
    headers["Content-Type"] = "application/json"
  end
end

local body_format = '{"identifier":"%s","name":"Bench Organisation %d","legal_form":"company",'
  .. '"size":"small","vcse":false,"address":{"line1":"1 High Street","town":"Ludlow","postcode":"SY8 1BB"},'
  .. '"contact":{"name":"Ann Example","email":"ann@example.org"}}'

function request()
  counter = counter + 1
  if mode == "post" then
    local n = base + tid * 1000000 + counter
    local body = string.format(body_format, string.format("GB-COH-%08d", n), n)
    return wrk.format("POST", "/organisations", headers, body)
  elseif mode == "get" then
    return wrk.format("GET", string.format("/organisations/GB-COH-%08d", math.random(1, count)), headers)
  else
    return wrk.format("GET", "/organisations?limit=20", headers)
  end
end

function response(status, hdrs, body)
  if status == expected then
    ok = ok + 1
  elseif status >= 400 and status < 500 then
    s4xx = s4xx + 1
    last_bad = status
  elseif status >= 500 then
    s5xx = s5xx + 1
    last_bad = status
  else
    sother = sother + 1
    last_bad = status
  end
end

function done(summary, latency, requests)
  local total = {ok = 0, s4xx = 0, s5xx = 0, sother = 0, last_bad = 0}
  for _, t in ipairs(threads) do
    total.ok = total.ok + t:get("ok")
    total.s4xx = total.s4xx + t:get("s4xx")
    total.s5xx = total.s5xx + t:get("s5xx")
    total.sother = total.sother + t:get("sother")
    if t:get("last_bad") ~= 0 then
      total.last_bad = t:get("last_bad")
    end
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"duration_us":%d,"requests":%d,"ok":%d,"s4xx":%d,"s5xx":%d,"other_status":%d,"last_bad":%d,'
      .. '"err_connect":%d,"err_read":%d,"err_write":%d,"err_timeout":%d,'
      .. '"lat_p50_us":%d,"lat_p90_us":%d,"lat_p99_us":%d,"lat_max_us":%d,"lat_mean_us":%d}\n',
    summary.duration, summary.requests, total.ok, total.s4xx, total.s5xx, total.sother, total.last_bad,
    e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
