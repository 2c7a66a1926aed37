-- wrk script: each request takes the next line of LINES_FILE ("path<TAB>token<TAB>JSON body";
-- the token "-" sends none), starting at a random line per thread; counts answers that are not 2xx and
-- GraphQL answers with errors, and prints both when done.
local threads = {}

function setup(thread)
    table.insert(threads, thread)
end

function init(args)
    non2xx = 0
    errors = 0
    entries = {}
    for line in io.lines(os.getenv("LINES_FILE")) do
        local path, token, body = line:match("^([^\t]*)\t([^\t]*)\t(.*)$")
        local headers = { ["Content-Type"] = "application/json" }
        if token ~= "-" then headers["Authorization"] = "Bearer " .. token end
        table.insert(entries, { path = path, headers = headers, body = body })
    end
    math.randomseed(os.time() + #threads)
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
