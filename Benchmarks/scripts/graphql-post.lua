-- wrk script: POSTs one GraphQL document, with the bearer token from the TOKEN environment
-- variable and the body from the BODY_FILE file.
local file = io.open(os.getenv("BODY_FILE"), "r")
wrk.method = "POST"
wrk.body = file:read("*a")
file:close()
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")

local statuses = {}
response = function(status, headers, body)
    statuses[status] = (statuses[status] or 0) + 1
end

done = function(summary, latency, requests)
    for status, count in pairs(statuses) do
        io.write(string.format("status %d: %d\n", status, count))
    end
end
