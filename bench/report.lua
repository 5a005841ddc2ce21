-- wrk reporter: one machine-readable line with p50/p95 latency (ms) and throughput.
-- Used by bench/run.py as `wrk -s bench/report.lua ...`.

done = function(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local errors = summary.errors
  io.write(string.format(
    "BENCH_RESULT {\"p50_ms\": %.3f, \"p95_ms\": %.3f, \"p99_ms\": %.3f, \"max_ms\": %.3f, " ..
    "\"requests\": %d, \"seconds\": %.3f, \"requests_per_second\": %.2f, " ..
    "\"errors\": {\"connect\": %d, \"read\": %d, \"write\": %d, \"status\": %d, \"timeout\": %d}}\n",
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000,
    summary.requests, seconds, summary.requests / seconds,
    errors.connect, errors.read, errors.write, errors.status, errors.timeout))
end
