import type { ChatMessage } from '../server/chat/chat-message.ts';

// #region render-message
/** Builds one message's line from text nodes only: whatever a message contains is shown, never run. */
export function renderMessage(message: ChatMessage): HTMLLIElement {
  const item = document.createElement('li');
  item.dataset.id = String(message.id);
  const id = document.createElement('span');
  id.className = 'chat-id';
  id.textContent = `#${message.id}`;
  const time = document.createElement('time');
  time.dateTime = new Date(message.at).toISOString();
  time.textContent = new Date(message.at).toLocaleTimeString(undefined, { hour12: false });
  const author = document.createElement('strong');
  author.textContent = message.author;
  const text = document.createElement('span');
  text.className = 'chat-text';
  text.textContent = message.text;
  item.append(id, ' ', time, ' ', author, ': ', text);
  return item;
}
// #endregion render-message
