# One image for every role of Common Ground, chosen by the argument to deploy/start.sh:
#   docker run IMAGE rasa      the Rasa server on :5005 (the default)
#   docker run IMAGE actions   the action server on :5055
#   docker run IMAGE migrate   create or upgrade the database schema, then exit
# The model is trained here, at build time, from the data in the build context, so an image always
# carries the model that matches its code (a few minutes on two cores). compose.yaml and
# deploy/k8s/ use this image; see README, Deploying.

# The web page's chat widget, from the npm registry, checked against its known digest and without its
# Google Fonts import (the page loads nothing from third parties): what `make web` does.
FROM node:20-bookworm-slim AS webchat
ARG WEBCHAT_VERSION=1.0.1
ARG WEBCHAT_SHA256=bfedd788e4bd7df12f64b5bf2963e634f84bac1cb176b6cede60c507d3553f1e
WORKDIR /build
RUN npm pack --silent "rasa-webchat@${WEBCHAT_VERSION}" >/dev/null \
 && tar -xzf "rasa-webchat-${WEBCHAT_VERSION}.tgz" package/lib/index.js \
 && echo "${WEBCHAT_SHA256}  package/lib/index.js" | sha256sum --check --quiet \
 && mkdir -p /out \
 && sed -e 's#@import url(https://fonts.googleapis.com[^)]*);##g' package/lib/index.js \
      > "/out/rasa-webchat-${WEBCHAT_VERSION}.js"

FROM python:3.10-slim
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    RASA_TELEMETRY_ENABLED=false \
    TF_CPP_MIN_LOG_LEVEL=3 \
    PYTHONWARNINGS=ignore \
    SQLALCHEMY_SILENCE_UBER_WARNING=1
RUN python -m venv /opt/venv && pip install --quiet "pip==24.0"
WORKDIR /app
# The pinned set first, so a change to the code does not reinstall it.
COPY requirements.lock ./
RUN pip install --quiet --prefer-binary -r requirements.lock
COPY . .
COPY --from=webchat /out/ var/web/
RUN rasa train --fixed-model-name common-ground --out models --quiet && rm -rf .rasa \
 && groupadd --gid 10001 common-ground \
 && useradd --uid 10001 --gid 10001 --create-home common-ground \
 && mkdir -p /reports var \
 && chown -R common-ground:common-ground var /reports
USER 10001:10001
EXPOSE 5005 5055
ENTRYPOINT ["deploy/start.sh"]
CMD ["rasa"]
