# syntax=docker/dockerfile:1.7
# The nbaprops image: the `nbaprops` binary (worker and CLI) on debian-slim, run as a non-root
# user. Build: `docker compose build` or `docker build -t nbaprops:local .` (BuildKit).
# No protoc: proto/build.rs compiles the contracts with protox, and the Temporal crates use
# their `vendored-protox` feature.

ARG RUST_VERSION=1.95.0
ARG DEBIAN_RELEASE=bookworm

FROM rust:${RUST_VERSION}-slim-${DEBIAN_RELEASE} AS build
ARG RUST_VERSION
# rust-toolchain.toml names `stable`; build with the image's toolchain instead of downloading one.
ENV RUSTUP_TOOLCHAIN=${RUST_VERSION} \
    CARGO_TERM_COLOR=never
WORKDIR /src
COPY . .
# The registry, git checkouts and target/ live in cache mounts, so a rebuild after a source
# change recompiles only what changed; the binary is copied out of the cache mount.
RUN --mount=type=cache,target=/usr/local/cargo/registry,sharing=locked \
    --mount=type=cache,target=/usr/local/cargo/git,sharing=locked \
    --mount=type=cache,target=/src/target,sharing=locked \
    cargo build --locked --release -p nbaprops --bin nbaprops \
    && install -m 0755 target/release/nbaprops /usr/local/bin/nbaprops

FROM debian:${DEBIAN_RELEASE}-slim AS runtime
# ca-certificates: the live sources, S3 and Temporal over TLS. Unpinned on purpose: Debian
# replaces it with each security update and drops the old version from the archive.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 nbaprops \
    && useradd --system --uid 10001 --gid nbaprops --home-dir /var/lib/nbaprops --create-home \
       --shell /usr/sbin/nologin nbaprops
COPY --from=build /usr/local/bin/nbaprops /usr/local/bin/nbaprops
USER 10001:10001
WORKDIR /var/lib/nbaprops
# Local scratch only: the compose stack keeps the warehouse in PostgreSQL and raw payloads in S3.
ENV NBAPROPS_DATA_DIR=/var/lib/nbaprops \
    RUST_LOG=info
# The worker's /metrics (NBAPROPS_METRICS_ADDRESS, default 0.0.0.0:9464).
EXPOSE 9464
ENTRYPOINT ["nbaprops"]
CMD ["worker"]
