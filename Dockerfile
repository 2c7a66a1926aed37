# EduQL server image: build with the Swift toolchain, run on slim Debian with libargon2.
# The database is external: pass DATABASE_URL (the eduql_app role) and, for `migrate` and
# `seed`, EDUQL_OWNER_DATABASE_URL (the eduql_owner role).
FROM swift:6.3-bookworm AS build
RUN apt-get update -qq && apt-get install -y -qq libargon2-dev pkg-config && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Package.swift ./
COPY Sources ./Sources
COPY Tests ./Tests
RUN swift build -c release --product eduql --static-swift-stdlib \
 && mkdir /staging \
 && cp "$(swift build -c release --show-bin-path)/eduql" /staging/ \
 && cp -R "$(swift build -c release --show-bin-path)"/*.resources /staging/

FROM debian:bookworm-slim
RUN apt-get update -qq && apt-get install -y -qq libargon2-1 ca-certificates && rm -rf /var/lib/apt/lists/* \
 && useradd --system --home /app eduql
WORKDIR /app
COPY --from=build /staging/ /app/
# The trusted documents integration grants may name.
COPY queries ./queries
USER eduql
ENV EDUQL_HOST=0.0.0.0 EDUQL_PORT=8080
EXPOSE 8080
ENTRYPOINT ["/app/eduql"]
CMD ["serve"]
