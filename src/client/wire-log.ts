/** Appends a timestamped line to a widget's "on the wire" log, keeping only the last `maxLines`. */
export function appendWireLine(list: HTMLElement, text: string, maxLines = 30): void {
  const line = document.createElement('li');
  line.textContent = `${new Date().toLocaleTimeString(undefined, { hour12: false })}  ${text}`;
  list.append(line);
  while (list.children.length > maxLines) list.firstElementChild!.remove();
  list.scrollTop = list.scrollHeight;
}
