# syntax=docker/dockerfile:1
# Build: docker build -t mcp-atlassian-client-creds .
# The specs are fetched from Atlassian during the build unless ./specs already holds them
# (put them there with scripts/fetch-specs, or copy them in, to build offline).

FROM rust:1-bookworm AS build
WORKDIR /src
COPY . .
RUN if [ ! -f specs/jira-platform.v3.json ]; then scripts/fetch-specs; fi
RUN ATLASSIAN_SPECS_DIR=specs cargo build --release --locked --bin atlassian-mcp

FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /src/target/release/atlassian-mcp /usr/local/bin/atlassian-mcp
USER nonroot
ENTRYPOINT ["atlassian-mcp"]
CMD ["serve"]
