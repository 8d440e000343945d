import { parseUsesReference } from "../workflows/index.js";
import type { BuiltinAction } from "./job/step-host.js";

export type { BuiltinAction } from "./job/step-host.js";

export class BuiltinRegistry {
  private readonly byName = new Map<string, BuiltinAction>();

  /** `preloader`: starts loading the actions' code, for a registry whose actions load it on first use (deferred-builtins.ts). */
  constructor(
    actions: readonly BuiltinAction[],
    disabled: readonly string[] = [],
    private readonly preloader?: () => void,
  ) {
    const off = new Set(disabled.map((d) => d.toLowerCase().replace(/@.*$/, "")));
    for (const a of actions) if (!off.has(a.name.toLowerCase())) this.byName.set(a.name.toLowerCase(), a);
  }

  /** Starts loading the actions' code, if it is not loaded yet (a job's container is starting meanwhile). */
  preload(): void {
    this.preloader?.();
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
