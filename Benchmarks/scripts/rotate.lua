-- wrk script: each request takes the next line of LINES_FILE ("path<TAB>token<TAB>JSON body";
-- the token "-" sends none), starting at a random line per thread; counts answers that are not 2xx and
-- GraphQL answers with errors, and prints both when done. With WRK_THREADS threads, each thread
-- takes its own share of the lines (every WRK_THREADS-th), so that no two threads send one
-- account's request at once (a teacher does not write one lesson twice at the same moment); a
-- file of fewer lines than threads is shared.
local threads = {}

function setup(thread)
    table.insert(threads, thread)
    thread:set("id", #threads)
end

function init(args)
    non2xx = 0
    errors = 0
    entries = {}
    local all = {}
    local count = tonumber(os.getenv("WRK_THREADS") or "1")
    for line in io.lines(os.getenv("LINES_FILE")) do
        local path, token, body = line:match("^([^\t]*)\t([^\t]*)\t(.*)$")
        local headers = { ["Content-Type"] = "application/json" }
        if token ~= "-" then headers["Authorization"] = "Bearer " .. token end
        table.insert(all, { path = path, headers = headers, body = body })
    end
    for number, entry in ipairs(all) do
        if count <= 1 or #all < count or (number - 1) % count == id - 1 then table.insert(entries, entry) end
    end
    math.randomseed(os.time() + id)
    index = math.random(#entries)
end

function request()
    index = index % #entries + 1
    local entry = entries[index]
    return wrk.format("POST", entry.path, entry.headers, entry.body)
end

function response(status, headers, body)
    if status < 200 or status > 299 then non2xx = non2xx + 1 end
    if body and body:find('"errors"', 1, true) then errors = errors + 1 end
end

function done(summary, latency, requests)
    local bad, failed = 0, 0
    for _, thread in ipairs(threads) do
        bad = bad + thread:get("non2xx")
        failed = failed + thread:get("errors")
    end
    io.write(string.format("non2xx %d\ngraphql_errors %d\np95_us %d\n", bad, failed, latency:percentile(95)))
end
