# Thin wrappers over the npm scripts; `make setup` also makes sure a Docker engine and
# replay's base image exist (scripts/ensure-docker.sh, done once, then reused).
.PHONY: setup test demo lint bench

setup:
	npm ci --no-audit --no-fund
	npm run build
	bash scripts/ensure-docker.sh

test: setup
	npm test

demo: setup
	npm run demo

lint:
	npm run lint

bench: setup
	npm run bench
