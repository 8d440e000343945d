import type { Job, Step } from "./model.js";

// What a job's steps need from the image they run in, read from the steps themselves:
// the actions they use and the commands their scripts run. Pure, so the image choice can
// be table-tested; runners/docker/image-choice.ts turns the needs into an image.

export type ToolchainKind = "rust" | "wasm-pack" | "trivy" | "browsers" | "go" | "java";

export const TOOLCHAIN_KINDS: readonly ToolchainKind[] = ["rust", "wasm-pack", "trivy", "browsers", "go", "java"];

/** Why a job needs a toolchain: the first step that said so. */
export interface ToolchainReason {
  toolchain: ToolchainKind;
  /** The step as GitHub names it: its name, else `Run <first line>` or `Run <uses>`. */
  step: string;
  why: string;
}

export interface ToolchainNeeds {
  toolchains: ToolchainKind[];
  reasons: ToolchainReason[];
  /** `node-version` inputs of setup-node steps, as written (expressions left as they are). */
  nodeVersions: string[];
}

/** Actions (owner/repo, lower case) that install or run a toolchain. */
const ACTIONS: Record<string, ToolchainKind> = {
  "dtolnay/rust-toolchain": "rust",
  "actions-rs/toolchain": "rust",
  "actions-rs/cargo": "rust",
  "actions-rs/clippy-check": "rust",
  "actions-rust-lang/setup-rust-toolchain": "rust",
  "actions-rust-lang/rustfmt": "rust",
  "swatinem/rust-cache": "rust",
  "jetli/wasm-pack-action": "wasm-pack",
  "jetli/wasm-bindgen-action": "wasm-pack",
  "aquasecurity/trivy-action": "trivy",
  "aquasecurity/setup-trivy": "trivy",
  "microsoft/playwright-github-action": "browsers",
  "actions/setup-go": "go",
  "golangci/golangci-lint-action": "go",
  "actions/setup-java": "java",
  "gradle/actions": "java",
  "gradle/gradle-build-action": "java",
};

// A command word: at the start of a line or after a separator, and ending the word.
const word = (names: string): RegExp => new RegExp(`(?:^|[\\s;&|(\`$])(?:${names})(?=$|[\\s;&|)\`])`, "m");

/** Commands in `run:` scripts, checked in this order (the first match names the reason). */
const COMMANDS: readonly { toolchain: ToolchainKind; pattern: RegExp; why: string }[] = [
  { toolchain: "wasm-pack", pattern: word("wasm-pack"), why: "runs wasm-pack" },
  { toolchain: "rust", pattern: word("cargo|rustc|rustup|rustfmt|cargo-clippy"), why: "runs cargo, rustc or rustup" },
  { toolchain: "trivy", pattern: word("trivy"), why: "runs trivy" },
  {
    toolchain: "browsers",
    // npx/pnpm/yarn/bunx playwright …, @playwright/test, playwright-core, playwright test|install
    pattern: /@playwright\/test|\bplaywright-core\b|(?:^|[\s;&|(])(?:npx|pnpm|pnpx|yarn|bunx|bun)\s+(?:exec\s+|x\s+|dlx\s+)?playwright\b|(?:^|[\s;&|(])playwright\s+(?:test|install)\b/m,
    why: "runs Playwright",
  },
  // `go build`, `go test`, …: the subcommand too, since "go" alone is an English word.
  { toolchain: "go", pattern: /(?:^|[;&|(`]|\$\()\s*go\s+(?:build|test|run|mod|vet|install|get|generate|env|version|fmt|work|list|tool|clean)\b/m, why: "runs go" },
  { toolchain: "java", pattern: /(?:^|[\s;&|(`])(?:mvn|javac|java|gradle|\.\/mvnw|\.\/gradlew)(?=$|[\s;&|)`])/m, why: "runs mvn, gradle or java" },
];

function stepName(step: Step): string {
  if (step.name !== undefined) return step.name;
  if (step.uses !== undefined) return `Run ${step.uses}`;
  return `Run ${(step.run ?? "").trim().split("\n")[0] ?? ""}`;
}

/** `owner/repo` of a remote action, lower case; undefined for local and docker actions. */
function actionName(uses: string): string | undefined {
  if (uses.startsWith("./") || uses.startsWith("docker://")) return undefined;
  const [owner, repo] = uses.replace(/@.*$/, "").split("/");
  return owner && repo ? `${owner}/${repo}`.toLowerCase() : undefined;
}

export function toolchainNeeds(job: Pick<Job, "steps">): ToolchainNeeds {
  const reasons: ToolchainReason[] = [];
  const nodeVersions: string[] = [];
  const add = (toolchain: ToolchainKind, step: Step, why: string): void => {
    if (!reasons.some((r) => r.toolchain === toolchain)) reasons.push({ toolchain, step: stepName(step), why });
  };
  for (const step of job.steps) {
    if (step.uses !== undefined) {
      const action = actionName(step.uses);
      if (action === "actions/setup-node") {
        const v = step.with["node-version"]?.trim();
        if (v) nodeVersions.push(v);
      }
      const toolchain = action === undefined ? undefined : ACTIONS[action];
      if (toolchain !== undefined) add(toolchain, step, `uses ${step.uses}`);
    }
    if (step.run !== undefined) {
      for (const c of COMMANDS) if (c.pattern.test(step.run)) add(c.toolchain, step, c.why);
    }
  }
  // wasm-pack builds Rust: its image stacks on the Rust one.
  const wasm = reasons.find((r) => r.toolchain === "wasm-pack");
  if (wasm && !reasons.some((r) => r.toolchain === "rust")) reasons.push({ ...wasm, toolchain: "rust" });
  const toolchains = TOOLCHAIN_KINDS.filter((t) => reasons.some((r) => r.toolchain === t));
  return { toolchains, reasons: toolchains.map((t) => reasons.find((r) => r.toolchain === t)).filter((r) => r !== undefined), nodeVersions };
}
