#!/bin/sh
# Creates the raw store's bucket on SeaweedFS when missing, through `weed shell` (the master's
# admin shell, no S3 credentials needed). Safe to rerun: an existing bucket is left alone. Runs in
# the chrislusf/seaweedfs image (docker-compose.yml's `create-bucket`).
set -eu

: "${BUCKET:?BUCKET is required}"
master="${WEED_MASTER:-seaweedfs:9333}"

# `weed shell` exits 0 even when a command fails, so success is read from the bucket list.
has_bucket() {
  echo "s3.bucket.list" | weed shell -master="$master" 2>/dev/null | awk '{ print $1 }' | grep -qx "$BUCKET"
}

attempt=0
# `weed shell` waits forever for a master that does not answer: bound each try.
until echo "cluster.check" | timeout 15 weed shell -master="$master" >/dev/null 2>&1; do
  attempt=$((attempt + 1))
  if [ "$attempt" -ge 60 ]; then
    echo "SeaweedFS master $master does not answer after $attempt attempts" >&2
    exit 1
  fi
  sleep 2
done

if has_bucket; then
  echo "bucket $BUCKET exists"
  exit 0
fi
echo "s3.bucket.create -name $BUCKET" | weed shell -master="$master"
if has_bucket; then
  echo "created bucket $BUCKET"
else
  echo "bucket $BUCKET is still missing after s3.bucket.create" >&2
  exit 1
fi
