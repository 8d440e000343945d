// @ts-check
import js from "@eslint/js";
import tseslint from "typescript-eslint";

// The layers go one way down (see STYLE.md): each folder may import only from the
// folders before it in this list, never from a later one.
const layers = ["common", "workflows", "runners", "history", "cli"];

/** @param {string} layer @param {{ docker: boolean, ui: boolean }} allow */
function restrictions(layer, allow) {
  const i = layers.indexOf(layer);
  const forbidden = layers.slice(i + 1);
  const paths = [{ name: "zod", message: "Import z from common/zod.js (zod's mini API, set up once: see there)." }];
  if (!allow.docker) paths.push({ name: "dockerode", message: "Only runners/docker/ imports dockerode." });
  if (!allow.ui) {
    paths.push({ name: "ink", message: "Only cli/tui/ imports ink." });
    paths.push({ name: "react", message: "Only cli/tui/ imports react." });
  }
  return [
    "error",
    {
      paths,
      patterns: forbidden.map((f) => ({
        group: [`**/${f}/**`, `../${f}`, `../../${f}`],
        message: `${layer}/ must not import ${f}/: the layers go one way down (${layers.join(" < ")}).`,
      })),
    },
  ];
}

const layerConfigs = layers.map((layer) => ({
  files: [`${layer}/**/*.ts`, `${layer}/**/*.tsx`],
  rules: { "no-restricted-imports": restrictions(layer, { docker: false, ui: false }) },
}));

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "bench/**", "examples/**", "scripts/**", "images/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/consistent-type-imports": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  ...layerConfigs,
  { files: ["runners/docker/**/*.ts"], rules: { "no-restricted-imports": restrictions("runners", { docker: true, ui: false }) } },
  { files: ["cli/tui/**/*.ts", "cli/tui/**/*.tsx"], rules: { "no-restricted-imports": restrictions("cli", { docker: false, ui: true }) } },
  {
    // A user error says what it is by its class (common/errors.ts), not by a code string.
    files: ["**/*.ts", "**/*.tsx"],
    ignores: ["common/errors.ts"],
    rules: {
      "no-restricted-syntax": [
        "error",
        {
          selector: "NewExpression[callee.name='ReplayError']",
          message: "Throw a named subclass from common/errors.ts (NotFoundError, UsageError, …), or BugError where replay itself is wrong.",
        },
      ],
    },
  },
);
