-- wrk script for scripts/bench: replay pre-signed webhook requests, one file per wrk thread.
-- Each line of <prefix>.<thread> is "path<TAB>X-Twilio-Signature<TAB>form body"; the lines are
-- already interleaved so that a conversation's turns arrive in order (scripts/bench_traffic.py).
-- A thread stops when its lines run out, so no request is ever sent twice.

local threads = {}
local next_id = 0

function setup(thread)
  next_id = next_id + 1
  thread:set("id", next_id)
  table.insert(threads, thread)
end

function init(args)
  local prefix = args[1]
  requests = {}
  for line in io.lines(prefix .. "." .. id) do
    local path, signature, body = line:match("^([^\t]*)\t([^\t]*)\t(.*)$")
    requests[#requests + 1] = wrk.format("POST", path, {
      ["Content-Type"] = "application/x-www-form-urlencoded",
      ["X-Twilio-Signature"] = signature,
    }, body)
  end
  position = 0
end

function request()
  position = position + 1
  if position > #requests then
    wrk.thread:stop()
    position = #requests
  end
  return requests[position]
end

function done(summary, latency, requests_)
  io.write(string.format(
    'BENCH {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "max_us": %d, ' ..
    '"not_2xx": %d, "socket_errors": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    latency.max, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
