# MinIO built from the Go module version the tests run against (deploy/services.sh MINIO_VERSION).
FROM golang:1.24-bookworm AS build
ARG MINIO_VERSION=v0.0.0-20260212201848-7aac2a2c5b7c
RUN GOFLAGS=-trimpath CGO_ENABLED=0 go install "github.com/minio/minio@${MINIO_VERSION}"

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends curl ca-certificates \
 && rm -rf /var/lib/apt/lists/* && useradd --system --home-dir /data minio
COPY --from=build /go/bin/minio /usr/local/bin/minio
USER minio
EXPOSE 9000
