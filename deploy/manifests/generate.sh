#!/usr/bin/env bash
# Regenerates deploy/manifests/wakegate.yaml from the Helm chart (Helm's engine via helm-java).
set -euo pipefail
cd "$(dirname "$0")/../.."
./mvnw -B -q -pl deploy test -Dtest=ManifestsTest -Dwakegate.updateManifests=true -Dsurefire.failIfNoSpecifiedTests=false
echo "wrote deploy/manifests/wakegate.yaml" >&2
