import { defineConfig } from "vitest/config";

// Two projects: fast unit tests with no Docker, and tests against the real engine.
// The Docker project runs its files one at a time: they share one engine on a 2-core
// machine, and the corpus cases already run their jobs in parallel inside replay.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["{common,workflows,runners,history,cli,tests}/**/*.test.{ts,tsx}"],
          exclude: ["**/*.docker.test.{ts,tsx}", "node_modules/**", "dist/**"],
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
