import { parseUsesReference } from "../workflows/index.js";
import type { BuiltinAction } from "./job/step-host.js";

export type { BuiltinAction } from "./job/step-host.js";

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
