import { expect, test, type Page } from '@playwright/test';

const lesson = '/lessons/long-poll-chat/';
const uniqueRoom = (name: string) => `e2e-${name}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;

async function openChat(page: Page, room: string) {
  await page.goto(`${lesson}?room=${room}`);
  const demo = page.locator('chat-demo');
  await expect(demo.locator('[data-field="room"]')).toHaveText(room);
  await expect(demo.locator('[data-field="state"]')).toHaveText('waiting'); // its poll is held by the server
  return {
    messages: page.getByRole('log', { name: 'Chat messages' }),
    async say(author: string, text: string) {
      await page.getByRole('textbox', { name: 'Your name' }).fill(author);
      await page.getByRole('textbox', { name: 'Message' }).fill(text);
      await page.getByRole('textbox', { name: 'Message' }).press('Enter');
      await expect(page.getByRole('textbox', { name: 'Message' })).toHaveValue('');
    },
  };
}

test.describe('long-poll chat lesson', () => {
  test('two browsers in the same room chat with each other', async ({ page, browser }) => {
    const room = uniqueRoom('pair');
    const otherContext = await browser.newContext();
    const otherPage = await otherContext.newPage();
    const alice = await openChat(page, room);
    const bob = await openChat(otherPage, room);

    await alice.say('Alice', 'Hello Bob, can you read me?');
    await expect(bob.messages.getByRole('listitem')).toHaveCount(1);
    await expect(bob.messages).toContainText('#1');
    await expect(bob.messages).toContainText('Alice: Hello Bob, can you read me?');

    await bob.say('Bob', 'Loud and clear.');
    await expect(alice.messages.getByRole('listitem')).toHaveCount(2);
    await expect(alice.messages.getByRole('listitem').nth(1)).toContainText('#2');
    await expect(alice.messages.getByRole('listitem').nth(1)).toContainText('Bob: Loud and clear.');
    await expect(bob.messages.getByRole('listitem')).toHaveCount(2); // the sender sees its own message once
    await otherContext.close();
  });

  test('a message made of HTML is shown as text and runs nothing', async ({ page, browser }) => {
    const dialogs: string[] = [];
    const room = uniqueRoom('xss');
    const readerContext = await browser.newContext();
    const reader = await readerContext.newPage();
    for (const p of [page, reader]) p.on('dialog', (dialog) => (dialogs.push(dialog.message()), dialog.dismiss()));
    const writer = await openChat(page, room);
    const readerChat = await openChat(reader, room);

    const hostile = '<img src=x onerror=alert(1)><script>window.pwned = true</script>';
    await writer.say('Mallory', hostile);
    for (const chat of [readerChat, writer]) {
      await expect(chat.messages.locator('.chat-text')).toHaveText(hostile);
      await expect(chat.messages.locator('img, script')).toHaveCount(0);
    }
    expect(await reader.evaluate(() => (window as { pwned?: boolean }).pwned)).toBeUndefined();
    expect(dialogs).toEqual([]);
    await readerContext.close();
  });

  test('each visitor gets a private room kept in the address, with a link to share it and a way to the lobby', async ({
    page,
  }) => {
    await page.goto(lesson);
    const demo = page.locator('chat-demo');
    await expect(page).toHaveURL(/[?&]room=room-[a-z0-9]{10}(?:&|#|$)/);
    const room = new URL(page.url()).searchParams.get('room')!;
    await expect(demo.locator('[data-field="room"]')).toHaveText(room);
    const link = page.getByRole('link', { name: 'Open this room in a new tab' });
    await expect(link).toHaveAttribute('target', '_blank');
    expect(new URL((await link.getAttribute('href'))!).searchParams.get('room')).toBe(room);

    await page.getByRole('button', { name: 'Switch to the lobby' }).click();
    await expect(demo.locator('[data-field="room"]')).toHaveText('lobby');
    await expect(page).toHaveURL(/[?&]room=lobby(?:&|#|$)/);
    await page.getByRole('button', { name: 'Back to your private room' }).click();
    await expect(demo.locator('[data-field="room"]')).toHaveText(room);

    await page.reload(); // the address keeps the room
    await expect(demo.locator('[data-field="room"]')).toHaveText(room);
  });

  test('a refused send is announced politely, with the wait the server asked for, and cleared by the next send', async ({ page }) => {
    const room = uniqueRoom('refused');
    const chat = await openChat(page, room);
    // Every post is refused as over the limit, asking for a 1 s pause (the client retries, then gives up).
    await page.route('**/api/chat/messages', (route) =>
      route.request().method() === 'POST'
        ? route.fulfill({ status: 429, headers: { 'Retry-After': '1' }, contentType: 'application/json', body: '{"error":"too many messages"}' })
        : route.fallback(),
    );
    const textbox = page.getByRole('textbox', { name: 'Message' });
    await textbox.fill('will be refused');
    await textbox.press('Enter');
    const announcement = page.locator('chat-demo').getByRole('status').filter({ hasText: 'Not sent' });
    await expect(announcement).toHaveText('Not sent: too many messages. Try again in 1 s.', { timeout: 15_000 });
    await expect(textbox).toHaveValue('will be refused'); // kept, to send again

    await page.unrouteAll();
    await chat.say('Ann', 'now it goes through');
    await expect(chat.messages).toContainText('Ann: now it goes through');
    await expect(page.locator('chat-demo [data-field="send-status"]')).toBeEmpty();
  });
});
