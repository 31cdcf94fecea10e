# chainrule: the API and its static frontend in one CPU-only image.
# Install steps mirror scripts/setup-venv.sh (run.sh): torch first, pinned, then the package.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# A fixed uid/gid, so docker-compose.yml can name the same user.
RUN groupadd --system --gid 10001 chainrule \
    && useradd --system --uid 10001 --gid chainrule --no-create-home chainrule

WORKDIR /app

# 1. torch, from PyTorch's CPU-only index (the default index would fetch the CUDA build).
RUN pip install --index-url https://download.pytorch.org/whl/cpu torch==2.13.0

# 2. the package, editable as in run.sh: app.py serves frontend/ found beside backend/.
COPY pyproject.toml README.md ./
COPY backend/ backend/
RUN pip install -e . && python -m compileall -q backend

COPY frontend/ frontend/

USER chainrule:chainrule
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/api/v1/health', timeout=4).status == 200 else 1)"]

CMD ["python", "-m", "chainrule", "serve", "--host", "0.0.0.0", "--port", "8000"]
