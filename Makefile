# hush: make build | demo | test | bundle | bench | lab | check
NODE_TS := node --no-warnings --loader ts-node/esm

.PHONY: all build demo bundle test lab check bench qjs native device clean

all: build bundle

node_modules: package-lock.json
	npm ci
	@touch node_modules

build: node_modules
	npx tsc -p tsconfig.build.json
	chmod +x dist/node/platform/node/cli.js

# Publish with hush in one network namespace, browse and resolve from another
# (avahi), print what was found, remove everything. Needs root.
demo: build
	@bash scripts/lab-deps.sh
	@$(NODE_TS) scripts/demo.ts

bundle: node_modules
	npx rollup -c rollup.config.js

test: node_modules
	@node scripts/test.mjs unit

# Real-peer tests in network namespaces this target creates (needs root, tshark).
lab: node_modules
	@bash scripts/lab-deps.sh
	@node scripts/test.mjs lab

# Everything CI runs: unit suites and the lab, one summary line.
check: node_modules
	@bash scripts/lab-deps.sh
	@node scripts/test.mjs unit lab

# Benchmarks print tables and write bench/results/*.json; the lab ones (wire's
# avahi side, responder throughput) run in namespaces and need root.
bench: build
	@bash scripts/lab-deps.sh
	$(NODE_TS) bench/run.ts

# The device engine: QuickJS 2021-03-27 (sources from the npm package qjsc,
# integrity-checked) and the native UDP module, in build/qjs/.
qjs:
	@bash scripts/qjs.sh

# The Node addon of the raw backend (Linux, AF_PACKET), into
# platform/native/build/Release/hush_native.node; npm install runs it too.
# Here with -Werror, failing on a warning (build.mjs, HUSH_NATIVE_WERROR).
native:
	@HUSH_NATIVE_WERROR=1 node platform/native/build.mjs

# The device program as it runs on a border router: dist/hush.mjs with
# the native module beside it (it imports ./hush_udp.so), and build/qjs/qjs.
#   build/qjs/qjs dist/hush.mjs config.json
device: bundle qjs
	cp build/qjs/hush_udp.so dist/hush_udp.so

clean:
	rm -rf dist
