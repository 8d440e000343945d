# Thin wrappers over the npm scripts; `make setup` also makes sure a Docker engine and
# replay's base image exist (scripts/ensure-docker.sh, done once, then reused).
.PHONY: setup test demo lint bench

# `npm install` rather than `npm ci`: npm 11 writes lock files without the optional
# platform packages of other systems (rollup, esbuild) and then `npm ci` refuses them;
# `npm install` installs the locked versions all the same.
setup:
	npm install --no-audit --no-fund
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
