# Samling in a container: one process, SQLite in /data, port 8000.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    SAMLING_DATABASE_URL=sqlite:////data/samling.db \
    SAMLING_PROGRAMS_DIR=/srv/samling/exercises

WORKDIR /srv/samling
COPY pyproject.toml constraints.txt README.md ./
COPY app ./app
COPY exercises ./exercises
RUN pip install --no-cache-dir -c constraints.txt . \
    && useradd --system --uid 10001 --home-dir /srv/samling samling \
    && mkdir /data && chown samling /data

USER samling
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz')"
CMD ["uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "8000", "--ws", "websockets-sansio", "--ws-max-size", "65536", "--ws-per-message-deflate", "false", "--backlog", "8192", "--ws-ping-interval", "0", "--no-proxy-headers", "--no-server-header"]
