# vlocr on a CPU: OCR, the REST/OpenAI-compatible API and the web page, fully offline at run time.
#   docker build -t vlocr .                          # OCR server (no torch), ~1.5 GB
#   docker build -t vlocr-vlm --build-arg WITH_VLM=1 .   # + torch (CPU) and transformers for Qwen3-VL
#   docker run --rm -p 8000:8000 -e VLOCR_API_KEYS=change-me vlocr
#   docker run --rm -v "$PWD:/data" vlocr vlocr read /data/receipt.jpg
# Models: the OCR models ship inside the rapidocr wheels. Qwen3-VL weights are not in the image:
# mount a folder and pass --model /models/Qwen3-VL-2B-Instruct (or use --vlm openai).
FROM python:3.11-slim

ARG WITH_VLM=0
# The CPU build of torch; the default index on PyPI resolves to CUDA builds (several GB).
ARG TORCH_SPEC="torch==2.13.0"
ARG TORCH_INDEX="https://download.pytorch.org/whl/cpu"

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    HF_HUB_OFFLINE=1 \
    GRADIO_ANALYTICS_ENABLED=False

RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      tesseract-ocr tesseract-ocr-eng tesseract-ocr-chi-sim tesseract-ocr-chi-tra \
      tesseract-ocr-jpn tesseract-ocr-kor fonts-noto-cjk fonts-dejavu-core libgl1 libglib2.0-0 \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md LICENSE ./
COPY src ./src
COPY examples ./examples

RUN if [ "$WITH_VLM" = "1" ]; then \
      pip install "$TORCH_SPEC" --index-url "$TORCH_INDEX" && pip install ".[server,vlm]"; \
    else \
      pip install ".[server]"; \
    fi \
 && useradd --create-home --uid 1000 vlocr \
 && vlocr read examples/receipt.jpg > /dev/null

USER vlocr
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s \
  CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz').status != 200)"
# Off loopback the API wants keys: pass -e VLOCR_API_KEYS=key1,key2.
CMD ["vlocr", "serve", "--host", "0.0.0.0", "--port", "8000"]
