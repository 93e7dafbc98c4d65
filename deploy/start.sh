#!/bin/sh
# What the container image runs (Dockerfile, compose.yaml, deploy/k8s): one image, three roles.
#   deploy/start.sh migrate   create or upgrade the database schema, then exit (run it before the servers)
#   deploy/start.sh actions   the action server on 0.0.0.0:5055 (its /health answers probes)
#   deploy/start.sh rasa      the Rasa server on 0.0.0.0:5005 with deploy/endpoints.yml and the trained model
# A setting still holding the shipped placeholder (CHANGE-ME) stops the container, so an install
# never runs with a secret that is printed in this repository.
set -eu
cd "$(dirname "$0")/.."

for name in COMMON_GROUND_SECRET COMMON_GROUND_DATABASE_URL COMMON_GROUND_PUBLIC_URL \
            SLACK_BOT_TOKEN SLACK_SIGNING_SECRET TEAMS_APP_ID TEAMS_APP_PASSWORD; do
  value=$(printenv "$name" || true)
  case "$value" in
    *CHANGE-ME*) echo "$name still holds the placeholder CHANGE-ME: set a real value (README, Deploying)." >&2; exit 78 ;;
  esac
done

role=${1:-rasa}
if [ "$role" != migrate ] && [ -z "${COMMON_GROUND_SECRET:-}" ]; then
  # Unset, each container would make up its own: the servers would not recognise each other's tokens.
  echo "COMMON_GROUND_SECRET is not set: every server must share one (README, Security)." >&2; exit 78
fi
case "$role" in
  migrate)
    exec python -m bot migrate ;;
  actions)
    COMMON_GROUND_ACTIONS_HOST=${COMMON_GROUND_ACTIONS_HOST:-0.0.0.0}
    export COMMON_GROUND_ACTIONS_HOST
    exec python -m actions --port 5055 ;;
  rasa)
    # The action server's key and the HTTP API's token are derived from COMMON_GROUND_SECRET, so
    # they cannot drift from it; a secret under 32 characters stops the start here.
    COMMON_GROUND_ACTIONS_TOKEN=$(python -m actions token)
    export COMMON_GROUND_ACTIONS_TOKEN
    api_token=$(python -m bot token --api)
    public=${COMMON_GROUND_PUBLIC_URL:-http://localhost:5005}
    exec rasa run --model models/common-ground.tar.gz --endpoints deploy/endpoints.yml \
      --credentials credentials.yml --enable-api --auth-token "$api_token" --cors "${public%/}" \
      --interface 0.0.0.0 --port 5005 ;;
  *)
    echo "usage: deploy/start.sh migrate|actions|rasa" >&2; exit 64 ;;
esac
