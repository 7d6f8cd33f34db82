# syntax=docker/dockerfile:1
# Marketplace API and projection worker image.
#   docker build -t marketplace .
#   docker run marketplace                      # API (default command)
#   docker run marketplace marketplace project  # projection worker

# --- build stage: install the project and its pinned dependencies into a venv
FROM python:3.11-slim AS build

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1

RUN python -m venv /opt/venv
ENV PATH="/opt/venv/bin:$PATH"

WORKDIR /src
COPY . .
# A developer's local virtualenv or SQLite data must not leak into the image.
RUN rm -rf .venv var \
 && pip install --no-cache-dir -c constraints.txt .

# --- runtime stage: only the venv, run as an unprivileged user
FROM python:3.11-slim

# MARKETPLACE_DEV_SECRET=off: a container never makes a development secret under its var/ (each would make its
# own): while development tokens are on, it refuses to start without MARKETPLACE_JWT_SECRET (docs/sign-in.md).
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    MARKETPLACE_DEV_SECRET=off \
    PATH="/opt/venv/bin:$PATH"

# libpq for psycopg in case the pure-Python implementation is used.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpq5 \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 marketplace \
 && useradd --system --uid 10001 --gid marketplace --home-dir /app --shell /usr/sbin/nologin marketplace \
 && install -d -o marketplace -g marketplace /app /app/var

COPY --from=build /opt/venv /opt/venv

WORKDIR /app
USER marketplace

EXPOSE 8000

CMD ["marketplace", "serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "4"]
