// Password rooms and full rooms, through the real REST API and signalling.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { launch, createRoom, openParticipant, join, joinRoom, screenshot, closeAll } from './harness.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('password room: a wrong password shows an error, the right one joins', async () => {
  const room = await createRoom({ access: 'password', password: 'open-sesame-42' });
  const p = await openParticipant(browser, room.slug, 'Dave');
  try {
    await p.page.getByTestId('join-password').fill('not-the-password');
    await p.page.getByTestId('join-button').click();
    const error = p.page.getByTestId('join-error');
    await error.waitFor({ timeout: 10_000 });
    assert.match(await error.textContent(), /wrong password/i);
    assert.equal(await p.page.getByTestId('in-call').count(), 0);
    await screenshot(p, 'password-wrong');
    await join(p, { password: 'open-sesame-42' });
  } finally {
    await closeAll(p);
  }
});

test('full room: the third participant of a two-seat room is told the room is full', async () => {
  const room = await createRoom({ maxParticipants: 2 });
  const a = await joinRoom(browser, room.slug, 'Erin');
  const b = await joinRoom(browser, room.slug, 'Frank');
  const c = await openParticipant(browser, room.slug, 'Grace');
  try {
    await c.page.getByTestId('join-button').click();
    const error = c.page.getByTestId('join-error');
    // generous: under CI load the pre-join page may still be opening the (shared, fake) devices
    await error.waitFor({ timeout: 30_000 }).catch(async (e) => {
      await screenshot(c, 'room-full-failed').catch(() => {});
      console.log(`--- Grace console\n${c.consoleLines.slice(-30).join('\n')}`);
      throw e;
    });
    assert.match(await error.textContent(), /full/i);
    await screenshot(c, 'room-full');
  } finally {
    await closeAll(a, b, c);
  }
});
