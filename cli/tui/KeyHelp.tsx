import type { ReactElement } from "react";
import { Text } from "ink";
import { fitKeys } from "./keymap.js";
import type { KeyHint } from "./keymap.js";

/** The footer: the keys that work now, and only those, as many as fit (q and ? always). */
export function KeyHelp({ keys, width }: { keys: readonly KeyHint[]; width: number }): ReactElement {
  return (
    <Text wrap="truncate-end">
      {fitKeys(keys, width).map((k, i) => (
        <Text key={k.keys}>
          {i > 0 ? <Text dimColor> · </Text> : null}
          <Text bold color="cyan">
            {k.keys}
          </Text>
          <Text> {k.label}</Text>
        </Text>
      ))}
    </Text>
  );
}
