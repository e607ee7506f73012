/**
 * How the test fakes of the chat server answer a read of one room, by the cursor contract:
 * no cursor → the latest 50; another incarnation's cursor → `reset: true` with everything;
 * otherwise every message newer than the cursor's id.
 */
export function readFakeRoom<M extends { id: number }>(room: { epoch: string; messages: M[] }, after: string | undefined) {
  const cursor = `${room.epoch}.${room.messages.at(-1)?.id ?? 0}`;
  if (after === undefined) return { messages: room.messages.slice(-50), cursor };
  const [epoch, id] = after.split('.');
  if (epoch !== room.epoch) return { messages: room.messages, cursor, reset: true };
  return { messages: room.messages.filter((message) => message.id > Number(id)), cursor };
}
