# EduQL server image. Build:   docker build -t eduql .
# Serve:                        docker run -e DATABASE_URL=postgres://eduql_app:…@db:5432/eduql -p 8080:8080 eduql
# Migrate (a one-off command):  docker run --rm -e DATABASE_URL=postgres://eduql_owner:…@db:5432/eduql eduql migrate
# The database is external (see compose.yaml for one beside it). Every setting: `eduql config check`.

# --- build: the Swift toolchain, a release binary with the Swift runtime linked in ---------
FROM swift:6.3-bookworm AS build
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends libargon2-dev pkg-config \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Package.swift ./
COPY Sources ./Sources
COPY Tests ./Tests
RUN swift build -c release --product eduql --static-swift-stdlib \
 && BIN="$(swift build -c release --show-bin-path)" \
 && mkdir -p /staging \
 && cp "$BIN/eduql" /staging/ \
 && cp -R "$BIN/eduql_EduQLSchema.resources" /staging/ \
 && cp -R "$BIN/eduql_EduQLAccessControl.resources" /staging/ \
 && cp -R "$BIN/eduql_EduQLConsole.resources" /staging/

# --- runtime: slim Debian with the shared libraries the binary links (libxml2 and ICU: FoundationXML, for XLSX) -
FROM debian:bookworm-slim AS runtime
RUN apt-get update -qq \
 && apt-get install -y -qq --no-install-recommends libargon2-1 ca-certificates libc6 libgcc-s1 libstdc++6 zlib1g \
    libxml2 libicu72 liblzma5 \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin eduql
WORKDIR /app
# The binary finds its resource bundles beside it.
COPY --from=build /staging/ /app/
# The trusted documents (queries/manifest.json is checked at start-up).
COPY queries ./queries
USER 10001:10001
ENV EDUQL_HOST=0.0.0.0 EDUQL_PORT=8080 EDUQL_DATA_DIR=/tmp/eduql
EXPOSE 8080
# Liveness without curl in the image: bash's /dev/tcp asks /healthz.
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${EDUQL_PORT:-8080} && printf 'GET /healthz HTTP/1.1\\r\\nHost: localhost\\r\\nConnection: close\\r\\n\\r\\n' >&3 && head -n1 <&3 | grep -q ' 200 '"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["/app/eduql"]
CMD ["serve"]
