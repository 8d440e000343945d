import { parseUsesReference } from "../workflows/index.js";
import type { StepHost } from "./job-runner.js";

/**
 * An action replay runs itself, offline and fast, with the original's inputs, outputs
 * and observable effect. `main` and `post` answer whether the step succeeded.
 */
export interface BuiltinAction {
  /** `owner/repo` (and `/path`), matched case-insensitively and for any ref. */
  readonly name: string;
  main(host: StepHost): Promise<boolean>;
  post?(host: StepHost): Promise<boolean>;
}

export class BuiltinRegistry {
  private readonly byName = new Map<string, BuiltinAction>();

  constructor(actions: readonly BuiltinAction[], disabled: readonly string[] = []) {
    const off = new Set(disabled.map((d) => d.toLowerCase().replace(/@.*$/, "")));
    for (const a of actions) if (!off.has(a.name.toLowerCase())) this.byName.set(a.name.toLowerCase(), a);
  }

  find(uses: string): BuiltinAction | undefined {
    const ref = parseUsesReference(uses);
    if (ref?.kind !== "remote") return undefined;
    const key = [ref.owner, ref.repo, ref.path].filter(Boolean).join("/").toLowerCase();
    return this.byName.get(key);
  }

  names(): string[] {
    return [...this.byName.keys()];
  }
}
