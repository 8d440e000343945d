import { readFileSync } from "node:fs";
import { defineConfig } from "vitest/config";
import type { Plugin } from "vitest/config";

// GitHub's workflow parser (the oracle of tests/workflow-oracle.test.ts) imports its
// schema JSON without an import attribute, which Node 20 refuses: vite transforms it
// instead (server.deps.inline below). Its source maps name sources it does not ship;
// loading it without them spares a warning per file.
const workflowParser = "@actions/workflow-parser";
const withoutSourceMaps: Plugin = {
  name: "workflow-parser-without-source-maps",
  load: (id) => (id.includes(`/node_modules/${workflowParser}/`) && id.endsWith(".js") ? readFileSync(id, "utf8").replace(/^\/\/# sourceMappingURL=.*$/m, "") : undefined),
};

// Two projects: fast unit tests with no Docker, and tests against the real engine.
// The Docker project runs its files one at a time: they share one engine on a 2-core
// machine, and the corpus cases already run their jobs in parallel inside replay.
export default defineConfig({
  test: {
    projects: [
      {
        plugins: [withoutSourceMaps],
        test: {
          name: "unit",
          include: ["{common,workflows,runners,history,cli,tests}/**/*.test.{ts,tsx}"],
          exclude: ["**/*.docker.test.{ts,tsx}", "node_modules/**", "dist/**"],
          server: { deps: { inline: [workflowParser] } },
        },
      },
      {
        test: {
          name: "docker",
          include: ["{common,workflows,runners,history,cli,tests}/**/*.docker.test.ts"],
          exclude: ["node_modules/**", "dist/**"],
          testTimeout: 600_000,
          hookTimeout: 900_000,
          pool: "forks",
          poolOptions: { forks: { singleFork: true } },
          globalSetup: ["tests/docker-global-setup.ts"],
        },
      },
    ],
  },
});
