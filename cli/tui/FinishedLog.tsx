import type { ReactElement } from "react";
import { Static, Text } from "ink";
import { pausedText } from "../reporters/format.js";
import { durationText, statusStyle } from "./status-style.js";
import type { FinishedItem } from "./tui-store.js";

function Item({ item }: { item: FinishedItem }): ReactElement {
  if (item.kind === "note") return item.level === "info" ? <Text>{`note: ${item.text}`}</Text> : <Text color="yellow">{`warning: ${item.text}`}</Text>;
  const style = statusStyle(item.result);
  const failed = item.failedSteps.length ? ` — failed: ${item.failedSteps.join(", ")}` : "";
  const notes = item.annotations ? ` — ${item.annotations} annotation${item.annotations === 1 ? "" : "s"}` : "";
  const reason = item.reason ? ` (${item.reason})` : "";
  const degraded = item.degraded ? " (degraded: smaller than its runner size)" : "";
  const retried = item.retried?.length ? ` — ${item.retried.join(", ")}` : "";
  return (
    <Text>
      <Text {...(style.color ? { color: style.color } : {})} dimColor={style.dim ?? false}>
        {style.icon}
      </Text>
      <Text bold>{` ${item.name}`}</Text>
      <Text>{` ${item.result} in ${durationText(item.durationMs)}${pausedText(item.pausedMs)}${failed}${retried}${notes}${reason}${degraded}`}</Text>
    </Text>
  );
}

/** Jobs that ended and warnings, written once above the live screen. */
export function FinishedLog({ items }: { items: readonly FinishedItem[] }): ReactElement {
  return <Static items={[...items]}>{(item) => <Item key={item.id} item={item} />}</Static>;
}
